// Failures shown the same way on every page: a field's problem next to the field (its id is what
// the field's aria-describedby names), and a page's problem as an alert.
import { messageOf } from "./api";

// The problem with field `name`, if any, with id "<prefix>-<name>-error" ("<name>-error" without
// a prefix).
export function FieldError({ errors, name, prefix }: { errors: Record<string, string>; name: string; prefix?: string }) {
  if (!errors[name]) return null;
  return <span className="error" id={`${prefix ? `${prefix}-` : ""}${name}-error`}>{errors[name]}</span>;
}

// A request's failure, said once for the page.
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  return <p className="error" role="alert">{messageOf(error)}</p>;
}
