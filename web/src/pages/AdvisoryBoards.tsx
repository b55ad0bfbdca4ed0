// Advisory boards: which key opinion leaders were invited, who came, and what each of them said.
// Reached from the Coaching area (a sub-link next to Coaching), not the main navigation.
import { FormEvent, useEffect, useState } from "react";
import { Link, NavLink, useNavigate, useParams } from "react-router-dom";
import { ApiError, Page, api, date, get } from "../api";
import type { Contact } from "../types";
import { FieldError } from "../problems";

type Member = {
  contact_id: string; name: string; job_title: string | null; kol: boolean; account_id: string; account: string;
  status: string; said: string | null;
};
type Board = {
  id: string; name: string; topic: string | null; held_on: string; owner_id: string; account_id: string | null;
  location: string | null; summary: string | null; version: number; members: Member[]; invited: number; attended: number;
};

export const MEMBER_STATUSES: Record<string, string> = {
  invited: "Invited", accepted: "Accepted", declined: "Declined", attended: "Attended", no_show: "Did not come",
};

export function CoachingNav() {
  return (
    <nav aria-label="Coaching and advisory boards" className="subnav">
      <NavLink to="/coaching">Coaching</NavLink>
      <NavLink to="/advisory-boards">Advisory boards</NavLink>
    </nav>
  );
}

export function AdvisoryBoards() {
  const [boards, setBoards] = useState<Board[] | null>(null);
  useEffect(() => {
    get<Page<Board>>("/advisory-boards?limit=100&sort=-held_on").then((p) => setBoards(p.items)).catch(() => setBoards([]));
  }, []);
  return (
    <div>
      <CoachingNav />
      <h1>Advisory boards</h1>
      <p><Link className="button" to="/advisory-boards/new">New advisory board</Link></p>
      <table className="table" aria-label="Advisory boards, latest first">
        <thead><tr><th scope="col">Held on</th><th scope="col">Board</th><th scope="col">Topic</th><th scope="col">Invited</th><th scope="col">Attended</th></tr></thead>
        <tbody>
          {(boards ?? []).map((b) => (
            <tr key={b.id} data-id={b.id}>
              <td>{date(b.held_on)}</td>
              <td><Link to={`/advisory-boards/${b.id}`}>{b.name}</Link></td>
              <td>{b.topic ?? ""}</td><td>{b.invited}</td><td>{b.attended}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {boards && boards.length === 0 && <p className="muted">No advisory boards yet.</p>}
    </div>
  );
}

type Values = { name: string; topic: string; held_on: string; location: string; summary: string };
const fromBoard = (b: Board | null): Values => ({
  name: b?.name ?? "", topic: b?.topic ?? "", held_on: b?.held_on ?? "", location: b?.location ?? "", summary: b?.summary ?? "",
});

// One board: its details and its members, each with their status and what they said. A new board
// is created with POST; an existing one saved with the version it was read at (If-Match).
export function AdvisoryBoardPage() {
  const { id } = useParams();
  const isNew = !id || id === "new";
  const navigate = useNavigate();
  const [board, setBoard] = useState<Board | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [values, setValues] = useState<Values>(fromBoard(null));
  const [members, setMembers] = useState<Member[]>([]);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const [saved, setSaved] = useState("");
  const [stale, setStale] = useState(false);

  const read = async () => {
    if (isNew) return;
    try {
      const { data, etag } = await api<Board>("GET", `/advisory-boards/${id}`);
      setBoard(data); setEtag(etag ?? `"v${data.version}"`); setValues(fromBoard(data)); setMembers(data.members);
      setErrors({}); setStale(false); setMessage("");
    } catch (err) {
      setMessage(err instanceof ApiError ? err.message : "Could not reach Rapport; try again.");
    }
  };
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => { read(); }, [id]);

  const set = (key: keyof Values) => (e: { target: { value: string } }) => setValues({ ...values, [key]: e.target.value });
  const setMember = (i: number, change: Partial<Member>) => setMembers(members.map((m, j) => (j === i ? { ...m, ...change } : m)));
  const add = (c: Contact) => {
    if (members.some((m) => m.contact_id === c.id)) return;
    setMembers([...members, { contact_id: c.id, name: `${c.first_name} ${c.last_name}`, job_title: c.job_title, kol: c.kol, account_id: c.account_id, account: "", status: "invited", said: null }]);
  };

  const save = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({}); setMessage(""); setSaved("");
    const body = {
      name: values.name, topic: values.topic || null, held_on: values.held_on || null,
      location: values.location || null, summary: values.summary || null,
      members: members.map((m) => ({ contact_id: m.contact_id, status: m.status, said: m.said || null })),
    };
    try {
      if (isNew) {
        const { data } = await api<Board>("POST", "/advisory-boards", body);
        setSaved(`Created ${data.name}.`);
        navigate(`/advisory-boards/${data.id}`);
      } else {
        const { data, etag: next } = await api<Board>("PATCH", `/advisory-boards/${id}`, body, etag ? { "If-Match": etag } : {});
        setBoard(data); setEtag(next ?? `"v${data.version}"`); setMembers(data.members);
        setSaved(`Saved ${data.name}.`);
      }
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) setStale(true);
      else if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
      else setMessage("Could not reach Rapport; nothing was lost, try again.");
    }
  };

  const field = (name: keyof Values) => ({
    value: values[name], onChange: set(name), "aria-invalid": !!errors[name], "aria-describedby": `board-${name}-error`,
  });
  const membersError = errors.members;

  return (
    <div>
      <CoachingNav />
      <p><Link to="/advisory-boards">All advisory boards</Link></p>
      <h1>{isNew ? "New advisory board" : board?.name ?? "Advisory board"}</h1>
      {board && <p className="muted">{board.invited} invited · {board.attended} attended</p>}
      <form className="inline-form top trial-form" aria-label="Advisory board" onSubmit={save} noValidate>
        <label>Name <input {...field("name")} /><FieldError errors={errors} name="name" prefix="board" /></label>
        <label>Held on <input type="date" {...field("held_on")} /><FieldError errors={errors} name="held_on" prefix="board" /></label>
        <label>Topic <input {...field("topic")} /><FieldError errors={errors} name="topic" prefix="board" /></label>
        <label>Location <input {...field("location")} /><FieldError errors={errors} name="location" prefix="board" /></label>
        <label className="full">Summary <textarea rows={3} {...field("summary")} /><FieldError errors={errors} name="summary" prefix="board" /></label>
        <fieldset className="full" aria-describedby="board-members-error">
          <legend>Members</legend>
          {members.length === 0 && <p className="muted">No one invited yet: find key opinion leaders below.</p>}
          <ul className="list" aria-label="Members">
            {members.map((m, i) => {
              const at = (f: string) => errors[`members[${i}].${f}`];
              return (
                <li key={m.contact_id} data-contact={m.contact_id}>
                  <strong>{m.name}</strong>
                  <span className="muted">{m.job_title ? ` · ${m.job_title}` : ""}{m.account ? ` · ${m.account}` : ""}</span>
                  <div className="inline-form">
                    <label>Status <select value={m.status} onChange={(e) => setMember(i, { status: e.target.value })}
                      aria-invalid={!!at("status")} aria-describedby={`board-member-${i}-error`}>
                      {Object.entries(MEMBER_STATUSES).map(([k, v]) => <option key={k} value={k}>{v}</option>)}
                    </select></label>
                    <label className="full">What they said <textarea rows={2} value={m.said ?? ""} onChange={(e) => setMember(i, { said: e.target.value })}
                      aria-invalid={!!at("said")} aria-describedby={`board-member-${i}-error`} /></label>
                    <button type="button" className="secondary small" aria-label={`Remove ${m.name}`}
                      onClick={() => setMembers(members.filter((_, j) => j !== i))}>Remove</button>
                    {(at("contact_id") || at("status") || at("said")) && (
                      <span className="error" id={`board-member-${i}-error`}>{[at("contact_id"), at("status"), at("said")].filter(Boolean).join("; ")}</span>
                    )}
                  </div>
                </li>
              );
            })}
          </ul>
          {membersError && <span className="error" id="board-members-error">{membersError}</span>}
        </fieldset>
        {stale && <p role="alert" className="error full">Someone else changed this board since you opened it. <button type="button" onClick={read}>Reload it</button> (what you typed will be replaced by theirs)</p>}
        {message && <p role="status" className="error full">{message}</p>}
        <div className="row-buttons full"><button type="submit">{isNew ? "Create the board" : "Save"}</button></div>
      </form>
      {saved && <p role="status" className="ok">{saved}</p>}
      <FindKols chosen={members.map((m) => m.contact_id)} onAdd={add} />
    </div>
  );
}

function FindKols({ chosen, onAdd }: { chosen: string[]; onAdd: (c: Contact) => void }) {
  const [q, setQ] = useState("");
  const [hits, setHits] = useState<Contact[]>([]);
  useEffect(() => {
    if (q.trim().length < 2) return setHits([]);
    const timer = setTimeout(() => {
      get<Page<Contact>>(`/contacts?q=${encodeURIComponent(q.trim())}&kol=true&limit=20`).then((p) => setHits(p.items)).catch(() => setHits([]));
    }, 200);
    return () => clearTimeout(timer);
  }, [q]);
  return (
    <section className="card" aria-labelledby="find-kols">
      <h2 id="find-kols">Invite key opinion leaders</h2>
      <label>Find a KOL <input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Name, title or email" /></label>
      <ul className="list" aria-label="Key opinion leaders found">
        {hits.map((c) => (
          <li key={c.id}>
            {c.first_name} {c.last_name}{c.job_title ? <span className="muted"> · {c.job_title}</span> : null}{" "}
            <button type="button" className="secondary small" disabled={chosen.includes(c.id)}
              onClick={() => onAdd(c)}>{chosen.includes(c.id) ? "Added" : `Add ${c.first_name} ${c.last_name}`}</button>
          </li>
        ))}
        {q.trim().length >= 2 && hits.length === 0 && <li className="muted">No key opinion leaders match.</li>}
      </ul>
    </section>
  );
}
