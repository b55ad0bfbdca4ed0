import { DragEvent, useEffect, useState } from "react";
import { ApiError, Page, api, get, money } from "../api";
import { useSession } from "../App";

type Opportunity = { id: string; name: string; stage: string; amount_minor: number; currency: string; close_date: string; version: number; owner_id: string };

const STAGES = ["prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"];

export function Pipeline() {
  const { me } = useSession();
  const [deals, setDeals] = useState<Opportunity[]>([]);
  const [mine, setMine] = useState(true);
  const [message, setMessage] = useState("");
  const [view, setView] = useState<"board" | "table">("board");

  const load = () => {
    if (!me) return;
    const owner = mine ? `&owner_id=${me.id}` : "";
    get<Page<Opportunity>>(`/opportunities?limit=500&sort=close_date${owner}&close_date_from=${new Date(Date.now() - 90 * 86400000).toISOString().slice(0, 10)}`)
      .then((p) => setDeals(p.items));
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(load, [me, mine]);

  const move = async (id: string, stage: string) => {
    const deal = deals.find((d) => d.id === id);
    if (!deal || deal.stage === stage) return;
    setMessage("");
    try {
      const { data } = await api<Opportunity>("PATCH", `/opportunities/${id}`, { stage }, { "If-Match": `"v${deal.version}"` });
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
      {view === "table" && (
        <table className="table">
          <thead><tr><th scope="col">Opportunity</th><th scope="col">Stage</th><th scope="col">Amount</th><th scope="col">Close date</th></tr></thead>
          <tbody>{deals.map((d) => <tr key={d.id}><td>{d.name}</td><td>{d.stage.replace("_", " ")}</td><td>{money(d.amount_minor, d.currency)}</td><td>{d.close_date}</td></tr>)}</tbody>
        </table>
      )}
      {view === "board" && <div className="board">
        {STAGES.map((stage) => {
          const column = deals.filter((d) => d.stage === stage);
          const total = column.reduce((sum, d) => sum + d.amount_minor, 0);
          return (
            <section key={stage} className="column" aria-label={stage.replace("_", " ")} data-stage={stage}
                     onDragOver={(e) => e.preventDefault()}
                     onDrop={(e: DragEvent) => { e.preventDefault(); move(e.dataTransfer.getData("text/plain"), stage); }}>
              <h2>{stage.replace("_", " ")}</h2>
              <p className="muted">{column.length} · {money(total)}</p>
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
                </article>
              ))}
            </section>
          );
        })}
      </div>}
    </div>
  );
}
