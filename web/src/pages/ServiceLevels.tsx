// Admin → Service levels: hours to first response and to resolution for each kind of case and
// priority, as a grid to edit in place. A new case takes the level of its kind and priority when it
// is opened; changing a level leaves cases already open as they were.
import { useCallback, useEffect, useState } from "react";
import { ApiError, api, get } from "../api";
import { CASE_KINDS, PRIORITIES } from "./Cases";

type Level = { id: string; kind: string; priority: string; first_response_hours: number; resolution_hours: number; version: number };
type Draft = { first_response_hours: string; resolution_hours: string };
const FIELDS = [["first_response_hours", "first response"], ["resolution_hours", "resolution"]] as const;

export function ServiceLevels() {
  const [levels, setLevels] = useState<Level[] | null>(null);
  const [drafts, setDrafts] = useState<Record<string, Draft>>({});
  const [errors, setErrors] = useState<Record<string, Record<string, string>>>({});
  const [stale, setStale] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ text: string; error: boolean } | null>(null);

  const load = useCallback(() => {
    get<{ items: Level[] }>("/case-slas?limit=100").then((r) => setLevels(r.items)).catch((e) => {
      setLevels([]);
      setMessage({ text: e instanceof Error ? e.message : "Could not list the service levels", error: true });
    });
  }, []);
  useEffect(load, [load]);

  const find = (kind: string, priority: string) => levels?.find((l) => l.kind === kind && l.priority === priority);
  const valueOf = (l: Level, field: keyof Draft) => drafts[l.id]?.[field] ?? String(l[field]);
  const changed = (levels ?? []).filter((l) => drafts[l.id] && FIELDS.some(([f]) => drafts[l.id][f] !== String(l[f])));
  const edit = (l: Level, field: keyof Draft, value: string) => {
    setDrafts((all) => ({ ...all, [l.id]: { first_response_hours: valueOf(l, "first_response_hours"), resolution_hours: valueOf(l, "resolution_hours"), [field]: value } }));
    setMessage(null);
  };

  // Each changed level with the version it was read at; what fails keeps its typed values and
  // says why next to them, what succeeded is shown as saved.
  const save = async () => {
    setSaving(true); setMessage(null); setErrors({}); setStale([]);
    const failed: Record<string, Record<string, string>> = {};
    const conflicts: string[] = [];
    const saved: Level[] = [];
    for (const l of changed) {
      const d = drafts[l.id];
      const number = (v: string) => (v.trim() === "" ? null : Number(v));
      try {
        const { data } = await api<Level>("PATCH", `/case-slas/${l.id}`,
          { first_response_hours: number(d.first_response_hours), resolution_hours: number(d.resolution_hours) },
          { "If-Match": `"v${l.version}"` });
        saved.push(data);
      } catch (err) {
        if (err instanceof ApiError && err.problem.status === 412) conflicts.push(l.id);
        else if (err instanceof ApiError) failed[l.id] = { ...err.fieldErrors(), ...(err.problem.errors?.length ? {} : { _: err.message }) };
        else failed[l.id] = { _: "Could not reach Rapport; try again." };
      }
    }
    setLevels((all) => (all ?? []).map((l) => saved.find((s) => s.id === l.id) ?? l));
    setDrafts((all) => Object.fromEntries(Object.entries(all).filter(([id]) => !saved.some((s) => s.id === id))));
    setErrors(failed); setStale(conflicts); setSaving(false);
    const problems = Object.keys(failed).length + conflicts.length;
    if (problems === 0) setMessage({ text: `Saved ${saved.length} service ${saved.length === 1 ? "level" : "levels"}.`, error: false });
    else setMessage({ text: `Saved ${saved.length}; ${problems} not saved: see the marked ${problems === 1 ? "cell" : "cells"}.`, error: true });
  };
  const reload = () => { setDrafts({}); setErrors({}); setStale([]); setMessage(null); load(); };

  const priorities = Object.keys(PRIORITIES);
  return (
    <>
      <p className="muted">Hours to the first response and to resolution, by kind of case and priority. A case takes its level when it is opened; cases already open keep theirs. Breaching one escalates the case up the line.</p>
      <div className="scroll">
        <table className="table sla-grid" aria-label="Service levels">
          <thead>
            <tr><th scope="col">Kind</th>{priorities.map((p) => <th scope="col" key={p}>{PRIORITIES[p]}</th>)}</tr>
          </thead>
          <tbody>
            {Object.entries(CASE_KINDS).map(([kind, kindLabel]) => (
              <tr key={kind} data-kind={kind}>
                <th scope="row">{kindLabel}</th>
                {priorities.map((priority) => {
                  const l = find(kind, priority);
                  if (!l) return <td key={priority} className="muted">—</td>;
                  const e = errors[l.id] ?? {};
                  const dirty = changed.some((c) => c.id === l.id);
                  const where = `${kindLabel}, ${PRIORITIES[priority].toLowerCase()}`;
                  return (
                    <td key={priority} data-priority={priority} className={`sla-cell${dirty ? " dirty" : ""}${Object.keys(e).length || stale.includes(l.id) ? " failed" : ""}`}>
                      {FIELDS.map(([field, what]) => (
                        <label key={field} className="sla-input">
                          <span className="sla-what">{what === "first response" ? "Respond" : "Resolve"}</span>
                          <input type="number" min={1} step={1} inputMode="numeric" value={valueOf(l, field)} onChange={(ev) => edit(l, field, ev.target.value)}
                            aria-label={`${where}: ${what} (hours)`} aria-invalid={!!e[field]} aria-describedby={`sla-${l.id}-${field}-error`} />
                          <span aria-hidden="true" className="unit">h</span>
                          {e[field] && <span className="error" id={`sla-${l.id}-${field}-error`}>{e[field]}</span>}
                        </label>
                      ))}
                      {e._ && <span className="error">{e._}</span>}
                      {stale.includes(l.id) && <span className="error">Someone else changed this level.</span>}
                    </td>
                  );
                })}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="row-buttons">
        <button type="button" onClick={save} disabled={saving || changed.length === 0}>{saving ? "Saving…" : changed.length > 1 ? `Save ${changed.length} changes` : "Save changes"}</button>
        <button type="button" className="secondary" onClick={reload} disabled={saving || (changed.length === 0 && stale.length === 0)}>{stale.length ? "Reload the levels" : "Discard changes"}</button>
      </div>
      {message && <p role="status" className={message.error ? "error" : "ok"}>{message.text}</p>}
    </>
  );
}
