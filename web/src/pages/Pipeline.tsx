import { DragEvent, FormEvent, useCallback, useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { ApiError, api, get, getAll, money } from "../api";
import { useSession } from "../session";
import { serverNow } from "../clock";

type Opportunity = { id: string; name: string; stage: string; amount_minor: number; currency: string; close_date: string; version: number; owner_id: string };

const STAGES = ["prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"];

export function Pipeline() {
  const { me } = useSession();
  const [deals, setDeals] = useState<Opportunity[]>([]);
  const [mine, setMine] = useState(true);
  const [message, setMessage] = useState("");
  const [view, setView] = useState<"board" | "table">("board");
  const [flags, setFlags] = useState<Record<string, string[]>>({});
  const [losing, setLosing] = useState<Opportunity | null>(null);

  const load = useCallback(() => {
    if (!me) return;
    const owner = mine ? `&owner_id=${me.id}` : "";
    getAll<Opportunity>(`/opportunities?limit=500&sort=close_date${owner}&close_date_from=${new Date(serverNow() - 90 * 86400000).toISOString().slice(0, 10)}`)
      .then((items) => setDeals(items));
    get<{ items: { opportunity_id: string; red_flags: { message: string }[] }[] }>(`/reports/red-flags?limit=500${owner}`)
      .then((r) => setFlags(Object.fromEntries(r.items.map((i) => [i.opportunity_id, i.red_flags.map((f) => f.message)]))))
      .catch(() => setFlags({}));
  }, [me, mine]);
  useEffect(load, [load]);

  const move = async (id: string, stage: string, extra: Record<string, string> = {}) => {
    const deal = deals.find((d) => d.id === id);
    if (!deal || deal.stage === stage) return;
    setMessage("");
    // Lose quickly: a lost deal says why, and who won.
    if (stage === "closed_lost" && !extra.lost_reason) { setLosing(deal); return; }
    try {
      const { data } = await api<Opportunity>("PATCH", `/opportunities/${id}`, { stage, ...extra }, { "If-Match": `"v${deal.version}"` });
      setDeals((all) => all.map((d) => (d.id === id ? data : d)));
      setMessage(`Moved “${deal.name}” to ${stage.replace("_", " ")}.`);
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) {
        setMessage("Someone else changed this opportunity; the board has been reloaded.");
        load();
      } else setMessage(err instanceof Error ? err.message : "Could not move it");
    }
  };

  return (
    <div>
      <h1>Pipeline</h1>
      <label className="check"><input type="checkbox" checked={mine} onChange={(e) => setMine(e.target.checked)} /> Only my opportunities</label>
      <div className="view-toggle" role="group" aria-label="View">
        <button type="button" className={view === "board" ? "" : "secondary"} aria-pressed={view === "board"} onClick={() => setView("board")}>Board</button>
        <button type="button" className={view === "table" ? "" : "secondary"} aria-pressed={view === "table"} onClick={() => setView("table")}>Table</button>
      </div>
      {message && <p role="status">{message}</p>}
      {losing && <LostForm deal={losing} onCancel={() => setLosing(null)} onLost={(extra) => { const d = losing; setLosing(null); move(d.id, "closed_lost", extra); }} />}
      {view === "table" && (
        <table className="table">
          <thead><tr><th scope="col">Opportunity (Blue Sheet)</th><th scope="col">Stage</th><th scope="col">Amount</th><th scope="col">Close date</th></tr></thead>
          <tbody>{deals.map((d) => <tr key={d.id}><td><Link to={`/opportunities/${d.id}/blue-sheet`}>{d.name}</Link>{flags[d.id] && <span className="badge warn" title={flags[d.id].join("\n")}>⚑ {flags[d.id].length}</span>}</td><td>{d.stage.replace("_", " ")}</td><td>{money(d.amount_minor, d.currency)}</td><td>{d.close_date}</td></tr>)}</tbody>
        </table>
      )}
      {view === "board" && <div className="board">
        {STAGES.map((stage) => {
          const column = deals.filter((d) => d.stage === stage);
          // Each currency's total: amounts in different currencies are not added up here (the
          // forecast converts them at their close dates' rates).
          const totals = new Map<string, number>();
          for (const d of column) totals.set(d.currency, (totals.get(d.currency) ?? 0) + d.amount_minor);
          const total = totals.size === 0 ? money(0) : [...totals].map(([c, t]) => money(t, c)).join(" + ");
          return (
            <section key={stage} className="column" aria-label={stage.replace("_", " ")} data-stage={stage}
                     onDragOver={(e) => e.preventDefault()}
                     onDrop={(e: DragEvent) => { e.preventDefault(); move(e.dataTransfer.getData("text/plain"), stage); }}>
              <h2>{stage.replace("_", " ")}</h2>
              <p className="muted">{column.length} · {total}</p>
              {column.map((d) => (
                <article key={d.id} className="deal" draggable tabIndex={0} data-id={d.id}
                         onDragStart={(e) => e.dataTransfer.setData("text/plain", d.id)}
                         onKeyDown={(e) => {
                           // Keyboard: [ and ] move a focused card one stage left or right.
                           const i = STAGES.indexOf(d.stage);
                           if (e.key === "]" && i < STAGES.length - 1) move(d.id, STAGES[i + 1]);
                           if (e.key === "[" && i > 0) move(d.id, STAGES[i - 1]);
                         }}>
                  <strong>{d.name}</strong>
                  <div className="muted">{money(d.amount_minor, d.currency)} · {d.close_date}</div>
                  <Link to={`/opportunities/${d.id}/blue-sheet`} aria-label={`Blue Sheet of ${d.name}`}>Blue Sheet</Link>
                  {flags[d.id] && <span className="badge warn" title={flags[d.id].join("\n")} aria-label={`${flags[d.id].length} red flags`}>⚑ {flags[d.id].length}</span>}
                </article>
              ))}
            </section>
          );
        })}
      </div>}
    </div>
  );
}

function LostForm({ deal, onCancel, onLost }: { deal: Opportunity; onCancel: () => void; onLost: (extra: Record<string, string>) => void }) {
  const [reason, setReason] = useState("");
  const [wonBy, setWonBy] = useState("");
  const [revisit, setRevisit] = useState(new Date(serverNow() + 180 * 86400000).toISOString().slice(0, 10));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onLost({ lost_reason: reason, ...(wonBy ? { won_by: wonBy } : {}), revisit_on: revisit });
  };
  return (
    <form className="card inline-form" aria-label="Why was it lost" onSubmit={submit}>
      <strong>Lost: {deal.name}</strong>
      <label>Why was it lost <input required value={reason} onChange={(e) => setReason(e.target.value)} /></label>
      <label>Who won <input value={wonBy} onChange={(e) => setWonBy(e.target.value)} /></label>
      <label>Go back on <input type="date" value={revisit} onChange={(e) => setRevisit(e.target.value)} /></label>
      <button type="submit" disabled={!reason.trim()}>Close as lost</button>
      <button type="button" className="secondary" onClick={onCancel}>Cancel</button>
    </form>
  );
}
