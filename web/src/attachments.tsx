// The files attached to a record (an account, a deal, a success plan, a case...): listed newest
// first, downloaded with a click, added by dropping them on the card or choosing them, removed by
// whoever added them or a manager. The server judges each file's type by its content and says
// why it refuses one.
import { DragEvent, useState } from "react";
import { ApiError, api, dateTime, upload } from "./api";
import { useGet } from "./data";
import { isManager, useSession } from "./session";
import type { Attachment } from "./types";

const MAX_BYTES = 20 * 1024 * 1024;

const size = (bytes: number) =>
  bytes < 1024 ? `${bytes} B` : bytes < 1024 * 1024 ? `${Math.round(bytes / 1024)} KB` : `${(bytes / (1024 * 1024)).toFixed(1)} MB`;

// `path` is the record's API path ("/accounts/42"); `title` names the card.
export function Attachments({ path, title = "Files" }: { path: string; title?: string }) {
  const { me } = useSession();
  const [round, setRound] = useState(0);
  const files = useGet<{ items: Attachment[] }>(`${path}/attachments`, round);
  const [message, setMessage] = useState("");
  const [failed, setFailed] = useState(false);
  const [busy, setBusy] = useState(false);
  const [over, setOver] = useState(false);
  const headingId = `files-${path.replace(/\W/g, "-")}`;

  const send = async (chosen: FileList | null) => {
    if (!chosen || chosen.length === 0) return;
    setBusy(true);
    setMessage("");
    setFailed(false);
    const problems: string[] = [];
    let added = 0;
    for (const file of Array.from(chosen)) {
      if (file.size > MAX_BYTES) { problems.push(`${file.name}: larger than 20 MB`); continue; }
      try {
        await upload<Attachment>(`${path}/attachments?file_name=${encodeURIComponent(file.name)}`, file, "application/octet-stream");
        added++;
      } catch (err) {
        const why = err instanceof ApiError ? (err.problem.errors?.[0]?.message ?? err.message) : "could not reach Rapport";
        problems.push(`${file.name}: ${why}`);
      }
    }
    setBusy(false);
    setFailed(problems.length > 0);
    setMessage([added ? `Attached ${added} file${added === 1 ? "" : "s"}.` : "", ...problems].filter(Boolean).join(" "));
    if (added) setRound((r) => r + 1);
  };
  const remove = async (file: Attachment) => {
    if (!window.confirm(`Remove ${file.file_name}?`)) return;
    try {
      await api("DELETE", `/attachments/${file.id}`);
      setFailed(false);
      setMessage(`Removed ${file.file_name}.`);
      setRound((r) => r + 1);
    } catch (err) {
      setFailed(true);
      setMessage(err instanceof ApiError ? err.message : "Could not remove the file; try again.");
    }
  };
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    send(e.dataTransfer.files);
  };

  const items = files.data?.items ?? [];
  return (
    <section className={`card attachments${over ? " drop-over" : ""}`} aria-labelledby={headingId}
      onDragOver={(e) => { e.preventDefault(); setOver(true); }} onDragLeave={() => setOver(false)} onDrop={drop}>
      <h2 id={headingId}>{title}</h2>
      {files.error && <p className="error">{files.error.message}</p>}
      {!files.loading && items.length === 0 && !files.error && <p className="muted">No files yet.</p>}
      <ul className="list" aria-label={`${title}, newest first`}>
        {items.map((f) => (
          <li key={f.id}>
            <a href={f.download_url} download={f.file_name}>{f.file_name}</a>{" "}
            <span className="muted">{size(f.size_bytes)} · {f.uploaded_by_name ?? "imported"} · {dateTime(f.created_at)}</span>
            {f.description && <div>{f.description}</div>}
            {me && (f.uploaded_by === me.id || isManager(me)) && (
              <button type="button" className="link" onClick={() => remove(f)} aria-label={`Remove ${f.file_name}`}>Remove</button>
            )}
          </li>
        ))}
      </ul>
      <div className="drop-zone">
        <label>Attach files <input type="file" multiple disabled={busy} onChange={(e) => { send(e.target.files); e.target.value = ""; }} /></label>
        <span className="muted"> or drop them here: PDF, images, Office documents or text, up to 20 MB each.</span>
      </div>
      {busy && <p role="status">Uploading…</p>}
      {message && <p role="status" className={failed ? "error" : "ok"}>{message}</p>}
    </section>
  );
}
