// An account's health on its page: a score from 0 to 100 coloured by band (healthy 70+, watch 40+,
// at risk below), the reasons it moved from the starting 70, and its trend over the last six months
// and this one as a small line chart.
import { useGet } from "../data";

type Reason = { code: string; points: number; detail: string };
type Health = { account_id: string; score: number; band: string; reasons: Reason[]; trend: { month: string; score: number }[] };

export const BANDS: Record<string, string> = { healthy: "Healthy", watch: "Watch", at_risk: "At risk" };

const monthName = (month: string, style: "short" | "long" = "short") => {
  const [y, m] = month.split("-").map(Number);
  return new Intl.DateTimeFormat(undefined, { month: style, year: style === "long" ? "numeric" : undefined, timeZone: "UTC" }).format(new Date(Date.UTC(y, m - 1, 1)));
};
const bandOf = (score: number) => (score >= 70 ? "healthy" : score >= 40 ? "watch" : "at_risk");
const signed = (points: number) => (points > 0 ? `+${points}` : `−${Math.abs(points)}`);

// The scores as a line through 0..100, with the band thresholds dashed behind it.
export function Sparkline({ trend }: { trend: { month: string; score: number }[] }) {
  const width = 240, height = 92, left = 24, right = 10, top = 8, bottom = 20;
  const x = (i: number) => left + (trend.length <= 1 ? 0 : (i * (width - left - right)) / (trend.length - 1));
  const y = (score: number) => top + ((100 - score) * (height - top - bottom)) / 100;
  const label = `Health by month: ${trend.map((t) => `${monthName(t.month, "long")} ${t.score}`).join(", ")}`;
  return (
    <svg className="sparkline" viewBox={`0 0 ${width} ${height}`} width={width} height={height} role="img" aria-label={label}>
      <title>{label}</title>
      {[70, 40].map((line) => (
        <g key={line}>
          <line x1={left} x2={width - right} y1={y(line)} y2={y(line)} className={`threshold t${line}`} />
          <text x={left - 4} y={y(line) + 4} textAnchor="end" className="axis">{line}</text>
        </g>
      ))}
      <polyline points={trend.map((t, i) => `${x(i)},${y(t.score)}`).join(" ")} className="line" />
      {trend.map((t, i) => (
        <circle key={t.month} cx={x(i)} cy={y(t.score)} r={i === trend.length - 1 ? 4.5 : 3} className={`point ${bandOf(t.score)}${i === trend.length - 1 ? " last" : ""}`} data-month={t.month} data-score={t.score} />
      ))}
      {trend.map((t, i) => (i === 0 || i === trend.length - 1 || i % 2 === 0) && (
        <text key={`m${t.month}`} x={x(i)} y={height - 4} textAnchor={i === 0 ? "start" : i === trend.length - 1 ? "end" : "middle"} className="axis">{monthName(t.month)}</text>
      ))}
    </svg>
  );
}

// `refresh` changes whenever the page reloads what it shows (a call logged, a detail saved).
export function AccountHealth({ accountId, refresh }: { accountId: string; refresh?: unknown }) {
  const { data: health, error } = useGet<Health>(`/accounts/${accountId}/health`, refresh);

  const first = health?.trend[0];
  const change = health && first ? health.score - first.score : 0;
  return (
    <section className="card health" aria-labelledby="health-title">
      <h2 id="health-title">Health</h2>
      {error && !health && <p className="muted">Health could not be worked out just now.</p>}
      {health && (
        <div className="health-body">
          <div className={`health-score band-${health.band}`} data-band={health.band}>
            <span className="sr-only">Health score </span><span className="value">{health.score}</span><span className="sr-only"> of 100: </span>
            <span className="band">{BANDS[health.band] ?? health.band}</span>
          </div>
          <div className="health-trend">
            <Sparkline trend={health.trend} />
            {first && <p className="muted">{change === 0 ? `Same as in ${monthName(first.month, "long")}` : `${signed(change)} since ${monthName(first.month, "long")}`}</p>}
          </div>
          <div className="health-reasons">
            {health.reasons.length === 0
              ? <p className="muted">Nothing moves it from the starting 70: no milestones late, no open cases, contacted within the cadence.</p>
              : (
                <ul className="list reasons" aria-label="Why this score">
                  {health.reasons.map((r) => (
                    <li key={r.code} data-code={r.code}>
                      <span className={`points ${r.points > 0 ? "plus" : "minus"}`}>{signed(r.points)}</span> {r.detail}
                    </li>
                  ))}
                </ul>
              )}
            <p className="muted small-print">Starts at 70; healthy from 70, watch from 40, at risk below.</p>
          </div>
        </div>
      )}
    </section>
  );
}
