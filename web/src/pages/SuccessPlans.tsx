// Success plans: what success means to the customer in their own words (and who said it), the
// outcomes it is measured by, and the milestones on the way, each with owners on both sides, a
// share of the payment and of the rep's commission held back until it is met. The account page
// lists an account's plans; /success-plans/:id is one plan.
import { FormEvent, useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { ApiError, Page, api, date, get, getAll, money } from "../api";
import type { Contact } from "../types";
import { useUsers } from "../lookups";
import { FieldError } from "../problems";
import { serverDate } from "../clock";
import { Attachments } from "../attachments";

type Outcome = { measure: string; description: string; target: string | null; actual: string | null };
type Milestone = {
  id: string; name: string; kind: string; due_on: string; status: string; met_on: string | null;
  owner_id: string | null; customer_owner_id: string | null; payment_share_percent: number;
  commission_holdback_percent: number; evidence: string | null;
};
type Plan = {
  id: string; account_id: string; opportunity_id: string | null; owner_id: string; title: string;
  customer_definition: string; defined_by_contact_id: string | null; defined_on: string | null;
  status: string; contract_value_minor: number; currency: string; commission_user_id: string | null;
  commission_minor: number; commission_earned_on: string | null; grace_days: number; version: number;
  outcomes: Outcome[]; milestones: Milestone[]; milestones_met: number; milestones_total: number;
};
type User = { id: string; name: string };

export const PLAN_STATUSES = ["draft", "active", "achieved", "closed"];
const MEASURES: Record<string, string> = { uptime: "Uptime", staff_trained: "Staff trained", throughput: "Throughput", savings: "Savings", other: "Other" };
const KINDS: Record<string, string> = { installed: "Installed", acceptance: "Acceptance", training: "Training", go_live: "Go-live", first_review: "First review", other: "Other" };

// Today as YYYY-MM-DD in the browser's time zone (what a date input shows).
const today = () => {
  const d = serverDate();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
// Pounds typed into a form as minor units; blank stays blank.
const minor = (pounds: string) => (pounds.trim() === "" ? undefined : Math.round(Number(pounds) * 100));

// met, missed, overdue (planned and past its date) or planned.
export const milestoneState = (m: Milestone) =>
  m.status === "met" ? "met" : m.status === "missed" ? "missed" : m.due_on < today() ? "overdue" : "planned";
const STATE_LABEL: Record<string, string> = { met: "met", missed: "missed", overdue: "overdue", planned: "planned" };

function Progress({ met, total, label }: { met: number; total: number; label: string }) {
  const width = total === 0 ? 0 : Math.round((met / total) * 100);
  return (
    <div className="progress" role="img" aria-label={label} title={label}>
      <span className="seg first_contact_made" style={{ width: `${width}%` }} />
    </div>
  );
}


// The account page's section: the account's plans with their milestone progress, and a form to
// write a new one down with the customer's definition of success.
export function AccountSuccessPlans({ accountId, contacts }: { accountId: string; contacts: { id: string; name: string; left: boolean }[] }) {
  const blank = { title: "", customer_definition: "", defined_by_contact_id: "", defined_on: today(), opportunity_id: "", contract_value: "", commission: "", grace_days: "" };
  const [plans, setPlans] = useState<Plan[]>([]);
  const [form, setForm] = useState(blank);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const load = useCallback(() => {
    get<Page<Plan>>(`/success-plans?account_id=${accountId}&limit=100`).then((p) => setPlans(p.items)).catch(() => setPlans([]));
  }, [accountId]);
  useEffect(load, [load]);
  // Deals it may belong to: usually one just won, so closed ones too (but not lost).
  const [deals, setDeals] = useState<{ id: string; name: string; stage: string }[]>([]);
  useEffect(() => {
    getAll<{ id: string; name: string; stage: string }>(`/opportunities?account_id=${accountId}&limit=500`)
      .then((items) => setDeals(items.filter((o) => o.stage !== "closed_lost"))).catch(() => setDeals([]));
  }, [accountId]);

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({}); setMessage("");
    try {
      await api("POST", "/success-plans", {
        account_id: accountId, title: form.title, customer_definition: form.customer_definition,
        defined_by_contact_id: form.defined_by_contact_id || null, defined_on: form.defined_on || null,
        opportunity_id: form.opportunity_id || null,
        ...(minor(form.contract_value) !== undefined ? { contract_value_minor: minor(form.contract_value) } : {}),
        ...(minor(form.commission) !== undefined ? { commission_minor: minor(form.commission) } : {}),
        ...(form.grace_days.trim() ? { grace_days: Number(form.grace_days) } : {}),
      });
      setForm(blank);
      setMessage("Plan added.");
      load();
    } catch (err) {
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
      else setMessage("Could not reach Rapport; nothing was lost, try again.");
    }
  };
  const set = (key: keyof typeof blank) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  return (
    <section className="card span" aria-labelledby="success-title">
      <h2 id="success-title">Success plans</h2>
      {plans.length === 0 && <p className="muted">No success plans yet: write down what success means to the customer, in their words.</p>}
      <ul className="list success-plans">
        {plans.map((p) => (
          <li key={p.id}>
            <Link to={`/success-plans/${p.id}`}>{p.title}</Link> <span className={`chip plan-${p.status}`}>{p.status}</span>
            <span className="muted"> · {p.milestones_met}/{p.milestones_total} milestones met</span>
            <Progress met={p.milestones_met} total={p.milestones_total} label={`${p.milestones_met} of ${p.milestones_total} milestones met`} />
            <div className="muted quote-line">“{p.customer_definition}”</div>
          </li>
        ))}
      </ul>
      <form className="inline-form success-form" aria-label="Add a success plan" onSubmit={add} noValidate>
        <label className="wide">Title <input value={form.title} onChange={set("title")} aria-invalid={!!errors.title} aria-describedby="title-error" />
          <FieldError errors={errors} name="title" /></label>
        <label className="full">Success in the customer's words <textarea rows={2} value={form.customer_definition} onChange={set("customer_definition")}
          aria-invalid={!!errors.customer_definition} aria-describedby="customer_definition-error" />
          <FieldError errors={errors} name="customer_definition" /></label>
        <label>Who said it <select value={form.defined_by_contact_id} onChange={set("defined_by_contact_id")} aria-invalid={!!errors.defined_by_contact_id}>
          <option value="">not recorded</option>
          {contacts.filter((c) => !c.left).map((c) => <option key={c.id} value={c.id}>{c.name}</option>)}
        </select><FieldError errors={errors} name="defined_by_contact_id" /></label>
        <label>When <input type="date" value={form.defined_on} onChange={set("defined_on")} aria-invalid={!!errors.defined_on} />
          <FieldError errors={errors} name="defined_on" /></label>
        <label>Deal <select value={form.opportunity_id} onChange={set("opportunity_id")} aria-invalid={!!errors.opportunity_id}>
          <option value="">none</option>
          {deals.map((o) => <option key={o.id} value={o.id}>{o.name} ({o.stage.replace("_", " ")})</option>)}
        </select><FieldError errors={errors} name="opportunity_id" /></label>
        <label>Contract value (£) <input type="number" min={0} step="0.01" value={form.contract_value} onChange={set("contract_value")} aria-invalid={!!errors.contract_value_minor} />
          <FieldError errors={errors} name="contract_value_minor" /></label>
        <label>Commission (£) <input type="number" min={0} step="0.01" value={form.commission} onChange={set("commission")} aria-invalid={!!errors.commission_minor} />
          <FieldError errors={errors} name="commission_minor" /></label>
        <label>Grace days <input type="number" min={0} max={365} placeholder="30" value={form.grace_days} onChange={set("grace_days")} aria-invalid={!!errors.grace_days} />
          <FieldError errors={errors} name="grace_days" /></label>
        <button type="submit">Add the plan</button>
      </form>
      {message && <p role="status" className={Object.keys(errors).length ? "error" : "ok"}>{message}</p>}
    </section>
  );
}

export function SuccessPlanPage() {
  const { id } = useParams();
  const [plan, setPlan] = useState<Plan | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [stale, setStale] = useState(false);
  const [account, setAccount] = useState<{ id: string; name: string } | null>(null);
  const [deal, setDeal] = useState<{ id: string; name: string } | null>(null);
  const [contacts, setContacts] = useState<Contact[]>([]);
  const users = useUsers();
  const [message, setMessage] = useState("");

  const load = useCallback(async () => {
    try {
      const { data, etag } = await api<Plan>("GET", `/success-plans/${id}`);
      setPlan(data); setEtag(etag); setStale(false); setMissing(false);
    } catch (e) {
      if (e instanceof ApiError && e.problem.status === 404) setMissing(true);
    }
  }, [id]);
  useEffect(() => { load(); }, [load]);
  const accountId = plan?.account_id;
  useEffect(() => {
    if (!accountId) return;
    get<{ id: string; name: string }>(`/accounts/${accountId}`).then(setAccount).catch(() => {});
    getAll<Contact>(`/contacts?account_id=${accountId}&limit=500`).then((items) => setContacts(items)).catch(() => {});
  }, [accountId]);
  const dealId = plan?.opportunity_id;
  useEffect(() => {
    if (dealId) get<{ id: string; name: string }>(`/opportunities/${dealId}`).then(setDeal).catch(() => setDeal(null));
    else setDeal(null);
  }, [dealId]);

  // Changes to the plan itself, with the ETag read; field errors go back to the form that sent them.
  const patch = async (body: Record<string, unknown>) => {
    try {
      await api<Plan>("PATCH", `/success-plans/${id}`, body, etag ? { "If-Match": etag } : {});
      await load();
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) setStale(true);
      throw err;
    }
  };

  if (missing) return <div className="card"><h1>Success plan not found</h1><p>There is no such plan, or its account is outside your territories. <Link to="/accounts">Back to accounts</Link></p></div>;
  if (!plan) return <p className="loading">Loading…</p>;
  const contactName = (cid: string | null) => {
    const c = contacts.find((x) => x.id === cid);
    return c ? `${c.first_name} ${c.last_name}` : cid ?? "";
  };
  const userName = (uid: string | null) => users.find((u) => u.id === uid)?.name ?? uid ?? "";
  const definer = contacts.find((c) => c.id === plan.defined_by_contact_id);
  const held = plan.milestones.reduce((n, m) => n + m.commission_holdback_percent, 0);
  const paid = plan.milestones.reduce((n, m) => n + m.payment_share_percent, 0);

  return (
    <div className="grid success-plan">
      <div className="span">
        <nav aria-label="Breadcrumb" className="crumbs">
          <Link to={`/accounts/${plan.account_id}`}>{account?.name ?? "Account"}</Link> › Success plan
        </nav>
        <h1>{plan.title}</h1>
        <div className="plan-meta">
          <label className="inline">Status{" "}
            <select value={plan.status} onChange={async (e) => {
              setMessage("");
              try { await patch({ status: e.target.value }); setMessage(`Status: ${e.target.value}.`); }
              catch (err) { if (err instanceof ApiError && err.problem.status !== 412) setMessage(err.message); }
            }}>{PLAN_STATUSES.map((s) => <option key={s}>{s}</option>)}</select>
          </label>
          <span className="muted">
            looked after by {userName(plan.owner_id)}
            {deal && <> · deal <Link to={`/opportunities/${deal.id}/blue-sheet`}>{deal.name}</Link></>}
            {" "}· contract {money(plan.contract_value_minor, plan.currency)}
          </span>
          <span className="muted">{plan.milestones_met}/{plan.milestones_total} milestones met</span>
          <Progress met={plan.milestones_met} total={plan.milestones_total} label={`${plan.milestones_met} of ${plan.milestones_total} milestones met`} />
        </div>
        {stale && <p role="alert" className="error">Someone else changed this plan since you opened it. <button type="button" onClick={load}>Reload it</button></p>}
        {message && <p role="status">{message}</p>}
      </div>

      <section className="card" aria-labelledby="definition-title">
        <h2 id="definition-title">Success, in the customer's words</h2>
        <figure className="definition">
          <blockquote>{plan.customer_definition}</blockquote>
          <figcaption>
            — {definer ? <>{definer.first_name} {definer.last_name}{definer.job_title ? `, ${definer.job_title}` : ""}</> : plan.defined_by_contact_id ? contactName(plan.defined_by_contact_id) : "who said it is not recorded"}
            {plan.defined_on && <>, {date(plan.defined_on)}</>}
          </figcaption>
        </figure>
      </section>

      <Attachments path={`/success-plans/${plan.id}`} title="Signed plan and evidence" />
      <section className="card" aria-labelledby="commission-title">
        <h2 id="commission-title">Payment and commission</h2>
        <dl className="figures small">
          <div><dt>Contract value</dt><dd>{money(plan.contract_value_minor, plan.currency)}</dd></div>
          <div><dt>Paid on milestones</dt><dd>{paid}%</dd></div>
          <div><dt>Commission</dt><dd>{money(plan.commission_minor, plan.currency)}</dd></div>
          <div><dt>Held back on milestones</dt><dd>{held}%</dd></div>
        </dl>
        <p className="muted">
          {plan.commission_minor > 0
            ? <>Commission of {userName(plan.commission_user_id)}, earned {date(plan.commission_earned_on)}. A milestone's holdback is released when it is met, and forfeited if it is not met within {plan.grace_days} days of its due date.</>
            : <>No commission recorded against this plan. Grace period {plan.grace_days} days.</>}
        </p>
      </section>

      <Outcomes plan={plan} save={patch} />
      <Milestones plan={plan} contacts={contacts} users={users} userName={userName} contactName={contactName} onChanged={load} />
    </div>
  );
}

type OutcomeRow = { measure: string; description: string; target: string; actual: string };

function Outcomes({ plan, save }: { plan: Plan; save: (body: Record<string, unknown>) => Promise<void> }) {
  const [rows, setRows] = useState<OutcomeRow[] | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const edit = () => {
    setRows(plan.outcomes.map((o) => ({ measure: o.measure, description: o.description, target: o.target ?? "", actual: o.actual ?? "" })));
    setErrors({}); setMessage("");
  };
  const change = (i: number, key: keyof OutcomeRow, value: string) => setRows((rows ?? []).map((r, j) => (j === i ? { ...r, [key]: value } : r)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!rows) return;
    setErrors({}); setMessage("");
    try {
      await save({ outcomes: rows.map((r) => ({ measure: r.measure, description: r.description, target: r.target || null, actual: r.actual || null })) });
      setRows(null);
      setMessage("Outcomes saved.");
    } catch (err) {
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
      else setMessage("Could not reach Rapport; nothing was lost, try again.");
    }
  };
  const err = (i: number, key: string) => errors[`outcomes[${i}].${key}`];

  return (
    <section className="card span" aria-labelledby="outcomes-title">
      <h2 id="outcomes-title">Outcomes</h2>
      {!rows && (
        <>
          <table className="table compact" aria-label="Outcomes">
            <thead><tr><th scope="col">Measure</th><th scope="col">Outcome</th><th scope="col">Target</th><th scope="col">Actual</th></tr></thead>
            <tbody>
              {plan.outcomes.map((o, i) => (
                <tr key={i}><td>{MEASURES[o.measure] ?? o.measure}</td><td>{o.description}</td><td>{o.target ?? "—"}</td><td>{o.actual ?? "—"}</td></tr>
              ))}
            </tbody>
          </table>
          {plan.outcomes.length === 0 && <p className="muted">No measurable outcomes yet.</p>}
          <button type="button" onClick={edit}>Edit outcomes</button>
        </>
      )}
      {rows && (
        <form aria-label="Edit outcomes" onSubmit={submit} noValidate>
          <table className="table compact">
            <thead><tr><th scope="col">Measure</th><th scope="col">Outcome</th><th scope="col">Target</th><th scope="col">Actual</th><th scope="col"><span className="sr-only">Remove</span></th></tr></thead>
            <tbody>
              {rows.map((r, i) => (
                <tr key={i}>
                  <td><select aria-label={`Outcome ${i + 1} measure`} value={r.measure} onChange={(e) => change(i, "measure", e.target.value)} aria-invalid={!!err(i, "measure")}>
                    {Object.entries(MEASURES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select>
                    {err(i, "measure") && <span className="error">{err(i, "measure")}</span>}</td>
                  <td><input aria-label={`Outcome ${i + 1} description`} value={r.description} onChange={(e) => change(i, "description", e.target.value)} aria-invalid={!!err(i, "description")} />
                    {err(i, "description") && <span className="error">{err(i, "description")}</span>}</td>
                  <td><input aria-label={`Outcome ${i + 1} target`} value={r.target} onChange={(e) => change(i, "target", e.target.value)} aria-invalid={!!err(i, "target")} />
                    {err(i, "target") && <span className="error">{err(i, "target")}</span>}</td>
                  <td><input aria-label={`Outcome ${i + 1} actual`} value={r.actual} onChange={(e) => change(i, "actual", e.target.value)} aria-invalid={!!err(i, "actual")} />
                    {err(i, "actual") && <span className="error">{err(i, "actual")}</span>}</td>
                  <td><button type="button" className="secondary" aria-label={`Remove outcome ${i + 1}`} onClick={() => setRows(rows.filter((_, j) => j !== i))}>Remove</button></td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="row-buttons">
            <button type="button" className="secondary" onClick={() => setRows([...rows, { measure: "uptime", description: "", target: "", actual: "" }])}>Add an outcome</button>
            <button type="submit">Save outcomes</button>
            <button type="button" className="secondary" onClick={() => { setRows(null); setErrors({}); setMessage(""); }}>Cancel</button>
          </div>
        </form>
      )}
      {message && <p role="status" className={Object.keys(errors).length ? "error" : "ok"}>{message}</p>}
    </section>
  );
}

// Where on the timeline a date falls, as a percentage of its width.
function scale(days: string[]) {
  const times = days.map((d) => Date.parse(d)).filter((t) => !Number.isNaN(t));
  const lo = Math.min(...times), hi = Math.max(...times);
  const span = hi - lo;
  return (d: string) => (span <= 0 ? 50 : 4 + ((Date.parse(d) - lo) / span) * 92);
}

function Timeline({ milestones }: { milestones: Milestone[] }) {
  const now = today();
  const at = scale([now, ...milestones.map((m) => m.due_on), ...milestones.flatMap((m) => (m.met_on ? [m.met_on] : []))]);
  return (
    <figure className="ms-timeline" aria-label="Milestone timeline">
      <div className="ms-track">
        <span className="ms-today" style={{ left: `${at(now)}%` }}><span>today</span></span>
        {milestones.map((m, i) => {
          const state = milestoneState(m);
          return (
            <span key={m.id} className={`ms-marker ${state} ${i % 2 ? "below" : "above"}`} style={{ left: `${at(m.due_on)}%` }}
                  data-id={m.id} data-state={state} title={`${m.name}: ${STATE_LABEL[state]}, due ${date(m.due_on)}${m.met_on ? `, met ${date(m.met_on)}` : ""}`}>
              <span className="ms-label"><strong>{m.name}</strong><br />{date(m.due_on)} · {STATE_LABEL[state]}</span>
            </span>
          );
        })}
      </div>
      <figcaption className="legend">
        <span><span className="swatch ms-met" /> met</span>
        <span><span className="swatch ms-late" /> missed or overdue</span>
        <span><span className="swatch ms-planned" /> planned</span>
      </figcaption>
    </figure>
  );
}

function Milestones({ plan, contacts, users, userName, contactName, onChanged }: {
  plan: Plan; contacts: Contact[]; users: User[]; userName: (id: string | null) => string;
  contactName: (id: string | null) => string; onChanged: () => Promise<void>;
}) {
  const held = plan.milestones.reduce((n, m) => n + m.commission_holdback_percent, 0);
  const paid = plan.milestones.reduce((n, m) => n + m.payment_share_percent, 0);
  return (
    <section className="card span" aria-labelledby="milestones-title">
      <h2 id="milestones-title">Milestones <span className="muted">{plan.milestones_met}/{plan.milestones_total} met</span></h2>
      {plan.milestones.length > 0 ? <Timeline milestones={plan.milestones} /> : <p className="muted">No milestones yet.</p>}
      <ol className="list milestones">
        {plan.milestones.map((m) => <MilestoneItem key={m.id} m={m} userName={userName} contactName={contactName} onChanged={onChanged} />)}
      </ol>
      <AddMilestone plan={plan} contacts={contacts} users={users} held={held} paid={paid} onAdded={onChanged} />
    </section>
  );
}

function MilestoneItem({ m, userName, contactName, onChanged }: {
  m: Milestone; userName: (id: string | null) => string; contactName: (id: string | null) => string; onChanged: () => Promise<void>;
}) {
  const [asking, setAsking] = useState(false);
  const [evidence, setEvidence] = useState("");
  const [metOn, setMetOn] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState("");
  const state = milestoneState(m);

  const markMet = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({}); setError("");
    try {
      // The ETag of the milestone as it is now; a change since then is reported, not overwritten.
      const { etag } = await api<Milestone>("GET", `/milestones/${m.id}`);
      await api("PATCH", `/milestones/${m.id}`, { status: "met", evidence: evidence || null, ...(metOn ? { met_on: metOn } : {}) }, etag ? { "If-Match": etag } : {});
      setAsking(false); setEvidence(""); setMetOn("");
      await onChanged();
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) setError("Someone else changed this milestone meanwhile; reload the page to see it.");
      else if (err instanceof ApiError) { setErrors(err.fieldErrors()); setError(err.message); }
      else setError("Could not reach Rapport; nothing was lost, try again.");
    }
  };

  return (
    <li className={`milestone ${state}`} data-id={m.id}>
      <div className="ms-head">
        <span className={`chip ms-${state}`}>{STATE_LABEL[state]}</span> <strong>{m.name}</strong>
        <span className="muted"> · {KINDS[m.kind] ?? m.kind} · due {date(m.due_on)}{m.met_on ? ` · met ${date(m.met_on)}` : ""}</span>
      </div>
      <div className="muted">
        pays {m.payment_share_percent}% of the contract · holds back {m.commission_holdback_percent}% of the commission
        {m.owner_id && <> · ours: {userName(m.owner_id)}</>}
        {m.customer_owner_id && <> · theirs: {contactName(m.customer_owner_id)}</>}
      </div>
      {m.evidence && <div className="evidence">Evidence: {m.evidence}</div>}
      {m.status !== "met" && !asking && <button type="button" className="secondary" onClick={() => setAsking(true)} aria-label={`Mark ${m.name} met`}>Mark met</button>}
      {asking && (
        <form className="inline-form" aria-label={`Mark ${m.name} met`} onSubmit={markMet} noValidate>
          <label className="grow">Evidence for {m.name} <input value={evidence} onChange={(e) => setEvidence(e.target.value)} placeholder="Signed acceptance form, training register…" aria-invalid={!!errors.evidence} />
            {errors.evidence && <span className="error">{errors.evidence}</span>}</label>
          <label>Met on <input type="date" value={metOn} onChange={(e) => setMetOn(e.target.value)} aria-invalid={!!errors.met_on} />
            {errors.met_on && <span className="error">{errors.met_on}</span>}</label>
          <button type="submit">Confirm met</button>
          <button type="button" className="secondary" onClick={() => { setAsking(false); setErrors({}); setError(""); }}>Cancel</button>
        </form>
      )}
      {error && <p role="alert" className="error">{error}</p>}
    </li>
  );
}

function AddMilestone({ plan, contacts, users, held, paid, onAdded }: {
  plan: Plan; contacts: Contact[]; users: User[]; held: number; paid: number; onAdded: () => Promise<void>;
}) {
  const blank = { name: "", kind: "other", due_on: "", owner_id: "", customer_owner_id: "", payment_share_percent: "", commission_holdback_percent: "" };
  const [form, setForm] = useState(blank);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const set = (key: keyof typeof blank) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  const add = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({}); setMessage("");
    try {
      await api("POST", "/milestones", {
        success_plan_id: plan.id, name: form.name, kind: form.kind, due_on: form.due_on,
        owner_id: form.owner_id || null, customer_owner_id: form.customer_owner_id || null,
        payment_share_percent: Number(form.payment_share_percent || 0),
        commission_holdback_percent: Number(form.commission_holdback_percent || 0),
      });
      setForm(blank);
      setMessage("Milestone added.");
      await onAdded();
    } catch (err) {
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
      else setMessage("Could not reach Rapport; nothing was lost, try again.");
    }
  };

  return (
    <>
      <h3>Add a milestone</h3>
      <form className="inline-form top" aria-label="Add a milestone" onSubmit={add} noValidate>
        <label>Milestone <input value={form.name} onChange={set("name")} aria-invalid={!!errors.name} /><FieldError errors={errors} name="name" /></label>
        <label>Kind <select value={form.kind} onChange={set("kind")}>{Object.entries(KINDS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}</select><FieldError errors={errors} name="kind" /></label>
        <label>Due <input type="date" value={form.due_on} onChange={set("due_on")} aria-invalid={!!errors.due_on} /><FieldError errors={errors} name="due_on" /></label>
        <label>Our owner <select value={form.owner_id} onChange={set("owner_id")} aria-invalid={!!errors.owner_id}>
          <option value="">none</option>{users.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}</select><FieldError errors={errors} name="owner_id" /></label>
        <label>Customer's owner <select value={form.customer_owner_id} onChange={set("customer_owner_id")} aria-invalid={!!errors.customer_owner_id}>
          <option value="">none</option>{contacts.filter((c) => !c.left_at).map((c) => <option key={c.id} value={c.id}>{c.first_name} {c.last_name}</option>)}</select>
          <FieldError errors={errors} name="customer_owner_id" /></label>
        <label>Payment share (%) <input type="number" min={0} max={100} value={form.payment_share_percent} onChange={set("payment_share_percent")}
          aria-invalid={!!errors.payment_share_percent} aria-describedby="payment_share_percent-help" />
          <span className="muted" id="payment_share_percent-help">{100 - paid}% not yet assigned</span>
          <FieldError errors={errors} name="payment_share_percent" /></label>
        <label>Commission held back (%) <input type="number" min={0} max={100} value={form.commission_holdback_percent} onChange={set("commission_holdback_percent")}
          aria-invalid={!!errors.commission_holdback_percent} aria-describedby="commission_holdback_percent-help" />
          <span className="muted" id="commission_holdback_percent-help">{100 - held}% may still be held back</span>
          <FieldError errors={errors} name="commission_holdback_percent" /></label>
        <button type="submit">Add the milestone</button>
      </form>
      {message && <p role="status" className={Object.keys(errors).length ? "error" : "ok"}>{message}</p>}
    </>
  );
}
