// The one place the web app talks to the API: the session cookie plus the CSRF token on
// changes, problem documents turned into errors that name their fields.
import { noteServerDate } from "./clock";

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
};

export class ApiError extends Error {
  constructor(public problem: Problem) {
    super(problem.detail || problem.title);
  }
  fieldErrors(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const e of this.problem.errors ?? []) out[e.field] = e.message;
    return out;
  }
}

export type Me = { id: string; email: string; name: string; role: string };

const CSRF_KEY = "rapport.csrf";

let onUnauthenticated: () => void = () => {};
export function setUnauthenticatedHandler(handler: () => void) {
  onUnauthenticated = handler;
}

export async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ data: T; etag: string | null }> {
  const init: RequestInit = { method, credentials: "same-origin", headers: { ...headers } };
  if (body !== undefined) {
    (init.headers as Record<string, string>)["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  return send<T>(method, path, init);
}

// A file sent as it is (a CSV or XLSX to import), with its content type; the session and CSRF
// token as for api().
export async function upload<T>(path: string, file: Blob, contentType: string): Promise<{ data: T; etag: string | null }> {
  return send<T>("POST", path, { method: "POST", credentials: "same-origin", headers: { "Content-Type": contentType }, body: file });
}

async function send<T>(method: string, path: string, init: RequestInit): Promise<{ data: T; etag: string | null }> {
  if (method !== "GET") {
    const csrf = sessionStorage.getItem(CSRF_KEY);
    if (csrf) (init.headers as Record<string, string>)["X-CSRF-Token"] = csrf;
  }
  const response = await fetch(`/api/v1${path}`, init);
  noteServerDate(response.headers.get("Date"));
  if (response.status === 204) return { data: undefined as T, etag: null };
  const text = await response.text();
  let json: unknown;
  // A refusal that is not a problem document (a proxy's page) still says its status.
  try { json = text ? JSON.parse(text) : undefined; } catch (e) { if (response.ok) throw e; }
  if (!response.ok) {
    if (response.status === 401 && path !== "/auth/login") onUnauthenticated();
    throw new ApiError((json as Problem) ?? { type: "about:blank", title: response.statusText, status: response.status });
  }
  return { data: json as T, etag: response.headers.get("ETag") };
}

// A GET; `signal` cancels it (useGet cancels when the page moves on).
export const get = async <T,>(path: string, signal?: AbortSignal) =>
  (await send<T>("GET", path, { method: "GET", credentials: "same-origin", headers: {}, signal })).data;

// Every page of a list, following next_cursor (`path` has its own query, with a limit).
export async function getAll<T>(path: string, signal?: AbortSignal): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await get<Page<T>>(cursor ? `${path}${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(cursor)}` : path, signal);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

// What to tell the user about a failure: the problem's detail, or that Rapport did not answer.
export const messageOf = (err: unknown) =>
  err instanceof ApiError ? err.message : "Could not reach Rapport; try again.";

// For pages anyone may open without signing in (a survey link): no session cookie, no CSRF token,
// and a 401 never sends them to the sign-in page.
export async function publicApi<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    method, credentials: "omit",
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  noteServerDate(response.headers.get("Date"));
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let json: unknown;
  try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
  if (!response.ok) throw new ApiError((json as Problem) ?? { type: "about:blank", title: response.statusText, status: response.status });
  return json as T;
}

export async function signIn(email: string, password: string): Promise<Me> {
  const { data } = await api<{ csrf_token: string; user: Me }>("POST", "/auth/login", { email, password });
  sessionStorage.setItem(CSRF_KEY, data.csrf_token);
  return data.user;
}

export async function signOut() {
  try {
    await api("POST", "/auth/logout");
  } finally {
    sessionStorage.removeItem(CSRF_KEY);
  }
}

export type Page<T> = { items: T[]; next_cursor: string | null };

export const money = (minor: number, currency = "GBP") =>
  new Intl.NumberFormat(undefined, { style: "currency", currency, maximumFractionDigits: 0 }).format(minor / 100);
// A unit price or a line's total, to the minor unit.
export const price = (minor: number, currency = "GBP") =>
  new Intl.NumberFormat(undefined, { style: "currency", currency }).format(minor / 100);
export const date = (iso: string | null | undefined) =>
  iso ? new Intl.DateTimeFormat(undefined, { dateStyle: "medium" }).format(new Date(iso)) : "—";
export const dateTime = (iso: string | null | undefined) =>
  iso ? new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" }).format(new Date(iso)) : "—";
