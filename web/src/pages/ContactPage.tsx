// One contact: who they are, how to reach them and whether they may be reached (consent), edited
// in place with the record's ETag so that someone else's change is not overwritten, with their
// custom fields and the files kept about them.
import { FormEvent, useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { ApiError, api, date } from "../api";
import { Attachments } from "../attachments";
import { RecordCustomFields } from "../custom";
import { FieldError } from "../problems";
import { isAdmin, useSession } from "../session";
import type { Contact } from "../types";

type Field = { key: keyof Contact & string; label: string; kind?: "lines" | "date" | "check" | "choice"; choices?: readonly string[]; wide?: boolean };

const FUNCTIONS = ["clinician", "procurement", "finance", "executive", "department_manager", "personal_assistant", "stores", "business_development", "it", "other"] as const;
const CHANNELS = ["", "email", "phone", "mobile", "visit", "video", "letter"] as const;

const FIELDS: Field[] = [
  { key: "salutation", label: "Salutation" },
  { key: "first_name", label: "First name" },
  { key: "last_name", label: "Last name" },
  { key: "job_title", label: "Job title" },
  { key: "department", label: "Department" },
  { key: "function", label: "Function", kind: "choice", choices: FUNCTIONS },
  { key: "stance", label: "Stance", kind: "choice", choices: ["advocate", "neutral", "detractor"] },
  { key: "influence", label: "Influence", kind: "choice", choices: ["low", "medium", "high"] },
  { key: "email", label: "Email" },
  { key: "phone", label: "Direct line" },
  { key: "mobile", label: "Mobile" },
  { key: "preferred_channel", label: "Preferred channel", kind: "choice", choices: CHANNELS },
  { key: "mailing_street", label: "Mailing street", kind: "lines", wide: true },
  { key: "mailing_city", label: "City" },
  { key: "mailing_region", label: "County or state" },
  { key: "mailing_postcode", label: "Postcode" },
  { key: "mailing_country", label: "Country (ISO code, e.g. GB)" },
  { key: "assistant_name", label: "Assistant" },
  { key: "assistant_phone", label: "Assistant's phone" },
  { key: "email_opted_in", label: "Opted in to email", kind: "check" },
  { key: "email_opted_out", label: "Opted out of email", kind: "check" },
  { key: "do_not_contact", label: "Do not contact", kind: "check" },
  { key: "consent_on", label: "Consent given or withdrawn on", kind: "date" },
  { key: "consent_source", label: "Consent source (e.g. web form, signed letter)" },
];

type Form = Record<string, string | boolean>;

const formOf = (c: Contact): Form => {
  const out: Form = {};
  for (const f of FIELDS) {
    const v = c[f.key];
    out[f.key] = f.kind === "check" ? Boolean(v) : v === null || v === undefined ? "" : String(v);
  }
  return out;
};

const bodyOf = (form: Form) => {
  const body: Record<string, string | boolean | null> = {};
  for (const f of FIELDS) {
    const v = form[f.key];
    if (typeof v === "boolean") body[f.key] = v;
    else if (f.key === "first_name" || f.key === "last_name" || f.key === "function" || f.key === "stance" || f.key === "influence") body[f.key] = v.trim();
    else body[f.key] = v.trim() === "" ? null : f.key === "mailing_country" ? v.trim().toUpperCase() : v;
  }
  return body;
};

// The right to be forgotten, for admins: the reason in writing, then the contact's personal data
// goes (POST /contacts/{id}/erasure); the record stays as "Erased contact".
function EraseContact({ id, onErased }: { id: string; onErased: () => Promise<void> }) {
  const [reason, setReason] = useState("");
  const [problem, setProblem] = useState("");
  const [done, setDone] = useState("");
  const erase = async (e: FormEvent) => {
    e.preventDefault();
    setProblem("");
    try {
      const { data } = await api<{ files_deleted: number; emails_deleted: number }>("POST", `/contacts/${id}/erasure`, { reason });
      setDone(`Erased: their details and history, ${data.files_deleted} file(s) and ${data.emails_deleted} email(s).`);
      await onErased();
    } catch (err) {
      setProblem(err instanceof ApiError ? err.message : "Could not reach Rapport; nothing was erased, try again.");
    }
  };
  if (done) return <section className="card span"><p role="status" className="ok">{done}</p></section>;
  return (
    <details className="card span">
      <summary>Erase this contact (right to be forgotten)</summary>
      <form onSubmit={erase} aria-label="Erase this contact">
        <p className="muted">Their name, details, change history, files, emails and messages are erased for good; the deals, cases and meetings they were part of keep an &ldquo;Erased contact&rdquo; in their place.</p>
        <label>Reason <textarea rows={2} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} placeholder="e.g. request under GDPR article 17 received 4 Dec 2026" /></label>
        {problem && <p role="alert" className="error">{problem}</p>}
        <button type="submit" className="danger" disabled={!reason.trim()}>Erase for good</button>
      </form>
    </details>
  );
}

export function ContactPage() {
  const { me } = useSession();
  const { id } = useParams();
  const [contact, setContact] = useState<Contact | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [missing, setMissing] = useState(false);
  const [form, setForm] = useState<Form | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [stale, setStale] = useState(false);

  const load = useCallback(async () => {
    try {
      const { data, etag } = await api<Contact>("GET", `/contacts/${id}`);
      setContact(data);
      setEtag(etag);
      setMissing(false);
      setStale(false);
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 404) setMissing(true);
    }
  }, [id]);
  useEffect(() => { load(); }, [load]);

  if (missing) return <div className="card"><h1>Contact not found</h1><p>There is no such contact, or their account is outside your territories. <Link to="/contacts">Back to contacts</Link></p></div>;
  if (!contact) return <p className="loading">Loading…</p>;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    setMessage("");
    try {
      const { data, etag: next } = await api<Contact>("PATCH", `/contacts/${contact.id}`, bodyOf(form), etag ? { "If-Match": etag } : {});
      setContact(data);
      setEtag(next);
      setErrors({});
      setForm(null);
      setMessage("Saved.");
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) setStale(true);
      else if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
      else setMessage("Could not reach Rapport; nothing was lost, try again.");
    }
  };
  const c = contact;
  const name = [c.salutation, c.first_name, c.last_name].filter(Boolean).join(" ");
  const address = [c.mailing_street, c.mailing_city, c.mailing_region, c.mailing_postcode, c.mailing_country].filter(Boolean);
  const consent = c.do_not_contact ? "Do not contact" : c.email_opted_out ? "Opted out of email" : c.email_opted_in ? "Opted in to email" : "No email consent recorded";

  return (
    <div className="grid">
      <div className="span">
        <p><Link to={`/accounts/${c.account_id}`}>← Account</Link></p>
        <h1>{name}</h1>
        <p className="muted">{[c.job_title, c.department].filter(Boolean).join(", ") || "—"} · {c.function.replace("_", " ")} · <span className={`stance ${c.stance}`}>{c.stance}</span> · {c.influence} influence{c.left_at ? ` · left ${date(c.left_at)}` : ""}</p>
      </div>
      {!form ? (
        <section className="card" aria-labelledby="contact-details-title">
          <h2 id="contact-details-title">How to reach them</h2>
          <dl className="details">
            <dt>Email</dt><dd>{c.email ? (c.do_not_contact || c.email_opted_out ? c.email : <a href={`mailto:${c.email}`}>{c.email}</a>) : "—"}</dd>
            <dt>Direct line</dt><dd>{c.phone ?? "—"}</dd>
            <dt>Mobile</dt><dd>{c.mobile ?? "—"}</dd>
            {c.preferred_channel && <><dt>Prefers</dt><dd>{c.preferred_channel}</dd></>}
            <dt>Address</dt><dd>{address.length ? address.map((l, i) => <div key={i}>{l}</div>) : "—"}</dd>
            {c.assistant_name && <><dt>Assistant</dt><dd>{c.assistant_name}{c.assistant_phone ? ` · ${c.assistant_phone}` : ""}</dd></>}
            <dt>Consent</dt><dd><span className={c.do_not_contact || c.email_opted_out ? "badge warn" : "badge"}>{consent}</span>{c.consent_on ? ` since ${date(c.consent_on)}` : ""}{c.consent_source ? ` (${c.consent_source})` : ""}</dd>
          </dl>
          {message && <p role="status" className="ok">{message}</p>}
          <button type="button" onClick={() => { setForm(formOf(c)); setErrors({}); setMessage(""); }}>Edit contact</button>
        </section>
      ) : (
        <form className="card logcall span" onSubmit={submit} aria-labelledby="contact-edit-title">
          <h2 id="contact-edit-title">Edit contact <span className="muted">version {c.version}</span></h2>
          <div className="fields">
            {FIELDS.map((f) => {
              const invalid = { "aria-invalid": !!errors[f.key], "aria-describedby": errors[f.key] ? `${f.key}-error` : undefined };
              const value = form[f.key];
              const set = (v: string | boolean) => setForm({ ...form, [f.key]: v });
              return (
                <div key={f.key} className={f.wide ? "wide" : undefined}>
                  {f.kind === "check" ? (
                    <label><input type="checkbox" checked={value === true} onChange={(e) => set(e.target.checked)} {...invalid} /> {f.label}</label>
                  ) : (
                    <label>{f.label}{" "}
                      {f.kind === "lines" ? <textarea rows={2} value={String(value)} onChange={(e) => set(e.target.value)} {...invalid} />
                        : f.kind === "choice" ? <select value={String(value)} onChange={(e) => set(e.target.value)} {...invalid}>{f.choices!.map((o) => <option key={o} value={o}>{o ? o.replace("_", " ") : "none"}</option>)}</select>
                        : <input type={f.kind === "date" ? "date" : "text"} value={String(value)} onChange={(e) => set(e.target.value)} {...invalid} />}
                    </label>
                  )}
                  <FieldError errors={errors} name={f.key} />
                </div>
              );
            })}
          </div>
          {stale && <p role="alert" className="error">Someone else changed this contact since you opened it. <button type="button" onClick={async () => { await load(); setForm(null); }}>Reload it</button> (your changes will be replaced by theirs)</p>}
          {message && <p role="status" className="error">{message}</p>}
          <div className="row"><button type="submit">Save</button><button type="button" className="secondary" onClick={() => setForm(null)}>Cancel</button></div>
        </form>
      )}
      <RecordCustomFields recordType="contacts" path={`/contacts/${c.id}`} />
      <Attachments path={`/contacts/${c.id}`} />
      {isAdmin(me) && <EraseContact id={c.id} onErased={load} />}
    </div>
  );
}
