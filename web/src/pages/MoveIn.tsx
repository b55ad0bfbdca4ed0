// Admin → Imports → Move in: a whole Salesforce or HubSpot export (the zip they deliver) imported
// in one checked run on the server. The card follows the run (the file at hand and its rows), then
// shows what each file did, who the owners became, and the checks of what was written against the
// files; a dry run shows the same and writes nothing.
import { FormEvent, useCallback, useEffect, useState } from "react";
import { ApiError, Page, dateTime, get, upload } from "../api";
import type { Answer } from "../types";

type Book = Answer<"/api/v1/import-books/{id}">;
type Rejection = { line: number; column: string; problem: string };
type FileImport = {
  status: string; created: number; updated: number; unchanged: number; rejected: number;
  columns: Record<string, string>; ignored_columns: string[]; rejections: Rejection[];
};
type BookFile = { name: string; holds: string; rows: number; skipped: number; import?: FileImport };
type Owner = { key: string; email: string; name: string; matched: string | null; active: boolean; records: number };
type Check = { file: string; what: string; expected: string; found: string; ok: boolean };
type KeptField = { file: string; column: string; record_type: string; key: string; label: string; type: string };
type BookReport = {
  status: string; dry_run: boolean; written: boolean; problem: string | null; files: BookFile[];
  ignored_files: string[]; owners: Owner[]; custom_fields: KeptField[]; checks: Check[];
};
type Progress = { queued: boolean; file: string; rows: number; percent: number };

const POLL_MS = 500;
const SOURCES: Record<string, string> = { salesforce: "Salesforce", hubspot: "HubSpot" };
const count = (n: number) => n.toLocaleString();

function reportOf(book: Book): BookReport | null {
  return (book.report ?? null) as BookReport | null;
}

// What the run did, in a sentence.
function outcome(book: Book): string {
  const progress = book.progress as Progress | null;
  if (book.status === "running") {
    if (!progress || progress.queued) return "Queued: it starts when the import before it is done.";
    return progress.file ? `${book.dry_run ? "Checking" : "Importing"} ${progress.file}: ${count(progress.rows)} rows so far.` : "Reading the export…";
  }
  const report = reportOf(book);
  if (book.status === "succeeded") {
    return book.dry_run
      ? "Dry run: everything checks out. Nothing was written; run it again without the dry run to move in."
      : "Moved in: every file imported and every check passed.";
  }
  const why = book.problem ?? report?.problem ?? "the run stopped";
  return `${book.status === "rejected" ? "Nothing was written" : "Failed, nothing was written"}: ${why}.`;
}

function ownerOutcome(o: Owner, dryRun: boolean) {
  if (!o.matched) return "No user: add them in Admin → Users, or tick “make users”";
  if (o.matched === "created") return dryRun ? "Would be made a user" : "Made a user (invite them to sign in)";
  return `Matched by ${o.matched}`;
}

export function MoveIn() {
  const [source, setSource] = useState("salesforce");
  const [file, setFile] = useState<File | null>(null);
  const [dryRun, setDryRun] = useState(true);
  const [createUsers, setCreateUsers] = useState(false);
  const [keepColumns, setKeepColumns] = useState(false);
  const [sending, setSending] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [current, setCurrent] = useState<Book | null>(null);
  const [recent, setRecent] = useState<Book[]>([]);

  const loadRecent = useCallback(() => {
    get<Page<Book>>("/import-books?limit=10").then((p) => setRecent(p.items)).catch(() => setRecent([]));
  }, []);
  useEffect(loadRecent, [loadRecent]);

  const runningId = current?.status === "running" ? current.id : null;
  useEffect(() => {
    if (!runningId) return;
    let stopped = false;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const b = await get<Book>(`/import-books/${runningId}`);
        if (stopped) return;
        setCurrent(b);
        if (b.status === "running") timer = window.setTimeout(poll, POLL_MS);
        else loadRecent();
      } catch {
        if (!stopped) timer = window.setTimeout(poll, POLL_MS * 4);
      }
    };
    timer = window.setTimeout(poll, POLL_MS);
    return () => { stopped = true; window.clearTimeout(timer); };
  }, [runningId, loadRecent]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(null);
    if (!file) { setMessage("Choose the export's zip file."); return; }
    const query = new URLSearchParams({ from: source, file_name: file.name });
    if (dryRun) query.set("dry_run", "true");
    if (createUsers) query.set("create_users", "true");
    if (keepColumns) query.set("keep_columns", "true");
    setSending(true);
    try {
      const { data } = await upload<Book>(`/import-books?${query}`, file, "application/zip");
      setCurrent(data);
      loadRecent();
    } catch (err) {
      setMessage(err instanceof ApiError ? err.message : "Could not send the file to Rapport; try again.");
    } finally {
      setSending(false);
    }
  };

  const show = async (id: string) => {
    try { setCurrent(await get<Book>(`/import-books/${id}`)); } catch (err) {
      setMessage(err instanceof ApiError ? err.message : "Could not reach Rapport; try again.");
    }
  };

  return (
    <section className="card move-in" aria-labelledby="move-in-heading">
      <h2 id="move-in-heading">Move in from Salesforce or HubSpot</h2>
      <p className="muted">
        The whole export as the other CRM delivers it, in one zip: Salesforce&apos;s Data Export (Account, Contact,
        Opportunity, OpportunityContactRole, Product2, OpportunityLineItem, Task, Event, Case, CaseComment, Attachment, ContentVersion and User files, with their attachments) or HubSpot&apos;s
        exports of companies, contacts, deals, products, line items, tickets, and calls, meetings, emails, notes and tasks. Everything is imported in one go, in the right
        order; owners are matched to users by email, then by name; and what was written is checked against the files.
        If anything is wrong, nothing is written. Importing the same export again changes nothing.
      </p>
      <form className="inline-form" noValidate onSubmit={submit}>
        <label>Exported from
          <select value={source} onChange={(e) => setSource(e.target.value)}>
            {Object.entries(SOURCES).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
          </select>
        </label>
        <label>Export (zip)
          <input type="file" accept=".zip,application/zip" onChange={(e) => { setFile(e.target.files?.[0] ?? null); setMessage(null); }} />
        </label>
        <div className="import-options">
          <label className="check"><input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> Dry run (check everything, write nothing)</label>
          <label className="check"><input type="checkbox" checked={createUsers} onChange={(e) => setCreateUsers(e.target.checked)} /> Make users of owners no user matches</label>
          <label className="check"><input type="checkbox" checked={keepColumns} onChange={(e) => setKeepColumns(e.target.checked)} /> Keep their own fields as custom fields</label>
        </div>
        <div className="row-buttons">
          <button type="submit" disabled={sending || runningId !== null}>{sending ? "Sending…" : dryRun ? "Check the export" : "Move in"}</button>
        </div>
        {message && <p role="alert" className="error">{message}</p>}
      </form>
      {current && <BookOutcome book={current} />}
      {recent.length > 0 && (
        <div className="scroll">
          <table className="table compact" aria-label="Recent moves">
            <thead><tr><th scope="col">Export</th><th scope="col">From</th><th scope="col">Started</th><th scope="col">Status</th></tr></thead>
            <tbody>
              {recent.map((b) => (
                <tr key={b.id}>
                  <td>
                    <button type="button" className="link" onClick={() => show(b.id)}>{b.file_name}<span className="sr-only"> (move {b.id})</span></button>
                    {b.dry_run && <span className="badge">dry run</span>}
                  </td>
                  <td>{SOURCES[b.from] ?? b.from}</td>
                  <td>{dateTime(b.started_at ?? null)}</td>
                  <td><span className={`chip import-${b.status}`}>{b.status}</span></td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

function BookOutcome({ book }: { book: Book }) {
  const report = reportOf(book);
  const progress = book.progress as Progress | null;
  const running = book.status === "running";
  const unmatched = report?.owners.filter((o) => !o.matched).length ?? 0;
  return (
    <div className={`import-outcome tone-${running ? "running" : book.status === "succeeded" ? "good" : "bad"}`} data-status={book.status}>
      <h3>{running ? (book.dry_run ? "Checking" : "Moving in") : book.dry_run ? "Dry run of" : "Move of"} {book.file_name}</h3>
      {running && progress && !progress.queued && (
        <progress aria-label="Move progress" max={100} value={progress.percent} aria-valuetext={`${progress.file}: ${progress.percent}%`} />
      )}
      <p role="status" className="import-summary">{outcome(book)}</p>
      {report && report.files.length > 0 && (
        <div className="scroll">
          <table className="table compact" aria-label="Files of the export">
            <thead>
              <tr>
                <th scope="col">File</th><th scope="col">Holds</th><th scope="col" className="num">Rows</th>
                <th scope="col" className="num">Skipped</th><th scope="col" className="num">{report.written ? "Created" : "Would be created"}</th>
                <th scope="col" className="num">Updated</th><th scope="col" className="num">Unchanged</th><th scope="col" className="num">Rejected</th>
              </tr>
            </thead>
            <tbody>
              {report.files.map((f, n) => (
                <tr key={`${f.name}-${f.holds}-${n}`}>
                  <td>{f.name}</td>
                  <td>{f.holds}</td>
                  <td className="num">{f.holds === "users" ? "" : count(f.rows)}</td>
                  <td className="num" title="deleted or merged in the source">{f.skipped ? count(f.skipped) : ""}</td>
                  <td className="num">{f.import ? count(f.import.created) : ""}</td>
                  <td className="num">{f.import ? count(f.import.updated) : ""}</td>
                  <td className="num">{f.import ? count(f.import.unchanged) : ""}</td>
                  <td className="num">{f.import?.rejected ? count(f.import.rejected) : ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {report && report.files.some((f) => f.import && f.import.rejections.length > 0) && (
        <>
          <h4>Rejected rows</h4>
          <ul className="error">
            {report.files.flatMap((f) => (f.import?.rejections ?? []).slice(0, 20).map((r, n) => (
              <li key={`${f.name}-${r.line}-${n}`}>{f.name}, line {r.line}{r.column ? `, ${r.column}` : ""}: {r.problem}</li>
            )))}
          </ul>
        </>
      )}
      {report && report.owners.length > 0 && (
        <>
          <h4>Owners{unmatched > 0 && <span className="error"> ({unmatched} without a user)</span>}</h4>
          <div className="scroll">
            <table className="table compact" aria-label="Owners">
              <thead><tr><th scope="col">In the export</th><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Here</th><th scope="col" className="num">Rows</th></tr></thead>
              <tbody>
                {report.owners.map((o) => (
                  <tr key={o.key} className={o.matched ? undefined : "rejected"}>
                    <td>{o.key}</td><td>{o.email}</td><td>{o.name}{!o.active && <span className="badge">inactive there</span>}</td>
                    <td>{ownerOutcome(o, !report.written)}</td><td className="num">{count(o.records)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {report && report.custom_fields.length > 0 && (
        <>
          <h4>Custom fields made of their columns</h4>
          <ul>{report.custom_fields.map((f) => <li key={`${f.record_type}.${f.key}`}>{f.label} ({f.type}) on {f.record_type}, from {f.file}&apos;s {f.column}</li>)}</ul>
        </>
      )}
      {report && report.checks.length > 0 && (
        <>
          <h4>Checked against the files</h4>
          <ul className="checks" aria-label="Checks">
            {report.checks.map((c, n) => (
              <li key={n} className={c.ok ? "ok" : "error"}>
                {c.ok ? "✓" : "✗"} {c.file}, {c.what}: {c.expected} in the file, {c.found} {report.written ? "written" : "would be written"}
              </li>
            ))}
          </ul>
        </>
      )}
      {!running && <p className="muted">Started {dateTime(book.started_at ?? null)}{book.finished_at && <>, finished {dateTime(book.finished_at)}</>}.</p>}
    </div>
  );
}
