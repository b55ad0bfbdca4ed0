// Service cases: a customer's billing query, complaint, technical problem, return or order, with the
// service level of its kind and priority (hours to the first response and to resolution), its
// thread, its escalation when a level is breached, and on resolution a review call months later
// and a satisfaction survey to the contact. /cases lists them, /cases/new raises one, /cases/:id is
// one case; the account page shows an account's open cases.
import { FormEvent, useCallback, useEffect, useState } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { ApiError, Page, api, date, dateTime, get, getAll } from "../api";
import { useLoad } from "../data";
import type { Contact } from "../types";
import { FieldError } from "../problems";
import { useSession } from "../session";
import { useAccountNames, useNow, useUsers } from "../lookups";
import { SURVEY_KINDS, Survey, scaleOf } from "./Surveys";
import { CustomFieldsCard, CustomValues } from "../custom";
import { Attachments } from "../attachments";

export type Message = { id: string; direction: "inbound" | "outbound" | "internal"; author_id: string | null; author: string | null; contact_id: string | null; body: string; at: string };
export type Case = {
  id: string; account_id: string; contact_id: string | null; kind: string; priority: string; subject: string;
  description: string | null; owner_id: string; departments: string | null; status: string; opened_at: string;
  first_response_due_at: string; resolution_due_at: string; first_response_at: string | null; resolved_at: string | null;
  resolution: string | null; escalation_level: number; escalated_to_id: string | null; escalated_at: string | null;
  review_task_id: string | null; version: number; thread?: Message[];
};
type Task = { id: string; owner_id: string; subject: string; due_on: string | null; done_at: string | null };
type ServiceLevel = { kind: string; priority: string; first_response_hours: number; resolution_hours: number };

export const CASE_KINDS: Record<string, string> = { billing_query: "Billing query", complaint: "Complaint", technical: "Technical", return: "Return", order: "Order", other: "Other" };
export const PRIORITIES: Record<string, string> = { low: "Low", normal: "Normal", high: "High", urgent: "Urgent" };
export const CASE_STATUSES: Record<string, string> = { open: "Open", waiting_on_customer: "Waiting on customer", resolved: "Resolved", closed: "Closed" };
const done = (c: Case) => c.status === "resolved" || c.status === "closed";

// "45 min", "3 h 20 min", "2 d 4 h".
export function duration(ms: number) {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60000));
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60), rest = minutes % 60;
  if (hours < 48) return rest ? `${hours} h ${rest} min` : `${hours} h`;
  const days = Math.floor(hours / 24), h = hours % 24;
  return h ? `${days} d ${h} h` : `${days} d`;
}

// Where a case stands against one of its service levels: met (or late) once it happened, else the
// time left or, past the due time, breached.
export type SlaState = { state: "met" | "late" | "running" | "soon" | "breached"; text: string };
export function slaState(due: string, happened: string | null, now: number): SlaState {
  const d = Date.parse(due);
  if (happened) {
    const t = Date.parse(happened);
    return t <= d ? { state: "met", text: "met" } : { state: "late", text: `met ${duration(t - d)} late` };
  }
  const left = d - now;
  if (left < 0) return { state: "breached", text: `breached ${duration(left)} ago` };
  return { state: left < 3600000 ? "soon" : "running", text: `${duration(left)} left` };
}

export function Sla({ due, happened, now, what }: { due: string; happened: string | null; now: number; what: string }) {
  const s = slaState(due, happened, now);
  return <span className={`sla sla-${s.state}`} title={`${what} due ${dateTime(due)}`} data-state={s.state}>{s.text}</span>;
}


type CaseList = { items: Case[]; more: boolean };

// Open cases (open or waiting on the customer) matching `query`, most urgent first.
async function openCases(query: URLSearchParams, signal: AbortSignal): Promise<CaseList> {
  const pages = await Promise.all(["open", "waiting_on_customer"].map((status) => {
    const q = new URLSearchParams(query);
    q.set("status", status);
    q.set("sort", "resolution_due_at");
    return get<Page<Case>>(`/cases?${q}`, signal);
  }));
  return {
    items: pages.flatMap((p) => p.items).sort((a, b) => a.resolution_due_at.localeCompare(b.resolution_due_at)),
    more: pages.some((p) => p.next_cursor),
  };
}

// The cases a query of the list asks for: with no status, the open ones; status=any, all.
async function loadCases(query: string, signal: AbortSignal): Promise<CaseList> {
  const q = new URLSearchParams(query);
  const status = q.get("status");
  if (!status) return openCases(q, signal);
  if (status === "any") q.delete("status");
  q.set("sort", status === "open" || status === "waiting_on_customer" ? "resolution_due_at" : "-opened_at");
  const page = await get<Page<Case>>(`/cases?${q}`, signal);
  return { items: page.items, more: !!page.next_cursor };
}

function Escalation({ c, userName }: { c: Case; userName: (id: string | null) => string }) {
  if (c.escalation_level === 0) return <span className="muted">—</span>;
  return <><span className="chip esc">Level {c.escalation_level}</span> {userName(c.escalated_to_id)}</>;
}

export function Cases() {
  const { me } = useSession();
  const [params, setParams] = useSearchParams();
  const status = params.get("status") ?? "";
  const whose = params.get("whose") ?? "";
  const accountId = params.get("account_id") ?? "";
  let query: string | null = null;
  if (me) {
    const q = new URLSearchParams({ limit: "100" });
    if (whose === "mine") q.set("owner_id", me.id);
    if (whose === "escalated") q.set("escalated_to_id", me.id);
    for (const f of ["kind", "priority", "account_id", "status"]) if (params.get(f)) q.set(f, params.get(f)!);
    query = q.toString();
  }
  const { data, error: failure } = useLoad(query, loadCases);
  const items = data?.items ?? [];
  const more = data?.more ?? false;
  const loaded = data !== undefined || failure !== null;
  const error = failure ? failure.message || "Could not load the cases" : "";
  const users = useUsers();
  const names = useAccountNames(items.map((c) => c.account_id).concat(accountId ? [accountId] : []));
  const now = useNow();
  const userName = (id: string | null) => users.find((u) => u.id === id)?.name ?? (id ? `User ${id}` : "—");

  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value); else next.delete(key);
    setParams(next);
  };
  const breached = items.filter((c) => !done(c) && (slaState(c.first_response_due_at, c.first_response_at, now).state === "breached" || slaState(c.resolution_due_at, c.resolved_at, now).state === "breached")).length;

  return (
    <div>
      <div className="page-head">
        <h1>Service</h1>
        <Link className="button primary" to={`/cases/new${accountId ? `?account_id=${accountId}` : ""}`}>New case</Link>
      </div>
      <div className="filters" role="group" aria-label="Filter cases">
        <label>Status <select value={status} onChange={(e) => set("status", e.target.value)}>
          <option value="">open or waiting</option>
          {Object.entries(CASE_STATUSES).map(([k, v]) => <option key={k} value={k}>{v.toLowerCase()}</option>)}
          <option value="any">any</option>
        </select></label>
        <label>Whose <select value={whose} onChange={(e) => set("whose", e.target.value)}>
          <option value="">everyone's</option><option value="mine">mine</option><option value="escalated">escalated to me</option>
        </select></label>
        <label>Kind <select value={params.get("kind") ?? ""} onChange={(e) => set("kind", e.target.value)}>
          <option value="">any</option>{Object.entries(CASE_KINDS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
        </select></label>
        <label>Priority <select value={params.get("priority") ?? ""} onChange={(e) => set("priority", e.target.value)}>
          <option value="">any</option>{Object.entries(PRIORITIES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
        </select></label>
        {accountId && <p className="filter-note">For <Link to={`/accounts/${accountId}`}>{names[accountId] ?? "this account"}</Link> <button type="button" className="secondary" onClick={() => set("account_id", "")}>All accounts</button></p>}
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {loaded && <p className="muted">{items.length}{more ? "+" : ""} {items.length === 1 && !more ? "case" : "cases"}{breached > 0 && <> · <span className="sla sla-breached">{breached} breaching a service level</span></>}</p>}
      <div className="scroll">
        <table className="table cases" aria-label="Cases">
          <thead><tr>
            <th scope="col">Case</th><th scope="col">Account</th><th scope="col">Kind</th><th scope="col">Status</th>
            <th scope="col">First response</th><th scope="col">Resolution</th><th scope="col">Escalation</th><th scope="col">Owner</th>
          </tr></thead>
          <tbody>
            {items.map((c) => {
              const late = !done(c) && [slaState(c.first_response_due_at, c.first_response_at, now), slaState(c.resolution_due_at, c.resolved_at, now)].some((s) => s.state === "breached");
              return (
                <tr key={c.id} className={late ? "breached" : ""} data-id={c.id}>
                  <td><Link to={`/cases/${c.id}`}>{c.subject}</Link><div className="muted">#{c.id} · opened {dateTime(c.opened_at)}</div></td>
                  <td><Link to={`/accounts/${c.account_id}`}>{names[c.account_id] ?? "…"}</Link></td>
                  <td>{CASE_KINDS[c.kind] ?? c.kind}<div><span className={`chip prio-${c.priority}`}>{c.priority}</span></div></td>
                  <td><span className={`chip case-${c.status}`}>{CASE_STATUSES[c.status] ?? c.status}</span></td>
                  <td><Sla due={c.first_response_due_at} happened={c.first_response_at} now={now} what="First response" /></td>
                  <td>{done(c) && !c.resolved_at ? "—" : <Sla due={c.resolution_due_at} happened={c.resolved_at} now={now} what="Resolution" />}</td>
                  <td><Escalation c={c} userName={userName} /></td>
                  <td>{userName(c.owner_id)}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
      {loaded && items.length === 0 && !error && <p className="muted">No cases match.</p>}
      {more && <p className="muted">Showing the first 100 of each status; narrow the filters to see the rest.</p>}
    </div>
  );
}

type Hit = { kind: string; id: string; title: string };

// Raise a case: for the account in ?account_id=, or one picked by name.
export function NewCase() {
  const { me } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const users = useUsers();
  const [account, setAccount] = useState<{ id: string; name: string } | null>(null);
  const [q, setQ] = useState("");
  const [hits, setHits] = useState<Hit[]>([]);
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [levels, setLevels] = useState<ServiceLevel[]>([]);
  const blank = { contact_id: "", kind: "", priority: "normal", subject: "", description: "", owner_id: "", departments: "" };
  const [form, setForm] = useState(blank);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [saving, setSaving] = useState(false);

  const given = params.get("account_id");
  useEffect(() => {
    if (given) get<{ id: string; name: string }>(`/accounts/${given}`).then((a) => setAccount({ id: a.id, name: a.name })).catch(() => setAccount(null));
  }, [given]);
  useEffect(() => { get<Page<ServiceLevel>>("/case-slas?limit=100").then((p) => setLevels(p.items)).catch(() => setLevels([])); }, []);
  useEffect(() => {
    if (!account) { setContacts([]); return; }
    getAll<Contact>(`/contacts?account_id=${account.id}&limit=500&sort=last_name`).then((items) => setContacts(items.filter((c) => !c.left_at))).catch(() => setContacts([]));
  }, [account]);
  useEffect(() => {
    if (q.trim().length < 2) return setHits([]);
    const t = setTimeout(() => get<{ items: Hit[] }>(`/search?q=${encodeURIComponent(q)}&limit=8`).then((r) => setHits(r.items.filter((h) => h.kind === "account"))).catch(() => setHits([])), 150);
    return () => clearTimeout(t);
  }, [q]);

  const set = (key: keyof typeof blank) => (e: { target: { value: string } }) => setForm({ ...form, [key]: e.target.value });
  const level = levels.find((l) => l.kind === form.kind && l.priority === form.priority);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({}); setMessage("");
    if (!account) { setErrors({ account_id: "choose the account" }); setMessage("Choose the account first."); return; }
    setSaving(true);
    try {
      const { data } = await api<Case>("POST", "/cases", {
        account_id: account.id, contact_id: form.contact_id || null, kind: form.kind || undefined, priority: form.priority,
        subject: form.subject, description: form.description || null, owner_id: form.owner_id || me?.id,
        departments: form.departments || null,
      });
      navigate(`/cases/${data.id}`);
    } catch (err) {
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
      else setMessage("Could not reach Rapport; nothing was lost, try again.");
    } finally {
      setSaving(false);
    }
  };

  return (
    <div className="new-case">
      <nav aria-label="Breadcrumb" className="crumbs"><Link to="/cases">Service</Link>{account && <> › <Link to={`/accounts/${account.id}`}>{account.name}</Link></>} › New case</nav>
      <h1>New case</h1>
      <form className="card case-form" aria-label="New case" onSubmit={submit} noValidate>
        <div className="full">
          {account
            ? <p>For <strong>{account.name}</strong> <button type="button" className="secondary" onClick={() => { setAccount(null); setForm({ ...form, contact_id: "" }); }}>Change the account</button></p>
            : <>
                <label className="stack">Account <input value={q} onChange={(e) => setQ(e.target.value)} placeholder="Start typing an account name"
                  aria-invalid={!!errors.account_id} aria-describedby="case-account_id-error" /></label>
                <FieldError errors={errors} name="account_id" prefix="case" />
                <ul className="list">{hits.map((h) => <li key={h.id}><button type="button" className="secondary" onClick={() => { setAccount({ id: h.id, name: h.title }); setQ(""); }}>{h.title}</button></li>)}</ul>
              </>}
        </div>
        <label>Raised by <select value={form.contact_id} onChange={set("contact_id")} disabled={!account} aria-invalid={!!errors.contact_id} aria-describedby="case-contact_id-error">
          <option value="">not recorded</option>
          {contacts.map((c) => <option key={c.id} value={c.id}>{c.first_name} {c.last_name}</option>)}
        </select><FieldError errors={errors} name="contact_id" prefix="case" /></label>
        <label>Kind <select value={form.kind} onChange={set("kind")} aria-invalid={!!errors.kind} aria-describedby="case-kind-error">
          <option value="">choose…</option>
          {Object.entries(CASE_KINDS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
        </select><FieldError errors={errors} name="kind" prefix="case" /></label>
        <label>Priority <select value={form.priority} onChange={set("priority")} aria-invalid={!!errors.priority} aria-describedby="case-priority-error">
          {Object.entries(PRIORITIES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
        </select><FieldError errors={errors} name="priority" prefix="case" /></label>
        <label>Owner <select value={form.owner_id || me?.id || ""} onChange={set("owner_id")} aria-invalid={!!errors.owner_id} aria-describedby="case-owner_id-error">
          {users.filter((u) => u.status !== "left").map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
          {users.length === 0 && me && <option value={me.id}>{me.name}</option>}
        </select><FieldError errors={errors} name="owner_id" prefix="case" /></label>
        <p className="muted sla-preview full" aria-live="polite">
          {level ? <>Service level: first response within {level.first_response_hours} h, resolved within {level.resolution_hours} h.</> : "Choose the kind to see its service level."}
        </p>
        <label className="full">Subject <input value={form.subject} onChange={set("subject")} aria-invalid={!!errors.subject} aria-describedby="case-subject-error" />
          <FieldError errors={errors} name="subject" prefix="case" /></label>
        <label className="full">Description <textarea rows={4} value={form.description} onChange={set("description")} aria-invalid={!!errors.description} aria-describedby="case-description-error" />
          <FieldError errors={errors} name="description" prefix="case" /></label>
        <label className="full">Departments involved <input value={form.departments} onChange={set("departments")} placeholder="billing, logistics, service…"
          aria-invalid={!!errors.departments} aria-describedby="case-departments-error" />
          <FieldError errors={errors} name="departments" prefix="case" /></label>
        <div className="full row-buttons">
          <button type="submit" disabled={saving}>Open the case</button>
          <Link className="button" to={account ? `/accounts/${account.id}` : "/cases"}>Cancel</Link>
        </div>
        {message && <p role="status" className="error full">{message}</p>}
      </form>
    </div>
  );
}

export function CasePage() {
  const { id } = useParams();
  const [item, setItem] = useState<Case | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [stale, setStale] = useState(false);
  const [message, setMessage] = useState("");
  const [accountName, setAccountName] = useState("");
  const [contacts, setContacts] = useState<Contact[]>([]);
  const users = useUsers();
  const now = useNow();

  const load = useCallback(async () => {
    try {
      const { data, etag } = await api<Case>("GET", `/cases/${id}`);
      setItem(data); setEtag(etag); setStale(false); setMissing(false);
    } catch (e) {
      if (e instanceof ApiError && e.problem.status === 404) setMissing(true);
    }
  }, [id]);
  useEffect(() => { load(); }, [load]);
  const accountId = item?.account_id;
  useEffect(() => {
    if (!accountId) return;
    get<{ name: string }>(`/accounts/${accountId}`).then((a) => setAccountName(a.name)).catch(() => {});
    getAll<Contact>(`/contacts?account_id=${accountId}&limit=500&sort=last_name`).then((items) => setContacts(items)).catch(() => {});
  }, [accountId]);

  // Changes to the case, with the ETag read; a change by someone else since is reported, not overwritten.
  const patch = async (body: Record<string, unknown>) => {
    try {
      await api<Case>("PATCH", `/cases/${id}`, body, etag ? { "If-Match": etag } : {});
      await load();
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) setStale(true);
      throw err;
    }
  };
  const changeStatus = async (status: string) => {
    setMessage("");
    try { await patch({ status }); setMessage(`Status: ${CASE_STATUSES[status].toLowerCase()}.`); }
    catch (err) { if (err instanceof ApiError && err.problem.status !== 412) setMessage(err.message); }
  };

  if (missing) return <div className="card"><h1>Case not found</h1><p>There is no such case, or its account is outside your territories. <Link to="/cases">Back to Service</Link></p></div>;
  if (!item) return <p className="loading">Loading…</p>;
  const userName = (uid: string | null) => users.find((u) => u.id === uid)?.name ?? (uid ? `User ${uid}` : "—");
  const contactName = (cid: string | null) => {
    const c = contacts.find((x) => x.id === cid);
    return c ? `${c.first_name} ${c.last_name}` : cid ? `Contact ${cid}` : "";
  };
  const closed = done(item);

  return (
    <div className="grid case-page">
      <div className="span">
        <nav aria-label="Breadcrumb" className="crumbs">
          <Link to="/cases">Service</Link> › <Link to={`/accounts/${item.account_id}`}>{accountName || "Account"}</Link> › Case #{item.id}
        </nav>
        <h1>{item.subject}</h1>
        <div className="plan-meta">
          <span className={`chip case-${item.status}`}>{CASE_STATUSES[item.status] ?? item.status}</span>
          <span className={`chip prio-${item.priority}`}>{item.priority}</span>
          <span className="muted">
            {CASE_KINDS[item.kind] ?? item.kind} · opened {dateTime(item.opened_at)} · owner {userName(item.owner_id)}
            {item.contact_id && <> · raised by {contactName(item.contact_id)}</>}
            {item.departments && <> · departments: {item.departments}</>}
          </span>
          {!closed && (
            <label className="inline">Status{" "}
              <select value={item.status} onChange={(e) => changeStatus(e.target.value)}>
                <option value="open">open</option><option value="waiting_on_customer">waiting on customer</option>
              </select>
            </label>
          )}
          {closed && <button type="button" className="secondary" onClick={() => changeStatus("open")}>Reopen</button>}
          {item.status === "resolved" && <button type="button" className="secondary" onClick={() => changeStatus("closed")}>Close</button>}
        </div>
        {stale && <p role="alert" className="error">Someone else changed this case since you opened it. <button type="button" onClick={load}>Reload it</button></p>}
        {message && <p role="status">{message}</p>}
      </div>

      <section className="card" aria-labelledby="sla-title">
        <h2 id="sla-title">Service level</h2>
        <dl className="sla-list">
          <div><dt>First response</dt><dd>due {dateTime(item.first_response_due_at)} · <Sla due={item.first_response_due_at} happened={item.first_response_at} now={now} what="First response" />
            {item.first_response_at && <span className="muted"> ({dateTime(item.first_response_at)})</span>}</dd></div>
          <div><dt>Resolution</dt><dd>due {dateTime(item.resolution_due_at)} · <Sla due={item.resolution_due_at} happened={item.resolved_at} now={now} what="Resolution" />
            {item.resolved_at && <span className="muted"> ({dateTime(item.resolved_at)})</span>}</dd></div>
          <div><dt>Escalation</dt><dd>{item.escalation_level === 0 ? "not escalated" : <><span className="chip esc">Level {item.escalation_level}</span> to {userName(item.escalated_to_id)} since {dateTime(item.escalated_at)}</>}</dd></div>
        </dl>
        <p className="muted">A breached level escalates the case to the holder's manager, once for the first response and once more for the resolution.</p>
      </section>

      <section className="card" aria-labelledby="details-title">
        <h2 id="details-title">What the customer needs</h2>
        {item.description ? <p className="pre">{item.description}</p> : <p className="muted">No description.</p>}
      </section>

      <CustomFieldsCard recordType="cases" values={(item as Case & { custom?: CustomValues }).custom} save={patch} />
      <Attachments path={`/cases/${item.id}`} title="Screenshots and documents" />
      <Conversation item={item} contacts={contacts} contactName={contactName} onAdded={load} />
      {closed ? <Resolution item={item} userName={userName} contactName={contactName} /> : <Resolve item={item} save={patch} />}
    </div>
  );
}

const DIRECTIONS: Record<string, { label: string; button: string; help: string }> = {
  outbound: { label: "Our reply to the customer", button: "Add the reply", help: "What we told the customer; the first reply is the first response." },
  internal: { label: "Internal note", button: "Add the note", help: "Seen only by us." },
  inbound: { label: "From the customer", button: "Add their message", help: "What the customer wrote or said." },
};

function Conversation({ item, contacts, contactName, onAdded }: { item: Case; contacts: Contact[]; contactName: (id: string | null) => string; onAdded: () => Promise<void> }) {
  const [direction, setDirection] = useState("outbound");
  const [body, setBody] = useState("");
  const [from, setFrom] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [saving, setSaving] = useState(false);
  const thread = item.thread ?? [];

  const send = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({}); setMessage("");
    setSaving(true);
    try {
      const contact = direction === "inbound" ? from || item.contact_id : null;
      await api("POST", `/cases/${item.id}/messages`, { direction, body, ...(contact ? { contact_id: contact } : {}) });
      setBody("");
      await onAdded();
    } catch (err) {
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
      else setMessage("Could not reach Rapport; nothing was lost, try again.");
    } finally {
      setSaving(false);
    }
  };
  const who = (m: Message) =>
    m.direction === "inbound" ? (m.contact_id ? contactName(m.contact_id) : "The customer")
      : m.author ?? "Rapport";
  const what = (m: Message) => (m.direction === "internal" ? "internal note" : m.direction === "outbound" ? "to the customer" : "from the customer");

  return (
    <section className="card span" aria-labelledby="thread-title">
      <h2 id="thread-title">Conversation <span className="badge">{thread.length}</span></h2>
      {thread.length === 0 && <p className="muted">Nothing said yet. The first reply to the customer is the first response.</p>}
      <ol className="thread" aria-label="Messages, oldest first">
        {thread.map((m) => (
          <li key={m.id} className={`msg ${m.direction}`}>
            <div className="msg-head"><strong>{who(m)}</strong> <span className="muted">{what(m)} · {dateTime(m.at)}</span></div>
            <div className="pre">{m.body}</div>
          </li>
        ))}
      </ol>
      <form className="reply" aria-label="Add to the conversation" onSubmit={send} noValidate>
        <fieldset className="directions">
          <legend>Kind of message</legend>
          {Object.entries(DIRECTIONS).map(([k, d]) => (
            <label key={k} className="check"><input type="radio" name="direction" value={k} checked={direction === k} onChange={() => setDirection(k)} /> {d.label}</label>
          ))}
        </fieldset>
        {direction === "inbound" && (
          <label className="stack">From <select value={from || item.contact_id || ""} onChange={(e) => setFrom(e.target.value)} aria-invalid={!!errors.contact_id}>
            <option value="">not recorded</option>
            {contacts.filter((c) => !c.left_at).map((c) => <option key={c.id} value={c.id}>{c.first_name} {c.last_name}</option>)}
          </select><FieldError errors={errors} name="contact_id" prefix="reply" /></label>
        )}
        <label className="stack">Message <textarea rows={3} value={body} onChange={(e) => setBody(e.target.value)} aria-invalid={!!errors.body} aria-describedby="reply-body-help reply-body-error" />
          <span className="muted" id="reply-body-help">{DIRECTIONS[direction].help}</span>
          <FieldError errors={errors} name="body" prefix="reply" /></label>
        <div className="row-buttons"><button type="submit" disabled={saving}>{DIRECTIONS[direction].button}</button></div>
        {message && <p role="status" className="error">{message}</p>}
      </form>
    </section>
  );
}

function Resolve({ item, save }: { item: Case; save: (body: Record<string, unknown>) => Promise<void> }) {
  const [resolution, setResolution] = useState(item.resolution ?? "");
  const [days, setDays] = useState("90");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({}); setMessage("");
    try {
      await save({ status: "resolved", resolution, review_in_days: days.trim() === "" ? 90 : Number(days) });
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) return;
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
      else setMessage("Could not reach Rapport; nothing was lost, try again.");
    }
  };
  return (
    <section className="card span" aria-labelledby="resolve-title">
      <h2 id="resolve-title">Resolve</h2>
      <form className="inline-form top case-form" aria-label="Resolve the case" onSubmit={submit} noValidate>
        <label className="wide">Resolution <textarea rows={3} value={resolution} onChange={(e) => setResolution(e.target.value)} placeholder="What was done, and what the customer agreed"
          aria-invalid={!!errors.resolution} aria-describedby="resolve-resolution-error" />
          <FieldError errors={errors} name="resolution" prefix="resolve" /></label>
        <label>Review call in (days) <input type="number" min={1} max={730} value={days} onChange={(e) => setDays(e.target.value)} size={5}
          aria-invalid={!!errors.review_in_days} aria-describedby="resolve-review_in_days-help resolve-review_in_days-error" />
          <span className="muted" id="resolve-review_in_days-help">a task for the owner to check all is well</span>
          <FieldError errors={errors} name="review_in_days" prefix="resolve" /></label>
        <button type="submit">Resolve the case</button>
      </form>
      <p className="muted">Resolving it emails {item.contact_id ? "the contact who raised it" : "no survey (no contact recorded)"}{item.contact_id ? " a short satisfaction survey (CSAT)" : ""}.</p>
      {message && <p role="status" className="error">{message}</p>}
    </section>
  );
}

function Resolution({ item, userName, contactName }: { item: Case; userName: (id: string | null) => string; contactName: (id: string | null) => string }) {
  const [task, setTask] = useState<Task | null>(null);
  const [surveys, setSurveys] = useState<Survey[]>([]);
  useEffect(() => {
    if (item.review_task_id) get<Task>(`/tasks/${item.review_task_id}`).then(setTask).catch(() => setTask(null));
    else setTask(null);
  }, [item.review_task_id]);
  useEffect(() => {
    get<Page<Survey>>(`/surveys?case_id=${item.id}&limit=20`).then((p) => setSurveys(p.items)).catch(() => setSurveys([]));
  }, [item.id, item.version]);
  return (
    <section className="card span" aria-labelledby="resolution-title">
      <h2 id="resolution-title">Resolution</h2>
      <p>{CASE_STATUSES[item.status]} {dateTime(item.resolved_at)}.</p>
      {item.resolution ? <p className="pre resolution">{item.resolution}</p> : <p className="muted">No resolution written down.</p>}
      {item.review_task_id && (
        <div className="review" role="group" aria-label="Review call">
          <h3>Review call scheduled</h3>
          {task
            ? <p>{task.done_at ? "Done" : "Due"} {date(task.done_at ?? task.due_on)} · {userName(task.owner_id)}: {task.subject} <Link to="/tasks">Tasks</Link></p>
            : <p className="muted">Task #{item.review_task_id}</p>}
        </div>
      )}
      {surveys.map((s) => (
        <p key={s.id} className="muted">
          {SURVEY_KINDS[s.kind]?.short ?? s.kind.toUpperCase()} survey emailed to {contactName(s.contact_id)} on {date(s.created_at)}
          {s.status === "answered" ? <> · answered {s.score} of {scaleOf(s.kind).max}{s.comment ? `: “${s.comment}”` : ""}</> : " · not answered yet"}
        </p>
      ))}
    </section>
  );
}

// The account page's section: the account's open cases and a way to raise one.
export function AccountCases({ accountId }: { accountId: string }) {
  const { data, error } = useLoad(new URLSearchParams({ account_id: accountId, limit: "50" }).toString(), loadCases);
  const items = data?.items ?? (error ? [] : null);
  const users = useUsers();
  const now = useNow();
  const userName = (uid: string | null) => users.find((u) => u.id === uid)?.name ?? "";
  return (
    <section className="card" aria-labelledby="cases-title">
      <h2 id="cases-title">Cases {items && items.length > 0 && <span className="badge">{items.length} open</span>}</h2>
      {items && items.length === 0 && <p className="muted">No open cases.</p>}
      <ul className="list cases">
        {(items ?? []).map((c) => (
          <li key={c.id}>
            <Link to={`/cases/${c.id}`}>{c.subject}</Link> <span className={`chip prio-${c.priority}`}>{c.priority}</span>
            {c.escalation_level > 0 && <span className="chip esc">Level {c.escalation_level}</span>}
            <div className="muted">
              {CASE_KINDS[c.kind] ?? c.kind} · {CASE_STATUSES[c.status]?.toLowerCase()} · {userName(c.owner_id)} · first response{" "}
              <Sla due={c.first_response_due_at} happened={c.first_response_at} now={now} what="First response" /> · resolution{" "}
              <Sla due={c.resolution_due_at} happened={c.resolved_at} now={now} what="Resolution" />
            </div>
          </li>
        ))}
      </ul>
      <div className="row-buttons">
        <Link className="button" to={`/cases/new?account_id=${accountId}`}>Raise a case</Link>
        <Link className="button" to={`/cases?account_id=${accountId}&status=any`}>All cases</Link>
      </div>
    </section>
  );
}
