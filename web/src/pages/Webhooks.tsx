// Admin → Webhooks: the HTTPS endpoints other systems (the ERP, the data warehouse) hear events
// at, each with the events it wants and a signing secret shown once; each endpoint's delivery
// log, every attempt with the receiver's answer, and a replay of any delivery.
import { FormEvent, useState } from "react";
import { ApiError, Page, api, dateTime } from "../api";
import { useGet } from "../data";
import { ErrorNote, FieldError } from "../problems";
import type { WebhookDelivery, WebhookEndpoint } from "../types";

type EventType = { name: string; description: string };

export function Webhooks() {
  const endpoints = useGet<{ items: WebhookEndpoint[] }>("/webhooks");
  const types = useGet<{ items: EventType[] }>("/webhook-event-types");
  const [secret, setSecret] = useState<{ url: string; secret: string } | null>(null);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);

  const act = async (work: () => Promise<void>) => {
    setError(null);
    try {
      await work();
      endpoints.reload();
    } catch (e) {
      setError(e);
    }
  };
  const toggle = (e: WebhookEndpoint) =>
    act(async () => { await api("PATCH", `/webhooks/${e.id}`, { active: !e.active }, { "If-Match": `"v${e.version}"` }); });
  const rotate = (e: WebhookEndpoint) =>
    act(async () => {
      const { data } = await api<WebhookEndpoint>("POST", `/webhooks/${e.id}/secret`);
      setSecret({ url: data.url, secret: data.secret ?? "" });
    });
  const ping = (e: WebhookEndpoint) => act(async () => { await api("POST", `/webhooks/${e.id}/ping`); setOpen(e.id); });
  const remove = (e: WebhookEndpoint) => {
    if (!window.confirm(`Stop sending events to ${e.url} and drop its delivery log?`)) return;
    void act(async () => { await api("DELETE", `/webhooks/${e.id}`); if (open === e.id) setOpen(null); });
  };

  const list = endpoints.data?.items ?? [];
  return (
    <>
      <p className="muted">Other systems hear what happens in Rapport at an HTTPS address of theirs. Each delivery is signed (Standard Webhooks: <code>webhook-id</code>, <code>webhook-timestamp</code>, <code>webhook-signature</code>), tried again with growing waits for about a day and a half when the receiver fails, and sent in order for each record.</p>
      <NewEndpoint types={types.data?.items ?? []} onMade={(e) => { setSecret({ url: e.url, secret: e.secret ?? "" }); endpoints.reload(); }} />
      {secret && (
        <div className="card" role="status">
          <label className="stack">Signing secret for {secret.url} (shown once: give it to the receiver now)
            <input readOnly value={secret.secret} onFocus={(ev) => ev.currentTarget.select()} aria-label="Signing secret" />
          </label>
          <button type="button" onClick={() => setSecret(null)}>Done</button>
        </div>
      )}
      <ErrorNote error={endpoints.error ?? error} />
      <div className="scroll">
        <table className="table" aria-label="Webhook endpoints">
          <thead><tr><th scope="col">Endpoint</th><th scope="col">Events</th><th scope="col">Deliveries</th><th scope="col">On</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {list.map((e) => (
              <tr key={e.id} data-url={e.url}>
                <td><strong>{e.url}</strong>{e.description && <div className="muted">{e.description}</div>}<div className="muted">secret {e.secret_hint}</div></td>
                <td>{e.events.map((t) => <span key={t} className="chip">{t}</span>)}</td>
                <td>
                  <span className="badge">{e.deliveries.delivered} delivered</span>
                  {e.deliveries.pending > 0 && <span className="badge">{e.deliveries.pending} waiting</span>}
                  {e.deliveries.failed > 0 && <span className="badge warn">{e.deliveries.failed} failed</span>}
                </td>
                <td><input type="checkbox" checked={e.active} onChange={() => void toggle(e)} aria-label={`Send events to ${e.url}`} /></td>
                <td className="actions">
                  <button type="button" onClick={() => setOpen(open === e.id ? null : e.id)} aria-expanded={open === e.id}>Deliveries</button>
                  <button type="button" onClick={() => void ping(e)}>Send a test</button>
                  <button type="button" onClick={() => void rotate(e)}>New secret</button>
                  <button type="button" onClick={() => remove(e)}>Remove</button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {endpoints.data && list.length === 0 && <p className="muted">No endpoints yet.</p>}
      {open && <DeliveryLog endpoint={list.find((e) => e.id === open)} onChanged={endpoints.reload} />}
    </>
  );
}

function NewEndpoint({ types, onMade }: { types: EventType[]; onMade: (e: WebhookEndpoint) => void }) {
  const [url, setUrl] = useState("");
  const [description, setDescription] = useState("");
  const [events, setEvents] = useState<string[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    setErrors({}); setError(null);
    try {
      const { data } = await api<WebhookEndpoint>("POST", "/webhooks", { url, description, events });
      setUrl(""); setDescription(""); setEvents([]);
      onMade(data);
    } catch (err) {
      if (err instanceof ApiError && Object.keys(err.fieldErrors()).length > 0) setErrors(err.fieldErrors());
      else setError(err);
    }
  };
  const eventsError = Object.entries(errors).find(([k]) => k.startsWith("events"))?.[1];
  return (
    <form className="card" noValidate onSubmit={submit} aria-label="Add a webhook endpoint">
      <div className="inline-form">
        <label>Address (https://)
          <input type="url" value={url} onChange={(e) => setUrl(e.target.value)} aria-invalid={!!errors.url} placeholder="https://erp.example.com/rapport-events" size={40} />
          <FieldError errors={errors} name="url" />
        </label>
        <label>Description
          <input value={description} onChange={(e) => setDescription(e.target.value)} placeholder="The data warehouse" />
        </label>
      </div>
      <fieldset aria-invalid={!!eventsError}>
        <legend>Events to send</legend>
        {types.map((t) => (
          <label key={t.name} className="check" title={t.description}>
            <input type="checkbox" checked={events.includes(t.name)} onChange={(e) => setEvents(e.target.checked ? [...events, t.name] : events.filter((x) => x !== t.name))} /> {t.name}
          </label>
        ))}
        {eventsError && <span className="error">{eventsError}</span>}
      </fieldset>
      <button type="submit">Add endpoint</button>
      <ErrorNote error={error} />
    </form>
  );
}

function DeliveryLog({ endpoint, onChanged }: { endpoint: WebhookEndpoint | undefined; onChanged: () => void }) {
  const [status, setStatus] = useState("");
  const [round, setRound] = useState(0);
  const [chosen, setChosen] = useState<string | null>(null);
  const deliveries = useGet<Page<WebhookDelivery>>(endpoint ? `/webhooks/${endpoint.id}/deliveries?limit=100${status ? `&status=${status}` : ""}` : null, round);
  const detail = useGet<WebhookDelivery>(chosen ? `/webhook-deliveries/${chosen}` : null, round);
  const [error, setError] = useState<unknown>(null);
  if (!endpoint) return null;
  const replay = async (id: string) => {
    setError(null);
    try {
      await api("POST", `/webhook-deliveries/${id}/replay`);
      setRound((r) => r + 1);
      onChanged();
    } catch (e) {
      setError(e);
    }
  };
  return (
    <section className="card" aria-label={`Deliveries to ${endpoint.url}`}>
      <h2>Deliveries to {endpoint.url}</h2>
      <div className="inline-form">
        <label>Show
          <select value={status} onChange={(e) => setStatus(e.target.value)}>
            <option value="">all</option><option value="pending">waiting</option><option value="delivered">delivered</option><option value="failed">failed</option>
          </select>
        </label>
        <button type="button" onClick={() => { setRound((r) => r + 1); onChanged(); }}>Refresh</button>
      </div>
      <ErrorNote error={deliveries.error ?? error} />
      <div className="scroll">
        <table className="table" aria-label="Deliveries">
          <thead><tr><th scope="col">Event</th><th scope="col">Record</th><th scope="col">Status</th><th scope="col">Attempts</th><th scope="col">Last answer</th><th scope="col">Next try</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {(deliveries.data?.items ?? []).map((d) => (
              <tr key={d.id} data-event={d.event_id}>
                <td><button type="button" className="link" onClick={() => setChosen(chosen === d.id ? null : d.id)}>{d.type}</button><div className="muted">{dateTime(d.created_at)}</div></td>
                <td>{d.record}</td>
                <td><span className={`chip state-${d.status === "failed" ? "overdue" : d.status === "pending" ? "pending" : "first_contact_made"}`}>{d.status}</span></td>
                <td>{d.attempts}</td>
                <td>{d.last_status ?? "—"}{d.last_error && <div className="muted">{d.last_error}</div>}</td>
                <td>{d.next_attempt_at ? dateTime(d.next_attempt_at) : "—"}</td>
                <td><button type="button" onClick={() => void replay(d.id)}>Replay</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {deliveries.data && deliveries.data.items.length === 0 && <p className="muted">No deliveries{status ? ` ${status}` : ""}.</p>}
      {detail.data && (
        <div aria-label="Delivery">
          <h3>{detail.data.type} <span className="muted">{detail.data.event_id}</span></h3>
          <pre className="pre">{JSON.stringify(detail.data.payload, null, 2)}</pre>
          <table className="table" aria-label="Attempts">
            <thead><tr><th scope="col">When</th><th scope="col">Answer</th><th scope="col">Took</th><th scope="col">Said</th></tr></thead>
            <tbody>
              {(detail.data.log ?? []).map((a) => (
                <tr key={a.at}><td>{dateTime(a.at)}</td><td>{a.status ?? a.error}</td><td>{a.duration_ms} ms</td><td>{a.response}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
