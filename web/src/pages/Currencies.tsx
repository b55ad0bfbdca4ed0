// Admin: the company's currency (forecasts and reports add up in it) and the dated exchange rates
// that convert deals in other currencies: a rate holds from its day until the currency's next.
import { FormEvent, useState } from "react";
import { ApiError, api, date, getAll } from "../api";
import { FileImport } from "../fileImport";
import { useGet, useLoad } from "../data";
import { ErrorNote, FieldError } from "../problems";
import type { CompanySettings, ExchangeRate } from "../types";

type Settings = CompanySettings;
type Rate = ExchangeRate;

const loadRates = (path: string, signal: AbortSignal) => getAll<Rate>(path, signal);
// 1162500 -> "1.1625"
const asRate = (micros: number) => (micros / 1e6).toFixed(6).replace(/0+$/, "").replace(/\.$/, "");

export function Currencies() {
  const settings = useGet<Settings>("/company-settings");
  const [version, setVersion] = useState(0);
  const rates = useLoad("/exchange-rates?sort=currency&limit=500", loadRates, version);
  const company = settings.data?.currency ?? "";
  const changed = () => setVersion((v) => v + 1);
  const [failure, setFailure] = useState<unknown>(null);
  const remove = async (rate: Rate) => {
    setFailure(null);
    try {
      await api("DELETE", `/exchange-rates/${rate.id}`, undefined, { "If-Match": `"v${rate.version}"` });
    } catch (err) {
      setFailure(err);
    }
    changed();
  };
  const sorted = [...(rates.data ?? [])].sort((a, b) => a.currency.localeCompare(b.currency) || b.valid_from.localeCompare(a.valid_from));
  return (
    <div>
      <ErrorNote error={settings.error ?? rates.error ?? failure} />
      {settings.data && <CompanyCurrency settings={settings.data} onSaved={(s) => settings.setData(s)} />}
      <h2>Exchange rates</h2>
      <p className="muted">How many of a currency one {company || "unit of the company's currency"} buys, from a day on. Deals in other currencies count in forecasts and targets at the rate of their close date.</p>
      {company && <AddRate company={company} onAdded={changed} />}
      <FileImport<{ rows: number; created: number; changed: number }>
        label="Import rates from a CSV file" path="/exchange-rates/import"
        help="currency, valid_from, rate (or Salesforce's IsoCode, StartDate, ConversionRate)"
        describe={(r) => `${r.rows} rows: ${r.created} added, ${r.changed} changed.`} onImported={changed} />
      <table className="table">
        <thead><tr><th scope="col">Currency</th><th scope="col">From</th><th scope="col" className="num">Rate</th><th scope="col">Reads</th><th scope="col"><span className="sr-only">Actions</span></th></tr></thead>
        <tbody>
          {sorted.length === 0 && <tr><td colSpan={5} className="muted">No exchange rates yet: deals in other currencies are left out of the forecast.</td></tr>}
          {sorted.map((r) => (
            <tr key={r.id}>
              <td>{r.currency}</td>
              <td>{date(r.valid_from)}</td>
              <td className="num">{asRate(r.rate_micros)}</td>
              <td className="muted">1 {company} = {asRate(r.rate_micros)} {r.currency}</td>
              <td><button type="button" className="secondary" aria-label={`Delete the ${r.currency} rate from ${r.valid_from}`} onClick={() => remove(r)}>Delete</button></td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CompanyCurrency({ settings, onSaved }: { settings: Settings; onSaved: (s: Settings) => void }) {
  const [currency, setCurrency] = useState(settings.currency);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMessage("");
    try {
      const { data } = await api<Settings>("PUT", "/company-settings", { currency: currency.trim().toUpperCase() }, { "If-Match": `"v${settings.version}"` });
      setErrors({});
      setMessage("Saved.");
      onSaved(data);
    } catch (err) {
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="The company's currency">
      <label>The company's currency
        <input value={currency} size={4} maxLength={3} onChange={(e) => setCurrency(e.target.value)} aria-describedby="currency-error" />
      </label>
      <button type="submit">Save</button>
      <FieldError errors={errors} name="currency" />
      {message && <span role="status" className={Object.keys(errors).length ? "error" : "ok"}>{message}</span>}
    </form>
  );
}

function AddRate({ company, onAdded }: { company: string; onAdded: () => void }) {
  const empty = { currency: "", valid_from: "", rate: "" };
  const [values, setValues] = useState(empty);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [message, setMessage] = useState("");
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setMessage("");
    try {
      await api("POST", "/exchange-rates", {
        currency: values.currency.trim().toUpperCase(), valid_from: values.valid_from,
        rate_micros: Math.round(Number(values.rate.replace(/,/g, "")) * 1e6),
      });
      setValues(empty);
      setErrors({});
      setMessage("Added.");
      onAdded();
    } catch (err) {
      if (err instanceof ApiError) { setErrors(err.fieldErrors()); setMessage(err.message); }
    }
  };
  return (
    <form className="inline-form" onSubmit={submit} aria-label="Add an exchange rate">
      <label>Currency<input value={values.currency} size={4} maxLength={3} placeholder="EUR" onChange={(e) => setValues({ ...values, currency: e.target.value })} aria-describedby="rate-currency-error" /></label>
      <FieldError errors={errors} name="currency" prefix="rate" />
      <label>From<input type="date" value={values.valid_from} onChange={(e) => setValues({ ...values, valid_from: e.target.value })} aria-describedby="rate-valid_from-error" /></label>
      <FieldError errors={errors} name="valid_from" prefix="rate" />
      <label>{`Per 1 ${company}`}<input inputMode="decimal" size={10} placeholder="1.1625" value={values.rate} onChange={(e) => setValues({ ...values, rate: e.target.value })} aria-describedby="rate-rate_micros-error" /></label>
      <FieldError errors={errors} name="rate_micros" prefix="rate" />
      <button type="submit">Add the rate</button>
      {message && <span role="status" className={Object.keys(errors).length ? "error" : "ok"}>{message}</span>}
    </form>
  );
}
