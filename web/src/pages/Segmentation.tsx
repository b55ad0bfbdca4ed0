// Segmentation: accounts by potential with what they buy from us now, the competitors' share and
// how old that data is; the designation proposed by the rule or set by hand; the rule (managers);
// and a market-data CSV import that shows its changes before it applies them.
import { useEffect, useRef, useState } from "react";
import { Link } from "react-router-dom";
import { ApiError, api, money } from "../api";
import { isManager, useSession } from "../session";

type Rule = { hunting_min_headroom_minor: number; maintain_min_share_percent: number; stale_after_days: number; version: number };
type Row = {
  account_id: string; name: string; region: string | null; type: string; status: string; current_12m_minor: number; potential_value_minor: number | null;
  potential_units: number | null; competitor_share_percent: number | null; market_data_on: string | null; market_data_stale: boolean;
  proposed_designation: string; designation_set_by_hand: string | null; designation: string;
};
type Change = { line: number; new_account: boolean; account_id: string | null; name: string; potential_value_minor: { was: number | null; now: number }; competitor_share_percent: { was: number | null; now: number }; market_data_on: { was: string | null; now: string } };

export function Segmentation() {
  const { me } = useSession();
  const manager = isManager(me);
  const [rows, setRows] = useState<Row[]>([]);
  const [rule, setRule] = useState<Rule | null>(null);
  const [filter, setFilter] = useState("");
  const [status, setStatus] = useState("");
  const [region, setRegion] = useState("");
  const [message, setMessage] = useState("");
  const query = `${filter ? `&designation=${filter}` : ""}${status ? `&status=${status}` : ""}${region ? `&region=${encodeURIComponent(region)}` : ""}`;
  // Only the latest request's answer is shown: changing two filters quickly sends two requests,
  // and the first may answer last.
  const latest = useRef(0);
  const load = () => {
    const mine = ++latest.current;
    return api<{ rule: Rule; items: Row[] }>("GET", `/reports/segmentation?limit=200${query}`)
      .then(({ data }) => { if (mine === latest.current) { setRows(data.items); setRule(data.rule); } });
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { load(); }, [query]);

  const designate = async (row: Row, value: string) => {
    const current = await api<{ version: number }>("GET", `/accounts/${row.account_id}`);
    await api("PATCH", `/accounts/${row.account_id}`, { designation: value || null }, { "If-Match": `"v${current.data.version}"` });
    setMessage(`${row.name}: ${value || "as the rule proposes"}.`);
    load();
  };
  const saveRule = async () => {
    if (!rule) return;
    try {
      const { data } = await api<Rule>("PUT", "/segmentation-rule", {
        hunting_min_headroom_minor: rule.hunting_min_headroom_minor, maintain_min_share_percent: rule.maintain_min_share_percent, stale_after_days: rule.stale_after_days,
      }, { "If-Match": `"v${rule.version}"` });
      setRule(data);
      setMessage("Rule saved.");
      load();
    } catch (err) { setMessage(err instanceof ApiError ? err.message : "Could not save the rule"); }
  };

  return (
    <div>
      <h1>Segmentation</h1>
      <div className="filters">
        <label>Designation <select value={filter} onChange={(e) => setFilter(e.target.value)}>
          <option value="">All</option><option value="prospect">Prospect</option><option value="hunting">Hunting</option><option value="maintain">Maintain</option>
        </select></label>
        <label>Customers <select value={status} onChange={(e) => setStatus(e.target.value)}>
          <option value="">All</option><option value="prospect">Potential (not buying yet)</option><option value="customer">Customers</option><option value="former">Former</option>
        </select></label>
        <label>Region <input type="search" value={region} onChange={(e) => setRegion(e.target.value)} placeholder="every region" /></label>
        <a className="button" href={`/api/v1/reports/segmentation?format=csv${query}`} download>Download CSV</a>
      </div>
      {message && <p role="status">{message}</p>}
      {rule && manager && (
        <details className="card">
          <summary>The rule</summary>
          <div className="inline-form">
            <label>Hunt when headroom is at least (£) <input type="number" min={0} value={rule.hunting_min_headroom_minor / 100}
              onChange={(e) => setRule({ ...rule, hunting_min_headroom_minor: Math.round(Number(e.target.value) * 100) })} /></label>
            <label>Maintain from our share (%) <input type="number" min={0} max={100} value={rule.maintain_min_share_percent}
              onChange={(e) => setRule({ ...rule, maintain_min_share_percent: Number(e.target.value) })} /></label>
            <label>Market data stale after (days) <input type="number" min={1} value={rule.stale_after_days}
              onChange={(e) => setRule({ ...rule, stale_after_days: Number(e.target.value) })} /></label>
            <button type="button" onClick={saveRule}>Save the rule</button>
          </div>
        </details>
      )}
      <table className="table" aria-label="Accounts by potential">
        <thead><tr><th scope="col">Account</th><th scope="col">Now (12 months)</th><th scope="col">Potential</th><th scope="col">Our share</th><th scope="col">Competitors</th><th scope="col">Data from</th><th scope="col">Designation</th></tr></thead>
        <tbody>
          {rows.map((r) => {
            const share = r.potential_value_minor ? Math.min(100, Math.round((100 * r.current_12m_minor) / r.potential_value_minor)) : null;
            return (
              <tr key={r.account_id}>
                <td><Link to={`/accounts/${r.account_id}`}>{r.name}</Link>{r.status === "prospect" && <span className="badge">potential</span>} <span className="muted">{r.region}</span></td>
                <td>{money(r.current_12m_minor)}</td>
                <td>{r.potential_value_minor === null ? "—" : money(r.potential_value_minor)}</td>
                <td>{share === null ? "—" : (
                  <div className="progress" role="img" aria-label={`our share ${share}%`} title={`${share}%`}><span className="seg introduced" style={{ width: `${share}%` }} /></div>
                )}</td>
                <td>{r.competitor_share_percent === null ? "—" : `${r.competitor_share_percent}%`}</td>
                <td>{r.market_data_on ?? "—"}{r.market_data_stale && <span className="badge warn">stale</span>}</td>
                <td>
                  <select aria-label={`Designation of ${r.name}`} value={r.designation_set_by_hand ?? ""} onChange={(e) => designate(r, e.target.value)}>
                    <option value="">{r.proposed_designation} (proposed)</option>
                    <option value="prospect">prospect</option><option value="hunting">hunting</option><option value="maintain">maintain</option>
                  </select>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {manager && <MarketImport onImported={load} />}
    </div>
  );
}

function MarketImport({ onImported }: { onImported: () => void }) {
  const [text, setText] = useState("account,potential_value,potential_units,competitor_share_percent,as_of\n");
  const [changes, setChanges] = useState<Change[] | null>(null);
  const [error, setError] = useState("");
  const send = async (dryRun: boolean) => {
    setError("");
    const response = await fetch(`/api/v1/imports/market-data${dryRun ? "?dry_run=true" : ""}`, {
      method: "POST", credentials: "same-origin", body: text,
      headers: { "Content-Type": "text/csv", "X-CSRF-Token": sessionStorage.getItem("rapport.csrf") ?? "" },
    });
    const json = await response.json();
    if (!response.ok) {
      setChanges(null);
      setError([json.detail, ...(json.errors ?? []).slice(0, 10).map((e: { field: string; message: string }) => `${e.field}: ${e.message}`)].join(" · "));
      return;
    }
    setChanges(dryRun ? json.changes : null);
    if (!dryRun) { setText("account,potential_value,potential_units,competitor_share_percent,as_of\n"); onImported(); setError(`Imported: ${json.changed} accounts changed${json.created ? `, ${json.created} potential customers added` : ""}.`); }
  };
  return (
    <section className="card" aria-labelledby="import-title">
      <h2 id="import-title">Import market data</h2>
      <p className="muted">CSV with the header shown; account is our id or the external id; money in pounds.
        To add potential customers who are not accounts yet, add the columns name, type, region, postcode and territory: a row whose account is new and that has a name becomes a prospect account.</p>
      <label className="sr-only" htmlFor="market-csv">Market data CSV</label>
      <textarea id="market-csv" rows={6} cols={80} value={text} onChange={(e) => { setText(e.target.value); setChanges(null); }} />
      <p><button type="button" onClick={() => send(true)}>Show the changes</button>{" "}
        {changes && <button type="button" className="primary" onClick={() => send(false)}>Import {changes.length} changes</button>}</p>
      {error && <p role="alert">{error}</p>}
      {changes && (
        <table className="table compact" aria-label="Changes the import makes">
          <thead><tr><th scope="col">Line</th><th scope="col">Account</th><th scope="col">Potential</th><th scope="col">Competitors</th><th scope="col">Data from</th></tr></thead>
          <tbody>{changes.map((c) => (
            <tr key={c.line}><td>{c.line}</td><td>{c.name}{c.new_account && <span className="badge">new</span>}</td>
              <td>{c.potential_value_minor.was === null ? "—" : money(c.potential_value_minor.was)} → {money(c.potential_value_minor.now)}</td>
              <td>{c.competitor_share_percent.was ?? "—"}% → {c.competitor_share_percent.now}%</td>
              <td>{c.market_data_on.was ?? "—"} → {c.market_data_on.now}</td></tr>
          ))}</tbody>
        </table>
      )}
    </section>
  );
}
