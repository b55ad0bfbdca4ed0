// The forecast for the monthly review: commit, best case and pipeline per person rolled up the
// management line, what is won, and what moved this week. Downloads as CSV or XLSX.
import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { date, dateTime, get, money } from "../api";
import { serverDate } from "../clock";

type Figures = { commit_minor: number; best_case_minor: number; pipeline_minor: number; weighted_minor: number; won_minor: number; deals: number;
  won_count: number; lost_count: number; win_rate: number | null; average_cycle_days: number | null; calls: number; calls_per_order: number | null };
const rate = (x: number | null) => (x === null ? "—" : `${Math.round(x * 100)}%`);
const one = (x: number | null) => (x === null ? "—" : x.toFixed(1));
type Row = { user_id: string; name: string; manager_id: string | null; depth: number; own: Figures; total: Figures };
type Change = { opportunity_id: string; name: string; owner_name: string; kind: string; field: string; old_value: string; new_value: string; changed_at: string };
type Stage = { stage: string; deals_reached: number; won: number; win_rate: number | null; average_days: number | null };
type Report = { from: string; to: string; currency: string; unconverted: { currency: string; deals: number }[]; rows: Row[]; total: Figures; stages: Stage[]; changes: Change[] };
const STAGE: Record<string, string> = { prospecting: "Prospecting", qualification: "Qualification", proposal: "Proposal", negotiation: "Negotiation" };

const KIND: Record<string, string> = { moved: "moved stage", slipped: "slipped", pulled_in: "pulled in", grew: "grew", shrank: "shrank" };

function quarter(offset: number) {
  const now = serverDate();
  const q = Math.floor(now.getUTCMonth() / 3) + offset;
  const start = new Date(Date.UTC(now.getUTCFullYear(), q * 3, 1));
  const end = new Date(Date.UTC(now.getUTCFullYear(), q * 3 + 3, 0));
  return { from: start.toISOString().slice(0, 10), to: end.toISOString().slice(0, 10) };
}

export function Forecast() {
  const [range, setRange] = useState(quarter(0));
  const [report, setReport] = useState<Report | null>(null);
  useEffect(() => {
    get<Report>(`/reports/forecast?from=${range.from}&to=${range.to}`).then(setReport);
  }, [range]);
  const shown = report?.rows.filter((r) => r.depth <= 1 && r.total.deals > 0).slice(0, 20) ?? [];
  const chart = shown.map((r) => ({ name: r.name, Won: r.total.won_minor / 100, Commit: r.total.commit_minor / 100, "Best case": r.total.best_case_minor / 100, Pipeline: r.total.pipeline_minor / 100 }));
  const query = `from=${range.from}&to=${range.to}`;
  // Every figure is in the company's currency (deals in others converted at their close date's rate).
  const inCompany = (minor: number) => money(minor, report?.currency);
  return (
    <div>
      <h1>Forecast</h1>
      <p><Link to="/pipeline">← Pipeline</Link></p>
      <div className="filters">
        <label>From <input type="date" value={range.from} onChange={(e) => setRange({ ...range, from: e.target.value })} /></label>
        <label>To <input type="date" value={range.to} onChange={(e) => setRange({ ...range, to: e.target.value })} /></label>
        <button type="button" className="secondary" onClick={() => setRange(quarter(0))}>This quarter</button>
        <button type="button" className="secondary" onClick={() => setRange(quarter(1))}>Next quarter</button>
        <a className="button" href={`/api/v1/reports/forecast?${query}&format=xlsx`} download>Download XLSX</a>
        <a className="button" href={`/api/v1/reports/forecast?${query}&format=csv`} download>Download CSV</a>
      </div>
      {report && (
        <>
          <p role="status">
            {date(report.from)} to {date(report.to)}: won {inCompany(report.total.won_minor)}, commit {inCompany(report.total.commit_minor)},
            {" "}best case {inCompany(report.total.best_case_minor)}, pipeline {inCompany(report.total.pipeline_minor)} (weighted {inCompany(report.total.weighted_minor)}).
            {" "}Win rate {rate(report.total.win_rate)}, {one(report.total.average_cycle_days)} days to close, {one(report.total.calls_per_order)} calls and visits per order.
          </p>
          {report.unconverted.length > 0 && (
            <p className="error" role="alert">
              Left out: {report.unconverted.map((u) => `${u.deals} ${u.deals === 1 ? "deal" : "deals"} in ${u.currency}`).join(", ")}, which {report.unconverted.length === 1 ? "has" : "have"} no exchange rate to {report.currency}.
              {" "}<Link to="/admin/currencies">Add a rate</Link> (admins).
            </p>
          )}
          {chart.length > 0 && (
            <div style={{ width: "100%", height: 280 }} aria-label="Forecast by person" role="img">
              <ResponsiveContainer>
                <BarChart data={chart}>
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis dataKey="name" interval={0} angle={-20} textAnchor="end" height={60} />
                  <YAxis tickFormatter={(v: number) => new Intl.NumberFormat(undefined, { notation: "compact" }).format(v)} />
                  <Tooltip formatter={(v: number) => inCompany(v * 100)} />
                  <Legend />
                  <Bar dataKey="Won" stackId="f" fill="#1e8a4c" isAnimationActive={false} />
                  <Bar dataKey="Commit" stackId="f" fill="#1f6feb" isAnimationActive={false} />
                  <Bar dataKey="Best case" stackId="f" fill="#6ea8fe" isAnimationActive={false} />
                  <Bar dataKey="Pipeline" stackId="f" fill="#c5d3e8" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
          <table className="table" aria-label="Forecast by person">
            <thead><tr><th scope="col">Person</th><th scope="col">Won</th><th scope="col">Commit</th><th scope="col">Best case</th><th scope="col">Pipeline</th><th scope="col">Weighted</th><th scope="col">Deals</th><th scope="col">Win rate</th><th scope="col">Days to close</th><th scope="col">Calls per order</th></tr></thead>
            <tbody>
              {report.rows.map((r) => (
                <tr key={r.user_id}>
                  <td style={{ paddingLeft: 8 + r.depth * 18 }}>{r.depth > 0 ? "└ " : ""}{r.name}</td>
                  <td>{inCompany(r.total.won_minor)}</td><td>{inCompany(r.total.commit_minor)}</td><td>{inCompany(r.total.best_case_minor)}</td>
                  <td>{inCompany(r.total.pipeline_minor)}</td><td>{inCompany(r.total.weighted_minor)}</td><td>{r.total.deals}</td>
                  <td>{rate(r.total.win_rate)}</td><td>{one(r.total.average_cycle_days)}</td><td>{one(r.total.calls_per_order)}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <h2>By stage</h2>
          <p className="muted">Deals closed in the period: how many passed through each stage, how many of those were won, and the days they spent there.</p>
          {report.stages.some((s) => s.deals_reached > 0) && (
            <div style={{ width: "100%", height: 200 }} aria-label="Days per stage" role="img">
              <ResponsiveContainer>
                <BarChart data={report.stages.map((s) => ({ name: STAGE[s.stage] ?? s.stage, Days: s.average_days === null ? 0 : Number(s.average_days.toFixed(1)) }))} layout="vertical">
                  <CartesianGrid strokeDasharray="3 3" />
                  <XAxis type="number" />
                  <YAxis type="category" dataKey="name" width={110} />
                  <Tooltip />
                  <Bar dataKey="Days" fill="#1f6feb" isAnimationActive={false} />
                </BarChart>
              </ResponsiveContainer>
            </div>
          )}
          <table className="table" aria-label="Forecast by stage">
            <thead><tr><th scope="col">Stage</th><th scope="col">Deals reached</th><th scope="col">Won</th><th scope="col">Win rate</th><th scope="col">Average days</th></tr></thead>
            <tbody>
              {report.stages.map((s) => (
                <tr key={s.stage}><td>{STAGE[s.stage] ?? s.stage}</td><td>{s.deals_reached}</td><td>{s.won}</td><td>{rate(s.win_rate)}</td><td>{one(s.average_days)}</td></tr>
              ))}
            </tbody>
          </table>
          <h2>Changes in the last seven days</h2>
          <ul className="list">
            {report.changes.slice(0, 50).map((c, i) => (
              <li key={i}><Link to={`/opportunities/${c.opportunity_id}/blue-sheet`}>{c.name}</Link> {KIND[c.kind] ?? c.kind}: {c.field === "amount_minor" ? `${money(Number(c.old_value))} → ${money(Number(c.new_value))}` : `${c.old_value} → ${c.new_value}`} <span className="muted">{c.owner_name} · {dateTime(c.changed_at)}</span></li>
            ))}
            {report.changes.length === 0 && <li className="muted">Nothing moved this week.</li>}
          </ul>
        </>
      )}
    </div>
  );
}
