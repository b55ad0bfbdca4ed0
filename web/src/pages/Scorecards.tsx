// Scorecards: a manager's people side by side for a period, each figure beside the period before
// (check-in calls made against due, billing queries and hours to resolve them, the satisfaction
// index, repeat / new-range / cross-sell sales, accounts handled). Anyone else sees their own card.
// Downloads as CSV or XLSX.
import { ReactNode, useState } from "react";
import { useSearchParams } from "react-router-dom";
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { date, money } from "../api";
import { useGet } from "../data";
import { PayNav, PERIOD, PeriodPicker, periods } from "./Commission";

export type Card = {
  accounts_handled: number; check_in_calls_made: number; check_in_calls_due: number; billing_queries_resolved: number;
  billing_query_hours: number | null; satisfaction_index: number | null; survey_answers: number;
  repeat_sales_minor: number; new_range_sales_minor: number; cross_sell_minor: number;
};
type Person = { user_id: string; name: string; current: Card; previous: Card };
type Report = { period: string; from: string; to: string; previous_period: string; currency: string; items: Person[] };

export const ROLES: Record<string, string> = {
  account_manager: "Account managers", customer_success: "Customer success", rep: "Reps", inside_sales: "Inside sales", any: "Everyone",
};
// Legend labels in the text colour (recharts colours them like their bars, too faint to read).
const legendText = (value: string) => <span className="legend-text">{value}</span>;
const whole = (n: number) => new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 }).format(n);
const hours = (n: number) => `${new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 }).format(n)} h`;

// How a figure moved since the previous period: an arrow, the change, and whether that is good
// (more is better, except hours to resolve). Nothing when either period has no figure.
export function Trend({ now, before, format, lowerIsBetter = false, previous }: {
  now: number | null; before: number | null; format: (n: number) => string; lowerIsBetter?: boolean; previous: string;
}) {
  if (now === null || before === null) return before === null && now !== null ? <span className="trend new">new</span> : null;
  const change = now - before;
  const shown = format(Math.abs(change));
  if (Math.abs(change) < 1e-9 || shown === format(0)) {
    return <span className="trend same" title={`Same as ${previous}`}><span aria-hidden="true">=</span><span className="sr-only">same as {previous}</span></span>;
  }
  const up = change > 0;
  const good = up !== lowerIsBetter;
  const text = `${up ? "up" : "down"} ${shown} on ${previous}`;
  return (
    <span className={`trend ${up ? "up" : "down"} ${good ? "good" : "bad"}`} title={text}>
      <span aria-hidden="true">{up ? "▲" : "▼"} {shown}</span><span className="sr-only">{text}</span>
    </span>
  );
}

function Figure({ children, trend }: { children: ReactNode; trend: ReactNode }) {
  return <><span className="figure">{children}</span> {trend}</>;
}

// Check-in calls made against those due, as "made / due" and a bar.
function Calls({ made, due }: { made: number; due: number }) {
  const share = due === 0 ? (made > 0 ? 1 : 0) : Math.min(1, made / due);
  const label = `${made} of ${due} check-in calls made`;
  return (
    <>
      <span className="figure">{made} / {due}</span>
      <span className="callbar" role="img" aria-label={label} title={label}>
        <span className={share >= 0.8 ? "good" : share >= 0.5 ? "fair" : "poor"} style={{ width: `${Math.round(share * 100)}%` }} />
      </span>
    </>
  );
}

export function Scorecards() {
  const quick = periods();
  const [params, setParams] = useSearchParams();
  const [period, setPeriod] = useState(params.get("period") ?? quick.thisMonth);
  const role = params.get("role") ?? "account_manager";
  const valid = PERIOD.test(period);
  const query = `period=${encodeURIComponent(period)}&role=${encodeURIComponent(role)}`;
  const { data: report, error, loading } = useGet<Report>(valid ? `/reports/scorecards?${query}` : null);
  const errors = error?.fieldErrors() ?? {};
  const message = error?.message ?? "";

  const choose = (next: { period?: string; role?: string }) => {
    const p = new URLSearchParams(params);
    if (next.period !== undefined) { setPeriod(next.period); p.set("period", next.period); }
    if (next.role !== undefined) p.set("role", next.role);
    setParams(p, { replace: true });
  };
  const periodError = !valid ? "must be YYYY-MM, YYYY-Qn or YYYY" : errors.period;
  const people = report?.items ?? [];
  const prev = report?.previous_period ?? "";
  const satisfaction = people.map((p) => ({
    name: p.name,
    [prev]: p.previous.satisfaction_index === null ? null : Math.round(p.previous.satisfaction_index),
    [report?.period ?? ""]: p.current.satisfaction_index === null ? null : Math.round(p.current.satisfaction_index),
  }));
  const sales = people.map((p) => ({
    name: p.name,
    "Repeat": p.current.repeat_sales_minor / 100,
    "New range": p.current.new_range_sales_minor / 100,
    "Cross-sell": p.current.cross_sell_minor / 100,
  }));
  const compact = (v: number) => new Intl.NumberFormat(undefined, { notation: "compact" }).format(v);
  const chartHeight = Math.max(180, 48 + people.length * 34);

  return (
    <div className="scorecards">
      <PayNav />
      <h1>Scorecards</h1>
      <div className="filters">
        <PeriodPicker period={period} error={periodError} onChange={(p) => choose({ period: p })} />
        <label>Role <select value={role} onChange={(e) => choose({ role: e.target.value })} aria-invalid={!!errors.role}>
          {Object.entries(ROLES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
        </select>{errors.role && <span className="error">{errors.role}</span>}</label>
        {report && valid && <>
          <a className="button" href={`/api/v1/reports/scorecards?${query}&format=csv`} download>Download CSV</a>
          <a className="button" href={`/api/v1/reports/scorecards?${query}&format=xlsx`} download>Download XLSX</a>
        </>}
      </div>
      {message && <p role="alert" className="error">{message}</p>}
      {report && (
        <>
          <h2>{date(report.from)} to {date(report.to)} <span className="muted">({report.period}, against {report.previous_period})</span></h2>
          {people.length === 0 && <p className="muted">{loading ? "Loading…" : `No ${ROLES[role]?.toLowerCase() ?? "people"} in your team.`}</p>}
          {people.length > 0 && <>
            <div className="scroll" tabIndex={0} role="region" aria-label="Scorecards, scrolls sideways on a narrow screen">
              <table className="table scorecard-table" aria-label="Scorecards">
                <thead>
                  <tr>
                    <th scope="col">Person</th>
                    <th scope="col">Accounts</th>
                    <th scope="col">Check-in calls <span className="muted">made / due</span></th>
                    <th scope="col">Billing queries resolved</th>
                    <th scope="col">Hours to resolve <span className="muted">mean</span></th>
                    <th scope="col">Satisfaction index</th>
                    <th scope="col">Survey answers</th>
                    <th scope="col">Repeat sales</th>
                    <th scope="col">New-range sales</th>
                    <th scope="col">Cross-sell</th>
                  </tr>
                </thead>
                <tbody>
                  {people.map(({ user_id, name, current: c, previous: p }) => (
                    <tr key={user_id} data-user={user_id}>
                      <th scope="row">{name}</th>
                      <td className="num" data-figure="accounts_handled"><Figure trend={<Trend now={c.accounts_handled} before={p.accounts_handled} format={whole} previous={prev} />}>{c.accounts_handled}</Figure></td>
                      <td className="num calls" data-figure="check_in_calls"><Calls made={c.check_in_calls_made} due={c.check_in_calls_due} /> <Trend now={c.check_in_calls_made} before={p.check_in_calls_made} format={whole} previous={prev} /></td>
                      <td className="num" data-figure="billing_queries_resolved"><Figure trend={<Trend now={c.billing_queries_resolved} before={p.billing_queries_resolved} format={whole} previous={prev} />}>{c.billing_queries_resolved}</Figure></td>
                      <td className="num" data-figure="billing_query_hours"><Figure trend={<Trend now={c.billing_query_hours} before={p.billing_query_hours} format={hours} lowerIsBetter previous={prev} />}>{c.billing_query_hours === null ? "—" : hours(c.billing_query_hours)}</Figure></td>
                      <td className="num" data-figure="satisfaction_index"><Figure trend={<Trend now={c.satisfaction_index} before={p.satisfaction_index} format={whole} previous={prev} />}>{c.satisfaction_index === null ? "—" : whole(c.satisfaction_index)}</Figure></td>
                      <td className="num" data-figure="survey_answers"><Figure trend={<Trend now={c.survey_answers} before={p.survey_answers} format={whole} previous={prev} />}>{c.survey_answers}</Figure></td>
                      <td className="num" data-figure="repeat_sales_minor"><Figure trend={<Trend now={c.repeat_sales_minor} before={p.repeat_sales_minor} format={(n) => money(n, report.currency)} previous={prev} />}>{money(c.repeat_sales_minor, report.currency)}</Figure></td>
                      <td className="num" data-figure="new_range_sales_minor"><Figure trend={<Trend now={c.new_range_sales_minor} before={p.new_range_sales_minor} format={(n) => money(n, report.currency)} previous={prev} />}>{money(c.new_range_sales_minor, report.currency)}</Figure></td>
                      <td className="num" data-figure="cross_sell_minor"><Figure trend={<Trend now={c.cross_sell_minor} before={p.cross_sell_minor} format={(n) => money(n, report.currency)} previous={prev} />}>{money(c.cross_sell_minor, report.currency)}</Figure></td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <p className="muted">Arrows compare with {report.previous_period}: green is better, red worse (fewer hours to resolve a billing query is better). Check-in calls due are one per account per contact cadence in the period. The satisfaction index puts every survey on 0 to 100.</p>
            <div className="grid charts">
              <figure className="card chart" aria-labelledby="satisfaction-chart-title">
                <figcaption id="satisfaction-chart-title"><h2>Satisfaction index, {report.period} against {report.previous_period}</h2></figcaption>
                <div style={{ width: "100%", height: chartHeight }}>
                  <ResponsiveContainer>
                    <BarChart data={satisfaction} layout="vertical" margin={{ left: 8, right: 16 }}>
                      <CartesianGrid strokeDasharray="3 3" />
                      <XAxis type="number" domain={[0, 100]} />
                      <YAxis type="category" dataKey="name" width={120} />
                      <Tooltip />
                      <Legend formatter={legendText} />
                      <Bar dataKey={report.previous_period} fill="#8da4bd" isAnimationActive={false} />
                      <Bar dataKey={report.period} fill="#1f6feb" isAnimationActive={false} />
                    </BarChart>
                  </ResponsiveContainer>
                </div>
                {people.some((p) => p.current.satisfaction_index === null) && <p className="muted">No bar: no survey answered in that period.</p>}
              </figure>
              <figure className="card chart" aria-labelledby="sales-chart-title">
                <figcaption id="sales-chart-title"><h2>Sales in {report.period}: repeat, new range and cross-sell</h2></figcaption>
                <div style={{ width: "100%", height: chartHeight }}>
                  <ResponsiveContainer>
                    <BarChart data={sales} layout="vertical" margin={{ left: 8, right: 16 }}>
                      <CartesianGrid strokeDasharray="3 3" />
                      <XAxis type="number" tickFormatter={compact} />
                      <YAxis type="category" dataKey="name" width={120} />
                      <Tooltip formatter={(v: number) => money(v * 100, report.currency)} />
                      <Legend formatter={legendText} />
                      <Bar dataKey="Repeat" stackId="s" fill="#1f6feb" isAnimationActive={false} />
                      <Bar dataKey="New range" stackId="s" fill="#2e7d32" isAnimationActive={false} />
                      <Bar dataKey="Cross-sell" stackId="s" fill="#f9a825" isAnimationActive={false} />
                    </BarChart>
                  </ResponsiveContainer>
                </div>
              </figure>
            </div>
          </>}
        </>
      )}
    </div>
  );
}
