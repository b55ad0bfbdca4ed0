// An opportunity's Blue Sheet: buying influences, strengths, red flags (computed and noted) and
// possible actions. Prints to one page.
import { useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { ApiError, api, date, get, getAll, money } from "../api";
import type { Contact } from "../types";
import { useUsers } from "../lookups";
import { RecordCustomFields } from "../custom";
import { DealProducts } from "../lineItems";
import { Attachments } from "../attachments";

type Influence = {
  contact_id: string; name?: string; job_title?: string; function?: string; stance?: string; left?: boolean;
  roles: string[]; response_mode: string | null; degree_of_influence: string | null; rating: number | null;
  win_theme: string | null; business_result: string | null; last_met_at?: string | null;
};
type Action = { id?: string | null; description: string; shortlisted: boolean; owner_id: string | null; due_on: string | null; task_id?: string | null };
type Flag = { code: string; message: string; contact_id: string | null };
type Sheet = {
  opportunity: { id: string; single_sales_objective: string; account_id: string; account_name: string; stage: string; amount_minor: number; currency: string; close_date: string; owner_id: string; owner_name: string; probability: number };
  buying_influences: Influence[]; strengths: string | null; red_flags_noted: string | null; possible_actions: Action[]; red_flags: Flag[]; version: number;
};

const ROLES: [string, string][] = [["economic_buyer", "Economic"], ["user_buyer", "User"], ["technical_buyer", "Technical"], ["coach", "Coach"]];
const MODES = ["growth", "trouble", "even_keel", "overconfident"];
const THEMES = ["price", "ease", "speed", "podium_presence", "work_life_balance", "recognition", "promotion"];
const label = (s: string) => s.replace(/_/g, " ");

export function BlueSheet() {
  const { id } = useParams();
  const [sheet, setSheet] = useState<Sheet | null>(null);
  const [contacts, setContacts] = useState<Contact[]>([]);
  const users = useUsers({ active: true });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [add, setAdd] = useState("");

  const load = () => get<Sheet>(`/opportunities/${id}/blue-sheet`).then((s) => {
    setSheet(s);
    getAll<Contact>(`/contacts?account_id=${s.opportunity.account_id}&limit=500&sort=last_name`).then((items) => setContacts(items));
  }).catch((e) => setMessage(e.message));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { load(); }, [id]);
  if (!sheet) return message ? <p role="alert">{message}</p> : <p className="loading">Loading…</p>;
  const o = sheet.opportunity;

  const setInfluence = (i: number, change: Partial<Influence>) =>
    setSheet({ ...sheet, buying_influences: sheet.buying_influences.map((b, j) => (j === i ? { ...b, ...change } : b)) });
  const setAction = (i: number, change: Partial<Action>) =>
    setSheet({ ...sheet, possible_actions: sheet.possible_actions.map((a, j) => (j === i ? { ...a, ...change } : a)) });
  const save = async () => {
    setErrors({}); setMessage("");
    try {
      const { data } = await api<Sheet>("PUT", `/opportunities/${id}/blue-sheet`, {
        buying_influences: sheet.buying_influences.map(({ contact_id, roles, response_mode, degree_of_influence, rating, win_theme, business_result }) =>
          ({ contact_id, roles, response_mode, degree_of_influence, rating, win_theme: win_theme || null, business_result: business_result || null })),
        strengths: sheet.strengths || null,
        red_flags_noted: sheet.red_flags_noted || null,
        possible_actions: sheet.possible_actions.map(({ id, description, shortlisted, owner_id, due_on }) => ({ id: id ?? null, description, shortlisted, owner_id, due_on: due_on || null })),
      }, { "If-Match": `"v${sheet.version}"` });
      setSheet(data);
      setMessage("Saved.");
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) setMessage("Someone else changed this Blue Sheet. Reload to see their version.");
      else if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
    }
  };
  const flagsFor = (contact: string) => sheet.red_flags.filter((f) => f.contact_id === contact);
  const inSheet = new Set(sheet.buying_influences.map((b) => b.contact_id));

  return (
    <div className="blue-sheet">
      <p className="no-print"><Link to="/pipeline">← Pipeline</Link></p>
      <h1>Blue Sheet: {o.single_sales_objective}</h1>
      <p>
        <Link to={`/accounts/${o.account_id}`}>{o.account_name}</Link> · {label(o.stage)} · {money(o.amount_minor, o.currency)} ·
        {" "}deadline {date(o.close_date)} · {o.probability}% · {o.owner_name}
      </p>
      <DealProducts path={`/opportunities/${o.id}`}
        onSaved={(deal) => setSheet((s) => s && { ...s, opportunity: { ...s.opportunity, amount_minor: deal.amount_minor } })} />
      <RecordCustomFields recordType="opportunities" path={`/opportunities/${o.id}`} />
      <Attachments path={`/opportunities/${o.id}`} title="Contracts and documents" />
      <section aria-labelledby="flags-title" className={`flags ${sheet.red_flags.length ? "has-flags" : ""}`}>
        <h2 id="flags-title">Red flags {sheet.red_flags.length > 0 && <span className="badge warn">{sheet.red_flags.length}</span>}</h2>
        {sheet.red_flags.length === 0 ? <p className="muted">None found.</p> : (
          <ul>{sheet.red_flags.map((f, i) => <li key={i} data-code={f.code}>⚑ {f.message}</li>)}</ul>
        )}
      </section>
      <section aria-labelledby="influences-title">
        <h2 id="influences-title">Buying influences</h2>
        <table className="table compact">
          <thead><tr><th scope="col">Who</th><th scope="col">Roles</th><th scope="col">Response mode</th><th scope="col">Influence</th><th scope="col">Rating</th><th scope="col">Win theme</th><th scope="col">Business result</th><th scope="col"><span className="sr-only">Remove</span></th></tr></thead>
          <tbody>
            {sheet.buying_influences.map((b, i) => {
              const contact = contacts.find((c) => c.id === b.contact_id);
              const name = b.name ?? (contact ? `${contact.first_name} ${contact.last_name}` : b.contact_id);
              return (
                <tr key={b.contact_id} className={flagsFor(b.contact_id).length ? "flagged" : ""}>
                  <td><strong>{name}</strong><div className="muted">{b.job_title ?? contact?.job_title}{b.last_met_at ? ` · met ${date(b.last_met_at)}` : " · never met"}</div>
                    {errors[`buying_influences[${i}].contact_id`] && <span className="error">{errors[`buying_influences[${i}].contact_id`]}</span>}</td>
                  <td>{ROLES.map(([r, text]) => (
                    <label key={r} className="check"><input type="checkbox" checked={b.roles.includes(r)}
                      onChange={(e) => setInfluence(i, { roles: e.target.checked ? [...b.roles, r] : b.roles.filter((x) => x !== r) })} aria-label={`${name}: ${text} buyer`} /> {text}</label>
                  ))}</td>
                  <td><select aria-label={`${name}: response mode`} value={b.response_mode ?? ""} onChange={(e) => setInfluence(i, { response_mode: e.target.value || null })}>
                    <option value="">—</option>{MODES.map((m) => <option key={m} value={m}>{label(m)}</option>)}</select></td>
                  <td><select aria-label={`${name}: degree of influence`} value={b.degree_of_influence ?? ""} onChange={(e) => setInfluence(i, { degree_of_influence: e.target.value || null })}>
                    <option value="">—</option>{["low", "medium", "high"].map((m) => <option key={m}>{m}</option>)}</select></td>
                  <td><select aria-label={`${name}: rating`} value={b.rating ?? ""} onChange={(e) => setInfluence(i, { rating: e.target.value === "" ? null : Number(e.target.value) })}>
                    <option value="">—</option>{[3, 2, 1, 0, -1, -2, -3].map((n) => <option key={n} value={n}>{n > 0 ? `+${n}` : n}</option>)}</select>
                    {errors[`buying_influences[${i}].rating`] && <span className="error">{errors[`buying_influences[${i}].rating`]}</span>}</td>
                  <td><input list="win-themes" aria-label={`${name}: win theme`} value={b.win_theme ?? ""} onChange={(e) => setInfluence(i, { win_theme: e.target.value })} /></td>
                  <td><input aria-label={`${name}: business result`} value={b.business_result ?? ""} onChange={(e) => setInfluence(i, { business_result: e.target.value })} /></td>
                  <td className="no-print"><button type="button" className="secondary" onClick={() => setSheet({ ...sheet, buying_influences: sheet.buying_influences.filter((_, j) => j !== i) })} aria-label={`Remove ${name}`}>✕</button></td>
                </tr>
              );
            })}
          </tbody>
        </table>
        <datalist id="win-themes">{THEMES.map((t) => <option key={t} value={t}>{label(t)}</option>)}</datalist>
        <div className="no-print inline-form">
          <label>Add a buying influence
            <select value={add} onChange={(e) => setAdd(e.target.value)}>
              <option value="">choose a contact…</option>
              {contacts.filter((c) => !inSheet.has(c.id) && !c.left_at).map((c) => <option key={c.id} value={c.id}>{c.first_name} {c.last_name}{c.job_title ? `, ${c.job_title}` : ""}</option>)}
            </select>
          </label>
          <button type="button" disabled={!add} onClick={() => {
            setSheet({ ...sheet, buying_influences: [...sheet.buying_influences, { contact_id: add, roles: [], response_mode: null, degree_of_influence: null, rating: null, win_theme: null, business_result: null }] });
            setAdd("");
          }}>Add</button>
        </div>
      </section>
      <div className="two">
        <label>Strengths<textarea rows={3} value={sheet.strengths ?? ""} onChange={(e) => setSheet({ ...sheet, strengths: e.target.value })} /></label>
        <label>Red flags we see<textarea rows={3} value={sheet.red_flags_noted ?? ""} onChange={(e) => setSheet({ ...sheet, red_flags_noted: e.target.value })} /></label>
      </div>
      <section aria-labelledby="actions-title">
        <h2 id="actions-title">Possible actions</h2>
        <table className="table compact">
          <thead><tr><th scope="col">Action</th><th scope="col">Shortlist</th><th scope="col">Owner</th><th scope="col">By</th><th scope="col">Task</th></tr></thead>
          <tbody>
            {sheet.possible_actions.map((a, i) => (
              <tr key={a.id ?? `new-${i}`}>
                <td><input aria-label={`Action ${i + 1}`} value={a.description} onChange={(e) => setAction(i, { description: e.target.value })} />
                  {errors[`possible_actions[${i}].description`] && <span className="error">{errors[`possible_actions[${i}].description`]}</span>}</td>
                <td><input type="checkbox" aria-label={`Shortlist action ${i + 1}`} checked={a.shortlisted} onChange={(e) => setAction(i, { shortlisted: e.target.checked })} /></td>
                <td><select aria-label={`Action ${i + 1} owner`} value={a.owner_id ?? ""} onChange={(e) => setAction(i, { owner_id: e.target.value || null })}>
                  <option value="">—</option>{users.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}</select></td>
                <td><input type="date" aria-label={`Action ${i + 1} due`} value={a.due_on ?? ""} onChange={(e) => setAction(i, { due_on: e.target.value || null })} /></td>
                <td>{a.task_id ? "task made" : a.shortlisted ? "on save, with owner and date" : "—"}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <button type="button" className="no-print" onClick={() => setSheet({ ...sheet, possible_actions: [...sheet.possible_actions, { description: "", shortlisted: false, owner_id: o.owner_id, due_on: null }] })}>Add an action</button>
      </section>
      <p className="no-print actions">
        <button type="button" className="primary" onClick={save}>Save the Blue Sheet</button>{" "}
        <button type="button" className="secondary" onClick={() => window.print()}>Print</button>
      </p>
      {message && <p role="status" className="no-print">{message}</p>}
    </div>
  );
}
