// The company's custom fields (GET /custom-fields) in the app: a record's values shown by their
// labels, and the inputs that edit them beside the record's own fields, each problem next to its
// input (the API names them "custom.<key>").
import { FormEvent, Fragment, useCallback, useEffect, useState } from "react";
import { Link } from "react-router-dom";
import { ApiError, api, date, getAll, money } from "./api";
import { useLoad } from "./data";
import { FieldError } from "./problems";

export type CustomRecordType = "accounts" | "contacts" | "opportunities" | "activities" | "cases";
export type CustomOption = { value: string; label: string; retired: boolean };
export type CustomField = {
  id: string; key: string; label: string; type: string; required: boolean; help: string | null;
  max_length: number | null; min_value: number | null; max_value: number | null; position: number; version: number;
  options: CustomOption[];
};
export type CustomValues = Record<string, unknown>;

// The fields in use on `recordType`, in their order (for useLoad: the key is the record type).
export const loadCustomFields = (recordType: string, signal: AbortSignal) =>
  getAll<CustomField>(`/custom-fields?record_type=${recordType}&sort=position&limit=500`, signal);

// The fields in use on `recordType`, in their order ([] until loaded).
export function useCustomFields(recordType: CustomRecordType): CustomField[] {
  return useLoad(recordType, loadCustomFields).data ?? [];
}

const optionLabel = (f: CustomField, value: string) => f.options.find((o) => o.value === value)?.label ?? value;

// A value as people read it.
export function CustomValue({ field, value }: { field: CustomField; value: unknown }) {
  if (value === null || value === undefined) return <>—</>;
  switch (field.type) {
    case "checkbox": return <>{value ? "Yes" : "No"}</>;
    case "money": return <>{money(Number(value))}</>;
    case "date": return <>{date(String(value))}</>;
    case "picklist": return <>{optionLabel(field, String(value))}</>;
    case "multi_picklist": return <>{(value as string[]).map((v) => optionLabel(field, v)).join(", ")}</>;
    case "account": return <Link to={`/accounts/${String(value)}`}>account {String(value)}</Link>;
    case "long_text": return <span className="pre">{String(value)}</span>;
    default: return <>{String(value)}</>;
  }
}

// The record's custom values as dt/dd pairs, for a details list (fields without a value left out).
export function CustomDetails({ fields, values }: { fields: CustomField[]; values: CustomValues | undefined }) {
  return (
    <>
      {fields.filter((f) => values?.[f.key] !== undefined && values?.[f.key] !== null).map((f) => (
        <Fragment key={f.key}><dt>{f.label}</dt><dd><CustomValue field={f} value={values?.[f.key]} /></dd></Fragment>
      ))}
    </>
  );
}

// What the form's inputs hold: text for most, a list for multi pick lists, a flag for checkboxes.
export type CustomForm = Record<string, string | string[] | boolean>;

export function customForm(fields: CustomField[], values: CustomValues | undefined): CustomForm {
  const form: CustomForm = {};
  for (const f of fields) {
    const v = values?.[f.key];
    if (f.type === "checkbox") form[f.key] = v === true;
    else if (f.type === "multi_picklist") form[f.key] = Array.isArray(v) ? (v as string[]) : [];
    else if (f.type === "money") form[f.key] = v === undefined || v === null ? "" : (Number(v) / 100).toFixed(2);
    else form[f.key] = v === undefined || v === null ? "" : String(v);
  }
  return form;
}

// The `custom` object of a write: every field the form shows, empty ones as null (cleared).
export function customBody(fields: CustomField[], form: CustomForm): CustomValues {
  const body: CustomValues = {};
  for (const f of fields) {
    const v = form[f.key];
    if (f.type === "checkbox") body[f.key] = v === true;
    else if (f.type === "multi_picklist") body[f.key] = (v as string[]).length ? v : null;
    else if (typeof v !== "string" || v.trim() === "") body[f.key] = null;
    else if (f.type === "number") body[f.key] = Number(v);
    else if (f.type === "money") body[f.key] = Math.round(Number(v.replace(/,/g, "")) * 100);
    else body[f.key] = f.type === "long_text" ? v : v.trim();
  }
  return body;
}

// The inputs of `fields`, labelled, with their help and problems.
export function CustomInputs({ fields, form, setForm, errors }: { fields: CustomField[]; form: CustomForm; setForm: (form: CustomForm) => void; errors: Record<string, string> }) {
  return (
    <>
      {fields.map((f) => {
        const name = `custom.${f.key}`;
        const set = (v: string | string[] | boolean) => setForm({ ...form, [f.key]: v });
        const aria = { "aria-invalid": !!errors[name], "aria-describedby": errors[name] ? `${name}-error` : undefined };
        const offered = f.options.filter((o) => !o.retired || o.value === form[f.key] || (Array.isArray(form[f.key]) && (form[f.key] as string[]).includes(o.value)));
        const label = <>{f.label}{f.required ? " *" : ""}{f.help ? <span className="muted"> ({f.help})</span> : null} </>;
        let input;
        switch (f.type) {
          case "checkbox":
            return (
              <div key={f.key}>
                <label><input type="checkbox" checked={form[f.key] === true} onChange={(e) => set(e.target.checked)} {...aria} /> {label}</label>
                <FieldError errors={errors} name={name} />
              </div>
            );
          case "long_text":
            input = <textarea rows={3} value={String(form[f.key] ?? "")} onChange={(e) => set(e.target.value)} {...aria} />;
            break;
          case "picklist":
            input = <select value={String(form[f.key] ?? "")} onChange={(e) => set(e.target.value)} {...aria}><option value="">—</option>{offered.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}</select>;
            break;
          case "multi_picklist":
            input = <select multiple value={(form[f.key] as string[]) ?? []} onChange={(e) => set(Array.from(e.target.selectedOptions, (o) => o.value))} {...aria}>{offered.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}</select>;
            break;
          default:
            input = <input type={f.type === "number" ? "number" : f.type === "date" ? "date" : "text"} inputMode={f.type === "money" ? "decimal" : undefined} value={String(form[f.key] ?? "")} onChange={(e) => set(e.target.value)} placeholder={f.type === "user" || f.type === "account" ? `${f.type} id` : undefined} {...aria} />;
        }
        return (
          <div key={f.key} className={f.type === "long_text" ? "wide" : undefined}>
            <label>{label}{input}</label>
            <FieldError errors={errors} name={name} />
          </div>
        );
      })}
    </>
  );
}

// A record's custom fields as a card of their own (for pages without a details form): the values
// by label, and an Edit that writes them with `save` (the page's PATCH, which sends its ETag).
// Nothing when the company has no custom fields on these records.
export function CustomFieldsCard({ recordType, values, save }: { recordType: CustomRecordType; values: CustomValues | undefined; save: (body: { custom: CustomValues }) => Promise<unknown> }) {
  const fields = useCustomFields(recordType);
  const [form, setForm] = useState<CustomForm | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  if (fields.length === 0) return null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    setMessage("");
    try {
      await save({ custom: customBody(fields, form) });
      setErrors({});
      setForm(null);
      setMessage("Saved.");
    } catch (err) {
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
    }
  };
  return (
    <section className="card" aria-labelledby={`${recordType}-custom-title`}>
      <h2 id={`${recordType}-custom-title`}>More fields</h2>
      {!form && (
        <>
          <dl className="details">{fields.map((f) => <Fragment key={f.key}><dt>{f.label}</dt><dd><CustomValue field={f} value={values?.[f.key]} /></dd></Fragment>)}</dl>
          <button type="button" onClick={() => { setErrors({}); setMessage(""); setForm(customForm(fields, values)); }}>Edit fields</button>
        </>
      )}
      {form && (
        <form className="logcall" onSubmit={submit} aria-label="Edit fields">
          <div className="fields"><CustomInputs fields={fields} form={form} setForm={setForm} errors={errors} /></div>
          <div className="row"><button type="submit">Save</button><button type="button" className="secondary" onClick={() => setForm(null)}>Cancel</button></div>
        </form>
      )}
      {message && <p role="status" className={Object.keys(errors).length ? "error" : "ok"}>{message}</p>}
    </section>
  );
}

// The card for the record at `path` ("/opportunities/42"), read and written by itself with its
// ETag: a change someone else made since it was read is reported, not overwritten.
export function RecordCustomFields({ recordType, path }: { recordType: CustomRecordType; path: string }) {
  const [record, setRecord] = useState<{ custom?: CustomValues } | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const load = useCallback(async () => {
    const { data, etag } = await api<{ custom?: CustomValues }>("GET", path);
    setRecord(data);
    setEtag(etag);
  }, [path]);
  useEffect(() => { load().catch(() => setRecord(null)); }, [load]);
  if (!record) return null;
  const save = async (body: { custom: CustomValues }) => {
    try {
      const { data, etag: next } = await api<{ custom?: CustomValues }>("PATCH", path, body, etag ? { "If-Match": etag } : {});
      setRecord(data);
      setEtag(next);
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) await load();
      throw err;
    }
  };
  return <CustomFieldsCard recordType={recordType} values={record.custom} save={save} />;
}
