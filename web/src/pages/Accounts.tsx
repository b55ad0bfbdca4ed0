import { Fragment, useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { Page } from "../api";
import { CustomValue, useCustomFields } from "../custom";
import { useGet, usePages } from "../data";
import { useUsers } from "../lookups";
import { useSession } from "../session";
import type { Account } from "../types";


const TYPES = ["", "health_system", "hospital", "department", "gp_practice", "pharmacy", "commissioning_group"];
const STATUSES = ["", "customer", "prospect", "former"];
// The custom field types the server sorts by (?sort=custom.<key>).
const SORTABLE_CUSTOM = new Set(["text", "number", "money", "date", "checkbox", "picklist"]);

type Option = { id: string; name: string };
type View = { name: string; query: string };
const FILTERS = ["type", "status", "territory_id", "owner_id", "segment"];

// Saved views live in this browser, per user.
function useSavedViews(userId: string | undefined) {
  const key = `rapport.views.accounts.${userId ?? "anon"}`;
  const [views, setViews] = useState<View[]>(() => JSON.parse(localStorage.getItem(key) ?? "[]"));
  const save = (next: View[]) => { setViews(next); localStorage.setItem(key, JSON.stringify(next)); };
  return { views, add: (v: View) => save([...views.filter((x) => x.name !== v.name), v]), remove: (name: string) => save(views.filter((x) => x.name !== name)) };
}

export function Accounts() {
  const { me } = useSession();
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const type = params.get("type") ?? "";
  const status = params.get("status") ?? "";
  const territories = useGet<Page<Option>>("/territories?limit=500&sort=name").data?.items ?? [];
  const owners = useUsers({ active: true });
  const { views, add, remove } = useSavedViews(me?.id);
  const [viewName, setViewName] = useState("");
  const [text, setText] = useState(q);
  // The custom fields a list sorts by, and the one it is sorted by (shown as a column).
  const sortable = useCustomFields("accounts").filter((f) => SORTABLE_CUSTOM.has(f.type));
  const sort = params.get("sort") ?? "name";
  const sortedBy = sortable.find((f) => sort === `custom.${f.key}` || sort === `-custom.${f.key}`);

  const query = new URLSearchParams({ limit: "50", sort: params.get("sort") || "name" });
  if (q.trim()) query.set("q", q);
  for (const f of FILTERS) if (params.get(f)) query.set(f, params.get(f)!);
  const { items, hasMore, more } = usePages<Account>(`/accounts?${query}`);

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
        <label>Territory <select value={params.get("territory_id") ?? ""} onChange={(e) => set("territory_id", e.target.value)}><option value="">any</option>{territories.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}</select></label>
        <label>Owner <select value={params.get("owner_id") ?? ""} onChange={(e) => set("owner_id", e.target.value)}><option value="">anyone</option>{owners.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}</select></label>
        <label>Sort by <select value={params.get("sort") ?? "name"} onChange={(e) => set("sort", e.target.value === "name" ? "" : e.target.value)}>
          <option value="name">name</option><option value="-updated_at">recently changed</option><option value="-created_at">newest</option>
          {sortable.map((f) => (
            <Fragment key={f.key}>
              <option value={`-custom.${f.key}`}>{f.label}, highest first</option>
              <option value={`custom.${f.key}`}>{f.label}, lowest first</option>
            </Fragment>
          ))}
        </select></label>
        <label>Segment <select value={params.get("segment") ?? ""} onChange={(e) => set("segment", e.target.value)}>{["", "prospect", "hunting", "maintain"].map((s) => <option key={s} value={s}>{s || "any"}</option>)}</select></label>
      </div>
      <div className="filters" role="group" aria-label="Saved views">
        <label>Save these filters as <input value={viewName} onChange={(e) => setViewName(e.target.value)} placeholder="e.g. My NHS trusts" /></label>
        <button type="button" disabled={!viewName.trim()} onClick={() => { add({ name: viewName.trim(), query: params.toString() }); setViewName(""); }}>Save view</button>
        {views.map((v) => (
          <span key={v.name} className="view-chip">
            <button type="button" className="secondary" onClick={() => setParams(new URLSearchParams(v.query))}>{v.name}</button>
            <button type="button" className="secondary" aria-label={`Delete view ${v.name}`} onClick={() => remove(v.name)}>×</button>
          </span>
        ))}
      </div>
      <table className="table">
        <thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Status</th><th scope="col">Region</th><th scope="col">Postcode</th>{sortedBy && <th scope="col">{sortedBy.label}</th>}</tr></thead>
        <tbody>
          {items.map((a) => (
            <tr key={a.id}>
              <td><Link to={`/accounts/${a.id}`}>{a.name}</Link></td>
              <td>{a.type.replace("_", " ")}</td>
              <td><span className={`status ${a.status}`}>{a.status}</span></td>
              <td>{a.region ?? "—"}</td>
              <td>{a.postcode ?? "—"}</td>
              {sortedBy && <td><CustomValue field={sortedBy} value={a.custom?.[sortedBy.key]} /></td>}
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 && <p className="muted">No accounts match.</p>}
      {hasMore && <button type="button" onClick={more}>Show more</button>}
    </div>
  );
}
