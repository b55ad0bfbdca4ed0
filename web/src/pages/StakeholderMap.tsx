// The stakeholder map: who is who at the customer, drawn as an org chart. Colour is the
// personality colour, the border the stance, dots the influence. Drag a person onto the one they
// report to (or onto the empty space to make them top level); a list beside it does the same by
// keyboard.
import { DragEvent, useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { ApiError, api, get } from "../api";

type Person = {
  id: string; name: string; job_title: string | null; function: string; stance: string; influence: string;
  colour: string | null; kol: boolean; reports_to_id: string | null; left: boolean; version: number;
  last_contacted_at: string | null; buying_roles: string[];
};
type Map = { account: { id: string; name: string }; contacts: Person[]; missing: { code: string; message: string }[] };

const W = 180, H = 64, GAP_X = 16, GAP_Y = 44;
const ROLE_LETTER: Record<string, string> = { economic_buyer: "E", user_buyer: "U", technical_buyer: "T", coach: "C" };
const DOTS: Record<string, string> = { low: "●○○", medium: "●●○", high: "●●●" };

// A tidy tree: leaves side by side, each parent centred over its children.
function layout(people: Person[]) {
  const ids = new Set(people.map((p) => p.id));
  const children: Record<string, Person[]> = {};
  const roots: Person[] = [];
  for (const p of people) {
    if (p.reports_to_id && ids.has(p.reports_to_id) && p.reports_to_id !== p.id) (children[p.reports_to_id] ??= []).push(p);
    else roots.push(p);
  }
  const pos: Record<string, { x: number; y: number }> = {};
  let next = 0, depthMax = 0;
  const seen = new Set<string>();
  const place = (p: Person, depth: number): number => {
    seen.add(p.id);
    depthMax = Math.max(depthMax, depth);
    const kids = (children[p.id] ?? []).filter((k) => !seen.has(k.id));
    let x: number;
    if (kids.length === 0) x = next++ * (W + GAP_X);
    else {
      const xs = kids.map((k) => place(k, depth + 1));
      x = (xs[0] + xs[xs.length - 1]) / 2;
    }
    pos[p.id] = { x, y: depth * (H + GAP_Y) };
    return x;
  };
  roots.forEach((r) => place(r, 0));
  people.filter((p) => !seen.has(p.id)).forEach((p) => place(p, 0));  // circles, should there be any
  return { pos, width: Math.max(1, next) * (W + GAP_X), height: (depthMax + 1) * (H + GAP_Y) };
}

export function StakeholderMap() {
  const { id } = useParams();
  const [map, setMap] = useState<Map | null>(null);
  const [message, setMessage] = useState("");
  const load = () => get<Map>(`/accounts/${id}/stakeholder-map`).then(setMap).catch((e) => setMessage(e.message));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { load(); }, [id]);
  if (!map) return message ? <p role="alert">{message}</p> : <p className="loading">Loading…</p>;

  const current = map.contacts.filter((c) => !c.left);
  const { pos, width, height } = layout(current);
  const byId = Object.fromEntries(map.contacts.map((c) => [c.id, c]));
  const setBoss = async (person: Person, boss: string | null) => {
    if (person.reports_to_id === boss || person.id === boss) return;
    setMessage("");
    try {
      await api("PATCH", `/contacts/${person.id}`, { reports_to_id: boss }, { "If-Match": `"v${person.version}"` });
      setMessage(boss ? `${person.name} now reports to ${byId[boss]?.name}.` : `${person.name} is now at the top.`);
      load();
    } catch (err) {
      setMessage(err instanceof ApiError ? err.message : "Could not change it");
      load();
    }
  };
  const drop = (e: DragEvent, boss: string | null) => {
    e.preventDefault();
    e.stopPropagation();
    const person = byId[e.dataTransfer.getData("text/plain")];
    if (person) setBoss(person, boss);
  };

  return (
    <div>
      <p><Link to={`/accounts/${map.account.id}`}>← {map.account.name}</Link></p>
      <h1>Stakeholder map: {map.account.name}</h1>
      {map.missing.length > 0 && (
        <div className="warnings" aria-label="Who is missing">
          <strong>Who is missing:</strong> {map.missing.map((m) => m.message).join(" · ")}
        </div>
      )}
      <p className="legend">
        <span><span className="swatch colour-red" /> red</span><span><span className="swatch colour-blue" /> blue</span>
        <span><span className="swatch colour-green" /> green</span><span><span className="swatch colour-yellow" /> yellow</span>
        <span className="node-key advocate">advocate</span><span className="node-key neutral">neutral</span><span className="node-key detractor">detractor</span>
        <span>●●● influence · ★ KOL · E U T C buying roles</span>
      </p>
      {message && <p role="status">{message}</p>}
      <div className="orgchart" role="group" aria-label="Org chart" style={{ width, height }}
           onDragOver={(e) => e.preventDefault()} onDrop={(e) => drop(e, null)}>
        <svg width={width} height={height} aria-hidden="true">
          {current.filter((p) => p.reports_to_id && pos[p.reports_to_id]).map((p) => {
            const a = pos[p.reports_to_id!], b = pos[p.id];
            const midY = a.y + H + GAP_Y / 2;
            return <path key={p.id} d={`M${a.x + W / 2},${a.y + H} V${midY} H${b.x + W / 2} V${b.y}`} fill="none" stroke="#8a99ad" />;
          })}
        </svg>
        {current.map((p) => (
          <div key={p.id} className={`node colour-${p.colour ?? "none"} ${p.stance}`} data-id={p.id} draggable
               style={{ left: pos[p.id].x, top: pos[p.id].y, width: W, height: H }}
               onDragStart={(e) => e.dataTransfer.setData("text/plain", p.id)}
               onDragOver={(e) => e.preventDefault()} onDrop={(e) => drop(e, p.id)}
               aria-label={`${p.name}, ${p.job_title ?? p.function}, ${p.stance}, ${p.influence} influence${p.colour ? `, ${p.colour}` : ""}`}>
            <strong>{p.name}{p.kol && " ★"}</strong>
            <span className="title">{p.job_title ?? p.function.replace(/_/g, " ")}</span>
            <span className="meta">{DOTS[p.influence]} {p.buying_roles.map((r) => ROLE_LETTER[r] ?? "").join(" ")}</span>
          </div>
        ))}
      </div>
      <h2>Reporting lines</h2>
      <table className="table compact" aria-label="Reporting lines">
        <thead><tr><th scope="col">Contact</th><th scope="col">Function</th><th scope="col">Stance</th><th scope="col">Reports to</th></tr></thead>
        <tbody>
          {current.map((p) => (
            <tr key={p.id}>
              <td>{p.name}</td><td>{p.function.replace(/_/g, " ")}</td><td>{p.stance}</td>
              <td><select aria-label={`${p.name} reports to`} value={p.reports_to_id ?? ""} onChange={(e) => setBoss(p, e.target.value || null)}>
                <option value="">nobody here (top)</option>
                {current.filter((o) => o.id !== p.id).map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
              </select></td>
            </tr>
          ))}
        </tbody>
      </table>
      {map.contacts.some((c) => c.left) && <p className="muted">Left the customer: {map.contacts.filter((c) => c.left).map((c) => c.name).join(", ")}</p>}
    </div>
  );
}
