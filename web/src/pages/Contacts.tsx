import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router-dom";
import { usePages } from "../data";
import type { Contact } from "../types";

export function Contacts() {
  const [params, setParams] = useSearchParams();
  const [text, setText] = useState(params.get("q") ?? "");
  const query = new URLSearchParams({ limit: "50", sort: "last_name" });
  for (const k of ["q", "stance", "function"]) if (params.get(k)) query.set(k, params.get(k)!);
  const { items, hasMore, more } = usePages<Contact>(`/contacts?${query}`);
  useEffect(() => {
    const t = setTimeout(() => {
      if (text !== (params.get("q") ?? "")) {
        const next = new URLSearchParams(params);
        if (text) next.set("q", text); else next.delete("q");
        setParams(next, { replace: true });
      }
    }, 200);
    return () => clearTimeout(t);
  }, [text, params, setParams]);
  const set = (k: string, v: string) => { const n = new URLSearchParams(params); if (v) n.set(k, v); else n.delete(k); setParams(n); };

  return (
    <div>
      <h1>Contacts</h1>
      <div className="filters" role="group" aria-label="Filter contacts">
        <label>Search <input type="search" value={text} onChange={(e) => setText(e.target.value)} placeholder="Name, title or email" /></label>
        <label>Stance <select value={params.get("stance") ?? ""} onChange={(e) => set("stance", e.target.value)}>{["", "advocate", "neutral", "detractor"].map((s) => <option key={s} value={s}>{s || "any"}</option>)}</select></label>
        <label>Function <select value={params.get("function") ?? ""} onChange={(e) => set("function", e.target.value)}>
          {["", "clinician", "procurement", "finance", "executive", "department_manager", "personal_assistant", "stores", "business_development", "it", "other"].map((f) => <option key={f} value={f}>{f ? f.replace("_", " ") : "any"}</option>)}
        </select></label>
      </div>
      <table className="table">
        <thead><tr><th scope="col">Name</th><th scope="col">Title</th><th scope="col">Function</th><th scope="col">Stance</th><th scope="col">Influence</th><th scope="col">Email</th></tr></thead>
        <tbody>
          {items.map((c) => (
            <tr key={c.id}>
              <td>{c.colour && <span className={`dot ${c.colour}`} title={`${c.colour} personality`} />} <Link to={`/contacts/${c.id}`}>{c.first_name} {c.last_name}</Link>{c.kol && <span className="badge">KOL</span>} <Link className="muted" to={`/accounts/${c.account_id}`}>account</Link></td>
              <td>{c.job_title ?? "—"}</td>
              <td>{c.function.replace("_", " ")}</td>
              <td><span className={`stance ${c.stance}`}>{c.stance}</span></td>
              <td>{c.influence}</td>
              <td>{c.do_not_contact ? <span className="badge warn" title="They asked not to be contacted">Do not contact</span>
                : c.email_opted_out ? <><span className="muted">{c.email}</span> <span className="badge warn" title={`Opted out of email${c.consent_on ? ` on ${c.consent_on}` : ""}${c.consent_source ? ` (${c.consent_source})` : ""}`}>No email</span></>
                : c.email ? <a href={`mailto:${c.email}`}>{c.email}</a> : "—"}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {items.length === 0 && <p className="muted">No contacts match.</p>}
      {hasMore && <button type="button" onClick={more}>Show more</button>}
    </div>
  );
}
