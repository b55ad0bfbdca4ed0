// Admin → Jobs: the jobs the server runs on a schedule (the nightly alerts, case escalation), when
// each runs next, what its last run did, and a button to run one now.
import { useCallback, useEffect, useState } from "react";
import { ApiError, api, dateTime, get } from "../api";
import { duration } from "./Cases";

type Job = {
  name: string; description: string; next_run_at: string | null; last_started_at: string | null;
  last_finished_at: string | null; last_result: string | null; run_by: string | null;
};

export function Jobs() {
  const [jobs, setJobs] = useState<Job[] | null>(null);
  const [running, setRunning] = useState<string | null>(null);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);
  const load = useCallback(() => {
    get<{ items: Job[] }>("/jobs").then((r) => setJobs(r.items)).catch((e) => {
      setJobs([]);
      setMessage({ text: e instanceof Error ? e.message : "Could not list the jobs", error: true });
    });
  }, []);
  useEffect(load, [load]);

  const run = async (name: string) => {
    setRunning(name); setMessage(null);
    try {
      const { data } = await api<{ name: string; result: string }>("POST", `/jobs/${encodeURIComponent(name)}/run`);
      setMessage({ text: `${data.name}: ${data.result}`, error: false });
      load();
    } catch (err) {
      setMessage({ text: err instanceof ApiError ? err.message : "Could not reach Rapport; try again.", error: true });
    } finally {
      setRunning(null);
    }
  };

  return (
    <>
      <p className="muted">Jobs run by themselves on their schedule, on one server at a time. Running one now leaves its schedule as it was.</p>
      <div className="scroll">
        <table className="table" aria-label="Scheduled jobs">
          <thead><tr><th scope="col">Job</th><th scope="col">Next run</th><th scope="col">Last run</th><th scope="col">Last result</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
          <tbody>
            {(jobs ?? []).map((j) => (
              <tr key={j.name} data-name={j.name}>
                <td><strong>{j.name}</strong><div className="muted">{j.description}</div></td>
                <td>{dateTime(j.next_run_at)}</td>
                <td>{j.last_started_at ? <>{dateTime(j.last_started_at)}{j.last_finished_at && <span className="muted"> · took {Date.parse(j.last_finished_at) - Date.parse(j.last_started_at) < 60000 ? `${Math.max(0, Date.parse(j.last_finished_at) - Date.parse(j.last_started_at))} ms` : duration(Date.parse(j.last_finished_at) - Date.parse(j.last_started_at))}</span>}{j.run_by && <div className="muted">on {j.run_by}</div>}</> : "never"}</td>
                <td>{j.last_result ?? "—"}</td>
                <td><button type="button" onClick={() => run(j.name)} disabled={running !== null} aria-label={`Run now: ${j.name}`}>{running === j.name ? "Running…" : "Run now"}</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {jobs && jobs.length === 0 && !message && <p className="muted">No scheduled jobs.</p>}
      {message && <p role="status" className={message.error ? "error" : "ok"}>{message.text}</p>}
    </>
  );
}
