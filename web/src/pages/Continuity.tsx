// Relationship continuity: the revolving-door risk report, the handover wizard (choose the
// leaver, see the plan, adjust, commit) and the continuity view of each handover's progress.
import { FormEvent, useEffect, useState } from "react";
import { Link, NavLink, useNavigate, useParams, useSearchParams } from "react-router-dom";
import { ApiError, Page, api, date, get, getAll, money } from "../api";
import { useGet, usePages } from "../data";
import { useUsers } from "../lookups";
import { isManager, useSession } from "../session";
import { serverDate } from "../clock";

type Territory = { id: string; name: string };

const RISKS: Record<string, string> = {
  single_threaded: "one of us in touch",
  sponsor_without_peer: "sponsor has no peer there",
  one_contact: "one contact there",
  no_executive_sponsor: "no executive sponsor",
  out_of_cadence: "not contacted within cadence",
  owner_leaving: "owner leaving",
  owner_new: "new owner",
  key_contact_gone: "key contact gone",
};

const REASONS: Record<string, string> = {
  resigned: "Resigned",
  promoted: "Promoted",
  moved: "Moved to another area",
  leave: "On leave",
  territory_split: "Territory split",
  distributor_change: "Distributor change",
};

function SubNav() {
  const { me } = useSession();
  const manager = isManager(me);
  return (
    <nav aria-label="Continuity" className="subnav">
      <NavLink to="/continuity" end>Relationship risk</NavLink>
      <NavLink to="/continuity/handovers" end>Handovers</NavLink>
      {manager && <NavLink to="/continuity/new">New handover</NavLink>}
    </nav>
  );
}

type RiskRow = {
  rank: number; account_id: string; name: string; type: string; owner_id: string | null; owner_name: string;
  revenue_12m_minor: number; top_account: boolean; contacts: number; people_in_touch: number;
  last_contact_at: string | null; risks: string[];
};

export function RelationshipRisk() {
  const [params, setParams] = useSearchParams();
  const owners = useUsers();
  const territories = useGet<Page<Territory>>("/territories?limit=500&sort=name").data?.items ?? [];
  const filters = () => {
    const p = new URLSearchParams();
    for (const f of ["owner_id", "territory_id"]) if (params.get(f)) p.set(f, params.get(f)!);
    return p;
  };
  const { first, items: rows, hasMore, more } = usePages<RiskRow, Page<RiskRow> & { total: number }>(`/reports/relationship-risk?${filters()}`);
  const total = first?.total ?? 0;
  const set = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value); else next.delete(key);
    setParams(next);
  };
  const csv = `/api/v1/reports/relationship-risk?${(() => { const p = filters(); p.set("format", "csv"); return p; })()}`;
  return (
    <div>
      <h1>Relationship risk</h1>
      <SubNav />
      <p className="muted">Customer accounts by revenue over the last twelve months; the top fifth are marked ★. Each chip is a reason the relationship could walk out of the door with one person.</p>
      <div className="filters">
        <label>Owner <select value={params.get("owner_id") ?? ""} onChange={(e) => set("owner_id", e.target.value)}>
          <option value="">Anyone</option>
          {owners.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
        </select></label>
        <label>Territory <select value={params.get("territory_id") ?? ""} onChange={(e) => set("territory_id", e.target.value)}>
          <option value="">All</option>
          {territories.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
        </select></label>
        <a className="button" href={csv} download>Download CSV</a>
      </div>
      <p role="status" className="muted">{total} customer accounts</p>
      <table className="table">
        <thead><tr><th scope="col">#</th><th scope="col">Account</th><th scope="col">Owner</th><th scope="col">Revenue (12 months)</th><th scope="col">Last contact</th><th scope="col">At risk because</th></tr></thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.account_id}>
              <td>{r.rank}</td>
              <td><Link to={`/accounts/${r.account_id}`}>{r.name}</Link>{r.top_account && <span className="badge" title="Top account"> ★</span>}</td>
              <td>{r.owner_name || "—"}</td>
              <td>{money(r.revenue_12m_minor)}</td>
              <td>{date(r.last_contact_at)}</td>
              <td>{r.risks.length === 0 ? <span className="muted">none</span> : r.risks.map((k) => <span key={k} className={`chip risk-${k}`}>{RISKS[k] ?? k}</span>)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {hasMore && <button type="button" onClick={more}>Show more</button>}
    </div>
  );
}

type Progress = { pending: number; introduced: number; first_contact_made: number; overdue: number; accounts: number };
type HandoverSummary = {
  id: string; from_user: { id: string; name: string; status: string } | null; from_distributor: { id: string; name: string } | null;
  reason: string; effective_on: string; cover_ends_on: string | null; cover_ended_at: string | null;
  created_at: string; counts: Record<string, number>; progress: Progress;
};
type AccountProgress = {
  account_id: string; name: string; successor_user_id: string; successor_name: string; state: string;
  introductions: number; introductions_sent: number; first_contacts: number; first_contacts_done: number;
  first_contact_due_on: string | null;
};

const STATES: [keyof Progress, string][] = [
  ["first_contact_made", "First contact made"],
  ["introduced", "Introduced"],
  ["pending", "Waiting"],
  ["overdue", "Overdue"],
];

// A bar that shows at a glance how far a handover has got.
function ProgressBar({ progress }: { progress: Progress }) {
  const total = Math.max(progress.accounts, 1);
  const label = STATES.map(([k, name]) => `${name}: ${progress[k]}`).join(", ");
  return (
    <div className="progress" role="img" aria-label={label}>
      {STATES.map(([k]) => progress[k] > 0 && (
        <span key={k} className={`seg ${k}`} style={{ width: `${(100 * progress[k]) / total}%` }} />
      ))}
    </div>
  );
}

function Legend() {
  return (
    <p className="legend">
      {STATES.map(([k, name]) => <span key={k}><span className={`swatch ${k}`} aria-hidden="true" /> {name}</span>)}
    </p>
  );
}

export function Handovers() {
  const [items, setItems] = useState<HandoverSummary[]>([]);
  const [loaded, setLoaded] = useState(false);
  useEffect(() => {
    getAll<HandoverSummary>("/handovers").then((items) => { setItems(items); setLoaded(true); });
  }, []);
  return (
    <div>
      <h1>Handovers</h1>
      <SubNav />
      <Legend />
      <table className="table">
        <thead><tr><th scope="col">Who</th><th scope="col">Why</th><th scope="col">From</th><th scope="col">Accounts</th><th scope="col">Progress</th></tr></thead>
        <tbody>
          {items.map((h) => (
            <tr key={h.id} className={h.progress.overdue > 0 ? "overdue" : ""}>
              <td><Link to={`/continuity/handovers/${h.id}`}>{h.from_user?.name ?? h.from_distributor?.name}</Link></td>
              <td>{REASONS[h.reason] ?? h.reason}</td>
              <td>{date(h.effective_on)}</td>
              <td>{h.progress.accounts}{h.progress.overdue > 0 && <span className="badge warn">{h.progress.overdue} overdue</span>}</td>
              <td><ProgressBar progress={h.progress} /></td>
            </tr>
          ))}
        </tbody>
      </table>
      {loaded && items.length === 0 && <p className="muted">No handovers yet.</p>}
    </div>
  );
}

export function HandoverDetail() {
  const { id } = useParams();
  const [h, setH] = useState<(HandoverSummary & { accounts: AccountProgress[] }) | null>(null);
  const [error, setError] = useState("");
  const load = () => get<HandoverSummary & { accounts: AccountProgress[] }>(`/handovers/${id}`).then(setH).catch((e) => setError(e.message));
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { load(); }, [id]);
  if (error) return <p role="alert">{error}</p>;
  if (!h) return <p className="loading">Loading…</p>;
  return (
    <div>
      <h1>Handover of {h.from_user?.name ?? h.from_distributor?.name}</h1>
      <SubNav />
      <p>{REASONS[h.reason] ?? h.reason}, from {date(h.effective_on)}{h.cover_ends_on && (h.cover_ended_at ? `; the cover ended on ${date(h.cover_ended_at)}` : `; the cover ends on ${date(h.cover_ends_on)}`)}. Moved: {Object.entries(h.counts).map(([k, n]) => `${n} ${k.replace("_", " ")}${n === 1 ? "" : "s"}`).join(", ")}.</p>
      <ProgressBar progress={h.progress} />
      <Legend />
      <button type="button" onClick={load}>Refresh</button>
      <table className="table" aria-label="Accounts handed over">
        <thead><tr><th scope="col">Account</th><th scope="col">Now with</th><th scope="col">State</th><th scope="col">Introductions sent</th><th scope="col">First contact due</th></tr></thead>
        <tbody>
          {h.accounts.map((a) => (
            <tr key={a.account_id} className={a.state === "overdue" ? "overdue" : ""}>
              <td><Link to={`/accounts/${a.account_id}`}>{a.name}</Link></td>
              <td>{a.successor_name}</td>
              <td><span className={`chip state-${a.state}`}>{STATES.find(([k]) => k === a.state)?.[1] ?? a.state}</span></td>
              <td>{a.introductions_sent} of {a.introductions}</td>
              <td>{date(a.first_contact_due_on)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type Rule = { kind: "postcode" | "territory"; value: string; successor: string };
type Plan = {
  counts: Record<string, number>;
  marks_leaver_left: boolean;
  items: { record_type: string; record_id: string; label: string; successor_name: string | null; action: string }[];
  introductions: { contact_name: string; sender_name: string; from_manager: boolean }[];
  warnings: { code: string; message: string }[];
};

const WARNINGS: Record<string, string> = {
  no_successor: "Nobody takes these",
  closing_soon: "Deals closing within 30 days",
  single_threaded: "Hanging on one contact",
  no_key_contact: "Nobody there to introduce",
  over_ownership_limit: "Successor over the ownership limit",
};

export function HandoverWizard() {
  const navigate = useNavigate();
  const users = useUsers({ active: true });
  const [territories, setTerritories] = useState<Territory[]>([]);
  const [from, setFrom] = useState("");
  const [successor, setSuccessor] = useState("");
  const [reason, setReason] = useState("resigned");
  const [effective, setEffective] = useState(serverDate().toISOString().slice(0, 10));
  const [teamRule, setTeamRule] = useState("replace_leaver");
  const [days, setDays] = useState(14);
  const [rules, setRules] = useState<Rule[]>([]);
  const [distributors, setDistributors] = useState<Territory[]>([]);
  const [fromDistributor, setFromDistributor] = useState("");
  const [toDistributor, setToDistributor] = useState("");
  const [backOn, setBackOn] = useState("");
  const byDistributor = reason === "distributor_change";
  const [plan, setPlan] = useState<Plan | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    getAll<Territory>("/territories?limit=500&sort=name").then((items) => setTerritories(items));
    getAll<Territory & { status: string }>("/distributors?limit=500&sort=name&status=active").then((items) => setDistributors(items));
  }, []);

  const body = (dryRun: boolean) => ({
    ...(byDistributor
      ? { from_distributor_id: fromDistributor, to_distributor_id: toDistributor || null }
      : { from_user_id: from }),
    ...(reason === "leave" ? { cover_ends_on: backOn } : {}),
    successor_user_id: successor || null,
    reason,
    effective_on: effective,
    team_rule: teamRule,
    first_contact_days: days,
    rules: rules.filter((r) => r.value && r.successor).map((r) =>
      r.kind === "postcode" ? { postcode_prefix: r.value, successor_user_id: r.successor } : { territory_id: r.value, successor_user_id: r.successor }),
    dry_run: dryRun,
  });
  const fail = (e: unknown) => {
    if (e instanceof ApiError) { setErrors(e.fieldErrors()); setMessage(e.message); }
    else setMessage("Something went wrong");
  };
  const seePlan = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({}); setMessage(""); setBusy(true);
    try {
      setPlan((await api<Plan>("POST", "/handovers", body(true))).data);
    } catch (err) { fail(err); setPlan(null); } finally { setBusy(false); }
  };
  const commit = async () => {
    setBusy(true); setMessage("");
    try {
      const { data } = await api<{ id: string }>("POST", "/handovers", body(false));
      navigate(`/continuity/handovers/${data.id}`);
    } catch (err) { fail(err); } finally { setBusy(false); }
  };
  const name = (id: string) => byDistributor ? distributors.find((d) => d.id === fromDistributor)?.name ?? "" : users.find((u) => u.id === id)?.name ?? "";
  const grouped = (plan?.warnings ?? []).reduce<Record<string, string[]>>((acc, w) => { (acc[w.code] ??= []).push(w.message); return acc; }, {});
  const accounts = plan?.items.filter((i) => i.record_type === "account") ?? [];
  const unplaced = plan?.items.filter((i) => !i.successor_name && i.action === "reassign").length ?? 0;

  return (
    <div>
      <h1>New handover</h1>
      <SubNav />
      <form onSubmit={seePlan} className="wizard" aria-label="Handover">
        <label>Why
          <select value={reason} onChange={(e) => { setReason(e.target.value); setPlan(null); }}>
            {Object.entries(REASONS).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
          </select>
        </label>
        {byDistributor ? (
          <>
            <label>Distributor leaving
              <select value={fromDistributor} onChange={(e) => { setFromDistributor(e.target.value); setPlan(null); }} aria-invalid={!!errors.from_distributor_id}>
                <option value="">Choose a distributor</option>
                {distributors.map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
              </select>
              {errors.from_distributor_id && <span className="error">{errors.from_distributor_id}</span>}
            </label>
            <label>Accounts go to
              <select value={toDistributor} onChange={(e) => { setToDistributor(e.target.value); setPlan(null); }} aria-invalid={!!errors.to_distributor_id}>
                <option value="">Us, directly</option>
                {distributors.filter((d) => d.id !== fromDistributor).map((d) => <option key={d.id} value={d.id}>{d.name}</option>)}
              </select>
            </label>
          </>
        ) : (
          <label>Who is handing over
            <select value={from} onChange={(e) => { setFrom(e.target.value); setPlan(null); }} aria-invalid={!!errors.from_user_id}>
              <option value="">Choose a person</option>
              {users.filter((u) => u.role !== "admin").map((u) => <option key={u.id} value={u.id}>{u.name} ({u.role.replace("_", " ")})</option>)}
            </select>
            {errors.from_user_id && <span className="error">{errors.from_user_id}</span>}
          </label>
        )}
        {reason === "leave" && (
          <label>Back on
            <input type="date" value={backOn} onChange={(e) => { setBackOn(e.target.value); setPlan(null); }} aria-invalid={!!errors.cover_ends_on} />
            {errors.cover_ends_on && <span className="error">{errors.cover_ends_on}</span>}
          </label>
        )}
        <label>From
          <input type="date" value={effective} onChange={(e) => { setEffective(e.target.value); setPlan(null); }} aria-invalid={!!errors.effective_on} />
          {errors.effective_on && <span className="error">{errors.effective_on}</span>}
        </label>
        <label>Successor
          <select value={successor} onChange={(e) => { setSuccessor(e.target.value); setPlan(null); }} aria-invalid={!!errors.successor_user_id}>
            <option value="">Only by the rules below</option>
            {users.filter((u) => u.id !== from).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
          </select>
          {errors.successor_user_id && <span className="error">{errors.successor_user_id}</span>}
        </label>
        <fieldset>
          <legend>Account teams</legend>
          <label><input type="radio" name="team_rule" value="replace_leaver" checked={teamRule === "replace_leaver"} onChange={() => setTeamRule("replace_leaver")} /> The successor takes every team place</label>
          <label><input type="radio" name="team_rule" value="keep_team" checked={teamRule === "keep_team"} onChange={() => setTeamRule("keep_team")} /> Keep the team; the successor joins as owner only</label>
        </fieldset>
        <label>First contact within (days)
          <input type="number" min={1} max={90} value={days} onChange={(e) => setDays(Number(e.target.value))} aria-invalid={!!errors.first_contact_days} />
        </label>
        <fieldset>
          <legend>Split the accounts (optional)</legend>
          {rules.map((r, i) => (
            <div key={i} className="rule">
              <select aria-label={`Rule ${i + 1} kind`} value={r.kind} onChange={(e) => setRules(rules.map((x, j) => j === i ? { ...x, kind: e.target.value as Rule["kind"], value: "" } : x))}>
                <option value="postcode">Postcode starts with</option>
                <option value="territory">Territory</option>
              </select>
              {r.kind === "postcode"
                ? <input aria-label={`Rule ${i + 1} postcode prefix`} value={r.value} maxLength={10} onChange={(e) => setRules(rules.map((x, j) => j === i ? { ...x, value: e.target.value } : x))} />
                : <select aria-label={`Rule ${i + 1} territory`} value={r.value} onChange={(e) => setRules(rules.map((x, j) => j === i ? { ...x, value: e.target.value } : x))}>
                    <option value="">Choose</option>
                    {territories.map((t) => <option key={t.id} value={t.id}>{t.name}</option>)}
                  </select>}
              <select aria-label={`Rule ${i + 1} successor`} value={r.successor} onChange={(e) => setRules(rules.map((x, j) => j === i ? { ...x, successor: e.target.value } : x))}>
                <option value="">goes to…</option>
                {users.filter((u) => u.id !== from).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
              </select>
              <button type="button" onClick={() => setRules(rules.filter((_, j) => j !== i))}>Remove</button>
            </div>
          ))}
          <button type="button" onClick={() => setRules([...rules, { kind: "postcode", value: "", successor: "" }])}>Add a rule</button>
        </fieldset>
        <button type="submit" disabled={busy || (byDistributor ? !fromDistributor : !from)}>See the plan</button>
      </form>
      {message && <p role="alert">{message}</p>}
      {plan && (
        <section aria-label="The plan" className="plan">
          <h2>The plan</h2>
          <p>
            {accounts.length} accounts, {plan.counts.opportunity} open deals, {plan.counts.task} open tasks, {plan.counts.meeting} upcoming meetings,
            {" "}{plan.counts.case ?? 0} open cases, {plan.counts.success_plan ?? 0} success plans, {plan.counts.trial ?? 0} trials,
            {" "}{plan.counts.split ?? 0} revenue splits,
            {" "}{plan.counts.territory} territories and {plan.counts.team_member} team places move from {name(from)}.
            {" "}{plan.introductions.length} introductions will go out{plan.marks_leaver_left ? `, and ${name(from)} will be marked as left` : ""}.
          </p>
          {Object.keys(grouped).length > 0 && (
            <div className="warnings" aria-label="Warnings">
              <h3>Before you commit</h3>
              <ul>
                {Object.entries(grouped).map(([code, messages]) => (
                  <li key={code}><strong>{WARNINGS[code] ?? code} ({messages.length})</strong>
                    <ul>{messages.slice(0, 5).map((m, i) => <li key={i}>{m}</li>)}{messages.length > 5 && <li>and {messages.length - 5} more</li>}</ul>
                  </li>
                ))}
              </ul>
            </div>
          )}
          <table className="table" aria-label="Accounts that move">
            <thead><tr><th scope="col">Account</th><th scope="col">Goes to</th></tr></thead>
            <tbody>
              {accounts.slice(0, 100).map((a) => (
                <tr key={a.record_id}><td>{a.label}</td><td>{a.successor_name ?? <span className="badge warn">nobody</span>}</td></tr>
              ))}
            </tbody>
          </table>
          {accounts.length > 100 && <p className="muted">and {accounts.length - 100} more accounts</p>}
          <button type="button" className="primary" disabled={busy || unplaced > 0} onClick={commit}>
            Hand over {accounts.length} accounts
          </button>
          {unplaced > 0 && <p className="error">{unplaced} records have nobody to take them: choose a successor or add a rule.</p>}
        </section>
      )}
    </div>
  );
}
