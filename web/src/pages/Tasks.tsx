import { useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { api, date, getAll } from "../api";
import { useSession } from "../session";
import { serverDate, instantNow } from "../clock";

type Task = { id: string; subject: string; due_on: string | null; done_at: string | null; account_id: string | null; version: number };

export function Tasks() {
  const { me } = useSession();
  const [tasks, setTasks] = useState<Task[]>([]);
  const [message, setMessage] = useState("");
  const today = serverDate().toISOString().slice(0, 10);
  useEffect(() => {
    if (!me) return;
    getAll<Task>(`/tasks?owner_id=${me.id}&limit=500`).then((items) =>
      setTasks(items.filter((t) => !t.done_at).sort((a, b) => (a.due_on ?? "9999").localeCompare(b.due_on ?? "9999"))));
  }, [me]);

  const done = async (t: Task) => {
    try {
      await api("PATCH", `/tasks/${t.id}`, { done_at: instantNow() }, { "If-Match": `"v${t.version}"` });
      setTasks((all) => all.filter((x) => x.id !== t.id));
      setMessage(`Done: ${t.subject}`);
    } catch (e) {
      setMessage(e instanceof Error ? e.message : "Could not save");
    }
  };

  return (
    <div>
      <h1>My tasks</h1>
      {message && <p role="status">{message}</p>}
      <table className="table">
        <thead><tr><th scope="col">Task</th><th scope="col">Due</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {tasks.map((t) => (
            <tr key={t.id} className={t.due_on && t.due_on < today ? "overdue" : ""}>
              <td>{t.account_id ? <Link to={`/accounts/${t.account_id}`}>{t.subject}</Link> : t.subject}</td>
              <td>{date(t.due_on)}{t.due_on && t.due_on < today && <span className="badge warn">overdue</span>}</td>
              <td><button type="button" onClick={() => done(t)} aria-label={`Mark “${t.subject}” done`}>Done</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      {tasks.length === 0 && <p className="muted">Nothing to do.</p>}
    </div>
  );
}
