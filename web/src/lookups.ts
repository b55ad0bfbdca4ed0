// Names for the ids lists carry (accounts, users), fetched once per page load and shared, plus a
// clock for pages that count down to a deadline.
import { useEffect, useState } from "react";
import { Page, get } from "./api";
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

export type UserRef = { id: string; name: string; status: string; role: string };
let users: Promise<UserRef[]> | null = null;

// Everyone, by name (for owner pickers and authors).
export function useUsers(): UserRef[] {
  const [list, setList] = useState<UserRef[]>([]);
  useEffect(() => {
    let live = true;
    users ??= get<Page<UserRef>>("/users?limit=500&sort=name").then((p) => p.items).catch(() => { users = null; return []; });
    users.then((u) => { if (live) setList(u); });
    return () => { live = false; };
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

export type ProductRef = { id: string; name: string; sku: string; family: string; lifecycle: string };
let products: Promise<ProductRef[]> | null = null;

// The product catalogue, by name (for product pickers and names in lists).
export function useProducts(): ProductRef[] {
  const [list, setList] = useState<ProductRef[]>([]);
  useEffect(() => {
    let live = true;
    products ??= get<Page<ProductRef>>("/products?limit=500&sort=name").then((p) => p.items).catch(() => { products = null; return []; });
    products.then((p) => { if (live) setList(p); });
    return () => { live = false; };
  }, []);
  return list;
}
