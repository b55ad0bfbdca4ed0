// The commission statement: what a rep earned in a period, what was held back against success-plan
// milestones, released when they were met or forfeited when they were not, and what is payable.
// Managers pick anyone in their line; everyone sees their own. Downloads as CSV.
import { useMemo, useState } from "react";
import { Link, NavLink, useSearchParams } from "react-router-dom";
import { date, price } from "../api";
import { useGet } from "../data";
import { useUsers } from "../lookups";
import { isAdmin, isManager, useSession } from "../session";
import { serverDate } from "../clock";

type Line = { date: string; kind: string; amount_minor: number; plan_currency: string; plan_amount_minor: number; success_plan_id: string; plan: string; milestone_id: string | null; milestone: string };
type Statement = {
  user_id: string; name: string; period: string; currency: string; unconverted: { currency: string; plans: number }[]; from: string; to: string; earned_minor: number; held_back_minor: number;
  released_minor: number; forfeited_minor: number; payable_minor: number; still_held_minor: number; lines: Line[];
};

// Targets, commission and scorecards share a place in the main navigation; this moves between them.
export function PayNav() {
  return (
    <nav aria-label="Targets and commission" className="subnav">
      <NavLink to="/targets" end>Targets</NavLink>
      <NavLink to="/commission">Commission</NavLink>
      <NavLink to="/scorecards">Scorecards</NavLink>
    </nav>
  );
}


const KIND: Record<string, string> = { earned: "Earned", held_back: "Held back", released: "Released", forfeited: "Forfeited" };
export const PERIOD = /^\d{4}(-(0[1-9]|1[0-2])|-Q[1-4])?$/;

// Periods as the server counts them (UTC).
export function periods() {
  const now = serverDate();
  const y = now.getUTCFullYear(), m = now.getUTCMonth();
  const month = (yy: number, mm: number) => `${yy}-${String(mm + 1).padStart(2, "0")}`;
  return {
    thisMonth: month(y, m),
    lastMonth: m === 0 ? month(y - 1, 11) : month(y, m - 1),
    thisQuarter: `${y}-Q${Math.floor(m / 3) + 1}`,
    thisYear: String(y),
  };
}

// The period box with its quick choices (this month, last month, this quarter, this year).
export function PeriodPicker({ period, error, onChange }: { period: string; error?: string; onChange: (period: string) => void }) {
  const quick = periods();
  return (
    <>
      <label>Period <input value={period} onChange={(e) => onChange(e.target.value.trim().toUpperCase())} placeholder="YYYY-MM, YYYY-Qn or YYYY"
        aria-invalid={!!error} aria-describedby="period-error" size={10} />
        {error && <span className="error" id="period-error">{error}</span>}</label>
      <div className="quick" role="group" aria-label="Quick periods">
        <button type="button" className="secondary" onClick={() => onChange(quick.thisMonth)}>This month</button>
        <button type="button" className="secondary" onClick={() => onChange(quick.lastMonth)}>Last month</button>
        <button type="button" className="secondary" onClick={() => onChange(quick.thisQuarter)}>This quarter</button>
        <button type="button" className="secondary" onClick={() => onChange(quick.thisYear)}>This year</button>
      </div>
    </>
  );
}

export function Commission() {
  const { me } = useSession();
  const manager = isManager(me);
  const quick = periods();
  const [params, setParams] = useSearchParams();
  const [period, setPeriod] = useState(params.get("period") ?? quick.thisMonth);
  const userId = params.get("user_id") ?? me?.id ?? "";
  const users = useUsers();

  // Admins see everyone; other managers themselves and the people below them.
  const inView = useMemo(() => {
    if (!me || isAdmin(me)) return users;
    const mine = new Set([me.id]);
    for (let grew = true; grew;) {
      grew = false;
      for (const u of users) if (u.manager_id && mine.has(u.manager_id) && !mine.has(u.id)) { mine.add(u.id); grew = true; }
    }
    return users.filter((u) => mine.has(u.id));
  }, [users, me]);

  const valid = PERIOD.test(period);
  const query = `user_id=${encodeURIComponent(userId)}&period=${encodeURIComponent(period)}`;
  const { data: statement, error } = useGet<Statement>(valid && userId ? `/reports/commission?${query}` : null);
  const errors = error?.fieldErrors() ?? {};
  const message = !error ? "" : error.problem.status === 404 ? "That person's statement is not yours to see." : error.message;

  const choose = (next: { period?: string; user_id?: string }) => {
    const p = new URLSearchParams(params);
    if (next.period !== undefined) { setPeriod(next.period); p.set("period", next.period); }
    if (next.user_id !== undefined) p.set("user_id", next.user_id);
    setParams(p, { replace: true });
  };
  const periodError = !valid ? "must be YYYY-MM, YYYY-Qn or YYYY" : errors.period;

  return (
    <div>
      <PayNav />
      <h1>Commission</h1>
      <div className="filters">
        <PeriodPicker period={period} error={periodError} onChange={(p) => choose({ period: p })} />
        {manager && (
          <label>Person <select value={userId} onChange={(e) => choose({ user_id: e.target.value })}>
            {inView.length === 0 && me && <option value={me.id}>{me.name}</option>}
            {inView.map((u) => <option key={u.id} value={u.id}>{u.name}{u.status === "left" ? " (left)" : ""}</option>)}
          </select></label>
        )}
        {statement && valid && <a className="button" href={`/api/v1/reports/commission?${query}&format=csv`} download>Download CSV</a>}
      </div>
      {message && <p role="alert" className="error">{message}</p>}
      {statement && (
        <>
          {/* Commission is counted in pence, so it shows them; in the company's currency. */}
          <h2>{statement.name}: {date(statement.from)} to {date(statement.to)} <span className="muted">({statement.period})</span></h2>
          <dl className="figures" aria-label="Commission totals">
            <div><dt>Earned</dt><dd>{price(statement.earned_minor, statement.currency)}</dd></div>
            <div><dt>Held back</dt><dd>{price(statement.held_back_minor, statement.currency)}</dd></div>
            <div><dt>Released</dt><dd>{price(statement.released_minor, statement.currency)}</dd></div>
            <div><dt>Forfeited</dt><dd>{price(statement.forfeited_minor, statement.currency)}</dd></div>
            <div className="total"><dt>Payable</dt><dd>{price(statement.payable_minor, statement.currency)}</dd></div>
            <div><dt>Still held</dt><dd>{price(statement.still_held_minor, statement.currency)}</dd></div>
          </dl>
          {statement.unconverted.length > 0 && (
            <p className="error" role="alert">
              Left out: {statement.unconverted.map((u) => `${u.plans} ${u.plans === 1 ? "plan" : "plans"} in ${u.currency}`).join(", ")}, with no exchange rate to {statement.currency}.
            </p>
          )}
          <p className="muted">Payable is what was earned, less what was held back against milestones, plus what their being met released. Still held is held back at the end of the period and neither released nor forfeited yet.</p>
          <table className="table" aria-label="Commission lines">
            <thead><tr><th scope="col">Date</th><th scope="col">What</th><th scope="col">Amount</th><th scope="col">Success plan</th><th scope="col">Milestone</th></tr></thead>
            <tbody>
              {statement.lines.map((l, i) => (
                <tr key={i} className={`line-${l.kind}`}>
                  <td>{date(l.date)}</td>
                  <td><span className={`chip line-${l.kind}`}>{KIND[l.kind] ?? l.kind}</span></td>
                  <td className="num">{l.kind === "held_back" ? "−" : ""}{price(l.amount_minor, statement.currency)}
                    {l.plan_currency !== statement.currency && <div className="muted">{price(l.plan_amount_minor, l.plan_currency)}</div>}</td>
                  <td><Link to={`/success-plans/${l.success_plan_id}`}>{l.plan}</Link></td>
                  <td>{l.milestone || "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
          {statement.lines.length === 0 && <p className="muted">Nothing earned, held back, released or forfeited in this period.</p>}
        </>
      )}
    </div>
  );
}
