// Targets: set a person's target for a period (managers), split it across people, territories,
// accounts and deals so that it adds up, and see attainment (won / target) and coverage (open / what remains).
import { FormEvent, useEffect, useState } from "react";
import { ApiError, api, getAll, money } from "../api";
import { useUsers } from "../lookups";
import { isManager, useSession } from "../session";

type Target = {
  id: string; parent_id: string | null; user_id: string; user_name: string; account_id: string | null; account_name: string | null;
  opportunity_id: string | null; opportunity_name: string | null; territory_id: string | null; territory_name: string | null; starts_on: string; ends_on: string; amount_minor: number; currency: string;
  allocated_minor: number; unallocated_minor: number; won_minor: number; open_pipeline_minor: number; attainment: number;
  coverage: number | null; splits?: Target[];
};
type User = { id: string; name: string; manager_id: string | null };
type Territory = { id: string; name: string };
type Split = { kind: "user_id" | "territory_id" | "account_id" | "opportunity_id"; id: string; amount: string };

const pct = (x: number | null) => (x === null ? "—" : `${Math.round(x * 100)}%`);

function Attainment({ t }: { t: Target }) {
  const width = Math.min(100, Math.round(t.attainment * 100));
  return (
    <div className="progress" role="img" aria-label={`${pct(t.attainment)} attained`} title={`${pct(t.attainment)} attained`}>
      <span className="seg first_contact_made" style={{ width: `${width}%` }} />
    </div>
  );
}

export function Targets() {
  const { me } = useSession();
  const [targets, setTargets] = useState<Target[]>([]);
  const users = useUsers({ active: true });
  const [territories, setTerritories] = useState<Territory[]>([]);
  const [message, setMessage] = useState("");
  const manager = isManager(me);
  const load = () => getAll<Target>("/targets").then((items) => setTargets(items));
  useEffect(() => {
    load();
    getAll<Territory>("/territories?limit=500&sort=name").then((items) => setTerritories(items)); }, []);

  const [form, setForm] = useState({ user_id: "", territory_id: "", starts_on: "", ends_on: "", amount: "" });
  const create = async (e: FormEvent) => {
    e.preventDefault();
    setMessage("");
    try {
      await api("POST", "/targets", { user_id: form.user_id, ...(form.territory_id ? { territory_id: form.territory_id } : {}), starts_on: form.starts_on, ends_on: form.ends_on, amount_minor: Math.round(Number(form.amount) * 100) });
      setMessage("Target set.");
      load();
    } catch (err) { setMessage(err instanceof ApiError ? err.message : "Could not set it"); }
  };

  return (
    <div>
      <h1>Targets</h1>
      {manager && (
        <form className="card inline-form" aria-label="Set a target" onSubmit={create}>
          <label>Person <select value={form.user_id} onChange={(e) => setForm({ ...form, user_id: e.target.value })}>
            <option value="">choose…</option>{users.filter((u) => u.id !== me?.id).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}</select></label>
          <label>Territory <select value={form.territory_id} onChange={(e) => setForm({ ...form, territory_id: e.target.value })}>
            <option value="">all their business</option>{territories.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}</select></label>
          <label>From <input type="date" value={form.starts_on} onChange={(e) => setForm({ ...form, starts_on: e.target.value })} /></label>
          <label>To <input type="date" value={form.ends_on} onChange={(e) => setForm({ ...form, ends_on: e.target.value })} /></label>
          <label>Amount (£) <input type="number" min={0} value={form.amount} onChange={(e) => setForm({ ...form, amount: e.target.value })} /></label>
          <button type="submit">Set target</button>
        </form>
      )}
      {message && <p role="status">{message}</p>}
      {targets.length === 0 && <p className="muted">No targets yet.</p>}
      {targets.map((t) => <TargetCard key={t.id} target={t} users={users} territories={territories} onChanged={load} />)}
    </div>
  );
}

function TargetCard({ target, users, territories, onChanged }: { target: Target; users: User[]; territories: Territory[]; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [splits, setSplits] = useState<Split[]>([]);
  const [error, setError] = useState("");
  const total = splits.reduce((n, s) => n + Math.round(Number(s.amount || 0) * 100), 0);
  const start = () => {
    setSplits((target.splits ?? []).map((s) => s.opportunity_id ? { kind: "opportunity_id", id: s.opportunity_id, amount: String(s.amount_minor / 100) }
      : s.account_id ? { kind: "account_id", id: s.account_id, amount: String(s.amount_minor / 100) }
      : s.territory_id ? { kind: "territory_id", id: s.territory_id, amount: String(s.amount_minor / 100) }
      : { kind: "user_id", id: s.user_id, amount: String(s.amount_minor / 100) }));
    setError(""); setEditing(true);
  };
  const save = async () => {
    try {
      await api("PUT", `/targets/${target.id}/split`, { splits: splits.map((s) => ({ [s.kind]: s.id, amount_minor: Math.round(Number(s.amount) * 100) })) });
      setEditing(false); onChanged();
    } catch (err) { setError(err instanceof ApiError ? err.message : "Could not save"); }
  };
  return (
    <section className="card" aria-label={`Target of ${target.user_name}`}>
      <h2>{target.user_name}{target.territory_name ? ` in ${target.territory_name}` : ""}: {money(target.amount_minor, target.currency)} <span className="muted">{target.starts_on} to {target.ends_on}</span></h2>
      <Attainment t={target} />
      <p>Won {money(target.won_minor, target.currency)} ({pct(target.attainment)}) · open pipeline {money(target.open_pipeline_minor, target.currency)} · coverage {target.coverage === null ? "—" : `${target.coverage.toFixed(1)}×`}
        {target.unallocated_minor !== 0 && <span className="badge warn">{money(target.unallocated_minor, target.currency)} not split</span>}</p>
      <table className="table compact" aria-label={`Split of ${target.user_name}'s target`}>
        <thead><tr><th scope="col">Part</th><th scope="col">Target</th><th scope="col">Won</th><th scope="col">Attainment</th><th scope="col">Coverage</th></tr></thead>
        <tbody>
          {(target.splits ?? []).map((s) => (
            <tr key={s.id}>
              <td>{s.opportunity_name ?? s.account_name ?? (s.territory_name ? `Territory ${s.territory_name}` : s.user_name)}</td><td>{money(s.amount_minor, target.currency)}</td><td>{money(s.won_minor, target.currency)}</td>
              <td><Attainment t={s} /></td><td>{s.coverage === null ? "—" : `${s.coverage.toFixed(1)}×`}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {!editing && <button type="button" onClick={start}>Split</button>}
      {editing && (
        <div className="split-editor">
          {splits.map((s, i) => (
            <div key={i} className="rule">
              <select aria-label={`Part ${i + 1} kind`} value={s.kind} onChange={(e) => setSplits(splits.map((x, j) => j === i ? { ...x, kind: e.target.value as Split["kind"], id: "" } : x))}>
                <option value="user_id">Person</option><option value="territory_id">Territory</option><option value="account_id">Account id</option><option value="opportunity_id">Deal id</option>
              </select>
              {s.kind === "user_id"
                ? <select aria-label={`Part ${i + 1} person`} value={s.id} onChange={(e) => setSplits(splits.map((x, j) => j === i ? { ...x, id: e.target.value } : x))}>
                    <option value="">choose…</option>{users.filter((u) => u.manager_id === target.user_id).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}</select>
                : s.kind === "territory_id"
                ? <select aria-label={`Part ${i + 1} territory`} value={s.id} onChange={(e) => setSplits(splits.map((x, j) => j === i ? { ...x, id: e.target.value } : x))}>
                    <option value="">choose…</option>{territories.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}</select>
                : <input aria-label={`Part ${i + 1} id`} value={s.id} onChange={(e) => setSplits(splits.map((x, j) => j === i ? { ...x, id: e.target.value } : x))} />}
              <input aria-label={`Part ${i + 1} amount`} type="number" min={0} value={s.amount} onChange={(e) => setSplits(splits.map((x, j) => j === i ? { ...x, amount: e.target.value } : x))} />
              <button type="button" className="secondary" onClick={() => setSplits(splits.filter((_, j) => j !== i))}>Remove</button>
            </div>
          ))}
          <button type="button" onClick={() => setSplits([...splits, { kind: "user_id", id: "", amount: "" }])}>Add a part</button>
          <p className={total === target.amount_minor ? "" : "error"}>Parts add up to {money(total, target.currency)} of {money(target.amount_minor, target.currency)}.</p>
          <button type="button" className="primary" disabled={total !== target.amount_minor && splits.length > 0} onClick={save}>Save the split</button>{" "}
          <button type="button" className="secondary" onClick={() => setEditing(false)}>Cancel</button>
          {error && <p role="alert" className="error">{error}</p>}
        </div>
      )}
    </section>
  );
}
