// Proactive alerts, raised by the nightly job: a warranty ending, short-dated stock sold at full
// price, more bought than used, a renewal due, a customer not contacted within its cadence, a trial
// ended without a decision. Each names who should act; they mark it done or dismiss it. The account
// page shows the account's open alerts, My day the open alerts for me.
import { ReactNode, useCallback, useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { ApiError, Page, api, date, get } from "../api";
import { useSession } from "../session";
import { useAccountNames, useUsers } from "../lookups";

export type Alert = {
  id: string; kind: string; account_id: string; subject_key: string; reason: string; user_id: string | null;
  task_id: string | null; status: string; raised_at: string; version: number;
};

export const ALERT_KINDS: Record<string, string> = {
  warranty_ending: "Warranty ending",
  short_dated_full_price: "Short-dated at full price",
  bought_beyond_usage: "Bought beyond usage",
  renewal_due: "Renewal due",
  contact_overdue: "Contact overdue",
  trial_without_decision: "Trial without a decision",
};

// Open alerts from `path`, and marking one done or dismissed with the version it was read at.
function useAlerts(path: string | null) {
  const [alerts, setAlerts] = useState<Alert[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const load = useCallback(() => {
    if (!path) return;
    get<Page<Alert>>(path).then((p) => { setAlerts(p.items); setCursor(p.next_cursor); }).catch(() => setAlerts([]));
  }, [path]);
  useEffect(load, [load]);
  const showMore = async () => {
    if (!path || !cursor) return;
    const p = await get<Page<Alert>>(`${path}&cursor=${encodeURIComponent(cursor)}`);
    setAlerts((old) => [...(old ?? []), ...p.items.filter((a) => !(old ?? []).some((x) => x.id === a.id))]);
    setCursor(p.next_cursor);
  };
  const more = !!cursor;
  const settle = async (a: Alert, status: "done" | "dismissed") => {
    setMessage(null);
    try {
      await api("PATCH", `/alerts/${a.id}`, { status }, { "If-Match": `"v${a.version}"` });
      setAlerts((all) => (all ?? []).filter((x) => x.id !== a.id));
      setMessage({ text: `${status === "done" ? "Done" : "Dismissed"}: ${a.reason}`, error: false });
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) {
        setMessage({ text: "Someone else changed that alert meanwhile; the list is reloaded.", error: true });
        load();
      } else setMessage({ text: err instanceof Error ? err.message : "Could not save", error: true });
    }
  };
  return { alerts, more, showMore, message, settle };
}

function AlertItem({ a, settle, children }: { a: Alert; settle: (a: Alert, status: "done" | "dismissed") => void; children?: ReactNode }) {
  return (
    <li className={`alert-item kind-${a.kind}`} data-id={a.id}>
      <div className="alert-body">
        <span className={`chip alert-${a.kind}`}>{ALERT_KINDS[a.kind] ?? a.kind}</span> {a.reason}
        <div className="muted">{children}raised {date(a.raised_at)}</div>
      </div>
      <span className="actions">
        <button type="button" className="secondary small" aria-label={`Done: ${a.reason}`} onClick={() => settle(a, "done")}>Done</button>
        <button type="button" className="secondary small" aria-label={`Dismiss: ${a.reason}`} onClick={() => settle(a, "dismissed")}>Dismiss</button>
      </span>
    </li>
  );
}

export function AccountAlerts({ accountId }: { accountId: string }) {
  const { alerts, more, showMore, message, settle } = useAlerts(`/alerts?account_id=${accountId}&status=open&sort=-raised_at&limit=20`);
  const users = useUsers();
  const userName = (id: string | null) => users.find((u) => u.id === id)?.name ?? "nobody";
  return (
    <section className="card" aria-labelledby="alerts-title">
      <h2 id="alerts-title">Alerts {alerts && alerts.length > 0 && <span className="badge warn">{alerts.length}{more ? "+" : ""} open</span>}</h2>
      {alerts && alerts.length === 0 && <p className="muted">No open alerts.</p>}
      <ul className="list alerts">
        {(alerts ?? []).map((a) => <AlertItem key={a.id} a={a} settle={settle}>for {userName(a.user_id)} · </AlertItem>)}
      </ul>
      {more && <button type="button" className="secondary" onClick={showMore}>Show more</button>}
      {message && <p role="status" className={message.error ? "error" : "ok"}>{message.text}</p>}
    </section>
  );
}

export function MyAlerts() {
  const { me } = useSession();
  const { alerts, more, showMore, message, settle } = useAlerts(me ? `/alerts?user_id=${me.id}&status=open&sort=-raised_at&limit=8` : null);
  const names = useAccountNames((alerts ?? []).map((a) => a.account_id));
  return (
    <section className="card" aria-labelledby="my-alerts-title">
      <h2 id="my-alerts-title">My alerts {alerts && alerts.length > 0 && <span className="badge warn">{alerts.length}{more ? "+" : ""}</span>}</h2>
      {alerts && alerts.length === 0 && <p className="muted">No open alerts: nothing about your customers needs a look.</p>}
      <ul className="list alerts">
        {(alerts ?? []).map((a) => (
          <AlertItem key={a.id} a={a} settle={settle}><Link to={`/accounts/${a.account_id}`}>{names[a.account_id] ?? "…"}</Link> · </AlertItem>
        ))}
      </ul>
      {more && <button type="button" className="secondary" onClick={showMore}>Show more</button>}
      {message && <p role="status" className={message.error ? "error" : "ok"}>{message.text}</p>}
    </section>
  );
}
