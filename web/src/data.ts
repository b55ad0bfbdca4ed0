// The web app's data layer: a page asks for what it shows with useGet, which fetches it, cancels
// the request when the page moves on (another path, or the page closes) so an old answer never
// lands on a new page, and hands back the failure as an ApiError for ErrorNote to show.
import { useCallback, useEffect, useState } from "react";
import { ApiError, Page, get } from "./api";

export type Loaded<T> = {
  data: T | undefined;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
  // Replace what is shown (after a change the server answered with the new record).
  setData: (data: T | undefined) => void;
};

const unreachable = () => new ApiError({ type: "about:blank", title: "Could not reach Rapport; try again.", status: 0 });

// Load what `key` names with `load` (null: not yet, e.g. while a form is incomplete) and keep
// the answer; again whenever `key` or `version` changes (the page changed something the answer
// depends on). `load` reads everything it needs from the key, so it can live outside the page
// (a module's function): the answer is always the key's.
export function useLoad<T>(key: string | null, load: (key: string, signal: AbortSignal) => Promise<T>, version?: unknown): Loaded<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(key !== null);
  const [round, setRound] = useState(0);
  useEffect(() => {
    if (key === null) {
      setLoading(false);
      return;
    }
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    load(key, controller.signal).then(
      (answer) => {
        if (controller.signal.aborted) return;
        setData(answer);
        setError(null);
        setLoading(false);
      },
      (err) => {
        if (controller.signal.aborted) return;
        setData(undefined);
        setError(err instanceof ApiError ? err : unreachable());
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [key, load, round, version]);
  const reload = useCallback(() => setRound((r) => r + 1), []);
  return { data, error, loading, reload, setData };
}

// GET `path` (null: not yet) and keep the answer, as useLoad.
export function useGet<T>(path: string | null, version?: unknown): Loaded<T> {
  return useLoad<T>(path, get<T>, version);
}

export type Pages<T, P> = {
  first: P | undefined;  // the first page as the server sent it (with any totals)
  items: T[];            // the first page's items and those "more" fetched since
  hasMore: boolean;
  more: () => Promise<void>;
  error: ApiError | null;
  loading: boolean;
  reload: () => void;
};

// A list GET `path` pages through with next_cursor: the first page, then more() adds the next.
// A new path starts again from its first page; a page that arrives for an old path is dropped.
export function usePages<T, P extends Page<T> = Page<T>>(path: string | null): Pages<T, P> {
  const first = useGet<P>(path);
  const [extra, setExtra] = useState<{ base?: P; items: T[]; cursor: string | null }>({ items: [], cursor: null });
  const current = extra.base !== undefined && extra.base === first.data ? extra : { base: first.data, items: [] as T[], cursor: first.data?.next_cursor ?? null };
  const more = async () => {
    if (path === null || !current.cursor) return;
    const page = await get<Page<T>>(`${path}${path.includes("?") ? "&" : "?"}cursor=${encodeURIComponent(current.cursor)}`);
    setExtra({ base: current.base, items: [...current.items, ...page.items], cursor: page.next_cursor });
  };
  return {
    first: first.data,
    items: first.data ? [...first.data.items, ...current.items] : [],
    hasMore: !!current.cursor,
    more,
    error: first.error,
    loading: first.loading,
    reload: first.reload,
  };
}
