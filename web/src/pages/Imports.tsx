// Admin → Imports: a CSV or XLSX file of accounts, contacts, opportunities, activities or sales
// lines, uploaded and imported as a job on the server. The page follows it while it runs, then
// says in plain words what it did, which rows it refused and why (with the error file to
// download), and lists the imports before it.
import { FormEvent, RefObject, useCallback, useEffect, useRef, useState } from "react";
import { ApiError, Page, dateTime, get, upload } from "../api";
import { FileImport } from "../fileImport";
import { MoveIn } from "./MoveIn";

type Rejection = { line: number; column: string; problem: string };
type Import = {
  id: string; type: string; file_name: string; format: string; dry_run: boolean; all_or_nothing: boolean;
  status: "running" | "succeeded" | "rejected" | "failed"; rows_read: number; created: number; updated: number;
  unchanged: number; rejected: number; problem: string | null; started_by: string | null; started_at: string | null;
  finished_at: string | null; progress: { queued: boolean; bytes_read: number; bytes_total: number; percent: number } | null;
  rejections?: Rejection[];
};

const IMPORT_TYPES: Record<string, string> = {
  accounts: "Accounts", contacts: "Contacts", opportunities: "Opportunities", activities: "Activities", "sales-lines": "Sales lines",
};
const XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
const POLL_MS = 500;
const STATUS: Record<Import["status"], string> = { running: "Running", succeeded: "Succeeded", rejected: "Rejected", failed: "Failed" };

const count = (n: number) => n.toLocaleString();
const rows = (n: number) => `${count(n)} ${n === 1 ? "row" : "rows"}`;
const wasWere = (n: number) => `${rows(n)} ${n === 1 ? "was" : "were"}`;
const typeLabel = (type: string) => IMPORT_TYPES[type] ?? type;

// What an import did, in a sentence.
function outcome(i: Import): string {
  const tally = `${count(i.created)} created, ${count(i.updated)} updated, ${count(i.unchanged)} unchanged`;
  const wouldTally = `${count(i.created)} would be created, ${count(i.updated)} updated, ${count(i.unchanged)} unchanged`;
  switch (i.status) {
    case "running":
      return i.progress?.queued ? "Queued: it starts when the import before it is done." : `${i.dry_run ? "Checking" : "Importing"}: ${rows(i.rows_read)} read so far.`;
    case "failed":
      return `Failed: ${i.problem ?? "the import stopped"}.${/nothing was written/i.test(i.problem ?? "") ? "" : " Nothing was written."}`;
    case "rejected":
      return i.dry_run
        ? `Dry run: nothing would be written, as ${wasWere(i.rejected)} rejected (otherwise ${wouldTally}).`
        : `Nothing was written: ${wasWere(i.rejected)} rejected. Fix ${i.rejected === 1 ? "it" : "them"} and import the file again, or write the good rows only.`;
    case "succeeded":
      if (i.dry_run) return `Dry run: ${wouldTally}${i.rejected ? `; ${wasWere(i.rejected)} rejected` : ""}. Nothing was written.`;
      return `Imported: ${tally}${i.rejected ? `; ${wasWere(i.rejected)} rejected and left out` : ""}.`;
  }
}

function contentType(file: File) {
  if (/\.xlsx$/i.test(file.name) || file.type === XLSX) return XLSX;
  return "text/csv";
}

export function Imports() {
  const [type, setType] = useState("accounts");
  const [file, setFile] = useState<File | null>(null);
  const [source, setSource] = useState("rapport");
  const [dryRun, setDryRun] = useState(false);
  const [partial, setPartial] = useState(false);
  const [sending, setSending] = useState(false);
  const [message, setMessage] = useState<string | null>(null);
  const [current, setCurrent] = useState<Import | null>(null);
  const [recent, setRecent] = useState<Import[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const outcomeHeading = useRef<HTMLHeadingElement>(null);

  const loadRecent = useCallback(() => {
    get<Page<Import>>("/imports?limit=50").then((p) => { setRecent(p.items); setCursor(p.next_cursor); setListError(null); }).catch((e) => {
      setRecent((r) => r ?? []);
      setListError(e instanceof Error ? e.message : "Could not list the imports");
    });
  }, []);
  useEffect(loadRecent, [loadRecent]);

  // While the import shown runs: read it again every half second until it is done.
  const runningId = current?.status === "running" ? current.id : null;
  useEffect(() => {
    if (!runningId) return;
    let stopped = false;
    let timer: number | undefined;
    const poll = async () => {
      try {
        const i = await get<Import>(`/imports/${runningId}`);
        if (stopped) return;
        setCurrent((c) => (c?.id === i.id ? i : c));
        if (i.status === "running") timer = window.setTimeout(poll, POLL_MS);
        else loadRecent();
      } catch (e) {
        if (stopped) return;
        setMessage(e instanceof ApiError ? e.message : "Lost touch with Rapport; trying again.");
        timer = window.setTimeout(poll, POLL_MS * 4);
      }
    };
    timer = window.setTimeout(poll, POLL_MS);
    return () => { stopped = true; window.clearTimeout(timer); };
  }, [runningId, loadRecent]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMessage(null);
    if (!file) { setMessage("Choose a CSV or XLSX file to import."); return; }
    const query = new URLSearchParams({ type, file_name: file.name, mode: partial ? "partial" : "all_or_nothing", from: source });
    if (dryRun) query.set("dry_run", "true");
    setSending(true);
    try {
      const { data } = await upload<Import>(`/imports?${query}`, file, contentType(file));
      setCurrent(data);
      loadRecent();
    } catch (err) {
      setMessage(err instanceof ApiError ? err.message : "Could not send the file to Rapport; try again.");
    } finally {
      setSending(false);
    }
  };

  const show = async (id: string) => {
    setMessage(null);
    try {
      setCurrent(await get<Import>(`/imports/${id}`));
      window.setTimeout(() => outcomeHeading.current?.focus(), 0);
    } catch (err) {
      setMessage(err instanceof ApiError ? err.message : "Could not reach Rapport; try again.");
    }
  };
  const more = async () => {
    try {
      const p = await get<Page<Import>>(`/imports?limit=50&cursor=${encodeURIComponent(cursor ?? "")}`);
      setRecent((r) => [...(r ?? []), ...p.items]); setCursor(p.next_cursor);
    } catch (err) {
      setListError(err instanceof ApiError ? err.message : "Could not reach Rapport; try again.");
    }
  };

  return (
    <div className="imports">
      <MoveIn />
      <form className="card import-form" noValidate onSubmit={submit} aria-labelledby="import-form-heading">
        <h2 id="import-form-heading">Import a file</h2>
        <p className="muted">
          A CSV or XLSX file whose first row is a header naming the columns. The column names of Salesforce and HubSpot
          exports are understood. A row whose external id (such as Account ID) matches a record updates it; any other row
          creates a new record.
        </p>
        <div className="inline-form">
          <label>Record type
            <select value={type} onChange={(e) => setType(e.target.value)}>
              {Object.entries(IMPORT_TYPES).map(([v, l]) => <option key={v} value={v}>{l}</option>)}
            </select>
          </label>
          <label>Exported from
            <select value={source} onChange={(e) => setSource(e.target.value)}>
              <option value="rapport">Rapport or a spreadsheet</option>
              <option value="salesforce">Salesforce</option>
              <option value="hubspot">HubSpot</option>
            </select>
          </label>
          <label>File (CSV or XLSX)
            <input type="file" accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
              onChange={(e) => { setFile(e.target.files?.[0] ?? null); setMessage(null); }} />
          </label>
        </div>
        <div className="import-options">
          <label className="check"><input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} /> Dry run (check only, write nothing)</label>
          <label className="check"><input type="checkbox" checked={partial} onChange={(e) => setPartial(e.target.checked)} /> Write the good rows even if some are rejected</label>
          <p className="muted small-note">{partial
            ? "Rows with a problem are left out and listed; the others are written."
            : "All or nothing: if any row has a problem, nothing is written."}</p>
        </div>
        <div className="row-buttons">
          <button type="submit" disabled={sending || runningId !== null}>{sending ? "Sending…" : dryRun ? "Check the file" : "Import"}</button>
        </div>
        {message && <p role="alert" className="error">{message}</p>}
      </form>
      <section className="card" aria-labelledby="line-items-heading">
        <h2 id="line-items-heading">Products on deals</h2>
        <p className="muted">
          The products on your deals, as Salesforce&apos;s OpportunityLineItem export or HubSpot&apos;s line items export write them.
          Deals are found by their external id (import the opportunities first), products by SKU. Each deal in the file gets the
          file&apos;s lines and its amount becomes their total; a problem on any line and nothing is written.
        </p>
        <FileImport<{ rows: number; opportunities: number; changed: number }>
          label="Import products on deals (CSV)" path="/imports/line-items"
          help="OpportunityId, ProductCode, Quantity, ListPrice, UnitPrice, Discount, Description, SortOrder"
          describe={(r) => `${rows(r.rows)} for ${count(r.opportunities)} ${r.opportunities === 1 ? "deal" : "deals"}: ${count(r.changed)} changed.`} />
      </section>

      {current && <Outcome i={current} headingRef={outcomeHeading} />}

      <section className="recent-imports" aria-labelledby="recent-imports-heading">
        <h2 id="recent-imports-heading">Recent imports</h2>
        {listError && <p role="alert" className="error">{listError}</p>}
        {recent && recent.length === 0 && !listError && <p className="muted">No imports yet.</p>}
        {recent && recent.length > 0 && (
          <div className="scroll">
            <table className="table" aria-label="Recent imports">
              <thead>
                <tr>
                  <th scope="col">File</th><th scope="col">Type</th><th scope="col">Started</th><th scope="col">Status</th>
                  <th scope="col" className="num">Read</th><th scope="col" className="num">Created</th><th scope="col" className="num">Updated</th>
                  <th scope="col" className="num">Unchanged</th><th scope="col" className="num">Rejected</th>
                </tr>
              </thead>
              <tbody>
                {recent.map((r) => (r.id === current?.id ? current : r)).map((r) => (
                  <tr key={r.id} data-id={r.id} className={current?.id === r.id ? "selected" : undefined}>
                    <td>
                      <button type="button" className="link" onClick={() => show(r.id)} aria-current={current?.id === r.id ? "true" : undefined}>
                        {r.file_name}<span className="sr-only"> (import {r.id})</span>
                      </button>
                      {r.dry_run && <span className="badge">dry run</span>}
                      {!r.all_or_nothing && <span className="badge">partial</span>}
                    </td>
                    <td>{typeLabel(r.type)}</td>
                    <td>{dateTime(r.started_at)}</td>
                    <td>
                      <span className={`chip import-${r.status}`}>{STATUS[r.status] ?? r.status}</span>
                      {r.status !== "running" && (r.dry_run || r.status !== "succeeded") && <div className="muted">nothing written</div>}
                    </td>
                    <td className="num">{count(r.rows_read)}</td>
                    <td className="num">{count(r.created)}</td>
                    <td className="num">{count(r.updated)}</td>
                    <td className="num">{count(r.unchanged)}</td>
                    <td className="num">{count(r.rejected)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {cursor && <button type="button" className="secondary" onClick={more}>Show more</button>}
      </section>
    </div>
  );
}

function Outcome({ i, headingRef }: { i: Import; headingRef: RefObject<HTMLHeadingElement> }) {
  const running = i.status === "running";
  const nothingWritten = i.dry_run || i.status !== "succeeded";
  const shown = i.rejections ?? [];
  const tone = running ? "running" : i.status === "succeeded" && i.rejected === 0 ? "good" : i.status === "succeeded" ? "mixed" : "bad";
  return (
    <section className={`card import-outcome tone-${tone}`} aria-labelledby="import-outcome-heading" data-status={i.status}>
      <h2 id="import-outcome-heading" ref={headingRef} tabIndex={-1}>
        {running ? (i.dry_run ? "Checking" : "Importing") : "Import"} {i.file_name} <span className="muted">({typeLabel(i.type)}{i.dry_run ? ", dry run" : ""}{i.all_or_nothing ? "" : ", partial"})</span>
      </h2>
      {running && (
        <div className="import-progress">
          {i.progress?.queued
            ? <progress aria-label="Import progress" />
            : <progress aria-label="Import progress" max={100} value={i.progress?.percent ?? 0} aria-valuetext={`${i.progress?.percent ?? 0}%, ${rows(i.rows_read)} read`} />}
          <span className="muted">{i.progress?.queued ? "Queued" : `${i.progress?.percent ?? 0}% · ${rows(i.rows_read)} read`}</span>
        </div>
      )}
      <p role="status" className="import-summary">{outcome(i)}</p>
      {!running && i.status !== "failed" && (
        <dl className="figures small" aria-label="Counts">
          <div><dt>Rows read</dt><dd>{count(i.rows_read)}</dd></div>
          <div><dt>{nothingWritten ? "Would be created" : "Created"}</dt><dd>{count(i.created)}</dd></div>
          <div><dt>{nothingWritten ? "Would be updated" : "Updated"}</dt><dd>{count(i.updated)}</dd></div>
          <div><dt>Unchanged</dt><dd>{count(i.unchanged)}</dd></div>
          <div className={i.rejected ? "rejected" : undefined}><dt>Rejected</dt><dd>{count(i.rejected)}</dd></div>
        </dl>
      )}
      {!running && <p className="muted">Started {dateTime(i.started_at)}{i.finished_at && <>, finished {dateTime(i.finished_at)}</>}.</p>}
      {!running && i.rejected > 0 && (
        <>
          <h3>Rejected rows</h3>
          <p>
            <a className="button" href={`/api/v1/imports/${encodeURIComponent(i.id)}/errors`} download>Download the error file</a>
            {shown.length < i.rejected && <span className="muted"> The first {count(shown.length)} of {count(i.rejected)} are shown below; the error file has them all.</span>}
          </p>
          <div className="scroll">
            <table className="table compact" aria-label="Rejected rows">
              <thead><tr><th scope="col" className="num">Line</th><th scope="col">Column</th><th scope="col">Problem</th></tr></thead>
              <tbody>
                {shown.map((r, n) => (
                  <tr key={`${r.line}-${r.column}-${n}`}>
                    <td className="num">{r.line}</td>
                    <td>{r.column || <span className="muted">(the whole row)</span>}</td>
                    <td>{r.problem}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </section>
  );
}
