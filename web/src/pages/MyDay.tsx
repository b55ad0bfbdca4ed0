import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { Page, date, dateTime, get, getAll, money } from "../api";
import type { Contact } from "../types";
import { LogCall } from "./AccountPage";
import { useSession } from "../session";
import { MyAlerts } from "./Alerts";
import { serverDate } from "../clock";
import { CalendarFeed } from "./CalendarFeed";
import { EmailDrop } from "./EmailDrop";

type Task = { id: string; subject: string; due_on: string | null; done_at: string | null; account_id: string | null };
type Opportunity = { id: string; name: string; stage: string; amount_minor: number; currency: string; close_date: string; account_id: string };
type Overdue = { account_id: string; name: string; cadence_days: number; last_contact_at: string | null; days_overdue: number };
type FirstContact = { task_id: string; handover_id: string; account_id: string; account_name: string; contact_name: string; successor_user_id: string; successor_name: string; due_on: string; days_overdue: number };
type Activity = { id: string; kind: string; subject: string; occurred_at: string; account_id: string };

const iso = (d: Date) => d.toISOString().slice(0, 10);

export function MyDay() {
  const { me } = useSession();
  const [tasks, setTasks] = useState<Task[]>([]);
  const [deals, setDeals] = useState<Opportunity[]>([]);
  const [recent, setRecent] = useState<Activity[]>([]);
  const [overdueContact, setOverdueContact] = useState<Overdue[]>([]);
  const [firstContacts, setFirstContacts] = useState<FirstContact[]>([]);
  const today = iso(serverDate());

  // This week: Monday to Sunday, calls and visits done and planned.
  const loadWeek = useCallback(() => {
    if (!me) return;
    const now = serverDate();
    const monday = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - ((now.getUTCDay() + 6) % 7)));
    const nextMonday = new Date(monday.getTime() + 7 * 86400000);
    const stamp = (d: Date) => d.toISOString().replace(/\.\d+Z$/, "Z");
    get<Page<Activity>>(`/activities?user_id=${me.id}&occurred_at_from=${stamp(monday)}&occurred_at_to=${stamp(nextMonday)}&sort=-occurred_at&limit=50`).then((p) => setRecent(p.items));
  }, [me]);

  useEffect(() => {
    if (!me) return;
    const now = serverDate();
    const monthStart = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
    const nextMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1));
    getAll<Task>(`/tasks?owner_id=${me.id}&limit=500`).then((items) =>
      setTasks(items.filter((t) => !t.done_at).sort((a, b) => (a.due_on ?? "9999").localeCompare(b.due_on ?? "9999"))));
    get<Page<Opportunity>>(`/opportunities?owner_id=${me.id}&close_date_from=${iso(monthStart)}&close_date_to=${iso(nextMonth)}&sort=close_date&limit=100`).then((p) =>
      setDeals(p.items.filter((o) => !o.stage.startsWith("closed"))));
    get<{ items: Overdue[] }>("/insights/overdue-contact?limit=10").then((r) => setOverdueContact(r.items));
    get<{ items: FirstContact[] }>("/insights/overdue-first-contacts").then((r) => setFirstContacts(r.items));
    loadWeek();
  }, [me, loadWeek]);

  const overdue = tasks.filter((t) => t.due_on && t.due_on < today);
  return (
    <div className="grid">
      <h1 className="span">My day</h1>
      <section className="card" aria-labelledby="tasks-title">
        <h2 id="tasks-title">My tasks <span className="badge">{tasks.length}</span> {overdue.length > 0 && <span className="badge warn">{overdue.length} overdue</span>}</h2>
        <ul className="list">
          {tasks.slice(0, 15).map((t) => (
            <li key={t.id} className={t.due_on && t.due_on < today ? "overdue" : ""}>
              {t.account_id ? <Link to={`/accounts/${t.account_id}`}>{t.subject}</Link> : t.subject}
              <span className="muted"> due {date(t.due_on)}</span>
            </li>
          ))}
        </ul>
      </section>
      <MyAlerts />
      <section className="card" aria-labelledby="deals-title">
        <h2 id="deals-title">Closing this month</h2>
        <ul className="list">
          {deals.map((o) => (
            <li key={o.id}><Link to={`/accounts/${o.account_id}`}>{o.name}</Link> <span className="muted">{o.stage} · {money(o.amount_minor, o.currency)} · {date(o.close_date)}</span></li>
          ))}
          {deals.length === 0 && <li className="muted">Nothing closing this month.</li>}
        </ul>
      </section>
      <section className="card" aria-labelledby="cadence-title">
        <h2 id="cadence-title">Not contacted within their cadence</h2>
        <ul className="list">
          {overdueContact.map((o) => (
            <li key={o.account_id}><Link to={`/accounts/${o.account_id}`}>{o.name}</Link> <span className="muted">every {o.cadence_days} days · last {date(o.last_contact_at)}{o.days_overdue >= 0 ? ` · ${o.days_overdue} days overdue` : " · never"}</span></li>
          ))}
          {overdueContact.length === 0 && <li className="muted">Every customer has heard from us on time.</li>}
        </ul>
      </section>
      {firstContacts.length > 0 && (
        <section className="card alert" aria-labelledby="handover-title">
          <h2 id="handover-title">After a handover: first contacts overdue <span className="badge warn">{firstContacts.length}</span></h2>
          <ul className="list">
            {firstContacts.slice(0, 10).map((f) => (
              <li key={f.task_id ?? f.contact_name + f.account_id} className="overdue">
                <Link to={`/accounts/${f.account_id}`}>{f.account_name}</Link>: {f.contact_name}
                <span className="muted"> · {f.successor_user_id === me?.id ? "you" : f.successor_name} · {f.days_overdue} days overdue</span>
              </li>
            ))}
          </ul>
          <Link to={`/continuity/handovers/${firstContacts[0].handover_id}`}>See the handover</Link>
        </section>
      )}
      <QuickLog onLogged={loadWeek} />
      <section className="card span" aria-labelledby="week-title">
        <h2 id="week-title">This week's calls and visits</h2>
        <ul className="list">
          {recent.map((a) => (
            <li key={a.id}><span className={`kind ${a.kind}`}>{a.kind}</span> <Link to={`/accounts/${a.account_id}`}>{a.subject}</Link> <span className="muted">{dateTime(a.occurred_at)}</span></li>
          ))}
          {recent.length === 0 && <li className="muted">No calls or visits logged this week.</li>}
        </ul>
      </section>
      <CalendarFeed />
      <EmailDrop />
    </div>
  );
}

type Hit = { kind: string; id: string; title: string };

// Log a call from My day: pick the account, then the same form as on the account page.
function QuickLog({ onLogged }: { onLogged: () => void }) {
  const [q, setQ] = useState("");
  const [hits, setHits] = useState<Hit[]>([]);
  const [account, setAccount] = useState<Hit | null>(null);
  const [contacts, setContacts] = useState<{ id: string; name: string; left: boolean }[]>([]);
  useEffect(() => {
    if (q.trim().length < 2) return setHits([]);
    const t = setTimeout(() => get<{ items: Hit[] }>(`/search?q=${encodeURIComponent(q)}&limit=8`).then((r) => setHits(r.items.filter((h) => h.kind === "account"))), 150);
    return () => clearTimeout(t);
  }, [q]);
  useEffect(() => {
    if (!account) return;
    getAll<Contact>(`/contacts?account_id=${account.id}&limit=500&sort=last_name`).then((items) =>
      setContacts(items.map((c) => ({ id: c.id, name: `${c.first_name} ${c.last_name}`, left: !!c.left_at }))));
  }, [account]);
  return (
    <section className="card" aria-labelledby="quick-title">
      <h2 id="quick-title">Log a call or visit</h2>
      {!account && (
        <>
          <label className="stack">Account <input value={q} onChange={(e) => setQ(e.target.value)} placeholder="Start typing an account name" /></label>
          <ul className="list">{hits.map((h) => <li key={h.id}><button type="button" className="secondary" onClick={() => { setAccount(h); setQ(""); }}>{h.title}</button></li>)}</ul>
        </>
      )}
      {account && (
        <>
          <p>For <Link to={`/accounts/${account.id}`}>{account.title}</Link> <button type="button" className="secondary" onClick={() => setAccount(null)}>Change</button></p>
          <LogCall accountId={account.id} contacts={contacts.filter((c) => !c.left)} onLogged={onLogged} embedded />
        </>
      )}
    </section>
  );
}
