// A deal's products (its line items): what the customer is buying, how many, at which price and
// discount. While a deal has lines its amount is their total (the server keeps it so); the card
// reads and writes the deal at `path` with its ETag, so someone else's change is not overwritten.
import { FormEvent, useCallback, useEffect, useState } from "react";
import { ApiError, api, price } from "./api";
import { useProducts } from "./lookups";
import { FieldError } from "./problems";
import type { Opportunity } from "./types";

type Line = Opportunity["line_items"][number];
// A line as the form holds it: prices in major units as typed ("1,200.50"), blank for the default.
type LineForm = { product_id: string; quantity: string; list_price: string; sale_price: string; discount_percent: string; description: string };

const asMajor = (minor: number) => (minor / 100).toFixed(2);
// "1,200.50" -> 120050; blank -> undefined (the server's default); not a number -> NaN, which
// the server refuses naming the field.
const asMinor = (text: string) => (text.trim() === "" ? undefined : Math.round(Number(text.replace(/,/g, "")) * 100));
const formOf = (l: Line): LineForm => ({
  product_id: l.product_id, quantity: String(l.quantity), list_price: asMajor(l.list_price_minor),
  sale_price: asMajor(l.sale_price_minor), discount_percent: String(l.discount_percent), description: l.description ?? "",
});
const bodyOf = (f: LineForm) => ({
  product_id: f.product_id, quantity: Number(f.quantity),
  list_price_minor: asMinor(f.list_price), sale_price_minor: asMinor(f.sale_price),
  discount_percent: f.discount_percent.trim() === "" ? undefined : Number(f.discount_percent),
  description: f.description.trim() || null,
});

export function DealProducts({ path, onSaved }: { path: string; onSaved?: (deal: Opportunity) => void }) {
  const [deal, setDeal] = useState<Opportunity | null>(null);
  const [etag, setEtag] = useState<string | null>(null);
  const [form, setForm] = useState<LineForm[] | null>(null);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const products = useProducts();
  const load = useCallback(async () => {
    const { data, etag } = await api<Opportunity>("GET", path);
    setDeal(data);
    setEtag(etag);
  }, [path]);
  useEffect(() => { load().catch(() => setDeal(null)); }, [load]);
  if (!deal) return null;
  const lines = deal.line_items;
  const set = (i: number, change: Partial<LineForm>) => setForm(form && form.map((l, j) => (j === i ? { ...l, ...change } : l)));
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!form) return;
    setMessage("");
    try {
      const { data, etag: next } = await api<Opportunity>("PATCH", path, { line_items: form.map(bodyOf) }, etag ? { "If-Match": etag } : {});
      setDeal(data);
      setEtag(next);
      setErrors({});
      setForm(null);
      setMessage("Saved.");
      onSaved?.(data);
    } catch (err) {
      if (err instanceof ApiError && err.problem.status === 412) {
        await load();
        setForm(null);
        setMessage("Someone else changed this deal; here is their version.");
      } else if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
    }
  };
  return (
    <section className="card" aria-labelledby="products-title">
      <h2 id="products-title">Products</h2>
      {!form && (
        <>
          {lines.length === 0 ? <p className="muted">No products on this deal yet; add them and its amount becomes their total.</p> : (
            <table className="table compact">
              <thead><tr><th scope="col">Product</th><th scope="col" className="num">Qty</th><th scope="col" className="num">List price</th><th scope="col" className="num">Sale price</th><th scope="col" className="num">Discount</th><th scope="col" className="num">Total</th></tr></thead>
              <tbody>
                {lines.map((l, i) => (
                  <tr key={i}>
                    <td><strong>{l.product_name}</strong> <span className="muted">{l.sku}</span>{l.description && <div className="muted">{l.description}</div>}</td>
                    <td className="num">{l.quantity}</td>
                    <td className="num">{price(l.list_price_minor, deal.currency)}</td>
                    <td className="num">{price(l.sale_price_minor, deal.currency)}</td>
                    <td className="num">{l.discount_percent ? `${l.discount_percent}%` : "—"}</td>
                    <td className="num">{price(l.total_minor, deal.currency)}</td>
                  </tr>
                ))}
              </tbody>
              <tfoot><tr><th scope="row" colSpan={5}>Deal amount</th><td className="num" data-testid="deal-total">{price(deal.amount_minor, deal.currency)}</td></tr></tfoot>
            </table>
          )}
          <button type="button" className="no-print" onClick={() => { setErrors({}); setMessage(""); setForm(lines.map(formOf)); }}>Edit products</button>
        </>
      )}
      {form && (
        <form onSubmit={submit} aria-label="Edit products">
          <FieldError errors={errors} name="line_items" />
          <FieldError errors={errors} name="amount_minor" />
          <table className="table compact">
            <thead><tr><th scope="col">Product</th><th scope="col">Qty</th><th scope="col">List price ({deal.currency})</th><th scope="col">Sale price</th><th scope="col">Discount %</th><th scope="col">Note</th><th scope="col"><span className="sr-only">Remove</span></th></tr></thead>
            <tbody>
              {form.map((l, i) => {
                const n = i + 1;
                const at = `line_items[${i}]`;
                return (
                  <tr key={i}>
                    <td><select aria-label={`Line ${n} product`} value={l.product_id} onChange={(e) => set(i, { product_id: e.target.value, list_price: "", sale_price: "" })}>
                      <option value="">choose a product…</option>
                      {products.filter((p) => p.lifecycle !== "retired" || p.id === l.product_id).map((p) => <option key={p.id} value={p.id}>{p.sku} · {p.name}</option>)}
                    </select><FieldError errors={errors} name={`${at}.product_id`} /></td>
                    <td><input aria-label={`Line ${n} quantity`} inputMode="numeric" size={5} value={l.quantity} onChange={(e) => set(i, { quantity: e.target.value })} />
                      <FieldError errors={errors} name={`${at}.quantity`} /></td>
                    <td><input aria-label={`Line ${n} list price`} inputMode="decimal" size={10} placeholder="the product's" value={l.list_price} onChange={(e) => set(i, { list_price: e.target.value })} />
                      <FieldError errors={errors} name={`${at}.list_price_minor`} /></td>
                    <td><input aria-label={`Line ${n} sale price`} inputMode="decimal" size={10} placeholder="list price" value={l.sale_price} onChange={(e) => set(i, { sale_price: e.target.value })} />
                      <FieldError errors={errors} name={`${at}.sale_price_minor`} /></td>
                    <td><input aria-label={`Line ${n} discount`} inputMode="numeric" size={4} placeholder="0" value={l.discount_percent} onChange={(e) => set(i, { discount_percent: e.target.value })} />
                      <FieldError errors={errors} name={`${at}.discount_percent`} /></td>
                    <td><input aria-label={`Line ${n} note`} value={l.description} onChange={(e) => set(i, { description: e.target.value })} />
                      <FieldError errors={errors} name={`${at}.description`} /></td>
                    <td><button type="button" className="secondary" aria-label={`Remove line ${n}`} onClick={() => setForm(form.filter((_, j) => j !== i))}>✕</button></td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          <div className="row">
            <button type="button" className="secondary" onClick={() => setForm([...form, { product_id: "", quantity: "1", list_price: "", sale_price: "", discount_percent: "", description: "" }])}>Add a product</button>
            <button type="submit">Save products</button>
            <button type="button" className="secondary" onClick={() => { setForm(null); setErrors({}); setMessage(""); }}>Cancel</button>
          </div>
        </form>
      )}
      {message && <p role="status" className={Object.keys(errors).length ? "error" : "ok"}>{message}</p>}
    </section>
  );
}
