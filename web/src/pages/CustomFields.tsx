// Admin: the company's custom fields, per record type: add one (label, type, options of a pick
// list, required, help, limits), rename it or its options, retire options (records keep them)
// or the field itself.
import { FormEvent, useState } from "react";
import { ApiError, api } from "../api";
import { CustomField, CustomRecordType, loadCustomFields } from "../custom";
import { useLoad } from "../data";
import { ErrorNote, FieldError } from "../problems";

const RECORD_TYPES: { value: CustomRecordType; label: string }[] = [
  { value: "accounts", label: "Accounts" },
  { value: "contacts", label: "Contacts" },
  { value: "opportunities", label: "Opportunities" },
  { value: "activities", label: "Activities" },
  { value: "cases", label: "Cases" },
];

const TYPES: { value: string; label: string }[] = [
  { value: "text", label: "Text" },
  { value: "long_text", label: "Long text" },
  { value: "number", label: "Number" },
  { value: "money", label: "Money" },
  { value: "date", label: "Date" },
  { value: "checkbox", label: "Checkbox" },
  { value: "picklist", label: "Pick list" },
  { value: "multi_picklist", label: "Multi-select pick list" },
  { value: "user", label: "User" },
  { value: "account", label: "Account" },
];

const typeLabel = (type: string) => TYPES.find((t) => t.value === type)?.label ?? type;
const isPickList = (type: string) => type === "picklist" || type === "multi_picklist";
const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);

export function CustomFields() {
  const [recordType, setRecordType] = useState<CustomRecordType>("accounts");
  const [version, setVersion] = useState(0);
  const fields = useLoad(recordType, loadCustomFields, version);
  const changed = () => setVersion((v) => v + 1);
  return (
    <div>
      <label>Fields of <select value={recordType} onChange={(e) => setRecordType(e.target.value as CustomRecordType)}>
        {RECORD_TYPES.map((t) => <option key={t.value} value={t.value}>{t.label}</option>)}
      </select></label>
      <AddField recordType={recordType} position={(fields.data?.length ?? 0) * 10} onAdded={changed} />
      <ErrorNote error={fields.error} />
      <table className="table">
        <thead><tr><th scope="col">Label</th><th scope="col">Key</th><th scope="col">Type</th><th scope="col">Required</th><th scope="col">Options</th><th scope="col">Help</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {fields.data?.length === 0 && <tr><td colSpan={7} className="muted">No custom fields on {recordType} yet.</td></tr>}
          {fields.data?.map((f) => <FieldRow key={f.id} field={f} onChanged={changed} />)}
        </tbody>
      </table>
    </div>
  );
}

function AddField({ recordType, position, onAdded }: { recordType: CustomRecordType; position: number; onAdded: () => void }) {
  const empty = { label: "", type: "text", help: "", options: "", max_length: "", min_value: "", max_value: "" };
  const [values, setValues] = useState(empty);
  const [required, setRequired] = useState(false);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const set = (k: keyof typeof empty) => (e: { target: { value: string } }) => setValues({ ...values, [k]: e.target.value });
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setErrors({});
    const number = (v: string) => (v.trim() === "" ? null : Number(v));
    const body: Record<string, unknown> = {
      record_type: recordType, label: values.label.trim(), type: values.type, required,
      help: values.help.trim() || null, position,
    };
    if (isPickList(values.type)) body.options = lines(values.options).map((label) => ({ label }));
    if (values.type === "text" || values.type === "long_text") body.max_length = number(values.max_length);
    if (values.type === "number" || values.type === "money") { body.min_value = number(values.min_value); body.max_value = number(values.max_value); }
    try {
      await api("POST", "/custom-fields", body);
      setValues(empty);
      setRequired(false);
      setMessage(`Added ${body.label as string}.`);
      onAdded();
    } catch (err) {
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
    }
  };
  return (
    <form className="card logcall" noValidate onSubmit={submit} aria-label="Add a custom field">
      <h2>Add a field</h2>
      <div className="fields">
        <div><label>Label <input value={values.label} onChange={set("label")} aria-invalid={!!errors.label} /></label><FieldError errors={errors} name="label" /><FieldError errors={errors} name="key" /></div>
        <div><label>Type <select value={values.type} onChange={set("type")}>{TYPES.map((t) => <option key={t.value} value={t.value}>{t.label}</option>)}</select></label></div>
        <div><label><input type="checkbox" checked={required} onChange={(e) => setRequired(e.target.checked)} /> Required on new records</label></div>
        <div><label>Help <input value={values.help} onChange={set("help")} /></label><FieldError errors={errors} name="help" /></div>
        {isPickList(values.type) && <div className="wide"><label>Options, one per line <textarea rows={4} value={values.options} onChange={set("options")} aria-invalid={!!errors.options} /></label><FieldError errors={errors} name="options" /></div>}
        {(values.type === "text" || values.type === "long_text") && <div><label>Longest (characters) <input type="number" value={values.max_length} onChange={set("max_length")} /></label><FieldError errors={errors} name="max_length" /></div>}
        {(values.type === "number" || values.type === "money") && <>
          <div><label>Smallest <input type="number" value={values.min_value} onChange={set("min_value")} /></label><FieldError errors={errors} name="min_value" /></div>
          <div><label>Largest <input type="number" value={values.max_value} onChange={set("max_value")} /></label><FieldError errors={errors} name="max_value" /></div>
        </>}
      </div>
      <button type="submit">Add field</button>
      {message && <p role="status" className={Object.keys(errors).length ? "error" : "ok"}>{message}</p>}
    </form>
  );
}

function FieldRow({ field, onChanged }: { field: CustomField; onChanged: () => void }) {
  const [editing, setEditing] = useState(false);
  const [label, setLabel] = useState(field.label);
  const [help, setHelp] = useState(field.help ?? "");
  const [required, setRequired] = useState(field.required);
  const [options, setOptions] = useState(field.options);
  const [added, setAdded] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const start = () => { setLabel(field.label); setHelp(field.help ?? ""); setRequired(field.required); setOptions(field.options); setAdded(""); setErrors({}); setEditing(true); };
  const save = async () => {
    const body: Record<string, unknown> = { label: label.trim(), help: help.trim() || null, required };
    if (isPickList(field.type)) body.options = [...options.filter((o) => !o.retired), ...lines(added).map((l) => ({ label: l })), ...options.filter((o) => o.retired)];
    try {
      await api("PATCH", `/custom-fields/${field.id}`, body, { "If-Match": `"v${field.version}"` });
      setEditing(false);
      onChanged();
    } catch (err) {
      if (err instanceof ApiError) setErrors(err.problem.status === 412 ? { label: "Someone else changed this field; close and edit it again." } : err.fieldErrors());
    }
  };
  const retire = async () => {
    if (!window.confirm(`Retire ${field.label}? Records keep their values; forms stop showing it.`)) return;
    await api("DELETE", `/custom-fields/${field.id}`);
    onChanged();
  };
  if (!editing) {
    return (
      <tr>
        <td>{field.label}</td><td><code>{field.key}</code></td><td>{typeLabel(field.type)}</td><td>{field.required ? "yes" : ""}</td>
        <td>{field.options.map((o, i) => <span key={o.value}>{i > 0 && ", "}{o.retired ? <s title="retired">{o.label}</s> : o.label}</span>)}</td>
        <td>{field.help}</td>
        <td><button type="button" onClick={start} aria-label={`Edit ${field.label}`}>Edit</button> <button type="button" className="secondary" onClick={retire} aria-label={`Retire ${field.label}`}>Retire</button></td>
      </tr>
    );
  }
  return (
    <tr>
      <td><input aria-label="Label" value={label} onChange={(e) => setLabel(e.target.value)} /><FieldError errors={errors} name="label" /></td>
      <td><code>{field.key}</code></td><td>{typeLabel(field.type)}</td>
      <td><input type="checkbox" aria-label="Required" checked={required} onChange={(e) => setRequired(e.target.checked)} /></td>
      <td>
        {isPickList(field.type) && <>
          {options.map((o, i) => (
            <div key={o.value}>
              <input aria-label={`Option ${o.value}`} value={o.label} onChange={(e) => setOptions(options.map((x, j) => (j === i ? { ...x, label: e.target.value } : x)))} />
              <label><input type="checkbox" checked={o.retired} onChange={(e) => setOptions(options.map((x, j) => (j === i ? { ...x, retired: e.target.checked } : x)))} /> retired</label>
            </div>
          ))}
          <label>New options, one per line <textarea rows={2} value={added} onChange={(e) => setAdded(e.target.value)} /></label>
          <FieldError errors={errors} name="options" />
        </>}
      </td>
      <td><input aria-label="Help" value={help} onChange={(e) => setHelp(e.target.value)} /></td>
      <td><button type="button" onClick={save}>Save</button> <button type="button" className="secondary" onClick={() => setEditing(false)}>Cancel</button></td>
    </tr>
  );
}
