// Call planning on the account page (objective before the visit, review after) and the managers'
// coaching view.
import { FormEvent, useEffect, useState } from "react";
import { ApiError, Page, api, dateTime, get } from "../api";

type Plan = {
  id: string; planned_for: string; best_action: string; minimum_action: string; questions: string | null;
  outcome: string | null; review_notes: string | null; follow_ups: string | null; reviewed_at: string | null;
  contact_ids: string[]; version: number; user_id: string;
};
type Contact = { id: string; name: string; left: boolean };

const OUTCOMES: Record<string, string> = { best: "Got the best action", minimum: "Got the minimum", none: "Got neither" };

export function CallPlans({ accountId, contacts }: { accountId: string; contacts: Contact[] }) {
  const [plans, setPlans] = useState<Plan[]>([]);
  const [form, setForm] = useState({ planned_for: "", best_action: "", minimum_action: "", questions: "" });
  const [people, setPeople] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const load = () => get<Page<Plan>>(`/call-plans?account_id=${accountId}&sort=-planned_for&limit=20`).then((p) => setPlans(p.items));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { load(); }, [accountId]);
  const name = (id: string) => contacts.find((c) => c.id === id)?.name ?? id;

  const plan = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({}); setMessage("");
    try {
      await api("POST", "/call-plans", {
        account_id: accountId,
        planned_for: form.planned_for ? new Date(form.planned_for).toISOString().replace(/\.\d+Z$/, "Z") : "",
        best_action: form.best_action, minimum_action: form.minimum_action, questions: form.questions || null,
        contact_ids: people,
      });
      setForm({ planned_for: "", best_action: "", minimum_action: "", questions: "" });
      setPeople([]);
      setMessage("Call planned.");
      load();
    } catch (err) {
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
    }
  };

  return (
    <section className="card span" aria-labelledby="plans-title">
      <h2 id="plans-title">Call plans</h2>
      <form className="inline-form" aria-label="Plan a call" onSubmit={plan} noValidate>
        <label>When <input type="datetime-local" value={form.planned_for} onChange={(e) => setForm({ ...form, planned_for: e.target.value })} aria-invalid={!!errors.planned_for} />
          {errors.planned_for && <span className="error">{errors.planned_for}</span>}</label>
        <label>Best action commitment <input value={form.best_action} onChange={(e) => setForm({ ...form, best_action: e.target.value })} aria-invalid={!!errors.best_action} />
          {errors.best_action && <span className="error">{errors.best_action}</span>}</label>
        <label>Minimum acceptable action <input value={form.minimum_action} onChange={(e) => setForm({ ...form, minimum_action: e.target.value })} aria-invalid={!!errors.minimum_action} />
          {errors.minimum_action && <span className="error">{errors.minimum_action}</span>}</label>
        <label>Questions <input value={form.questions} onChange={(e) => setForm({ ...form, questions: e.target.value })} /></label>
        <fieldset><legend>People to see</legend>
          {contacts.filter((c) => !c.left).slice(0, 12).map((c) => (
            <label key={c.id} className="check"><input type="checkbox" checked={people.includes(c.id)}
              onChange={(e) => setPeople(e.target.checked ? [...people, c.id] : people.filter((p) => p !== c.id))} /> {c.name}</label>
          ))}
        </fieldset>
        <button type="submit">Plan the call</button>
      </form>
      {message && <p role="status">{message}</p>}
      <ul className="list">
        {plans.map((p) => <PlanItem key={p.id} plan={p} name={name} onSaved={load} />)}
        {plans.length === 0 && <li className="muted">No calls planned.</li>}
      </ul>
    </section>
  );
}

function PlanItem({ plan, name, onSaved }: { plan: Plan; name: (id: string) => string; onSaved: () => void }) {
  const [outcome, setOutcome] = useState(plan.outcome ?? "");
  const [notes, setNotes] = useState(plan.review_notes ?? "");
  const [error, setError] = useState("");
  const [invited, setInvited] = useState("");
  const invite = async () => {
    setError(""); setInvited("");
    try {
      const { data } = await api<{ queued: { email: string }[] }>("POST", `/call-plans/${plan.id}/invitation/send`);
      setInvited(`Invitation emailed to ${data.queued.map((q) => q.email).join(", ")}.`);
    } catch (err) { setError(err instanceof ApiError ? err.message : "Could not send the invitation"); }
  };
  const review = async () => {
    try {
      await api("PATCH", `/call-plans/${plan.id}`, { outcome: outcome || null, review_notes: notes || null }, { "If-Match": `"v${plan.version}"` });
      onSaved();
    } catch (err) { setError(err instanceof ApiError ? err.message : "Could not save"); }
  };
  return (
    <li>
      <strong>{dateTime(plan.planned_for)}</strong>: best “{plan.best_action}”, minimum “{plan.minimum_action}”
      {plan.contact_ids.length > 0 && <span className="muted"> · to see {plan.contact_ids.map(name).join(", ")}</span>}
      {!plan.reviewed_at && plan.contact_ids.length > 0 && <> · <a href={`/api/v1/call-plans/${plan.id}/invitation`} download aria-label={`Invitation to the call on ${dateTime(plan.planned_for)} (.ics)`}>Invitation (.ics)</a> · <button type="button" className="link" onClick={invite} aria-label={`Email the invitation to the call on ${dateTime(plan.planned_for)}`}>Email the invitation</button></>}
      {invited && <div role="status" className="ok">{invited}</div>}
      {plan.reviewed_at
        ? <div className="muted">Reviewed: {OUTCOMES[plan.outcome ?? ""] ?? plan.outcome}{plan.review_notes ? ` — ${plan.review_notes}` : ""}</div>
        : (
          <div className="inline-form">
            <select aria-label={`Outcome of the call on ${dateTime(plan.planned_for)}`} value={outcome} onChange={(e) => setOutcome(e.target.value)}>
              <option value="">How did it go?</option>{Object.entries(OUTCOMES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
            </select>
            <input aria-label={`Review notes for the call on ${dateTime(plan.planned_for)}`} value={notes} onChange={(e) => setNotes(e.target.value)} placeholder="What happened, follow-ups" />
            <button type="button" disabled={!outcome} onClick={review}>Save review</button>
            {error && <span className="error">{error}</span>}
          </div>
        )}
    </li>
  );
}

type CoachingRow = { user_id: string; name: string; planned: number; reviewed: number; best_action_won: number; minimum_action_won: number; nothing_won: number; review_overdue: number; calls_made: number };

export function Coaching() {
  const [rows, setRows] = useState<CoachingRow[]>([]);
  const [since, setSince] = useState("");
  useEffect(() => {
    get<{ since: string; items: CoachingRow[] }>(`/reports/coaching${since ? `?since=${since}` : ""}`).then((r) => { setRows(r.items); if (!since) setSince(r.since); });
  }, [since]);
  return (
    <div>
      <h1>Coaching</h1>
      <label>Since <input type="date" value={since} onChange={(e) => setSince(e.target.value)} /></label>
      <table className="table" aria-label="Call planning by person">
        <thead><tr><th scope="col">Person</th><th scope="col">Calls planned</th><th scope="col">Reviewed</th><th scope="col">Best action won</th><th scope="col">Minimum won</th><th scope="col">Neither</th><th scope="col">Reviews overdue</th><th scope="col">Calls and visits made</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.user_id} className={r.review_overdue > 0 ? "overdue" : ""}>
              <td>{r.name}</td><td>{r.planned}</td><td>{r.reviewed}</td><td>{r.best_action_won}</td><td>{r.minimum_action_won}</td><td>{r.nothing_won}</td><td>{r.review_overdue}</td><td>{r.calls_made}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {rows.length === 0 && <p className="muted">No call plans in this period.</p>}
    </div>
  );
}
