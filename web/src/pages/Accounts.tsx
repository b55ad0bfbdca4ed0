import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { Page, get } from "../api";

type Account = { id: string; name: string; type: string; status: string; region: string | null; postcode: string | null };

const TYPES = ["", "health_system", "hospital", "department", "gp_practice", "pharmacy", "commissioning_group"];
const STATUSES = ["", "customer", "prospect", "former"];

export function Accounts() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const type = params.get("type") ?? "";
  const status = params.get("status") ?? "";
  const [items, setItems] = useState<Account[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [text, setText] = useState(q);

  const query = (more?: string) => {
    const p = new URLSearchParams({ limit: "50", sort: "name" });
    if (q.trim()) p.set("q", q);
    if (type) p.set("type", type);
    if (status) p.set("status", status);
    if (more) p.set("cursor", more);
    return `/accounts?${p}`;
  };

  useEffect(() => {
    let live = true;
    get<Page<Account>>(query()).then((page) => {
      if (!live) return;
      setItems(page.items);
      setCursor(page.next_cursor);
    }).catch(() => { if (live) { setItems([]); setCursor(null); } });
    return () => { live = false; };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q, type, status]);

  // Search as you type, without a request per keystroke.
  useEffect(() => {
    const timer = setTimeout(() => {
      if (text !== q) {
        const next = new URLSearchParams(params);
        if (text) next.set("q", text); else next.delete("q");
        setParams(next, { replace: true });
      }
    }, 200);
    return () => clearTimeout(timer);
  }, [text, q, params, setParams]);

  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value); else next.delete(key);
    setParams(next);
  };

  return (
    <div>
      <h1>Accounts</h1>
      <div className="filters" role="group" aria-label="Filter accounts">
        <label>Search <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Name, region or postcode" /></label>
        <label>Type <select value={type} onChange={(e) => set("type", e.target.value)}>{TYPES.map((t) => <option key={t} value={t}>{t ? t.replace("_", " ") : "any"}</option>)}</select></label>
        <label>Status <select value={status} onChange={(e) => set("status", e.target.value)}>{STATUSES.map((s) => <option key={s} value={s}>{s || "any"}</option>)}</select></label>
      </div>
      <table className="table">
        <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Region</th><th scope="col">Postcode</th></tr></thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.id}>
              <td><Link to={`/accounts/${a.id}`}>{a.name}</Link></td>
              <td>{a.type.replace("_", " ")}</td>
              <td><span className={`status ${a.status}`}>{a.status}</span></td>
              <td>{a.region ?? "—"}</td>
              <td>{a.postcode ?? "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 && <p className="muted">No accounts match.</p>}
      {cursor && (
        <button type="button" onClick={async () => {
          const page = await get<Page<Account>>(query(cursor));
          setItems((old) => [...old, ...page.items]);
          setCursor(page.next_cursor);
        }}>Show more</button>
      )}
    </div>
  );
}
