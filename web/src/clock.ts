// The time in the app is the server's: every API response's Date header says what time the
// server reads, and "now", "today" and the dates pages start from follow it. A browser whose
// clock is wrong still shows the right day, and the tests, which start the server at a day of
// their own, see the app on that day too.

let offset = 0; // milliseconds to add to the browser's clock

// Takes the server's time from a response's Date header (second resolution: a change under two
// seconds is the header's rounding, not a different clock).
export function noteServerDate(header: string | null) {
  if (!header) return;
  const server = Date.parse(header);
  if (Number.isNaN(server)) return;
  const seen = server + 500 - Date.now();
  if (Math.abs(seen - offset) > 2000) offset = seen;
}

// Milliseconds since the epoch, as the server's clock reads them.
export function serverNow(): number {
  return Date.now() + offset;
}

export function serverDate(): Date {
  return new Date(serverNow());
}

// An instant as the API takes it: "2026-11-28T09:00:00Z".
export function instantNow(): string {
  return serverDate().toISOString().replace(/\.\d+Z$/, "Z");
}

// The UTC day `days` from today: "2026-11-28".
export function dayFromToday(days = 0): string {
  return new Date(serverNow() + days * 86400000).toISOString().slice(0, 10);
}
