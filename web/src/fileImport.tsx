// A CSV file sent to one of the importers that check the whole file and write all of it or
// nothing (exchange rates, the products on deals): what it did, or every problem by line.
import { useState } from "react";
import { ApiError, upload } from "./api";

type Problem = { field: string; message: string };

export function FileImport<T>({ label, path, help, describe, onImported }: {
  label: string; path: string; help: string; describe: (answer: T) => string; onImported?: () => void;
}) {
  const [message, setMessage] = useState("");
  const [problems, setProblems] = useState<Problem[]>([]);
  const send = async (file: File | undefined) => {
    if (!file) return;
    setMessage("");
    setProblems([]);
    try {
      const { data } = await upload<T>(path, file, "text/csv");
      setMessage(describe(data));
      onImported?.();
    } catch (err) {
      if (err instanceof ApiError) { setMessage(err.message); setProblems(err.problem.errors ?? []); }
      else setMessage("Could not send the file to Rapport; try again.");
    }
  };
  return (
    <div className="inline-form">
      <label>{label}
        <input type="file" accept=".csv,text/csv" onChange={(e) => { send(e.target.files?.[0]); e.target.value = ""; }} />
      </label>
      <span className="muted">{help}</span>
      {message && <p role="status" className={problems.length ? "error" : "ok"}>{message}</p>}
      {problems.length > 0 && <ul className="error">{problems.map((p, i) => <li key={i}>{p.field}: {p.message}</li>)}</ul>}
    </div>
  );
}
