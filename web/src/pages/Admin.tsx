import { FormEvent, useCallback, useEffect, useState } from "react";
import { NavLink, useParams } from "react-router-dom";
import { ApiError, Page, api, get } from "../api";
import { ROLES } from "../session";
import { CustomFields } from "./CustomFields";
import { Currencies } from "./Currencies";
import { Imports } from "./Imports";
import { Jobs } from "./Jobs";
import { ServiceLevels } from "./ServiceLevels";
import { Webhooks } from "./Webhooks";

type Field = { name: string; label: string; options?: string[]; type?: string; create?: boolean; edit?: boolean };
type Spec = { title: string; path: string; columns: Field[]; sort?: string; noCreate?: boolean };
type Row = Record<string, unknown> & { id: string; version: number };

const SPECS: Record<string, Spec> = {
  users: { title: "Users", path: "users", columns: [
    { name: "name", label: "Name", create: true, edit: true },
    { name: "email", label: "Email", type: "email", create: true },
    { name: "role", label: "Role", options: [...ROLES], create: true, edit: true },
    { name: "status", label: "Status", options: ["active", "on_leave", "left"], edit: true },
    { name: "job_title", label: "Job title", create: true, edit: true },
  ] },
  territories: { title: "Territories", path: "territories", columns: [
    { name: "name", label: "Name", create: true, edit: true },
    { name: "region", label: "Region", create: true, edit: true },
    { name: "owner_id", label: "Owner (user id)", create: true, edit: true },
    { name: "parent_id", label: "Parent (territory id)", create: true, edit: true },
  ] },
  distributors: { title: "Distributors", path: "distributors", columns: [
    { name: "name", label: "Name", create: true, edit: true },
    { name: "region", label: "Region", create: true, edit: true },
    { name: "status", label: "Status", options: ["active", "terminated"], edit: true },
    { name: "email", label: "Email", type: "email", create: true, edit: true },
  ] },
  products: { title: "Products", path: "products", columns: [
    { name: "sku", label: "SKU", create: true },
    { name: "name", label: "Name", create: true, edit: true },
    { name: "family", label: "Family", create: true, edit: true },
    { name: "lifecycle", label: "Lifecycle", options: ["active", "retiring", "retired"], edit: true },
    { name: "successor_id", label: "Successor (product id)", edit: true },
  ] },
  segments: { title: "Segments", path: "segments", columns: [
    { name: "name", label: "Name", create: true, edit: true },
    { name: "description", label: "Description", create: true, edit: true },
    { name: "contact_cadence_days", label: "Contact every (days)", type: "number", create: true, edit: true },
  ] },
  templates: { title: "Introductions", path: "message_templates", sort: "reason", noCreate: true, columns: [
    { name: "reason", label: "Handover reason" },
    { name: "subject", label: "Subject", edit: true },
    { name: "body", label: "Message ({contact_first_name}, {account_name}, {leaver_name}, {successor_name}, {successor_email}, {sender_name}, {company})", type: "textarea", edit: true },
  ] },
};

// Empty inputs mean "no value"; number fields go as numbers.
const clean = (values: Record<string, string>, spec: Spec) =>
  Object.fromEntries(Object.entries(values).map(([k, v]) => {
    const number = spec.columns.find((c) => c.name === k)?.type === "number";
    return [k, v === "" || v === null ? null : number ? Number(v) : v];
  }));

export function Admin() {
  const { kind = "users" } = useParams();
  if (kind === "jobs") {
    return (
      <div>
        <h1>Admin: Jobs</h1>
        <AdminTabs />
        <Jobs />
      </div>
    );
  }
  if (kind === "service-levels") {
    return (
      <div>
        <h1>Admin: Service levels</h1>
        <AdminTabs />
        <ServiceLevels />
      </div>
    );
  }
  if (kind === "custom-fields") {
    return (
      <div>
        <h1>Admin: Custom fields</h1>
        <AdminTabs />
        <CustomFields />
      </div>
    );
  }
  if (kind === "currencies") {
    return (
      <div>
        <h1>Admin: Currencies</h1>
        <AdminTabs />
        <Currencies />
      </div>
    );
  }
  if (kind === "webhooks") {
    return (
      <div>
        <h1>Admin: Webhooks</h1>
        <AdminTabs />
        <Webhooks />
      </div>
    );
  }
  if (kind === "imports") {
    return (
      <div>
        <h1>Admin: Imports</h1>
        <AdminTabs />
        <Imports />
      </div>
    );
  }
  return <AdminTable kind={kind} />;
}

function AdminTabs() {
  return (
    <nav className="tabs" aria-label="Admin sections">
      {Object.entries(SPECS).map(([k, s]) => <NavLink key={k} to={`/admin/${k}`}>{s.title}</NavLink>)}
      <NavLink to="/admin/custom-fields">Custom fields</NavLink>
      <NavLink to="/admin/currencies">Currencies</NavLink>
      <NavLink to="/admin/service-levels">Service levels</NavLink>
      <NavLink to="/admin/jobs">Jobs</NavLink>
      <NavLink to="/admin/imports">Imports</NavLink>
      <NavLink to="/admin/webhooks">Webhooks</NavLink>
    </nav>
  );
}

function AdminTable({ kind }: { kind: string }) {
  const spec = SPECS[kind] ?? SPECS.users;
  const [rows, setRows] = useState<Row[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const load = useCallback(() => {
    get<Page<Row>>(`/${spec.path}?limit=100&sort=${spec.sort ?? "name"}`).then((p) => { setRows(p.items); setCursor(p.next_cursor); });
  }, [spec.path, spec.sort]);
  useEffect(load, [load]);

  return (
    <div>
      <h1>Admin: {spec.title}</h1>
      <AdminTabs />
      {!spec.noCreate && <CreateForm spec={spec} onCreated={load} />}
      <table className="table">
        <thead><tr><th scope="col">Id</th>{spec.columns.map((c) => <th scope="col" key={c.name}>{c.label}</th>)}<th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>{rows.map((r) => <EditableRow key={r.id} spec={spec} row={r} onChanged={(n) => setRows((all) => all.map((x) => (x.id === n.id ? n : x)))} />)}</tbody>
      </table>
      {cursor && <button type="button" onClick={async () => { const p = await get<Page<Row>>(`/${spec.path}?limit=100&sort=${spec.sort ?? "name"}&cursor=${cursor}`); setRows((o) => [...o, ...p.items]); setCursor(p.next_cursor); }}>Show more</button>}
    </div>
  );
}

function CreateForm({ spec, onCreated }: { spec: Spec; onCreated: () => void }) {
  const fields = spec.columns.filter((c) => c.create);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  useEffect(() => { setValues({}); setErrors({}); setMessage(""); }, [spec]);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    try {
      await api("POST", `/${spec.path}`, clean(values, spec));
      setValues({});
      setMessage("Added.");
      onCreated();
    } catch (err) {
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
    }
  };
  return (
    <form className="card inline-form" noValidate onSubmit={submit} aria-label={`Add to ${spec.title}`}>
      {fields.map((f) => (
        <label key={f.name}>{f.label}
          {f.options
            ? <select value={values[f.name] ?? ""} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}><option value="">choose…</option>{f.options.map((o) => <option key={o}>{o}</option>)}</select>
            : <input type={f.type ?? "text"} value={values[f.name] ?? ""} onChange={(e) => setValues({ ...values, [f.name]: e.target.value })} aria-invalid={!!errors[f.name]} />}
          {errors[f.name] && <span className="error">{errors[f.name]}</span>}
        </label>
      ))}
      <button type="submit">Add</button>
      {message && <p role="status">{message}</p>}
    </form>
  );
}

function EditableRow({ spec, row, onChanged }: { spec: Spec; row: Row; onChanged: (row: Row) => void }) {
  const [editing, setEditing] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [stale, setStale] = useState(false);
  const start = () => {
    setValues(Object.fromEntries(spec.columns.filter((c) => c.edit).map((c) => [c.name, row[c.name] == null ? "" : String(row[c.name])])));
    setErrors({}); setStale(false); setEditing(true);
  };
  const save = async () => {
    try {
      const { data } = await api<Row>("PATCH", `/${spec.path}/${row.id}`, clean(values, spec), { "If-Match": `"v${row.version}"` });
      onChanged(data);
      setEditing(false);
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) setStale(true);
      else if (err instanceof ApiError) setErrors(err.fieldErrors());
    }
  };
  const reload = async () => { onChanged(await get<Row>(`/${spec.path}/${row.id}`)); setEditing(false); setStale(false); };
  return (
    <tr>
      <td>{row.id}</td>
      {spec.columns.map((c) => (
        <td key={c.name}>
          {editing && c.edit ? (
            c.options
              ? <select aria-label={c.label} value={values[c.name]} onChange={(e) => setValues({ ...values, [c.name]: e.target.value })}>{c.options.map((o) => <option key={o}>{o}</option>)}</select>
              : c.type === "textarea"
                ? <textarea aria-label={c.label} rows={8} cols={60} value={values[c.name]} onChange={(e) => setValues({ ...values, [c.name]: e.target.value })} />
                : <input aria-label={c.label} value={values[c.name]} onChange={(e) => setValues({ ...values, [c.name]: e.target.value })} />
          ) : c.type === "textarea" ? <span className="pre">{String(row[c.name] ?? "—")}</span> : String(row[c.name] ?? "—")}
          {editing && errors[c.name] && <span className="error">{errors[c.name]}</span>}
        </td>
      ))}
      <td>
        {!editing && <button type="button" onClick={start} aria-label={`Edit ${String(row.name ?? row.reason ?? row.id)}`}>Edit</button>}
        {editing && <><button type="button" onClick={save}>Save</button> <button type="button" className="secondary" onClick={() => setEditing(false)}>Cancel</button></>}
        {stale && <p role="alert" className="error">Someone else changed this record. <button type="button" onClick={reload}>Reload it</button></p>}
      </td>
    </tr>
  );
}
