// Customer surveys: CSI (overall satisfaction, 1–10), CSAT (how a case was handled, 1–5; sent by
// itself when a case is resolved) and NPS (would they recommend us, 0–10), emailed with a one-use
// link. The account page lists the answers and sends one; /survey/:token is where the customer
// answers, without signing in.
import { FormEvent, useCallback, useEffect, useState } from "react";
import { Link, useParams } from "react-router-dom";
import { ApiError, Page, api, date, get, getAll, publicApi } from "../api";
import { useLoad } from "../data";
import type { Contact } from "../types";
import { FieldError } from "../problems";
import { serverNow } from "../clock";

export type Survey = {
  id: string; account_id: string; contact_id: string; kind: string; sent_after: string | null; case_id: string | null;
  milestone_id: string | null; sent_by_id: string | null; status: string; expires_at: string; score: number | null;
  comment: string | null; answered_at: string | null; created_at: string;
};

export const SURVEY_KINDS: Record<string, { short: string; label: string }> = {
  csi: { short: "CSI", label: "CSI: overall satisfaction (1–10)" },
  csat: { short: "CSAT", label: "CSAT: satisfaction with a case (1–5)" },
  nps: { short: "NPS", label: "NPS: would they recommend us (0–10)" },
};
export const scaleOf = (kind: string) => (kind === "nps" ? { min: 0, max: 10 } : kind === "csat" ? { min: 1, max: 5 } : { min: 1, max: 10 });


// The account page's section: what the account's people answered, and a form to ask one of them.
export function AccountSatisfaction({ accountId }: { accountId: string }) {
  const [surveys, setSurveys] = useState<Survey[]>([]);
  const [contacts, setContacts] = useState<Contact[]>([]);
  const [form, setForm] = useState({ contact_id: "", kind: "" });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [sent, setSent] = useState<{ name: string; link: string } | null>(null);
  const [message, setMessage] = useState("");
  const load = useCallback(() => {
    get<Page<Survey>>(`/surveys?account_id=${accountId}&sort=-created_at&limit=200`).then((p) => setSurveys(p.items)).catch(() => setSurveys([]));
  }, [accountId]);
  useEffect(load, [load]);
  useEffect(() => {
    getAll<Contact>(`/contacts?account_id=${accountId}&limit=500&sort=last_name`).then((items) => setContacts(items)).catch(() => setContacts([]));
  }, [accountId]);
  const name = (id: string) => {
    const c = contacts.find((x) => x.id === id);
    return c ? `${c.first_name} ${c.last_name}` : `Contact ${id}`;
  };

  const send = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({}); setMessage(""); setSent(null);
    try {
      const { data } = await api<{ id: string; link: string }>("POST", "/surveys", { contact_id: form.contact_id || undefined, kind: form.kind || undefined });
      setSent({ name: name(form.contact_id), link: data.link });
      setForm({ contact_id: "", kind: "" });
      load();
    } catch (err) {
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
      else setMessage("Could not reach Rapport; nothing was lost, try again.");
    }
  };

  const answered = surveys.filter((s) => s.status === "answered").sort((a, b) => (b.answered_at ?? "").localeCompare(a.answered_at ?? ""));
  const waiting = surveys.filter((s) => s.status === "sent" && Date.parse(s.expires_at) > serverNow());
  const averages = Object.keys(SURVEY_KINDS).flatMap((k) => {
    const scores = answered.filter((s) => s.kind === k).map((s) => s.score ?? 0);
    return scores.length ? [{ kind: k, n: scores.length, average: scores.reduce((a, b) => a + b, 0) / scores.length }] : [];
  });
  const current = contacts.filter((c) => !c.left_at);

  return (
    <section className="card span" aria-labelledby="satisfaction-title">
      <h2 id="satisfaction-title">Satisfaction</h2>
      {averages.length > 0 && (
        <dl className="figures small" aria-label="Average scores">
          {averages.map((a) => (
            <div key={a.kind}><dt>{SURVEY_KINDS[a.kind].short} ({a.n} {a.n === 1 ? "answer" : "answers"})</dt><dd>{a.average.toFixed(1)} <span className="muted">of {scaleOf(a.kind).max}</span></dd></div>
          ))}
        </dl>
      )}
      {answered.length === 0 && <p className="muted">No survey answers yet.</p>}
      {answered.length > 0 && (
        <div className="scroll">
          <table className="table compact" aria-label="Survey answers">
            <thead><tr><th scope="col">Answered</th><th scope="col">Survey</th><th scope="col">Who</th><th scope="col">Score</th><th scope="col">Comment</th><th scope="col">After</th></tr></thead>
            <tbody>
              {answered.map((s) => (
                <tr key={s.id}>
                  <td>{date(s.answered_at)}</td>
                  <td>{SURVEY_KINDS[s.kind]?.short ?? s.kind}</td>
                  <td>{name(s.contact_id)}</td>
                  <td className="num"><span className={`score ${scoreClass(s)}`}>{s.score}</span> <span className="muted">/ {scaleOf(s.kind).max}</span></td>
                  <td>{s.comment ?? <span className="muted">—</span>}</td>
                  <td>{s.case_id ? <Link to={`/cases/${s.case_id}`}>a case</Link> : s.milestone_id ? "a milestone" : "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {waiting.length > 0 && (
        <p className="muted">Waiting for an answer: {waiting.map((s) => `${SURVEY_KINDS[s.kind]?.short ?? s.kind} to ${name(s.contact_id)} (sent ${date(s.created_at)})`).join("; ")}.</p>
      )}
      <h3>Send a survey</h3>
      <form className="inline-form top" aria-label="Send a survey" onSubmit={send} noValidate>
        <label>Contact <select value={form.contact_id} onChange={(e) => setForm({ ...form, contact_id: e.target.value })} aria-invalid={!!errors.contact_id} aria-describedby="survey-contact_id-error">
          <option value="">choose…</option>
          {current.map((c) => <option key={c.id} value={c.id} disabled={!c.email}>{c.first_name} {c.last_name}{c.email ? "" : " (no email)"}</option>)}
        </select><FieldError errors={errors} name="contact_id" prefix="survey" /></label>
        <label>Survey <select value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value })} aria-invalid={!!errors.kind} aria-describedby="survey-kind-error">
          <option value="">choose…</option>
          {Object.entries(SURVEY_KINDS).map(([k, v]) => <option key={k} value={k}>{v.label}</option>)}
        </select><FieldError errors={errors} name="kind" prefix="survey" /></label>
        <button type="submit">Send the survey</button>
      </form>
      {sent && (
        <p role="status" className="ok">
          Survey emailed to {sent.name}. They can answer it once, without signing in, at <a href={sent.link} className="survey-link">{sent.link}</a>
        </p>
      )}
      {message && <p role="status" className="error">{message}</p>}
    </section>
  );
}

// Red for detractors, green for promoters (NPS); low and high thirds of the scale otherwise.
function scoreClass(s: Survey) {
  const score = s.score ?? 0;
  if (s.kind === "nps") return score >= 9 ? "high" : score <= 6 ? "low" : "mid";
  const { min, max } = scaleOf(s.kind);
  const at = (score - min) / (max - min);
  return at >= 0.7 ? "high" : at < 0.4 ? "low" : "mid";
}

type Question = { kind: string; question: string; min: number; max: number; first_name: string; account: string; company: string };

// The question a survey link asks (no sign-in: the link's token is the key).
const askedQuestion = (path: string) => publicApi<Question>("GET", path);

// Why a link can no longer be answered, in plain words.
function refusal(e: unknown): { title: string; detail: string } {
  if (e instanceof ApiError && e.problem.status === 404) {
    return { title: "This survey link is not valid", detail: "Please check that the whole link from the email was opened." };
  }
  if (e instanceof ApiError && e.problem.status === 410) {
    const expired = /expired/i.test(e.problem.detail ?? "");
    return expired
      ? { title: "This survey link has expired", detail: "Thank you for looking; the survey is closed now." }
      : { title: "This survey has already been answered", detail: "Each link can be used once, and this one has been. Thank you." };
  }
  return { title: "The survey could not be opened", detail: "Please try again in a moment." };
}

// The page a survey link opens: no sign-in, one question, a score, an optional comment, once.
export function SurveyAnswer() {
  const { token = "" } = useParams();
  const [refusedAnswer, setRefused] = useState<{ title: string; detail: string } | null>(null);
  const [score, setScore] = useState<number | null>(null);
  const [comment, setComment] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [thanked, setThanked] = useState(false);
  const [sending, setSending] = useState(false);
  const path = `/surveys/answer/${encodeURIComponent(token)}`;

  const { data, error } = useLoad(path, askedQuestion);
  const survey = data ?? null;
  const refused = refusedAnswer ?? (error ? refusal(error) : null);
  useEffect(() => {
    document.title = survey ? `A quick question from ${survey.company}` : "Survey";
    return () => { document.title = "Rapport"; };
  }, [survey]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({}); setMessage("");
    if (score === null) { setErrors({ score: "Choose a score first." }); return; }
    setSending(true);
    try {
      await publicApi("POST", path, { score, comment: comment.trim() ? comment : null });
      setThanked(true);
    } catch (err) {
      if (err instanceof ApiError && (err.problem.status === 410 || err.problem.status === 404)) setRefused(refusal(err));
      else if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
      else setMessage("Your answer could not be sent; please try again.");
    } finally {
      setSending(false);
    }
  };

  if (refused) {
    return (
      <div className="survey card">
        <h1>{refused.title}</h1>
        <p>{refused.detail}</p>
      </div>
    );
  }
  if (!survey) return <p className="loading">Loading…</p>;
  if (thanked) {
    return (
      <div className="survey card" role="status">
        <h1>Thank you, {survey.first_name}</h1>
        <p>Your answer has reached {survey.company}; you can close this page now.</p>
      </div>
    );
  }
  const scores = Array.from({ length: survey.max - survey.min + 1 }, (_, i) => survey.min + i);
  return (
    <div className="survey card">
      <h1>A quick question{survey.company && survey.company !== "us" ? ` from ${survey.company}` : ""}</h1>
      <p>Dear {survey.first_name},</p>
      <form onSubmit={submit} aria-label="Your answer" noValidate>
        <p id="survey-question" className="question">{survey.question}</p>
        <div className="scores" role="group" aria-labelledby="survey-question" aria-describedby="survey-score-error">
          {scores.map((n) => (
            <button key={n} type="button" className={score === n ? "score-button chosen" : "score-button"} aria-pressed={score === n} onClick={() => { setScore(n); setErrors((old) => Object.fromEntries(Object.entries(old).filter(([field]) => field !== "score"))); }}>{n}</button>
          ))}
        </div>
        <FieldError errors={errors} name="score" prefix="survey" />
        <label className="stack">Anything you would like to add? (optional)
          <textarea rows={4} value={comment} onChange={(e) => setComment(e.target.value)} maxLength={4000} aria-invalid={!!errors.comment} aria-describedby="survey-comment-error" />
          <FieldError errors={errors} name="comment" prefix="survey" />
        </label>
        <div className="row-buttons"><button type="submit" disabled={sending}>Submit</button></div>
        {message && <p role="alert" className="error">{message}</p>}
      </form>
      <p className="muted small-print">This link works once. Answering takes no account or sign-in.</p>
    </div>
  );
}
