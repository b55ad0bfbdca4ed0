// My emails in Rapport: the person's drop address to BCC or forward customer emails to (they land
// on the timeline of the contacts' accounts), and the emails that matched no contact, held here
// to file to an account or discard.
import { useState } from "react";
import { Page, api, dateTime } from "../api";
import { useGet } from "../data";
import { ErrorNote } from "../problems";

type DropState = { active: boolean; address?: string; created_at?: string };
type Held = { id: string; from_email: string; from_name: string; subject: string; body: string; sent_at: string };
type AccountHit = { id: string; name: string; city?: string | null };

export function EmailDrop() {
  const state = useGet<DropState>("/email-drop");
  const held = useGet<{ items: Held[] }>("/held-emails");
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const act = async (method: "POST" | "DELETE") => {
    setBusy(true);
    setError(null);
    try {
      await api(method, "/email-drop");
      state.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const active = state.data?.active ?? false;
  const items = held.data?.items ?? [];
  return (
    <section className="card" aria-labelledby="email-drop-title">
      <h2 id="email-drop-title">My emails in Rapport</h2>
      <p className="muted">BCC or forward an email with a customer to your address and it is logged on the timeline of each contact's account. Emails from people Rapport does not know wait below for you to file.</p>
      {active && (
        <label className="stack">Your address
          <input readOnly value={state.data?.address ?? ""} onFocus={(e) => e.currentTarget.select()} />
        </label>
      )}
      <p>
        <button type="button" disabled={busy} onClick={() => act("POST")}>{active ? "Make a new address (the old one stops)" : "Make my address"}</button>{" "}
        {active && <button type="button" className="secondary" disabled={busy} onClick={() => act("DELETE")}>Stop the address</button>}
      </p>
      <ErrorNote error={error ?? state.error ?? held.error} />
      {items.length > 0 && (
        <>
          <h3>To file ({items.length})</h3>
          <ul className="plain">
            {items.map((e) => <HeldEmail key={e.id} email={e} onDone={held.reload} />)}
          </ul>
        </>
      )}
    </section>
  );
}

function HeldEmail({ email, onDone }: { email: Held; onDone: () => void }) {
  const [query, setQuery] = useState("");
  const hits = useGet<Page<AccountHit>>(query.trim().length >= 2 ? `/accounts?q=${encodeURIComponent(query.trim())}&limit=8&sort=name` : null);
  const [error, setError] = useState<unknown>(null);
  const file = async (account: AccountHit) => {
    setError(null);
    try {
      await api("POST", `/held-emails/${email.id}/file`, { account_id: account.id });
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  const discard = async () => {
    setError(null);
    try {
      await api("DELETE", `/held-emails/${email.id}`);
      onDone();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <li className="held-email" aria-label={`Held: ${email.subject}`}>
      <strong>{email.subject}</strong> <span className="muted">from {email.from_name ? `${email.from_name} <${email.from_email}>` : email.from_email}, {dateTime(email.sent_at)}</span>
      <div className="pre muted">{email.body.slice(0, 300)}</div>
      <div className="inline-form">
        <label>File to account
          <input value={query} onChange={(e) => setQuery(e.target.value)} placeholder="Type an account's name" />
        </label>
        <button type="button" className="secondary" onClick={discard}>Discard</button>
      </div>
      {(hits.data?.items ?? []).map((a) => (
        <button key={a.id} type="button" className="link" onClick={() => void file(a)}>File to {a.name}{a.city ? ` (${a.city})` : ""}</button>
      ))}
      <ErrorNote error={error} />
    </li>
  );
}
