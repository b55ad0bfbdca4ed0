// My calendar in Outlook or Google: a secret address of the person's meetings, visits, calls,
// planned calls and tasks (iCalendar) that a calendar app subscribes to. The address is shown
// once, when made; making a new one retires the old, and it can be stopped.
import { useState } from "react";
import { api, dateTime } from "../api";
import { useGet } from "../data";
import { ErrorNote } from "../problems";

type FeedState = { active: boolean; created_at?: string; path?: string };

export function CalendarFeed() {
  const state = useGet<FeedState>("/calendar-feed");
  const [link, setLink] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const act = async (method: "POST" | "DELETE") => {
    setBusy(true);
    setError(null);
    try {
      const { data } = await api<FeedState>(method, "/calendar-feed");
      setLink(method === "POST" && data.path ? window.location.origin + data.path : null);
      state.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const active = state.data?.active ?? false;
  return (
    <section className="card" aria-labelledby="calendar-title">
      <h2 id="calendar-title">My calendar in Outlook or Google</h2>
      <p className="muted">Your meetings, visits, calls, planned calls and tasks, for your calendar app to subscribe to. Anyone with the address can read them: keep it to yourself.</p>
      {link && (
        <>
          <label className="stack">Calendar address (shown once: copy it into your calendar app now)
            <input readOnly value={link} onFocus={(e) => e.currentTarget.select()} />
          </label>
        </>
      )}
      {active && !link && <p>An address made {dateTime(state.data?.created_at)} is in use.</p>}
      <p>
        <button type="button" disabled={busy} onClick={() => act("POST")}>{active ? "Make a new address (the old one stops)" : "Make a calendar address"}</button>{" "}
        {active && <button type="button" className="secondary" disabled={busy} onClick={() => act("DELETE")}>Stop the address</button>}
      </p>
      <ErrorNote error={error ?? state.error} />
    </section>
  );
}
