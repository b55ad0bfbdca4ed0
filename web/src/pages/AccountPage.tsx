import { FormEvent, useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { ApiError, api, date, dateTime, get, money } from "../api";
import { FieldError } from "../problems";
import { CustomDetails, CustomField, CustomForm, CustomInputs, CustomValue, CustomValues, customBody, customForm, useCustomFields } from "../custom";
import type { Account } from "../types";
import { CallPlans } from "./CallPlans";
import { AccountSuccessPlans } from "./SuccessPlans";
import { AccountCases } from "./Cases";
import { AccountAlerts } from "./Alerts";
import { AccountSatisfaction } from "./Surveys";
import { AccountHealth } from "./Health";
import { AccountTrials } from "./Trials";
import { Attachments } from "../attachments";

type Ref = { id: string; name: string };
type Overview = {
  account: { id: string; name: string; type: string; status: string; version: number; customer_since: string | null; region: string | null; postcode: string | null; owner: Ref | null; territory: string | null; distributor: string | null; custom: CustomValues } & AccountDetails;
  parents: { id: string; name: string; type: string }[];
  children: { id: string; name: string; type: string; status: string }[];
  contacts: { id: string; name: string; job_title: string | null; function: string; stance: string; influence: string; colour: string | null; kol: boolean; last_contacted_at: string | null; left: boolean }[];
  team: { user_id: string; name: string; team_role: string; is_primary: boolean; status: string }[];
  open_opportunities: { id: string; name: string; stage: string; amount_minor: number; currency: string; close_date: string }[];
  recent_activities: { id: string; kind: string; occurred_at: string; subject: string; outcome: string | null; user: Ref }[];
  open_tasks: { id: string; subject: string; due_on: string | null; owner: Ref }[];
  purchases: { id: string; product: { name: string; lifecycle: string }; quantity: number; purchased_on: string; warranty_end: string | null }[];
  time_invested: { quarter: string; calls: number; visits: number; meetings: number; emails: number; notes: number; people: number }[];
  revenue: { currency: string; unconverted: { currency: string; total_minor: number; lines: number }[]; this_year: { year: number; total_minor: number; by_month_minor: number[] }; last_year: { year: number; total_minor: number; by_month_minor: number[] } };
};

const MONTHS = Array.from({ length: 12 }, (_, m) => new Intl.DateTimeFormat(undefined, { month: "short" }).format(new Date(2026, m, 1)));

export function AccountPage() {
  const { id } = useParams();
  const [data, setData] = useState<Overview | null>(null);
  const [missing, setMissing] = useState(false);

  const load = useCallback(() => {
    get<Overview>(`/accounts/${id}/overview`).then((o) => { setData(o); setMissing(false); })
      .catch((e) => { if (e instanceof ApiError && e.problem.status === 404) setMissing(true); });
  }, [id]);
  useEffect(load, [load]);

  if (missing) return <div className="card"><h1>Account not found</h1><p>There is no such account, or it is outside your territories. <Link to="/accounts">Back to accounts</Link></p></div>;
  if (!data) return <p className="loading">Loading…</p>;
  const { account, revenue } = data;
  const chart = MONTHS.map((m, i) => ({ month: m, [revenue.this_year.year]: revenue.this_year.by_month_minor[i] / 100, [revenue.last_year.year]: revenue.last_year.by_month_minor[i] / 100 }));

  return (
    <div className="grid">
      <div className="span">
        <nav aria-label="Hierarchy" className="crumbs">
          {[...data.parents].reverse().map((p) => <span key={p.id}><Link to={`/accounts/${p.id}`}>{p.name}</Link> › </span>)}
        </nav>
        <h1>{account.name}</h1>
        <p className="muted">
          <span className={`status ${account.status}`}>{account.status}</span> · {account.type.replace("_", " ")} · {[account.city, account.region].filter(Boolean).join(", ") || "—"} {account.postcode ?? ""} · owner {account.owner?.name ?? "none"} · territory {account.territory ?? "—"}
          {account.distributor && <> · served by {account.distributor}</>}
          {account.customer_since && <> · customer since {date(account.customer_since)}</>}
        </p>
      </div>
      <AccountHealth accountId={account.id} refresh={data} />
      <LogCall accountId={account.id} contacts={data.contacts.filter((c) => !c.left)} onLogged={load} />
      <EditDetails account={account} onSaved={load} />
      <AccountAlerts accountId={account.id} />
      <AccountCases accountId={account.id} />
      <CallPlans accountId={account.id} contacts={data.contacts} />
      <AccountSuccessPlans accountId={account.id} contacts={data.contacts} />
      <AccountTrials accountId={account.id} contacts={data.contacts} />
      <AccountSatisfaction accountId={account.id} />
      <section className="card" aria-labelledby="revenue-title">
        <h2 id="revenue-title">Revenue {revenue.this_year.year} against {revenue.last_year.year}</h2>
        <p className="muted">{money(revenue.this_year.total_minor, revenue.currency)} this year · {money(revenue.last_year.total_minor, revenue.currency)} last year</p>
        {revenue.unconverted.length > 0 && (
          <p className="error" role="note">
            Left out: {revenue.unconverted.map((u) => `${money(u.total_minor, u.currency)} in ${u.lines} ${u.lines === 1 ? "line" : "lines"}`).join(", ")}, with no exchange rate to {revenue.currency}.
          </p>
        )}
        <div style={{ width: "100%", height: 220 }}>
          <ResponsiveContainer>
            <BarChart data={chart}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="month" />
              <YAxis tickFormatter={(v: number) => new Intl.NumberFormat(undefined, { notation: "compact" }).format(v)} />
              <Tooltip formatter={(v: number) => money(v * 100, revenue.currency)} />
              <Legend />
              <Bar dataKey={String(revenue.last_year.year)} fill="#9fb3c8" isAnimationActive={false} />
              <Bar dataKey={String(revenue.this_year.year)} fill="#1f6feb" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </section>
      <section className="card" aria-labelledby="invested-title">
        <h2 id="invested-title">Time invested per quarter</h2>
        <p className="muted">{data.time_invested.slice(-4).reduce((n, q) => n + q.calls + q.visits + q.meetings + q.emails, 0)} contacts in the last four quarters, by {Math.max(0, ...data.time_invested.slice(-4).map((q) => q.people))} of us at most in one quarter</p>
        <div style={{ width: "100%", height: 200 }}>
          <ResponsiveContainer>
            <BarChart data={data.time_invested}>
              <CartesianGrid strokeDasharray="3 3" />
              <XAxis dataKey="quarter" />
              <YAxis allowDecimals={false} />
              <Tooltip />
              <Legend />
              <Bar dataKey="visits" stackId="a" fill="#1f6feb" isAnimationActive={false} />
              <Bar dataKey="calls" stackId="a" fill="#6ea8fe" isAnimationActive={false} />
              <Bar dataKey="meetings" stackId="a" fill="#2e7d32" isAnimationActive={false} />
              <Bar dataKey="emails" stackId="a" fill="#b0bec5" isAnimationActive={false} />
            </BarChart>
          </ResponsiveContainer>
        </div>
      </section>
      <section className="card" aria-labelledby="contacts-title">
        <h2 id="contacts-title">Contacts</h2>
        <p><Link to={`/accounts/${account.id}/stakeholders`}>Stakeholder map</Link></p>
        <table className="table compact">
          <thead><tr><th scope="col">Name</th><th scope="col">Function</th><th scope="col">Stance</th><th scope="col">Last contact</th></tr></thead>
          <tbody>
            {data.contacts.map((c) => (
              <tr key={c.id} className={c.left ? "left" : ""}>
                <td>{c.colour && <span className={`dot ${c.colour}`} title={`${c.colour} personality`} />} <Link to={`/contacts/${c.id}`}>{c.name}</Link>{c.kol && <span className="badge">KOL</span>}<div className="muted">{c.job_title}</div></td>
                <td>{c.function.replace("_", " ")}</td>
                <td><span className={`stance ${c.stance}`}>{c.stance}</span></td>
                <td>{c.left ? "left" : date(c.last_contacted_at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section className="card" aria-labelledby="timeline-title">
        <h2 id="timeline-title">Timeline</h2>
        <ol className="timeline" tabIndex={0} aria-label="Activities, newest first">
          {data.recent_activities.map((a) => (
            <li key={a.id}><span className={`kind ${a.kind}`}>{a.kind}</span> <strong>{a.subject}</strong> <span className="muted">{dateTime(a.occurred_at)} · {a.user.name}</span>{a.outcome && <div>{a.outcome}</div>}{a.kind === "email" && <EmailThread activityId={a.id} subject={a.subject} />}</li>
          ))}
        </ol>
      </section>
      <section className="card" aria-labelledby="team-title">
        <h2 id="team-title">Account team</h2>
        <ul className="list">{data.team.map((m) => <li key={m.user_id + m.team_role}>{m.name} <span className="muted">{m.team_role.replace("_", " ")}{m.is_primary ? " · primary" : ""}{m.status !== "active" ? ` · ${m.status}` : ""}</span></li>)}</ul>
        <h2>Open opportunities</h2>
        {data.open_opportunities.length === 0 && <p className="muted">No open opportunities.</p>}
        <ul className="list">{data.open_opportunities.map((o) => <li key={o.id}>{o.name} <span className="muted">{o.stage} · {money(o.amount_minor, o.currency)} · {date(o.close_date)}</span></li>)}</ul>
        <h2>Open tasks</h2>
        {data.open_tasks.length === 0 && <p className="muted">No open tasks.</p>}
        <ul className="list">{data.open_tasks.map((t) => <li key={t.id}>{t.subject} <span className="muted">{t.owner.name} · due {date(t.due_on)}</span></li>)}</ul>
      </section>
      <section className="card" aria-labelledby="purchases-title">
        <h2 id="purchases-title">Purchases</h2>
        {data.purchases.length === 0 && <p className="muted">No purchases recorded.</p>}
        <ul className="list">{data.purchases.slice(0, 10).map((p) => <li key={p.id}>{p.quantity} × {p.product.name} <span className="muted">{date(p.purchased_on)}{p.warranty_end ? ` · warranty to ${date(p.warranty_end)}` : ""}{p.product.lifecycle !== "active" ? ` · ${p.product.lifecycle}` : ""}</span></li>)}</ul>
        <History accountId={account.id} version={account.version} />
        {data.children.length > 0 && <>
          <h2>Below this account</h2>
          <ul className="list">{data.children.map((c) => <li key={c.id}><Link to={`/accounts/${c.id}`}>{c.name}</Link> <span className="muted">{c.type}</span></li>)}</ul>
        </>}
      </section>
      <Attachments path={`/accounts/${account.id}`} />
    </div>
  );
}

// Log a call or visit in under 30 seconds: who was met, what came of it, what happens next.
export function LogCall({ accountId, contacts, onLogged, embedded = false }: { accountId: string; contacts: { id: string; name: string }[]; onLogged: () => void; embedded?: boolean }) {
  const [kind, setKind] = useState("call");
  const [subject, setSubject] = useState("");
  const [outcome, setOutcome] = useState("");
  const [nextStep, setNextStep] = useState("");
  const [followUp, setFollowUp] = useState("");
  const [met, setMet] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    setMessage("");
    try {
      await api("POST", "/activities", {
        account_id: accountId, kind, subject, outcome: outcome || null, next_step: nextStep || null,
        contact_ids: met,
      });
      if (followUp) await api("POST", "/tasks", { account_id: accountId, subject: nextStep || `Follow up: ${subject}`, due_on: followUp });
      setSubject(""); setOutcome(""); setNextStep(""); setFollowUp(""); setMet([]);
      setMessage("Logged.");
      onLogged();
    } catch (err) {
      // Keep what was typed; show each problem next to its field.
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
      else setMessage("Could not reach Rapport; nothing was lost, try again.");
    }
  };

  return (
    <form className={embedded ? "logcall" : "card logcall"} onSubmit={submit} aria-label="Log a call or visit">
      {!embedded && <h2>Log a call or visit</h2>}
      <div className="row">
        <label>Kind <select value={kind} onChange={(e) => setKind(e.target.value)}>{["call", "visit", "meeting", "email", "note"].map((k) => <option key={k}>{k}</option>)}</select></label>
        <label className="grow">Subject <input value={subject} onChange={(e) => setSubject(e.target.value)} aria-invalid={!!errors.subject} aria-describedby="subject-error" /></label>
      </div>
      <FieldError errors={errors} name="subject" />
      <fieldset>
        <legend>Contacts met</legend>
        {contacts.slice(0, 12).map((c) => (
          <label key={c.id} className="check"><input type="checkbox" checked={met.includes(c.id)} onChange={(e) => setMet(e.target.checked ? [...met, c.id] : met.filter((x) => x !== c.id))} /> {c.name}</label>
        ))}
      </fieldset>
      <label>Outcome <textarea rows={2} value={outcome} onChange={(e) => setOutcome(e.target.value)} /></label>
      <FieldError errors={errors} name="outcome" />
      <div className="row">
        <label className="grow">Next step <input value={nextStep} onChange={(e) => setNextStep(e.target.value)} /></label>
        <label>Follow-up due <input type="date" value={followUp} onChange={(e) => setFollowUp(e.target.value)} /></label>
      </div>
      {message && <p role="status" className={Object.keys(errors).length ? "error" : "ok"}>{message}</p>}
      <button type="submit">Log it</button>
    </form>
  );
}

// What the 360 shows of an account beyond its header, as the overview answers it.
type AccountDetails = Pick<Account, "street" | "city" | "country" | "shipping_street" | "shipping_city" | "shipping_region" | "shipping_postcode" | "shipping_country" | "phone" | "website" | "email_domain" | "industry" | "employees" | "beds" | "description" | "ods_code" | "gln" | "company_number">;

// The fields the details form edits, in its order: text, a number, or lines of text.
const DETAIL_FIELDS: { key: keyof Account & string; label: string; kind?: "number" | "lines"; wide?: boolean }[] = [
  { key: "name", label: "Name", wide: true },
  { key: "street", label: "Street", kind: "lines", wide: true },
  { key: "city", label: "City" },
  { key: "region", label: "Region" },
  { key: "postcode", label: "Postcode" },
  { key: "country", label: "Country (ISO code, e.g. GB)" },
  { key: "shipping_street", label: "Shipping street", kind: "lines", wide: true },
  { key: "shipping_city", label: "Shipping city" },
  { key: "shipping_region", label: "Shipping region" },
  { key: "shipping_postcode", label: "Shipping postcode" },
  { key: "shipping_country", label: "Shipping country" },
  { key: "phone", label: "Switchboard" },
  { key: "website", label: "Website" },
  { key: "email_domain", label: "Email domain" },
  { key: "industry", label: "Industry" },
  { key: "beds", label: "Beds", kind: "number" },
  { key: "employees", label: "Employees", kind: "number" },
  { key: "ods_code", label: "ODS code" },
  { key: "gln", label: "GLN" },
  { key: "company_number", label: "Company or VAT number" },
  { key: "description", label: "Description", kind: "lines", wide: true },
];

function Address({ lines }: { lines: (string | null | undefined)[] }) {
  const shown = lines.filter((l): l is string => !!l).flatMap((l) => l.split("\n"));
  if (shown.length === 0) return <>—</>;
  return <address>{shown.map((l, i) => <span key={i}>{l}<br /></span>)}</address>;
}

function websiteHref(site: string) {
  return /^https?:\/\//i.test(site) ? site : `https://${site}`;
}

// The account's addresses, switchboard, website, size and identifiers, and a form to edit them
// with the ETag read: a stale edit (412) says so and offers to reload, keeping what was typed
// until then.
function EditDetails({ account, onSaved }: { account: Overview["account"]; onSaved: () => void }) {
  const [open, setOpen] = useState(false);
  const [record, setRecord] = useState<Account | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [values, setValues] = useState<Record<string, string>>({});
  const [status, setStatus] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [stale, setStale] = useState(false);
  const [message, setMessage] = useState("");
  const fields = useCustomFields("accounts");
  const [custom, setCustom] = useState<CustomForm>({});

  const read = async () => {
    const { data, etag } = await api<Account & { custom: CustomValues }>("GET", `/accounts/${account.id}`);
    setRecord(data);
    setEtag(etag);
    const next: Record<string, string> = {};
    for (const f of DETAIL_FIELDS) {
      const v = data[f.key];
      next[f.key] = v === null || v === undefined ? "" : String(v);
    }
    setValues(next);
    setCustom(customForm(fields, data.custom));
    setStatus(data.status);
    setStale(false);
    setErrors({});
  };
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMessage("");
    const body: Record<string, string | number | null | CustomValues> = { status, custom: customBody(fields, custom) };
    for (const f of DETAIL_FIELDS) {
      const v = values[f.key].trim();
      if (f.key === "name") body.name = v;
      else if (f.kind === "number") body[f.key] = v === "" ? null : Number(v);
      else body[f.key] = v === "" ? null : f.key.endsWith("country") ? v.toUpperCase() : values[f.key];
    }
    try {
      const result = await api<Account>("PATCH", `/accounts/${account.id}`, body, etag ? { "If-Match": etag } : {});
      setRecord(result.data);
      setEtag(result.etag);
      setErrors({});
      setMessage("Saved.");
      onSaved();
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) setStale(true);
      else if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
    }
  };
  if (!open) {
    const a = account;
    const shipping = [a.shipping_street, a.shipping_city, a.shipping_region, a.shipping_postcode, a.shipping_country];
    return (
      <section className="card" aria-labelledby="details-title">
        <h2 id="details-title">Details</h2>
        <dl className="details">
          <dt>Address</dt><dd><Address lines={[a.street, a.city, a.region, a.postcode, a.country]} /></dd>
          {shipping.some((l) => l) && <><dt>Shipping</dt><dd><Address lines={shipping} /></dd></>}
          <dt>Switchboard</dt><dd>{a.phone ? <a href={`tel:${a.phone.replace(/[^+\d]/g, "")}`}>{a.phone}</a> : "—"}</dd>
          <dt>Website</dt><dd>{a.website ? <a href={websiteHref(a.website)} target="_blank" rel="noopener noreferrer">{a.website}</a> : "—"}</dd>
          {a.industry && <><dt>Industry</dt><dd>{a.industry}</dd></>}
          {(a.beds !== null || a.employees !== null) && <><dt>Size</dt><dd>{[a.beds !== null && `${a.beds} beds`, a.employees !== null && `${a.employees} employees`].filter(Boolean).join(" · ")}</dd></>}
          {(a.ods_code || a.gln || a.company_number) && <><dt>Identifiers</dt><dd>{[a.ods_code && `ODS ${a.ods_code}`, a.gln && `GLN ${a.gln}`, a.company_number && `Reg. ${a.company_number}`].filter(Boolean).join(" · ")}</dd></>}
          {a.email_domain && <><dt>Email domain</dt><dd>{a.email_domain}</dd></>}
          <CustomDetails fields={fields} values={a.custom} />
        </dl>
        {a.description && <p className="description">{a.description}</p>}
        <button type="button" onClick={async () => { await read(); setOpen(true); }}>Edit details</button>
      </section>
    );
  }
  return (
    <form className="card logcall" onSubmit={submit} aria-labelledby="edit-title">
      <h2 id="edit-title">Edit details {record && <span className="muted">version {record.version}</span>}</h2>
      <label>Status <select value={status} onChange={(e) => setStatus(e.target.value)}>{["prospect", "customer", "former"].map((s) => <option key={s}>{s}</option>)}</select></label>
      <div className="fields">
        {DETAIL_FIELDS.map((f) => (
          <div key={f.key} className={f.wide ? "wide" : undefined}>
            <label>{f.label}{" "}
              {f.kind === "lines"
                ? <textarea rows={f.key === "description" ? 4 : 2} value={values[f.key]} onChange={(e) => setValues({ ...values, [f.key]: e.target.value })} aria-invalid={!!errors[f.key]} aria-describedby={errors[f.key] ? `${f.key}-error` : undefined} />
                : <input type={f.kind === "number" ? "number" : "text"} value={values[f.key]} onChange={(e) => setValues({ ...values, [f.key]: e.target.value })} aria-invalid={!!errors[f.key]} aria-describedby={errors[f.key] ? `${f.key}-error` : undefined} />}
            </label>
            <FieldError errors={errors} name={f.key} />
          </div>
        ))}
        <CustomInputs fields={fields} form={custom} setForm={setCustom} errors={errors} />
      </div>
      {stale && <p role="alert" className="error">Someone else changed this account since you opened it. <button type="button" onClick={read}>Reload it</button> (your changes will be replaced by theirs)</p>}
      {message && <p role="status" className={Object.keys(errors).length ? "error" : "ok"}>{message}</p>}
      <div className="row"><button type="submit">Save</button><button type="button" className="secondary" onClick={() => setOpen(false)}>Close</button></div>
    </form>
  );
}

type Change = { action: string; field: string | null; old_value: string | null; new_value: string | null; changed_by: { id: string; name: string } | null; changed_at: string };

function History({ accountId, version }: { accountId: string; version: number }) {
  const [items, setItems] = useState<Change[]>([]);
  const fields = useCustomFields("accounts");
  useEffect(() => { get<{ items: Change[] }>(`/accounts/${accountId}/history`).then((h) => setItems(h.items.slice(-10).reverse())); }, [accountId, version]);
  return (
    <>
      <h2>History</h2>
      {items.length === 0 && <p className="muted">No changes recorded since it was loaded.</p>}
      <ul className="list">
        {items.map((h, i) => (
          <li key={i}>{h.action === "update" ? <ChangeOf change={h} fields={fields} /> : h.action} <span className="muted">{h.changed_by?.name ?? "system"} · {dateTime(h.changed_at)}</span></li>
        ))}
      </ul>
    </>
  );
}

// A field's change as people read it: a custom field by its label and its values as they are
// shown (the trail keeps them as JSON), other fields by their name.
function ChangeOf({ change, fields }: { change: Change; fields: CustomField[] }) {
  const custom = change.field?.startsWith("custom.") ? fields.find((f) => `custom.${f.key}` === change.field) : undefined;
  const value = (text: string | null) => (text === null ? "—" : custom ? <CustomValue field={custom} value={JSON.parse(text)} /> : text);
  return <>{custom?.label ?? change.field}: <s>{value(change.old_value)}</s> → {value(change.new_value)}</>;
}

type ThreadMessage = { activity_id: string; message_id: string; from_email: string; from_name: string; subject: string; sent_at: string };

// The messages of an emailed activity's thread logged on this account (emails BCC'd or forwarded
// to people's drop addresses), oldest first, on demand.
function EmailThread({ activityId, subject }: { activityId: string; subject: string }) {
  const [messages, setMessages] = useState<ThreadMessage[] | null>(null);
  const [open, setOpen] = useState(false);
  const toggle = async () => {
    if (!open && messages === null) {
      try {
        setMessages((await get<{ items: ThreadMessage[] }>(`/activities/${activityId}/thread`)).items);
      } catch {
        setMessages([]);
      }
    }
    setOpen(!open);
  };
  return (
    <>
      {" "}<button type="button" className="link" aria-expanded={open} onClick={() => void toggle()} aria-label={`Thread of ${subject}`}>thread</button>
      {open && messages && (messages.length === 0
        ? <div className="muted">Not from a mailbox: logged by hand or sent by Rapport.</div>
        : <ol className="thread" aria-label={`Thread of ${subject}`}>{messages.map((m) => (
            <li key={m.message_id + m.activity_id}>{m.from_name || m.from_email} <span className="muted">· {m.subject} · {dateTime(m.sent_at)}</span></li>
          ))}</ol>)}
    </>
  );
}
