// Product trials on the account page: what is being tried, when, with whom, what success looks like
// (agreed with the customer), and afterwards the results, the decision (adopt, extend or reject) and
// what happens next. A trial past its end without a decision stands out: the nightly alerts chase it.
import { FormEvent, useCallback, useEffect, useState } from "react";
import { ApiError, Page, api, date, get, getAll } from "../api";
import { FieldError } from "../problems";
import { useSession } from "../session";
import { useProducts, useUsers } from "../lookups";
import { serverNow, serverDate } from "../clock";

type Trial = {
  id: string; account_id: string; product_id: string | null; opportunity_id: string | null; owner_id: string;
  starts_on: string; ends_on: string; objectives: string; success_criteria: string; status: string;
  results: string | null; decision: string | null; decided_on: string | null; implementation_plan: string | null;
  version: number; contact_ids: string[];
};
type ContactRef = { id: string; name: string; left: boolean };

export const TRIAL_STATUSES: Record<string, string> = { planned: "Planned", running: "Running", ended: "Ended" };
export const DECISIONS: Record<string, string> = { adopt: "Adopt", extend: "Extend", reject: "Reject" };

// Today as YYYY-MM-DD in the browser's time zone (what a date input shows).
const today = () => {
  const d = serverDate();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
const inDays = (n: number) => {
  const d = new Date(serverNow() + n * 86400000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, "0")}-${String(d.getDate()).padStart(2, "0")}`;
};
export const needsDecision = (t: Trial) => !t.decision && (t.status === "ended" || t.ends_on < today());

// A field's problem, next to it; contact_ids[2] and the like count as the people involved.
const peopleError = (errors: Record<string, string>) =>
  Object.entries(errors).find(([k]) => k === "contact_ids" || k.startsWith("contact_ids["))?.[1];

export function AccountTrials({ accountId, contacts }: { accountId: string; contacts: ContactRef[] }) {
  const [trials, setTrials] = useState<Trial[] | null>(null);
  const [editing, setEditing] = useState<string | null>(null);
  const [message, setMessage] = useState("");
  const products = useProducts();
  const users = useUsers();
  const load = useCallback(() => {
    get<Page<Trial>>(`/trials?account_id=${accountId}&sort=-starts_on&limit=100`).then((p) => setTrials(p.items)).catch(() => setTrials([]));
  }, [accountId]);
  useEffect(load, [load]);
  const [deals, setDeals] = useState<{ id: string; name: string; stage: string }[]>([]);
  useEffect(() => {
    getAll<{ id: string; name: string; stage: string }>(`/opportunities?account_id=${accountId}&limit=500`)
      .then((items) => setDeals(items.filter((o) => o.stage !== "closed_lost"))).catch(() => setDeals([]));
  }, [accountId]);

  const productName = (id: string | null) => (id ? products.find((p) => p.id === id)?.name ?? `Product ${id}` : "No product named");
  const userName = (id: string | null) => users.find((u) => u.id === id)?.name ?? "";
  const contactName = (id: string) => contacts.find((c) => c.id === id)?.name ?? `Contact ${id}`;
  const dealName = (id: string | null) => deals.find((d) => d.id === id)?.name;
  const waiting = (trials ?? []).filter(needsDecision).length;

  return (
    <section className="card span trials" aria-labelledby="trials-title">
      <h2 id="trials-title">Trials {waiting > 0 && <span className="badge warn">{waiting} waiting for a decision</span>}</h2>
      {trials && trials.length === 0 && <p className="muted">No trials yet.</p>}
      <ul className="list trial-list" aria-label="Trials, latest first">
        {(trials ?? []).map((t) => {
          const late = needsDecision(t);
          const product = productName(t.product_id);
          return (
            <li key={t.id} className={`trial${late ? " needs-decision" : ""}`} data-id={t.id}>
              <div className="trial-head">
                <strong>{product}</strong>{" "}
                <span className={`chip trial-${t.status}`}>{TRIAL_STATUSES[t.status] ?? t.status}</span>
                {t.decision
                  ? <span className={`chip decision-${t.decision}`}>Decision: {DECISIONS[t.decision] ?? t.decision}{t.decided_on ? `, ${date(t.decided_on)}` : ""}</span>
                  : late && <span className="chip decision-needed">Ended without a decision</span>}
              </div>
              <div className="muted">
                {date(t.starts_on)} to {date(t.ends_on)} · run by {userName(t.owner_id) || "—"}
                {dealName(t.opportunity_id) && <> · deal {dealName(t.opportunity_id)}</>}
                {t.contact_ids.length > 0 && <> · with {t.contact_ids.map(contactName).join(", ")}</>}
              </div>
              <dl className="trial-text">
                <div><dt>Objectives</dt><dd>{t.objectives}</dd></div>
                <div><dt>Success looks like</dt><dd>{t.success_criteria}</dd></div>
                {t.results && <div><dt>Results</dt><dd>{t.results}</dd></div>}
                {t.implementation_plan && <div><dt>Implementation plan</dt><dd>{t.implementation_plan}</dd></div>}
              </dl>
              {editing === t.id
                ? <TrialEditor trial={t} product={product} onDone={(saved) => { setEditing(null); if (saved) { setMessage(`Saved the trial of ${product}.`); load(); } }} />
                : <button type="button" className="secondary small" onClick={() => { setMessage(""); setEditing(t.id); }} aria-label={`Results and decision: ${product}, ${date(t.starts_on)}`}>Results and decision</button>}
            </li>
          );
        })}
      </ul>
      {message && <p role="status" className="ok">{message}</p>}
      <StartTrial accountId={accountId} contacts={contacts.filter((c) => !c.left)} deals={deals} onStarted={(t) => { setMessage(`Trial of ${productName(t.product_id)} started.`); load(); }} />
    </section>
  );
}

function StartTrial({ accountId, contacts, deals, onStarted }: {
  accountId: string; contacts: ContactRef[]; deals: { id: string; name: string; stage: string }[]; onStarted: (t: Trial) => void;
}) {
  const { me } = useSession();
  const products = useProducts();
  const users = useUsers();
  const blank = () => ({ product_id: "", opportunity_id: "", owner_id: me?.id ?? "", starts_on: today(), ends_on: inDays(30), objectives: "", success_criteria: "", status: "planned" });
  const [form, setForm] = useState(blank);
  const [people, setPeople] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const set = (key: keyof ReturnType<typeof blank>) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({}); setMessage("");
    try {
      const { data } = await api<Trial>("POST", "/trials", {
        account_id: accountId, product_id: form.product_id || null, opportunity_id: form.opportunity_id || null,
        ...(form.owner_id ? { owner_id: form.owner_id } : {}),
        starts_on: form.starts_on || undefined, ends_on: form.ends_on || undefined,
        objectives: form.objectives || undefined, success_criteria: form.success_criteria || undefined,
        status: form.status, contact_ids: people,
      });
      setForm(blank()); setPeople([]);
      onStarted(data);
    } catch (err) {
      // Keep what was typed; show each problem next to its field.
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
      else setMessage("Could not reach Rapport; nothing was lost, try again.");
    }
  };
  const available = products.filter((p) => p.lifecycle !== "retired");
  const people_error = peopleError(errors);

  return (
    <>
      <h3>Start a trial</h3>
      <form className="inline-form top trial-form" aria-label="Start a trial" onSubmit={submit} noValidate>
        <label className="wide">Product <select value={form.product_id} onChange={set("product_id")} aria-invalid={!!errors.product_id} aria-describedby="trial-product_id-error">
          <option value="">choose…</option>
          {available.map((p) => <option key={p.id} value={p.id}>{p.name} ({p.sku})</option>)}
        </select><FieldError errors={errors} name="product_id" prefix="trial" /></label>
        <label>Deal <select value={form.opportunity_id} onChange={set("opportunity_id")} aria-invalid={!!errors.opportunity_id} aria-describedby="trial-opportunity_id-error">
          <option value="">none</option>
          {deals.map((o) => <option key={o.id} value={o.id}>{o.name} ({o.stage.replace("_", " ")})</option>)}
        </select><FieldError errors={errors} name="opportunity_id" prefix="trial" /></label>
        <label>Run by <select value={form.owner_id} onChange={set("owner_id")} aria-invalid={!!errors.owner_id} aria-describedby="trial-owner_id-error">
          {!users.some((u) => u.id === form.owner_id) && <option value={form.owner_id}>{me?.name ?? "me"}</option>}
          {users.filter((u) => u.status !== "left").map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
        </select><FieldError errors={errors} name="owner_id" prefix="trial" /></label>
        <label>Starts <input type="date" value={form.starts_on} onChange={set("starts_on")} aria-invalid={!!errors.starts_on} aria-describedby="trial-starts_on-error" />
          <FieldError errors={errors} name="starts_on" prefix="trial" /></label>
        <label>Ends <input type="date" value={form.ends_on} onChange={set("ends_on")} aria-invalid={!!errors.ends_on} aria-describedby="trial-ends_on-error" />
          <FieldError errors={errors} name="ends_on" prefix="trial" /></label>
        <label>Status <select value={form.status} onChange={set("status")} aria-invalid={!!errors.status}>
          <option value="planned">Planned</option>
          <option value="running">Running</option>
        </select><FieldError errors={errors} name="status" prefix="trial" /></label>
        <label className="full">Objectives <textarea rows={2} value={form.objectives} onChange={set("objectives")} aria-invalid={!!errors.objectives} aria-describedby="trial-objectives-error" />
          <FieldError errors={errors} name="objectives" prefix="trial" /></label>
        <label className="full">Success criteria, agreed with the customer <textarea rows={2} value={form.success_criteria} onChange={set("success_criteria")} aria-invalid={!!errors.success_criteria} aria-describedby="trial-success_criteria-error" />
          <FieldError errors={errors} name="success_criteria" prefix="trial" /></label>
        <fieldset className="full" aria-describedby="trial-people-error">
          <legend>People involved</legend>
          {contacts.length === 0 && <span className="muted">No contacts at this account.</span>}
          {contacts.map((c) => (
            <label key={c.id} className="check"><input type="checkbox" checked={people.includes(c.id)} onChange={(e) => setPeople(e.target.checked ? [...people, c.id] : people.filter((x) => x !== c.id))} /> {c.name}</label>
          ))}
          {people_error && <span className="error" id="trial-people-error">{people_error}</span>}
        </fieldset>
        <button type="submit">Start the trial</button>
      </form>
      {message && <p role="status" className="error">{message}</p>}
    </>
  );
}

// Results, the decision and the implementation plan, saved with the version the list was read at;
// someone else's change meanwhile (412) is said, and reloading takes theirs.
function TrialEditor({ trial, product, onDone }: { trial: Trial; product: string; onDone: (saved: boolean) => void }) {
  const [etag, setEtag] = useState<string | null>(`"v${trial.version}"`);
  const fromTrial = (t: Trial) => ({
    status: t.status, ends_on: t.ends_on, results: t.results ?? "", decision: t.decision ?? "", decided_on: t.decided_on ?? "",
    implementation_plan: t.implementation_plan ?? "",
  });
  const [values, setValues] = useState(() => fromTrial(trial));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [stale, setStale] = useState(false);
  const [message, setMessage] = useState("");
  // Reloading after a conflict takes their version, replacing what was typed here.
  const read = async () => {
    try {
      const { data, etag } = await api<Trial>("GET", `/trials/${trial.id}`);
      setEtag(etag); setValues(fromTrial(data)); setStale(false); setErrors({}); setMessage("");
    } catch (err) {
      setMessage(err instanceof ApiError ? err.message : "Could not reach Rapport; try again.");
    }
  };
  const set = (key: keyof ReturnType<typeof fromTrial>) => (e: { target: { value: string } }) => {
    const next = { ...values, [key]: e.target.value };
    // Adopting or rejecting ends the trial; extending keeps it going.
    if (key === "decision" && (e.target.value === "adopt" || e.target.value === "reject")) next.status = "ended";
    if (key === "decision" && e.target.value === "extend" && next.status === "ended") next.status = "running";
    setValues(next);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({}); setMessage("");
    try {
      await api<Trial>("PATCH", `/trials/${trial.id}`, {
        status: values.status, ends_on: values.ends_on, results: values.results || null, decision: values.decision || null,
        decided_on: values.decision ? values.decided_on || null : null, implementation_plan: values.implementation_plan || null,
      }, etag ? { "If-Match": etag } : {});
      onDone(true);
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) setStale(true);
      else if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
      else setMessage("Could not reach Rapport; nothing was lost, try again.");
    }
  };
  const id = `trial-${trial.id}`;
  return (
    <form className="inline-form top trial-form trial-editor" aria-label={`Results and decision for ${product}`} onSubmit={save} noValidate>
      <label>Status <select value={values.status} onChange={set("status")} aria-invalid={!!errors.status} aria-describedby={`${id}-status-error`}>
        {Object.entries(TRIAL_STATUSES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
      </select><FieldError errors={errors} name="status" prefix={id} /></label>
      <label>Ends <input type="date" value={values.ends_on} onChange={set("ends_on")} aria-invalid={!!errors.ends_on} aria-describedby={`${id}-ends_on-error`} />
        <FieldError errors={errors} name="ends_on" prefix={id} /></label>
      <label>Decision <select value={values.decision} onChange={set("decision")} aria-invalid={!!errors.decision} aria-describedby={`${id}-decision-error`}>
        <option value="">not decided</option>
        {Object.entries(DECISIONS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
      </select><FieldError errors={errors} name="decision" prefix={id} /></label>
      <label>Decided on <input type="date" value={values.decided_on} onChange={set("decided_on")} disabled={!values.decision} aria-invalid={!!errors.decided_on} aria-describedby={`${id}-decided_on-error`} />
        <FieldError errors={errors} name="decided_on" prefix={id} /></label>
      <label className="full">Results <textarea rows={3} value={values.results} onChange={set("results")} aria-invalid={!!errors.results} aria-describedby={`${id}-results-error`} />
        <FieldError errors={errors} name="results" prefix={id} /></label>
      <label className="full">Implementation plan <textarea rows={3} value={values.implementation_plan} onChange={set("implementation_plan")} aria-invalid={!!errors.implementation_plan} aria-describedby={`${id}-implementation_plan-error`} />
        <FieldError errors={errors} name="implementation_plan" prefix={id} /></label>
      {stale && <p role="alert" className="error full">Someone else changed this trial since you opened it. <button type="button" onClick={read}>Reload it</button> (what you typed will be replaced by theirs)</p>}
      {message && <p role="status" className="error full">{message}</p>}
      <div className="row-buttons full">
        <button type="submit">Save</button>
        <button type="button" className="secondary" onClick={() => onDone(false)}>Cancel</button>
      </div>
    </form>
  );
}
