// Names for the ids lists carry (accounts, users), fetched once per page load and shared, plus a
// clock for pages that count down to a deadline.
import { useEffect, useMemo, useRef, useState } from "react";
import { get, getAll } from "./api";
import { serverNow } from "./clock";

const accountNames = new Map<string, Promise<string>>();

// The names of these accounts, as they arrive; an account out of reach keeps its id.
export function useAccountNames(ids: string[]): Record<string, string> {
  const [names, setNames] = useState<Record<string, string>>({});
  const key = [...new Set(ids)].sort().join(",");
  useEffect(() => {
    if (!key) return;
    let live = true;
    const wanted = key.split(",");
    for (const id of wanted) {
      if (!accountNames.has(id)) {
        accountNames.set(id, get<{ name: string }>(`/accounts/${id}`).then((a) => a.name).catch(() => {
          accountNames.delete(id);
          return `Account ${id}`;
        }));
      }
    }
    Promise.all(wanted.map(async (id) => [id, await accountNames.get(id)!] as const)).then((pairs) => {
      if (live) setNames((old) => ({ ...old, ...Object.fromEntries(pairs) }));
    });
    return () => { live = false; };
  }, [key]);
  return names;
}

export type UserRef = { id: string; name: string; email: string; status: string; role: string; manager_id: string | null };
let users: Promise<UserRef[]> | null = null;

// Everyone, by name (for owner pickers and authors): every page of GET /users, fetched once per
// page load and shared; `active` leaves out those who have left.
export function useUsers({ active = false }: { active?: boolean } = {}): UserRef[] {
  const all = useShared(() => (users ??= getAll<UserRef>("/users?limit=500&sort=name").catch((err) => { users = null; throw err; })));
  return useMemo(() => (active ? all.filter((u) => u.status === "active") : all), [all, active]);
}

// What `load` resolves to, once the page shows; [] until then and if it fails.
function useShared<T>(load: () => Promise<T[]>): T[] {
  const [list, setList] = useState<T[]>([]);
  const loader = useRef(load);
  useEffect(() => {
    let cancelled = false;
    loader.current().then((items) => { if (!cancelled) setList(items); }, () => { if (!cancelled) setList([]); });
    return () => { cancelled = true; };
  }, []);
  return list;
}

// The time now, moving on every `ms` milliseconds.
export function useNow(ms = 30000): number {
  const [now, setNow] = useState(() => serverNow());
  useEffect(() => {
    const timer = setInterval(() => setNow(serverNow()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}

export type ProductRef = { id: string; name: string; sku: string; family: string; lifecycle: string; list_price_minor: number; currency: string };
let products: Promise<ProductRef[]> | null = null;

// The product catalogue, by name (for product pickers and names in lists).
export function useProducts(): ProductRef[] {
  return useShared(() => (products ??= getAll<ProductRef>("/products?limit=500&sort=name").catch((err) => { products = null; throw err; })));
}
