// The web app in a real browser (Debian's chromium through playwright-core) against the real
// rapport binary serving the demo company. Screenshots of each main page go to
// RAPPORT_E2E_OUT (default test-output/e2e).
//
// The database is SQLite (a file in a temporary folder) unless RAPPORT_E2E_BACKEND=postgres: then
// a fresh database rapport_e2e_<pid> on the server RAPPORT_TEST_POSTGRES_URL (its maintenance
// database, e.g. postgresql://postgres@127.0.0.1:5432/postgres), dropped afterwards; screenshots
// go to RAPPORT_E2E_OUT/postgres. Without RAPPORT_TEST_POSTGRES_URL that mode skips every test.
import { test as nodeTest, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const binary = process.env.RAPPORT_BINARY;
// The app the binary has inside, unless RAPPORT_WEB_ROOT names a build to serve instead.
const webRoot = process.env.RAPPORT_WEB_ROOT ? resolve(process.env.RAPPORT_WEB_ROOT) : null;
const postgres = process.env.RAPPORT_E2E_BACKEND === "postgres";
if (process.env.RAPPORT_E2E_BACKEND && !["postgres", "sqlite"].includes(process.env.RAPPORT_E2E_BACKEND)) {
  throw new Error(`RAPPORT_E2E_BACKEND must be sqlite or postgres, not ${process.env.RAPPORT_E2E_BACKEND}`);
}
const pgServer = process.env.RAPPORT_TEST_POSTGRES_URL;
const skip = postgres && !pgServer ? "RAPPORT_TEST_POSTGRES_URL is not set: no PostgreSQL to run the browser tests against" : false;
if (skip) console.log(skip);
const out = resolve(process.env.RAPPORT_E2E_OUT ?? "../test-output/e2e", postgres ? "postgres" : ".");
// Every test of the file, skipped with the reason when there is no database to run against.
const test = (name, fn) => nodeTest(name, { skip }, fn);
let server, base, browser, dir;
let admin, rep; // { email, token }

async function call(method, path, token, body) {
  const response = await fetch(base + "/api/v1" + path, {
    method,
    headers: { ...(token ? { Authorization: `Bearer ${token}` } : {}), ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : null };
}

async function login(email) {
  const r = await call("POST", "/auth/login", null, { email, password: "rapport-demo" });
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return { email, token: r.json.token };
}

// What the browser refused under the app's Content-Security-Policy (an inline style or script
// the policy does not allow): every page of every test is watched, and a screenshot asserts none.
const policyViolations = [];
function watchPolicy(page) {
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) policyViolations.push(`${page.url()}: ${message.text()}`);
  });
  return page;
}

async function newPage(viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, locale: "en-GB" });
  return watchPolicy(await context.newPage());
}

async function signIn(page, email, next = "/") {
  await page.goto(base + next);
  await page.waitForURL(/\/login/);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill("rapport-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("button", { name: "Sign out" }).waitFor();
}

async function shot(page, name) {
  await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
  assert.deepEqual(policyViolations, [], "the app broke its own Content-Security-Policy");
}

async function expectAccessible(page, what) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.length} × ${v.help}`), [], `${what} has accessibility violations`);
}

// The test's database: the SQLite file, or the PostgreSQL database's URL and name.
let dbFile, dbUrl, pgName;

function run(command, args, what) {
  const r = spawnSync(command, args, { encoding: "utf8" });
  if (r.error) throw new Error(`${what}: cannot run ${command}: ${r.error.message}`);
  assert.equal(r.status, 0, `${what} failed: ${r.stderr}`);
  return r.stdout;
}

// Runs SQL on the server's maintenance database (CREATE and DROP DATABASE).
function psqlAdmin(statement) {
  return run("psql", ["-X", "-q", "-v", "ON_ERROR_STOP=1", pgServer, "-c", statement], statement);
}

// Runs SQL directly on the test's database, behind the server's back (to move time on for a
// record); returns what it printed, one row a line, columns separated by "|".
function sql(statement) {
  return postgres
    ? run("psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", dbUrl, "-c", statement], statement)
    : run("sqlite3", ["-batch", "-cmd", ".timeout 10000", dbFile, statement], statement);
}

// A time as the database stores it: microseconds since the epoch (UTC).
const micros = (ms) => Math.round(ms) * 1000;

// The tests' clock, whatever the date: 09:00 UTC on the demo company's day when the file starts,
// running on (the system clock moved by a fixed offset). The binary is started on it (RAPPORT_TEST_NOW) and the app takes its time from the
// server, so every date a test expects follows from this, not from the day the suite runs.
const testOffset = Date.UTC(2026, 10, 28, 9, 0, 0) - Date.now(); // ms from the system clock
const testNow = () => Date.now() + testOffset;
const testDay = "2026-11-28";
// The UTC day `n` days from the tests' today.
const dayUtc = (n) => new Date(testNow() + n * 86400000).toISOString().slice(0, 10);
// The environment of a rapport command: the tests' clock, as its offset from the system's.
const onTestClock = () => ({ ...process.env, RAPPORT_TEST_NOW: `${testOffset < 0 ? "-" : "+"}${(Math.abs(testOffset) / 1000).toFixed(3)}` });
// The browser runs on the machine's own clock: under faketime (the suite run with the clock moved)
// it is left out, as a user's laptop would be; the app takes its time from the server anyway.
function browserEnvironment() {
  const env = { ...process.env };
  if ((env.LD_PRELOAD ?? "").includes("faketime")) {
    delete env.LD_PRELOAD;
    for (const key of Object.keys(env)) if (key.startsWith("FAKETIME")) delete env[key];
  }
  return env;
}
// A suffix that makes a name unique within the run.
let uniqueCount = 0;
const unique = () => `${process.pid}-${++uniqueCount}`;

before(async () => {
  if (skip) return;
  assert.ok(binary, "set RAPPORT_BINARY to the rapport binary");
  mkdirSync(out, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), "rapport-e2e-"));
  let db;
  if (postgres) {
    pgName = `rapport_e2e_${process.pid}`;
    psqlAdmin(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
    psqlAdmin(`CREATE DATABASE ${pgName}`);
    const url = new URL(pgServer);
    url.pathname = `/${pgName}`;
    db = dbUrl = url.toString();
  } else {
    db = dbFile = join(dir, "e2e.db");
  }
  const demo = spawnSync(binary, ["demo", "--db", db, "--seed", "7", "--as-of", testDay], { encoding: "utf8", env: onTestClock() });
  assert.equal(demo.status, 0, demo.stderr);
  server = spawn(binary, ["serve", "--db", db, "--listen", "127.0.0.1:0", ...(webRoot ? ["--web-root", webRoot] : [])], { stdio: ["ignore", "pipe", "ignore"], env: onTestClock() });
  const exited = new Promise((ok) => server.on("exit", ok));
  server.exited = exited;
  base = await new Promise((ok, fail) => {
    let text = "";
    server.stdout.on("data", (d) => {
      text += d;
      const m = text.match(/at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) ok(m[1]);
    });
    exited.then((code) => fail(new Error(`rapport serve exited with ${code}`)));
  });
  admin = await login("admin@medequip.example");
  const reps = await call("GET", "/users?role=rep&status=active&limit=1", admin.token);
  rep = await login(reps.json.items[0].email);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    env: browserEnvironment(),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null && server.signalCode === null) {
    server.kill("SIGTERM");
    // The database goes only once the server has let go of it.
    const timer = setTimeout(() => server.kill("SIGKILL"), 20000);
    await server.exited;
    clearTimeout(timer);
  }
  if (pgName) psqlAdmin(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("a rep signs in and lands on My day", async () => {
  const page = await newPage();
  await signIn(page, rep.email);
  await page.getByRole("heading", { name: "My day" }).waitFor();
  await page.getByRole("heading", { name: /My tasks/ }).waitFor();
  await expectAccessible(page, "My day");
  await shot(page, "my-day-rep");
});

test("a rep makes a calendar address on My day, a calendar app reads it without signing in, and the rep stops it", async () => {
  const page = await newPage();
  await signIn(page, rep.email);
  const card = page.getByRole("region", { name: "My calendar in Outlook or Google" });
  await card.getByRole("button", { name: "Make a calendar address" }).click();
  const address = await card.getByLabel(/Calendar address/).inputValue();
  assert.match(address, /\/api\/v1\/calendar\/cal_/);
  // A calendar app: no session, no token.
  const feed = await fetch(address);
  assert.equal(feed.status, 200);
  assert.match(feed.headers.get("content-type"), /^text\/calendar/);
  const text = await feed.text();
  assert.match(text, /^BEGIN:VCALENDAR\r\n/);
  assert.match(text, /END:VCALENDAR\r\n$/);
  await expectAccessible(page, "My day with a calendar address");
  await shot(page, "my-day-calendar-feed");
  await card.getByRole("button", { name: "Stop the address" }).click();
  await card.getByRole("button", { name: "Make a calendar address" }).waitFor();
  assert.equal((await fetch(address)).status, 404);
  assert.equal((await call("GET", "/calendar-feed", rep.token)).json.active, false);
});

test("an admin signs in and sees every account", async () => {
  const page = await newPage();
  await signIn(page, admin.email, "/accounts");
  await page.getByRole("heading", { name: "Accounts" }).waitFor();
  await page.locator("tbody tr").first().waitFor();
  assert.equal(await page.locator("tbody tr").count(), 50);
  await page.getByLabel("Type").selectOption("hospital");
  await page.waitForFunction(() => [...document.querySelectorAll("tbody tr td:nth-child(2)")].every((td) => td.textContent === "hospital"));
  await expectAccessible(page, "Accounts");
  await shot(page, "accounts-admin");
});

test("find an account by search and log a call that shows on its timeline", async () => {
  const mine = await call("GET", "/accounts?type=hospital&limit=1", rep.token);
  const account = mine.json.items[0];
  const page = await newPage();
  await signIn(page, rep.email);
  await page.keyboard.press("Control+k");
  await page.keyboard.type(account.name.split(" ").slice(0, 2).join(" "));
  await page.getByRole("button", { name: new RegExp(account.name) }).first().click();
  await page.getByRole("heading", { level: 1, name: account.name }).waitFor();
  await expectAccessible(page, "the account page");
  await shot(page, "account-360");

  const subject = `Check-in after training ${unique()}`;
  const form = page.locator("form.logcall");
  await form.getByLabel("Subject").fill(subject);
  await form.getByRole("checkbox").first().check();
  await form.getByLabel("Outcome").fill("Happy with the pumps; wants a second trainer");
  await form.getByLabel("Follow-up due").fill("2026-12-15");
  await form.getByRole("button", { name: "Log it" }).click();
  await page.locator(".timeline li", { hasText: subject }).waitFor();
  const logged = await call("GET", `/activities?account_id=${account.id}&sort=-occurred_at&limit=1`, rep.token);
  assert.equal(logged.json.items[0].subject, subject);
  assert.equal(logged.json.items[0].contact_ids.length, 1);
});

test("a failed save keeps what was typed and says what is wrong next to the field", async () => {
  const mine = await call("GET", "/accounts?limit=1", rep.token);
  const page = await newPage();
  await signIn(page, rep.email, `/accounts/${mine.json.items[0].id}`);
  const form = page.locator("form.logcall");
  const tooLong = "x".repeat(301);
  await form.getByLabel("Subject").fill(tooLong);
  await form.getByLabel("Outcome").fill("This text must survive the failed save");
  await form.getByRole("button", { name: "Log it" }).click();
  await form.locator("#subject-error").waitFor();
  assert.match(await form.locator("#subject-error").textContent(), /longer than 300/);
  assert.equal(await form.getByLabel("Subject").inputValue(), tooLong);
  assert.equal(await form.getByLabel("Outcome").inputValue(), "This text must survive the failed save");
  await shot(page, "failed-save-keeps-input");
});

test("an opportunity moves on the pipeline board", async () => {
  const page = await newPage();
  await signIn(page, rep.email, "/pipeline");
  await page.getByRole("heading", { name: "Pipeline" }).waitFor();
  const first = page.locator('[data-stage="prospecting"] .deal').first();
  await first.waitFor();
  const id = await first.getAttribute("data-id");
  const card = page.locator(`.deal[data-id="${id}"]`);
  await card.scrollIntoViewIfNeeded();
  await card.dragTo(page.locator('[data-stage="qualification"] h2'));
  const status = await page.getByRole("status").textContent({ timeout: 5000 }).catch(() => "(no status)");
  await page.locator(`[data-stage="qualification"] .deal[data-id="${id}"]`).waitFor({ timeout: 5000 }).catch(async (e) => {
    await shot(page, "pipeline-failed");
    throw new Error(`the card did not move: ${status}: ${e.message}`);
  });
  const after = await call("GET", `/opportunities/${id}`, rep.token);
  assert.equal(after.json.stage, "qualification");
  await expectAccessible(page, "the pipeline");
  await shot(page, "pipeline");
});

test("a rep cannot open another territory's account by its URL", async () => {
  const mine = new Set((await call("GET", "/accounts?limit=500", rep.token)).json.items.map((a) => a.id));
  const all = (await call("GET", "/accounts?limit=500", admin.token)).json.items;
  const foreign = all.find((a) => !mine.has(a.id));
  const page = await newPage();
  await signIn(page, rep.email, `/accounts/${foreign.id}`);
  await page.getByRole("heading", { name: "Account not found" }).waitFor();
  assert.equal(await page.getByText(foreign.name).count(), 0);
});

test("an expired session returns to where the user was after signing in again", async () => {
  const page = await newPage();
  await signIn(page, rep.email, "/pipeline");
  await page.getByRole("heading", { name: "Pipeline" }).waitFor();
  await page.context().clearCookies();
  await page.goto(base + "/accounts?status=customer");
  await page.waitForURL(/\/login\?next=/);
  await page.getByLabel("Email").fill(rep.email);
  await page.getByLabel("Password").fill("rapport-demo");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(/\/accounts\?status=customer/);
});

test("works on a 768-pixel-wide tablet", async () => {
  const page = await newPage({ width: 768, height: 1024 });
  const mine = await call("GET", "/accounts?type=hospital&limit=1", rep.token);
  await signIn(page, rep.email, `/accounts/${mine.json.items[0].id}`);
  await page.locator("form.logcall").waitFor();
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `the page is ${overflow}px wider than the tablet`);
  await shot(page, "account-360-tablet");
});

test("an admin adds a user, changes their role and marks them left", async () => {
  const page = await newPage();
  await signIn(page, admin.email, "/admin/users");
  await page.getByRole("heading", { name: "Admin: Users" }).waitFor();
  const form = page.getByRole("form", { name: "Add to Users" });
  const email = `new.starter.${unique()}@medequip.example`;
  await form.getByLabel("Name").fill("Aaron Newstarter");
  await form.getByLabel("Email").fill("not-an-email");
  await form.getByLabel("Role").selectOption("rep");
  await form.getByRole("button", { name: "Add" }).click();
  await form.locator(".error").first().waitFor();
  assert.equal(await form.getByLabel("Name").inputValue(), "Aaron Newstarter", "the failed save kept the input");
  await form.getByLabel("Email").fill(email);
  await form.getByRole("button", { name: "Add" }).click();
  await form.getByRole("status").filter({ hasText: "Added." }).waitFor();
  const row = page.locator("tr", { hasText: email });
  await row.waitFor();
  await row.getByRole("button", { name: /Edit/ }).click();
  await row.getByLabel("Role").selectOption("account_manager");
  await row.getByLabel("Status").selectOption("left");
  await row.getByRole("button", { name: "Save" }).click();
  await page.locator("tr", { hasText: email }).getByText("left").waitFor();
  const users = await call("GET", "/users?status=left&limit=500", admin.token);
  const saved = users.json.items.find((u) => u.email === email);
  assert.equal(saved.role, "account_manager");
  assert.ok(saved.left_at);
  await expectAccessible(page, "Admin: Users");
  await shot(page, "admin-users");
});

test("a stale edit says someone else changed the record and offers to reload", async () => {
  const account = (await call("GET", "/accounts?type=hospital&limit=1", rep.token)).json.items[0];
  const page = await newPage();
  await signIn(page, rep.email, `/accounts/${account.id}`);
  await page.getByRole("button", { name: "Edit details" }).click();
  const form = page.getByRole("form", { name: /Edit details/ });
  await form.getByLabel(/^Region/).fill("Typed before the other change");
  // Someone else saves first.
  const current = await fetch(`${base}/api/v1/accounts/${account.id}`, { headers: { Authorization: `Bearer ${admin.token}` } });
  const changed = await call("PATCH", `/accounts/${account.id}`, admin.token, { postcode: "ZZ1 1ZZ" });
  assert.equal(changed.status, 200, JSON.stringify(changed.json));
  assert.ok(current.ok);
  await form.getByRole("button", { name: "Save" }).click();
  await form.getByRole("alert").filter({ hasText: "Someone else changed" }).waitFor();
  assert.equal(await form.getByLabel(/^Region/).inputValue(), "Typed before the other change");
  await shot(page, "stale-edit");
  await form.getByRole("button", { name: "Reload it" }).click();
  await page.waitForFunction(() => document.querySelector('input[aria-invalid]') !== null);
  assert.equal(await form.getByLabel(/^Postcode/).inputValue(), "ZZ1 1ZZ");
});

test("an account's details: its address, switchboard and size edited and shown, a bad country named", async () => {
  const created = await call("POST", "/accounts", rep.token, { name: "Airedale General Hospital", type: "hospital" });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const page = await newPage();
  await signIn(page, rep.email, `/accounts/${created.json.id}`);
  await page.getByRole("button", { name: "Edit details" }).click();
  const form = page.getByRole("form", { name: /Edit details/ });
  await form.getByLabel(/^Street/).fill("Skipton Road\nSteeton");
  await form.getByLabel(/^City/).fill("Keighley");
  await form.getByLabel(/^Postcode/).fill("BD20 6TD");
  await form.getByLabel(/^Country/).fill("Narnia");
  await form.getByLabel("Switchboard").fill("01535 652511");
  await form.getByLabel("Beds").fill("350");
  await form.getByRole("button", { name: "Save" }).click();
  await form.locator("#country-error").filter({ hasText: "ISO 3166-1" }).waitFor();
  assert.equal((await call("GET", `/accounts/${created.json.id}`, rep.token)).json.city, null, "a refused save writes nothing");
  await form.getByLabel(/^Country/).fill("gb");
  await form.getByRole("button", { name: "Save" }).click();
  await form.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  const stored = (await call("GET", `/accounts/${created.json.id}`, rep.token)).json;
  assert.deepEqual([stored.street, stored.city, stored.country, stored.phone, stored.beds], ["Skipton Road\nSteeton", "Keighley", "GB", "01535 652511", 350]);
  await form.getByRole("button", { name: "Close" }).click();
  const details = page.getByRole("region", { name: "Details", exact: true });
  await details.getByText("Steeton").waitFor();
  assert.match(await details.locator("address").first().innerText(), /Skipton Road\s+Steeton\s+Keighley\s+BD20 6TD\s+GB/);
  assert.equal(await details.getByRole("link", { name: "01535 652511" }).getAttribute("href"), "tel:01535652511");
  await details.getByText("350 beds").waitFor();
  await expectAccessible(page, "Account details");
  await shot(page, "account-details");
});

test("custom fields: an admin adds them, a rep fills them in on an account, a bad value named", async () => {
  const page = await newPage();
  await signIn(page, admin.email, "/admin/custom-fields");
  const add = page.getByRole("form", { name: "Add a custom field" });
  await add.getByLabel("Label").fill("Trust tier");
  await add.getByLabel("Type").selectOption("picklist");
  await add.getByLabel("Options, one per line").fill("Tier 1\nTier 2\nTier 3");
  await add.getByRole("button", { name: "Add field" }).click();
  await add.getByRole("status").filter({ hasText: "Added Trust tier." }).waitFor();
  await add.getByLabel("Label").fill("ICU beds");
  await add.getByLabel("Type").selectOption("number");
  await add.getByLabel("Smallest").fill("0");
  await add.getByRole("button", { name: "Add field" }).click();
  await add.getByRole("status").filter({ hasText: "Added ICU beds." }).waitFor();
  await page.getByRole("cell", { name: "icu_beds" }).waitFor();
  await expectAccessible(page, "Admin custom fields");
  await shot(page, "admin-custom-fields");

  const created = await call("POST", "/accounts", rep.token, { name: "Calderdale Royal Hospital", type: "hospital" });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const account = await newPage();
  await signIn(account, rep.email, `/accounts/${created.json.id}`);
  await account.getByRole("button", { name: "Edit details" }).click();
  const form = account.getByRole("form", { name: /Edit details/ });
  await form.getByLabel("Trust tier").selectOption({ label: "Tier 2" });
  await form.getByLabel("ICU beds").fill("-4");
  await form.getByRole("button", { name: "Save" }).click();
  await form.locator("[id='custom.icu_beds-error']").filter({ hasText: "at least 0" }).waitFor();
  assert.deepEqual((await call("GET", `/accounts/${created.json.id}`, rep.token)).json.custom, {}, "a refused save writes nothing");
  await form.getByLabel("ICU beds").fill("16");
  await form.getByRole("button", { name: "Save" }).click();
  await form.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  assert.deepEqual((await call("GET", `/accounts/${created.json.id}`, rep.token)).json.custom, { trust_tier: "Tier 2", icu_beds: 16 });
  await form.getByRole("button", { name: "Close" }).click();
  const details = account.getByRole("region", { name: "Details", exact: true });
  await details.getByText("Tier 2").waitFor();
  await details.getByText("16", { exact: true }).waitFor();
  await account.getByRole("listitem").filter({ hasText: /ICU beds: — → 16/ }).waitFor();
  await account.getByRole("listitem").filter({ hasText: /Trust tier: — → Tier 2/ }).waitFor();
  await expectAccessible(account, "Account custom fields");
  await shot(account, "account-custom-fields");

  // The accounts list sorts by a custom field, its values in a column of their own.
  await account.goto(`${base}/accounts`);
  await account.getByLabel("Sort by").selectOption({ label: "ICU beds, highest first" });
  await account.getByRole("columnheader", { name: "ICU beds" }).waitFor();
  const firstRow = account.getByRole("row").nth(1);
  await firstRow.getByRole("link", { name: "Calderdale Royal Hospital" }).waitFor();
  await firstRow.getByRole("cell", { name: "16", exact: true }).waitFor();
  assert.match(account.url(), /sort=-custom\.icu_beds/);

  // A case's fields are a card of their own on its page.
  const field = await call("POST", "/custom-fields", admin.token, { record_type: "cases", label: "Device serial", type: "text", max_length: 12 });
  assert.equal(field.status, 201, JSON.stringify(field.json));
  const kase = (await call("GET", "/cases?limit=1", rep.token)).json.items[0];
  await account.goto(`${base}/cases/${kase.id}`);
  const card = account.getByRole("region", { name: "More fields" });
  await card.getByRole("button", { name: "Edit fields" }).click();
  await card.getByLabel("Device serial").fill("SN-0000-0000-0000");
  await card.getByRole("button", { name: "Save" }).click();
  await card.locator("[id='custom.device_serial-error']").filter({ hasText: "longer than 12" }).waitFor();
  await card.getByLabel("Device serial").fill("SN-4471");
  await card.getByRole("button", { name: "Save" }).click();
  await card.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  await card.getByText("SN-4471").waitFor();
  assert.equal((await call("GET", `/cases/${kase.id}`, rep.token)).json.custom.device_serial, "SN-4471");
});

test("contacts and tasks pages list what is in reach", async () => {
  // One advocate opted out of email: the list says so instead of offering a mail link.
  const advocate = (await call("GET", "/contacts?stance=advocate&sort=last_name&limit=1", rep.token)).json.items[0];
  const optedOut = await call("PATCH", `/contacts/${advocate.id}`, rep.token, { email_opted_out: true, consent_on: "2026-11-02", consent_source: "unsubscribe link" });
  assert.equal(optedOut.status, 200, JSON.stringify(optedOut.json));
  const page = await newPage();
  await signIn(page, rep.email, "/contacts?stance=advocate");
  await page.locator("tbody tr").first().waitFor();
  const stances = await page.locator("tbody tr td:nth-child(4)").allTextContents();
  assert.ok(stances.length > 0 && stances.every((s) => s === "advocate"));
  const row = page.locator("tbody tr").filter({ hasText: `${advocate.first_name} ${advocate.last_name}` }).first();
  await row.getByText("No email").waitFor();
  assert.equal(await row.getByRole("link", { name: advocate.email ?? "" }).count(), 0);
  // Back as they were, for the tests that survey or introduce them.
  assert.equal((await call("PATCH", `/contacts/${advocate.id}`, rep.token, { email_opted_out: false })).status, 200);
  await expectAccessible(page, "Contacts");
  await shot(page, "contacts");
  await page.getByRole("link", { name: "Tasks" }).click();
  await page.getByRole("heading", { name: "My tasks" }).waitFor();
  const first = page.locator("tbody tr").first();
  const subject = await first.locator("td").first().textContent();
  await first.getByRole("button", { name: /done/ }).click();
  await page.getByRole("status").filter({ hasText: `Done: ${subject}` }).waitFor();
  await expectAccessible(page, "Tasks");
});

test("filters by territory and owner and keeps them as a saved view", async () => {
  const page = await newPage();
  await signIn(page, admin.email, "/accounts");
  await page.locator("tbody tr").first().waitFor();
  const territory = (await call("GET", "/territories?limit=500", admin.token)).json.items.find((t) => t.parent_id !== null);
  await page.getByLabel("Territory").selectOption(territory.id);
  await page.getByLabel("Status").selectOption("customer");
  await page.waitForURL((url) => url.searchParams.get("territory_id") === territory.id && url.searchParams.get("status") === "customer");
  const expected = await call("GET", `/accounts?territory_id=${territory.id}&status=customer&limit=50&sort=name`, admin.token);
  // The table shows the previous filter's rows until the new answer arrives: wait for the new first row.
  await page.waitForFunction((name) => document.querySelector("tbody tr td:first-child")?.textContent === name, expected.json.items[0].name, { timeout: 10000 }).catch(() => {});
  assert.equal(await page.locator("tbody tr td:first-child").first().textContent(), expected.json.items[0].name);
  await page.getByLabel("Save these filters as").fill("Customers in my patch");
  await page.getByRole("button", { name: "Save view" }).click();
  await page.getByRole("button", { name: "Customers in my patch", exact: true }).waitFor();
  await page.goto(base + "/accounts");
  await page.getByRole("button", { name: "Customers in my patch", exact: true }).click();
  await page.waitForURL(/territory_id=/);
  assert.equal(await page.getByLabel("Territory").inputValue(), territory.id);
  await shot(page, "accounts-saved-view");
});

test("logs a call from My day without opening the account", async () => {
  const account = (await call("GET", "/accounts?type=hospital&limit=1", rep.token)).json.items[0];
  const page = await newPage();
  await signIn(page, rep.email);
  const quick = page.getByRole("region", { name: "Log a call or visit" });
  await quick.getByLabel("Account").fill(account.name.split(" ").slice(0, 2).join(" "));
  await quick.getByRole("button", { name: account.name }).first().click();
  const subject = `Quick call ${unique()}`;
  await quick.getByLabel("Subject").fill(subject);
  await quick.getByRole("button", { name: "Log it" }).click();
  await quick.getByRole("status").filter({ hasText: "Logged." }).waitFor();
  await page.getByRole("region", { name: "This week's calls and visits" }).getByText(subject).waitFor();
  const logged = await call("GET", `/activities?account_id=${account.id}&sort=-occurred_at&limit=1`, rep.token);
  assert.equal(logged.json.items[0].subject, subject);
  await shot(page, "my-day-quick-log");
});

test("the relationship-risk report ranks customer accounts by revenue with their risks", async () => {
  const expected = await call("GET", "/reports/relationship-risk?limit=5", admin.token);
  assert.ok(expected.json.items.length > 0);
  const page = await newPage();
  await signIn(page, admin.email, "/continuity");
  await page.getByRole("heading", { name: "Relationship risk" }).waitFor();
  await page.waitForFunction((name) => document.querySelector("tbody tr td:nth-child(2) a")?.textContent === name, expected.json.items[0].name, { timeout: 10000 }).catch(() => {});
  assert.equal(await page.locator("tbody tr td:nth-child(2) a").first().textContent(), expected.json.items[0].name);
  await page.getByRole("status").filter({ hasText: `${expected.json.total} customer accounts` }).waitFor();
  await expectAccessible(page, "Relationship risk");
  await shot(page, "relationship-risk");
});

test("an admin hands over a leaver's accounts through the wizard and follows its progress", async () => {
  const reps = (await call("GET", "/users?role=rep&status=active&limit=50&sort=name", admin.token)).json.items.filter((u) => u.email !== rep.email);
  const leaver = reps[reps.length - 1];
  const successor = reps[0];
  const plan = await call("POST", "/handovers", admin.token, { from_user_id: leaver.id, successor_user_id: successor.id, reason: "resigned", dry_run: true });
  assert.equal(plan.status, 200, JSON.stringify(plan.json));
  const moving = plan.json.counts.account;
  assert.ok(moving > 0, "the leaver owns accounts");

  const page = await newPage();
  await signIn(page, admin.email, "/continuity/new");
  await page.getByLabel("Who is handing over").selectOption(leaver.id);
  await page.getByRole("combobox", { name: /^Successor/ }).selectOption(successor.id);
  await page.getByRole("button", { name: "See the plan" }).click();
  const region = page.getByRole("region", { name: "The plan" });
  await region.waitFor();
  await region.getByText(`${moving} accounts`, { exact: false }).first().waitFor();
  await region.getByRole("heading", { name: "Before you commit" }).waitFor();
  await expectAccessible(page, "Handover plan");
  await shot(page, "handover-plan");
  // Nothing has moved yet.
  assert.equal((await call("GET", `/accounts?owner_id=${leaver.id}&limit=1`, admin.token)).json.items.length, 1);

  await region.getByRole("button", { name: `Hand over ${moving} accounts` }).click();
  await page.waitForURL(/\/continuity\/handovers\/\d+$/);
  const table = page.getByRole("table", { name: "Accounts handed over" });
  await table.locator("tbody tr").first().waitFor();
  assert.equal(await table.locator("tbody tr").count(), moving);
  assert.equal((await call("GET", `/accounts?owner_id=${leaver.id}&limit=1`, admin.token)).json.items.length, 0);
  assert.equal((await call("GET", `/users/${leaver.id}`, admin.token)).json.status, "left");
  await expectAccessible(page, "Handover progress");
  await shot(page, "handover-progress");

  await page.getByRole("navigation", { name: "Continuity" }).getByRole("link", { name: "Handovers" }).click();
  await page.getByRole("link", { name: leaver.name }).waitFor();
});

test("an admin edits the introduction sent when someone resigns", async () => {
  const page = await newPage();
  await signIn(page, admin.email, "/admin/templates");
  await page.getByRole("button", { name: "Edit resigned" }).click();
  const subject = `We are still here for you ${unique()}`;
  await page.getByRole("textbox", { name: "Subject" }).fill(subject);
  await page.getByRole("button", { name: "Save" }).click();
  // The editing cell's name includes the textbox's value: wait for the saved row itself.
  await page.getByRole("textbox", { name: "Subject" }).waitFor({ state: "detached" });
  await page.getByRole("cell", { name: subject }).waitFor();
  const stored = await call("GET", "/message_templates?reason=resigned", admin.token);
  assert.equal(stored.json.items[0].subject, subject);
  await shot(page, "admin-introductions");
});

test("a rep fills in a Blue Sheet, sees its red flags go, and prints it on one page", async () => {
  const me = (await call("GET", "/auth/me", rep.token)).json;
  const deals = (await call("GET", `/opportunities?owner_id=${me.id}&stage=proposal&limit=50`, rep.token)).json.items;
  let deal = null, sheet = null;
  for (const d of deals) {
    const s = (await call("GET", `/opportunities/${d.id}/blue-sheet`, rep.token)).json;
    if (s.red_flags.some((f) => f.code === "no_economic_buyer")) { deal = d; sheet = s; break; }
  }
  assert.ok(deal, "one of the rep's deals has no economic buyer yet");
  const contacts = (await call("GET", `/contacts?account_id=${deal.account_id}&limit=50`, rep.token)).json.items
    .filter((c) => !c.left_at && !sheet.buying_influences.some((b) => b.contact_id === c.id));
  assert.ok(contacts.length > 0);
  const contact = contacts[0];
  const name = `${contact.first_name} ${contact.last_name}`;

  const page = await newPage();
  await signIn(page, rep.email, `/opportunities/${deal.id}/blue-sheet`);
  await page.getByRole("heading", { name: /^Blue Sheet/ }).waitFor();
  await page.getByRole("region", { name: /Red flags/ }).getByText("No economic buyer identified").waitFor();
  await page.getByLabel("Add a buying influence").selectOption(contact.id);
  await page.getByRole("button", { name: "Add", exact: true }).click();
  await page.getByLabel(`${name}: Economic buyer`).check();
  await page.getByLabel(`${name}: rating`).selectOption("2");
  await page.getByLabel(`${name}: win theme`).fill("recognition");
  await page.getByRole("button", { name: "Save the Blue Sheet" }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  assert.equal(await page.getByText("No economic buyer identified").count(), 0);
  const stored = (await call("GET", `/opportunities/${deal.id}/blue-sheet`, rep.token)).json;
  const influence = stored.buying_influences.find((b) => b.contact_id === contact.id);
  assert.deepEqual(influence.roles, ["economic_buyer"]);
  assert.equal(influence.rating, 2);
  await expectAccessible(page, "the Blue Sheet");
  await shot(page, "blue-sheet");
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator("header.top").isVisible(), false, "the header prints");
  await page.pdf?.({ path: join(out, "blue-sheet.pdf"), format: "A4", landscape: true }).catch(() => {});
  await shot(page, "blue-sheet-print");
});

test("a rep puts products on a deal, and its amount becomes their total", async () => {
  const me = (await call("GET", "/auth/me", rep.token)).json;
  const made = [];
  for (const [sku, name, price] of [["E2E-PUMP", "Volumetric pump", 120000], ["E2E-SET", "Giving set", 1550]]) {
    const r = await call("POST", "/products", admin.token, { sku, name, family: "Infusion", list_price_minor: price, currency: "GBP" });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    made.push(r.json);
  }
  const deal = (await call("GET", `/opportunities?owner_id=${me.id}&stage=qualification&limit=1`, rep.token)).json.items[0];
  assert.ok(deal, "the rep has a deal in qualification");
  assert.equal(deal.currency, "GBP");

  const page = await newPage();
  await signIn(page, rep.email, `/opportunities/${deal.id}/blue-sheet`);
  const card = page.getByRole("region", { name: "Products" });
  await card.getByText("No products on this deal yet").waitFor();
  await card.getByRole("button", { name: "Edit products" }).click();
  await card.getByRole("button", { name: "Add a product" }).click();
  await card.getByLabel("Line 1 product").selectOption(made[0].id);
  await card.getByLabel("Line 1 quantity").fill("2");
  await card.getByLabel("Line 1 discount").fill("10");
  await card.getByRole("button", { name: "Add a product" }).click();
  await card.getByLabel("Line 2 product").selectOption(made[1].id);
  await card.getByLabel("Line 2 quantity").fill("0");
  await card.getByLabel("Line 2 sale price").fill("14.00");
  await card.getByRole("button", { name: "Save products" }).click();
  // A bad quantity is named next to its input, and nothing is saved.
  await card.locator(".error").filter({ hasText: /at least 1|less than 1|out of range/ }).first().waitFor();
  assert.equal((await call("GET", `/opportunities/${deal.id}`, rep.token)).json.line_items.length, 0);
  await card.getByLabel("Line 2 quantity").fill("100");
  await card.getByRole("button", { name: "Save products" }).click();
  await card.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  // 2 × 1,200.00 less 10% + 100 × 14.00
  await card.getByTestId("deal-total").filter({ hasText: "3,560.00" }).waitFor();
  await card.getByRole("row", { name: /Volumetric pump.*E2E-PUMP.*2.*10%.*2,160\.00/ }).waitFor();
  await page.getByText(/· £3,560 ·/).waitFor(); // the sheet's header has the new amount
  const stored = (await call("GET", `/opportunities/${deal.id}`, rep.token)).json;
  assert.equal(stored.amount_minor, 356000);
  assert.deepEqual(stored.line_items.map((l) => [l.sku, l.quantity, l.total_minor]), [["E2E-PUMP", 2, 216000], ["E2E-SET", 100, 140000]]);
  await expectAccessible(page, "the deal's products");
  await shot(page, "deal-products");
});

test("closing a deal as lost asks why and schedules a revisit", async () => {
  const me = (await call("GET", "/auth/me", rep.token)).json;
  const page = await newPage();
  await signIn(page, rep.email, "/pipeline");
  const card = page.locator('[data-stage="negotiation"] .deal').first();
  await card.waitFor();
  const id = await card.getAttribute("data-id");
  await card.scrollIntoViewIfNeeded();
  await card.dragTo(page.locator('[data-stage="closed_lost"] h2'));
  const form = page.getByRole("form", { name: "Why was it lost" });
  await form.waitFor();
  await form.getByLabel("Why was it lost").fill("Price: lost to a framework deal");
  await form.getByLabel("Who won").fill("Acme Medical");
  await form.getByRole("button", { name: "Close as lost" }).click();
  await page.locator(`[data-stage="closed_lost"] .deal[data-id="${id}"]`).waitFor();
  const after = (await call("GET", `/opportunities/${id}`, rep.token)).json;
  assert.equal(after.stage, "closed_lost");
  assert.equal(after.won_by, "Acme Medical");
  const tasks = (await call("GET", `/tasks?owner_id=${me.id}&limit=500`, rep.token)).json.items;
  assert.ok(tasks.some((t) => String(t.related_id) === id && t.subject.startsWith("Revisit lost deal") && t.due_on === after.revisit_on), "a revisit task");
});

test("the stakeholder map draws who reports to whom and a drag changes it", async () => {
  const accounts = (await call("GET", "/accounts?type=hospital&limit=50", admin.token)).json.items;
  let account = null, contacts = [];
  for (const a of accounts) {
    contacts = (await call("GET", `/contacts?account_id=${a.id}&limit=50`, admin.token)).json.items.filter((c) => !c.left_at);
    if (contacts.length >= 3) { account = a; break; }
  }
  assert.ok(account, "a hospital with three contacts");
  const page = await newPage();
  await signIn(page, admin.email, `/accounts/${account.id}`);
  await page.getByRole("link", { name: "Stakeholder map" }).click();
  const chart = page.getByRole("group", { name: "Org chart" });
  await chart.locator(".node").first().waitFor();
  assert.equal(await chart.locator(".node").count(), contacts.length);
  // A boss at the top, and someone who does not report to them yet.
  const all = (await call("GET", `/contacts?account_id=${account.id}&limit=50`, admin.token)).json.items;
  const byId = Object.fromEntries(all.map((c) => [c.id, c]));
  const chain = (c) => { const up = []; for (let at = c.reports_to_id; at && up.length < 50; at = byId[at]?.reports_to_id) up.push(at); return up; };
  const current = new Set(contacts.map((c) => c.id));
  // Someone, and a new boss for them who is not already their boss nor below them.
  let person = null, boss = null;
  for (const p of contacts) {
    boss = contacts.find((b) => b.id !== p.id && p.reports_to_id !== b.id && !chain(b).includes(p.id));
    if (boss) { person = p; break; }
  }
  assert.ok(boss && person && current.has(boss.id));
  await chart.locator(`.node[data-id="${person.id}"]`).dragTo(chart.locator(`.node[data-id="${boss.id}"]`));
  const status = await page.getByRole("status").textContent({ timeout: 5000 }).catch(() => "(no status)");
  assert.match(status, /now reports to/);
  assert.equal((await call("GET", `/contacts/${person.id}`, admin.token)).json.reports_to_id, boss.id);
  await expectAccessible(page, "the stakeholder map");
  await shot(page, "stakeholder-map");
});

test("the forecast adds up the management line and downloads as XLSX", async () => {
  const expected = (await call("GET", "/reports/forecast", admin.token)).json;
  const page = await newPage();
  await signIn(page, admin.email, "/forecast");
  const table = page.getByRole("table", { name: "Forecast by person" });
  await table.locator("tbody tr").first().waitFor();
  assert.equal(await table.locator("tbody tr").count(), expected.rows.length);
  // Win rate and days per stage, from the deals' stage changes.
  const stages = page.getByRole("table", { name: "Forecast by stage" });
  assert.equal(await stages.locator("tbody tr").count(), 4);
  const first = expected.stages[0];
  assert.equal(first.stage, "prospecting");
  assert.equal(await stages.locator("tbody tr").first().locator("td").nth(1).textContent(), String(first.deals_reached));
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download XLSX" }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), /^forecast-.*\.xlsx$/);
  await expectAccessible(page, "the forecast");
  await shot(page, "forecast");
});

test("an admin keeps exchange rates, and the forecast counts a deal in euros once it has one", async () => {
  const account = (await call("GET", "/accounts?limit=1", rep.token)).json.items[0];
  const made = await call("POST", "/opportunities", rep.token, {
    account_id: account.id, name: "Pumps for the Dublin clinic", amount_minor: 1250000, currency: "EUR",
    close_date: dayUtc(10), stage: "proposal", forecast_category: "commit",
  });
  assert.equal(made.status, 201, JSON.stringify(made.json));
  const before = (await call("GET", "/reports/forecast", admin.token)).json;
  assert.deepEqual(before.unconverted, [{ currency: "EUR", deals: 1 }]);

  const page = await newPage();
  await signIn(page, admin.email, "/forecast");
  await page.getByRole("alert").filter({ hasText: "1 deal in EUR" }).waitFor();
  await page.goto(base + "/admin/currencies");
  const add = page.getByRole("form", { name: "Add an exchange rate" });
  await add.getByLabel("Currency").fill("EUR");
  await add.getByLabel("From").fill(dayUtc(-30));
  await add.getByLabel("Per 1 GBP").fill("0");
  await add.getByRole("button", { name: "Add the rate" }).click();
  await page.locator("#rate-rate_micros-error").waitFor();
  await add.getByLabel("Per 1 GBP").fill("1.25");
  await add.getByRole("button", { name: "Add the rate" }).click();
  await add.getByRole("status").filter({ hasText: "Added." }).waitFor();
  await page.getByRole("cell", { name: "1 GBP = 1.25 EUR" }).waitFor();
  // Rates from a file as Salesforce exports them.
  await page.getByLabel("Import rates from a CSV file").setInputFiles({
    name: "DatedConversionRate.csv", mimeType: "text/csv",
    buffer: Buffer.from(`IsoCode,StartDate,ConversionRate\nUSD,${dayUtc(-30)},1.27\n`),
  });
  await page.getByRole("status").filter({ hasText: "1 rows: 1 added, 0 changed." }).waitFor();
  await page.getByRole("cell", { name: "1 GBP = 1.27 USD" }).waitFor();
  await expectAccessible(page, "Admin currencies");
  await shot(page, "admin-currencies");

  // €12,500 at 1.25 is £10,000 in the commit.
  const after = (await call("GET", "/reports/forecast", admin.token)).json;
  assert.deepEqual(after.unconverted, []);
  assert.equal(after.total.commit_minor - before.total.commit_minor, 1000000);
  await page.goto(base + "/forecast");
  await page.getByRole("table", { name: "Forecast by person" }).locator("tbody tr").first().waitFor();
  assert.equal(await page.getByRole("alert").filter({ hasText: "in EUR" }).count(), 0);
});

test("a manager splits a target across their reps and it adds up", async () => {
  const users = (await call("GET", "/users?limit=500", admin.token)).json.items;
  const rsm = users.find((u) => u.role === "rsm" && u.status === "active" && users.filter((r) => r.manager_id === u.id && r.status === "active").length >= 2);
  const reps = users.filter((r) => r.manager_id === rsm.id && r.status === "active");
  const created = await call("POST", "/targets", admin.token, { user_id: rsm.id, starts_on: "2027-01-01", ends_on: "2027-03-31", amount_minor: 30000000 });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const manager = await login(rsm.email);
  const page = await newPage();
  await signIn(page, manager.email, "/targets");
  const card = page.getByRole("region", { name: `Target of ${rsm.name}` });
  await card.getByRole("button", { name: "Split" }).click();
  await card.getByRole("button", { name: "Add a part" }).click();
  await card.getByRole("button", { name: "Add a part" }).click();
  await card.getByLabel("Part 1 person").selectOption(reps[0].id);
  await card.getByLabel("Part 1 amount").fill("200000");
  await card.getByLabel("Part 2 person").selectOption(reps[1].id);
  await card.getByLabel("Part 2 amount").fill("50000");
  assert.equal(await card.getByRole("button", { name: "Save the split" }).isDisabled(), true, "a split that does not add up cannot be saved");
  await card.getByLabel("Part 2 amount").fill("100000");
  await card.getByRole("button", { name: "Save the split" }).click();
  await card.getByRole("table", { name: `Split of ${rsm.name}'s target` }).getByRole("cell", { name: reps[1].name }).waitFor();
  const stored = (await call("GET", `/targets/${created.json.id}`, admin.token)).json;
  assert.equal(stored.unallocated_minor, 0);
  assert.deepEqual(stored.splits.map((s) => s.amount_minor).sort(), [10000000, 20000000]);
  await expectAccessible(page, "targets");
  await shot(page, "targets");
});

test("a manager splits their target across two territories and sees each one's coverage", async () => {
  // An RSM and two territories where their people have accounts.
  const users = (await call("GET", "/users?limit=500", admin.token)).json.items;
  const rsm = users.find((u) => u.role === "rsm" && u.status === "active");
  const ids = new Set();
  for (const person of users.filter((u) => u.manager_id === rsm.id)) {
    const accounts = (await call("GET", `/accounts?owner_id=${person.id}&limit=1`, admin.token)).json.items;
    if (accounts[0]?.territory_id) ids.add(accounts[0].territory_id);
    if (ids.size === 2) break;
  }
  assert.equal(ids.size, 2);
  const territories = await Promise.all([...ids].map(async (id) => (await call("GET", `/territories/${id}`, admin.token)).json));
  const created = await call("POST", "/targets", admin.token, { user_id: rsm.id, starts_on: "2027-04-01", ends_on: "2027-06-30", amount_minor: 10000000 });
  assert.equal(created.status, 201, JSON.stringify(created.json));
  const manager = await login(rsm.email);
  const page = await newPage();
  await signIn(page, manager.email, "/targets");
  const card = page.getByRole("region", { name: `Target of ${rsm.name}` }).filter({ hasText: "2027-04-01" });
  await card.getByRole("button", { name: "Split" }).click();
  for (const [i, territory] of territories.entries()) {
    await card.getByRole("button", { name: "Add a part" }).click();
    await card.getByLabel(`Part ${i + 1} kind`).selectOption("territory_id");
    await card.getByLabel(`Part ${i + 1} territory`).selectOption(territory.id);
    await card.getByLabel(`Part ${i + 1} amount`).fill(i === 0 ? "70000" : "30000");
  }
  await card.getByRole("button", { name: "Save the split" }).click();
  const table = card.getByRole("table", { name: `Split of ${rsm.name}'s target` });
  await table.getByRole("cell", { name: `Territory ${territories[1].name}` }).waitFor();
  const stored = (await call("GET", `/targets/${created.json.id}`, manager.token)).json;
  assert.deepEqual(stored.splits.map((s) => s.territory_id).sort(), territories.map((t) => t.id).sort());
  // Each row shows its own coverage, as the API computes it.
  for (const part of stored.splits) {
    const row = table.getByRole("row").filter({ hasText: `Territory ${part.territory_name}` });
    assert.equal(await row.locator("td").nth(4).textContent(), part.coverage === null ? "—" : `${part.coverage.toFixed(1)}×`);
  }
  await shot(page, "targets-by-territory");
});

test("a rep plans a call, reviews it, and their manager sees it in coaching", async () => {
  const me = (await call("GET", "/auth/me", rep.token)).json;
  const account = (await call("GET", `/accounts?owner_id=${me.id}&type=hospital&limit=1`, rep.token)).json.items[0];
  const page = await newPage();
  await signIn(page, rep.email, `/accounts/${account.id}`);
  const form = page.getByRole("form", { name: "Plan a call" });
  await form.getByLabel("When").fill("2026-12-03T10:00");
  await form.getByLabel("Best action commitment").fill("Agree a pump trial on two wards");
  await form.getByLabel("Minimum acceptable action").fill("Book a meeting with the ward manager");
  await form.locator("fieldset input[type=checkbox]").first().check();
  await form.getByRole("button", { name: "Plan the call" }).click();
  await page.getByRole("status").filter({ hasText: "Call planned." }).waitFor();
  // The invitation for the contact to see, as the rep's mail program would attach it.
  const downloading = page.waitForEvent("download");
  await page.getByRole("link", { name: /^Invitation to the call on/ }).first().click();
  const invitation = readFileSync(await (await downloading).path(), "utf8");
  assert.match(invitation, /\r\nMETHOD:REQUEST\r\n/);
  assert.match(invitation, /\r\nATTENDEE;CN=/);
  assert.doesNotMatch(invitation, /pump trial/, "the objective stays inside the company");
  // Or Rapport emails it from the rep, the calendar request beside the text.
  await page.getByRole("button", { name: /^Email the invitation to the call on/ }).first().click();
  await page.getByRole("status").filter({ hasText: /^Invitation emailed to / }).waitFor();
  assert.ok(Number(sql("SELECT count(*) FROM outbox WHERE kind = 'invitation' AND calendar LIKE '%METHOD:REQUEST%'").trim()) >= 1);
  await page.getByLabel(/^Outcome of the call on/).first().selectOption("best");
  await page.getByLabel(/^Review notes for the call on/).first().fill("Trial agreed for March");
  await page.getByRole("button", { name: "Save review" }).first().click();
  await page.getByText("Reviewed: Got the best action — Trial agreed for March").waitFor();
  const plans = (await call("GET", `/call-plans?account_id=${account.id}&limit=5`, rep.token)).json.items;
  assert.ok(plans.some((p) => p.outcome === "best" && p.contact_ids.length === 1 && p.reviewed_at));
  await shot(page, "call-plan");

  const users = (await call("GET", "/users?limit=500", admin.token)).json.items;
  const manager = users.find((u) => u.id === users.find((x) => x.id === me.id).manager_id);
  const coach = await newPage();
  await signIn(coach, manager.email, "/coaching");
  const row = coach.getByRole("table", { name: "Call planning by person" }).getByRole("row", { name: new RegExp(me.name) });
  await row.waitFor();
  await expectAccessible(coach, "coaching");
  await shot(coach, "coaching");
});

test("a manager adds potential customers who are not accounts yet from market data, and finds them by region", async () => {
  const territory = (await call("GET", "/territories?limit=1", admin.token)).json.items[0];
  const page = await newPage();
  await signIn(page, admin.email, "/segmentation");
  await page.getByRole("table", { name: "Accounts by potential" }).locator("tbody tr").first().waitFor();
  await page.getByLabel("Market data CSV").fill(
    `account,name,type,region,territory,potential_value,potential_units,competitor_share_percent,as_of\n` +
    `MKT-E2E-1,Hilltop Community Hospital,hospital,E2E Shire,${territory.name},640000,900,75,2026-11-01\n`);
  await page.getByRole("button", { name: "Show the changes" }).click();
  const changes = page.getByRole("table", { name: "Changes the import makes" });
  await changes.getByRole("cell", { name: /Hilltop Community Hospital/ }).waitFor();
  await page.getByRole("button", { name: "Import 1 changes" }).click();
  await page.getByRole("alert").filter({ hasText: "1 potential customers added" }).waitFor();
  await page.getByLabel("Customers").selectOption("prospect");
  await page.getByLabel("Region").fill("E2E Shire");
  const table = page.getByRole("table", { name: "Accounts by potential" });
  const row = table.getByRole("row", { name: /Hilltop Community Hospital/ });
  await row.waitFor();
  await table.locator("tbody tr").nth(1).waitFor({ state: "detached" });
  assert.equal(await table.locator("tbody tr").count(), 1);
  assert.match(await row.textContent(), /potential/);
  const stored = (await call("GET", "/reports/segmentation?status=prospect&region=E2E%20Shire", admin.token)).json.items[0];
  assert.equal(stored.potential_value_minor, 64000000);
  assert.equal(stored.status, "prospect");
  await shot(page, "segmentation-potential-customers");
});

test("a manager imports market data after seeing its changes, and designates an account by hand", async () => {
  const page = await newPage();
  await signIn(page, admin.email, "/segmentation");
  const table = page.getByRole("table", { name: "Accounts by potential" });
  await table.locator("tbody tr").first().waitFor();
  const account = (await call("GET", "/accounts?type=hospital&status=customer&limit=1", admin.token)).json.items[0];
  await page.getByLabel("Market data CSV").fill(`account,potential_value,potential_units,competitor_share_percent,as_of\n${account.id},900000,400,40,2026-11-01\n`);
  await page.getByRole("button", { name: "Show the changes" }).click();
  const changes = page.getByRole("table", { name: "Changes the import makes" });
  await changes.getByRole("cell", { name: account.name }).waitFor();
  assert.equal((await call("GET", `/accounts/${account.id}`, admin.token)).json.competitor_share_percent, null, "a preview writes nothing");
  await page.getByRole("button", { name: "Import 1 changes" }).click();
  await page.getByRole("alert").filter({ hasText: "Imported: 1 accounts changed." }).waitFor();
  const after = (await call("GET", `/accounts/${account.id}`, admin.token)).json;
  assert.equal(after.competitor_share_percent, 40);
  assert.equal(after.potential_value_minor, 90000000);
  await table.locator("tr", { has: page.locator(`a[href="/accounts/${account.id}"]`) }).getByRole("combobox").selectOption("maintain");
  await page.getByRole("status").filter({ hasText: `${account.name}: maintain.` }).waitFor();
  assert.equal((await call("GET", `/accounts/${account.id}`, admin.token)).json.designation, "maintain");
  await expectAccessible(page, "segmentation");
  await shot(page, "segmentation");
});

test("a rep writes down the customer's definition of success, adds milestones, marks one met and sees the commission", async () => {
  const me = (await call("GET", "/auth/me", rep.token)).json;
  const accounts = (await call("GET", `/accounts?owner_id=${me.id}&limit=5`, rep.token)).json.items;
  const account = accounts[1] ?? accounts[0];
  const contact = (await call("GET", `/contacts?account_id=${account.id}&limit=50`, rep.token)).json.items.find((c) => !c.left_at);
  assert.ok(contact, "the account has a contact");
  const day = dayUtc;
  const title = `Pumps on the surgical wards ${unique()}`;
  const definition = "No pump alarm goes unanswered for more than two minutes";

  // On the account page: the plan, in the customer's words and who said them.
  const page = await newPage();
  await signIn(page, rep.email, `/accounts/${account.id}`);
  const form = page.getByRole("form", { name: "Add a success plan" });
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Success in the customer's words").fill(definition);
  await form.getByLabel("Who said it").selectOption(contact.id);
  await form.getByLabel("Commission (£)").fill("1000");
  await form.getByRole("button", { name: "Add the plan" }).click();
  await page.getByRole("status").filter({ hasText: "Plan added." }).waitFor();
  const listed = page.getByRole("region", { name: "Success plans", exact: true }).getByRole("listitem").filter({ hasText: title });
  await listed.getByText("0/0 milestones met").waitFor();
  await expectAccessible(page, "the account page with a success plan");
  await shot(page, "account-success-plans");
  await listed.getByRole("link", { name: title }).click();

  // The plan page: the quote, then outcomes and milestones.
  await page.waitForURL(/\/success-plans\/\d+$/);
  const planId = page.url().split("/").pop();
  await page.getByRole("heading", { level: 1, name: title }).waitFor();
  await page.locator("blockquote").filter({ hasText: definition }).waitFor();
  await page.locator("figcaption").filter({ hasText: `${contact.first_name} ${contact.last_name}` }).waitFor();

  await page.getByRole("button", { name: "Edit outcomes" }).click();
  await page.getByRole("button", { name: "Add an outcome" }).click();
  await page.getByLabel("Outcome 1 measure").selectOption("uptime");
  await page.getByLabel("Outcome 1 description").fill("Pumps in service");
  await page.getByLabel("Outcome 1 target").fill("99%");
  await page.getByRole("button", { name: "Save outcomes" }).click();
  await page.getByRole("table", { name: "Outcomes" }).getByRole("cell", { name: "Pumps in service" }).waitFor();

  const add = page.getByRole("form", { name: "Add a milestone" });
  await add.getByLabel("Milestone", { exact: true }).fill("Pumps installed");
  await add.getByLabel("Kind").selectOption("installed");
  await add.getByLabel("Due").fill(day(10));
  await add.getByLabel("Customer's owner").selectOption(contact.id);
  await add.getByLabel("Payment share (%)").fill("30");
  await add.getByLabel("Commission held back (%)").fill("20");
  await add.getByRole("button", { name: "Add the milestone" }).click();
  const installed = page.locator("li.milestone").filter({ has: page.getByText("Pumps installed", { exact: true }) });
  await installed.waitFor();

  // Holding back more than all of the commission is refused, next to the field.
  await add.getByLabel("Milestone", { exact: true }).fill("Ward staff trained");
  await add.getByLabel("Kind").selectOption("training");
  await add.getByLabel("Due").fill(day(20));
  await add.getByLabel("Commission held back (%)").fill("90");
  await add.getByRole("button", { name: "Add the milestone" }).click();
  await add.locator(".error").filter({ hasText: "more than 100%" }).waitFor();
  await add.getByLabel("Commission held back (%)").fill("30");
  await add.getByRole("button", { name: "Add the milestone" }).click();
  const trained = page.locator("li.milestone").filter({ has: page.getByText("Ward staff trained", { exact: true }) });
  await trained.waitFor();
  const timeline = page.getByRole("figure", { name: "Milestone timeline" });
  assert.equal(await timeline.locator('.ms-marker[data-state="planned"]').count(), 2);

  await installed.getByRole("button", { name: "Mark Pumps installed met" }).click();
  await installed.getByLabel("Evidence for Pumps installed").fill("Signed installation report");
  await installed.getByRole("button", { name: "Confirm met" }).click();
  await installed.locator(".chip.ms-met").waitFor();
  await installed.getByText("Evidence: Signed installation report").waitFor();
  await page.getByText("1/2 milestones met").first().waitFor();
  assert.equal(await timeline.locator('.ms-marker[data-state="met"]').count(), 1);
  assert.equal(await timeline.locator('.ms-marker[data-state="planned"]').count(), 1);
  const stored = (await call("GET", `/success-plans/${planId}`, rep.token)).json;
  assert.equal(stored.customer_definition, definition);
  assert.equal(stored.defined_by_contact_id, contact.id);
  assert.deepEqual(stored.outcomes.map((o) => [o.measure, o.description, o.target]), [["uptime", "Pumps in service", "99%"]]);
  assert.deepEqual(stored.milestones.map((m) => [m.name, m.status, m.commission_holdback_percent]),
                   [["Pumps installed", "met", 20], ["Ward staff trained", "planned", 30]]);
  assert.equal(stored.milestones[0].evidence, "Signed installation report");
  await expectAccessible(page, "the success plan");
  await shot(page, "success-plan");

  // The commission statement: earned, both holdbacks, and the one released by the milestone met.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Targets" }).click();
  await page.getByRole("navigation", { name: "Targets and commission" }).getByRole("link", { name: "Commission" }).click();
  await page.getByRole("heading", { level: 1, name: "Commission" }).waitFor();
  const lines = page.getByRole("table", { name: "Commission lines" });
  await lines.getByRole("row").filter({ hasText: title }).first().waitFor();
  const statement = (await call("GET", "/reports/commission", rep.token)).json;
  const mine = statement.lines.filter((l) => l.success_plan_id === planId);
  assert.deepEqual(mine.map((l) => `${l.kind}:${l.amount_minor}`).sort(), ["earned:100000", "held_back:20000", "held_back:30000", "released:20000"]);
  assert.equal(await lines.getByRole("row").filter({ hasText: title }).count(), 4);
  const pence = (m) => new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", minimumFractionDigits: 2 }).format(m / 100);
  const figure = (name) => page.locator(".figures > div").filter({ has: page.locator("dt", { hasText: new RegExp(`^${name}$`) }) }).locator("dd");
  assert.equal(await figure("Payable").textContent(), pence(statement.payable_minor));
  assert.equal(await figure("Still held").textContent(), pence(statement.still_held_minor));
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download CSV" }).click();
  assert.match((await download).suggestedFilename(), /^commission-.*\.csv$/);
  await expectAccessible(page, "the commission statement");
  await shot(page, "commission");

  // Their manager picks them and sees the same statement.
  const users = (await call("GET", "/users?limit=500", admin.token)).json.items;
  const boss = users.find((u) => u.id === users.find((x) => x.id === me.id).manager_id);
  const managerPage = await newPage();
  await signIn(managerPage, boss.email, "/commission");
  await managerPage.getByLabel("Person").selectOption(me.id);
  await managerPage.getByRole("heading", { level: 2 }).filter({ hasText: me.name }).waitFor();
  await managerPage.getByRole("table", { name: "Commission lines" }).getByRole("row").filter({ hasText: title }).first().waitFor();
});

test("a milestone missed past the plan's grace days forfeits its held-back commission on the Commission page", async () => {
  const me = (await call("GET", "/auth/me", rep.token)).json;
  const accounts = (await call("GET", `/accounts?owner_id=${me.id}&limit=5`, rep.token)).json.items;
  const account = accounts[2] ?? accounts[0];
  const day = dayUtc;
  const title = `Monitors calibrated before every list ${unique()}`;
  const milestone = "Theatre monitors accepted";

  // A plan with £2,400 of commission and 10 days' grace, and a milestone due 40 days ago holding
  // back 30% of it that was never met.
  const page = await newPage();
  await signIn(page, rep.email, `/accounts/${account.id}`);
  const form = page.getByRole("form", { name: "Add a success plan" });
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Success in the customer's words").fill("Not one theatre list starts late because of a monitor");
  await form.getByLabel("Commission (£)").fill("2400");
  await form.getByLabel("Grace days").fill("10");
  await form.getByRole("button", { name: "Add the plan" }).click();
  await page.getByRole("status").filter({ hasText: "Plan added." }).waitFor();
  await page.getByRole("region", { name: "Success plans", exact: true }).getByRole("listitem").filter({ hasText: title })
    .getByRole("link", { name: title }).click();
  await page.waitForURL(/\/success-plans\/\d+$/);
  const planId = page.url().split("/").pop();
  await page.getByText("forfeited if it is not met within 10 days of its due date").waitFor();
  const add = page.getByRole("form", { name: "Add a milestone" });
  await add.getByLabel("Milestone", { exact: true }).fill(milestone);
  await add.getByLabel("Kind").selectOption("acceptance");
  await add.getByLabel("Due").fill(day(-40));
  await add.getByLabel("Commission held back (%)").fill("30");
  await add.getByRole("button", { name: "Add the milestone" }).click();
  const item = page.locator("li.milestone").filter({ has: page.getByText(milestone, { exact: true }) });
  await item.locator(".chip.ms-overdue").waitFor();
  const plan = (await call("GET", `/success-plans/${planId}`, rep.token)).json;
  assert.deepEqual([plan.commission_minor, plan.grace_days, plan.commission_user_id, plan.commission_earned_on], [240000, 10, me.id, day(0)]);
  assert.deepEqual(plan.milestones.map((m) => [m.name, m.due_on, m.status, m.commission_holdback_percent]), [[milestone, day(-40), "planned", 30]]);

  // This month's statement: earned and held back today, and forfeited today too, the grace period
  // having ended 29 days before the commission was earned.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Targets" }).click();
  await page.getByRole("navigation", { name: "Targets and commission" }).getByRole("link", { name: "Commission" }).click();
  await page.getByRole("heading", { level: 1, name: "Commission" }).waitFor();
  const lines = page.getByRole("table", { name: "Commission lines" });
  const forfeited = lines.locator("tr.line-forfeited").filter({ hasText: title });
  await forfeited.waitFor();
  const statement = (await call("GET", "/reports/commission", rep.token)).json;
  assert.equal(statement.period, day(0).slice(0, 7));
  const mine = statement.lines.filter((l) => l.success_plan_id === planId);
  assert.deepEqual(mine.map((l) => `${l.kind}:${l.amount_minor}:${l.date}:${l.milestone}`).sort(),
                   [`earned:240000:${day(0)}:`, `forfeited:72000:${day(0)}:${milestone}`, `held_back:72000:${day(0)}:${milestone}`]);
  assert.ok(statement.forfeited_minor >= 72000);
  const pence = (m) => new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", minimumFractionDigits: 2 }).format(m / 100);
  assert.deepEqual(await forfeited.getByRole("cell").allTextContents(),
                   [new Intl.DateTimeFormat("en-GB", { dateStyle: "medium" }).format(new Date(day(0))), "Forfeited", pence(72000), title, milestone]);
  assert.equal(await lines.getByRole("row").filter({ hasText: title }).count(), 3);
  assert.equal(await lines.locator("tbody tr").count(), statement.lines.length);
  // The totals are the report's.
  const figure = (name) => page.locator(".figures > div").filter({ has: page.locator("dt", { hasText: new RegExp(`^${name}$`) }) }).locator("dd");
  for (const [name, key] of [["Earned", "earned_minor"], ["Held back", "held_back_minor"], ["Released", "released_minor"],
                             ["Forfeited", "forfeited_minor"], ["Payable", "payable_minor"], ["Still held", "still_held_minor"]]) {
    assert.equal(await figure(name).textContent(), pence(statement[key]), name);
  }
  await expectAccessible(page, "the commission statement with a forfeit");
  await shot(page, "commission-forfeited");
});

// Service cases, proactive alerts and surveys.

async function repAccount(index) {
  const me = (await call("GET", "/auth/me", rep.token)).json;
  const accounts = (await call("GET", `/accounts?owner_id=${me.id}&limit=10&sort=name`, rep.token)).json.items;
  const account = accounts[index] ?? accounts[0];
  const contact = (await call("GET", `/contacts?account_id=${account.id}&limit=100`, rep.token)).json.items.find((c) => !c.left_at && c.email);
  return { me, account, contact };
}

test("a rep raises a case from an account page, answers it and resolves it, which schedules a review call", async () => {
  const { me, account, contact } = await repAccount(2);
  assert.ok(contact, "the account has a contact with an email address");
  const sla = (await call("GET", "/case-slas?kind=technical&priority=high", rep.token)).json.items[0];
  const subject = `Infusion pump alarms at night ${unique()}`;

  // From the account page to the new case form, for that account.
  const page = await newPage();
  await signIn(page, rep.email, `/accounts/${account.id}`);
  await page.getByRole("region", { name: /^Cases/ }).getByRole("link", { name: "Raise a case" }).click();
  await page.waitForURL(/\/cases\/new\?account_id=/);
  const form = page.getByRole("form", { name: "New case" });
  await form.getByText(account.name, { exact: true }).waitFor();
  await form.getByLabel("Kind").selectOption("technical");
  await form.getByLabel("Priority").selectOption("high");
  await form.getByText(`first response within ${sla.first_response_hours} h, resolved within ${sla.resolution_hours} h`).waitFor();
  await form.getByLabel("Description").fill("Three pumps on ward 4 alarm for no reason after midnight.");
  await form.getByRole("button", { name: "Open the case" }).click();
  await form.locator("#case-subject-error").waitFor();
  assert.match(await form.locator("#case-subject-error").textContent(), /required/);
  assert.equal(await form.getByLabel("Description").inputValue(), "Three pumps on ward 4 alarm for no reason after midnight.", "the failed save kept the input");
  await form.getByLabel("Raised by").selectOption(contact.id);
  await form.getByLabel("Subject").fill(subject);
  await form.getByLabel("Departments involved").fill("service, logistics");
  await expectAccessible(page, "the new case form");
  await shot(page, "case-new");
  await form.getByRole("button", { name: "Open the case" }).click();
  await page.waitForURL(/\/cases\/\d+$/);
  const caseId = page.url().split("/").pop();
  await page.getByRole("heading", { level: 1, name: subject }).waitFor();
  const opened = (await call("GET", `/cases/${caseId}`, rep.token)).json;
  assert.deepEqual([opened.kind, opened.priority, opened.contact_id, opened.owner_id, opened.departments, opened.status],
                   ["technical", "high", contact.id, me.id, "service, logistics", "open"]);
  assert.equal(Date.parse(opened.first_response_due_at) - Date.parse(opened.opened_at), sla.first_response_hours * 3600000);
  assert.equal(Date.parse(opened.resolution_due_at) - Date.parse(opened.opened_at), sla.resolution_hours * 3600000);
  const levels = page.getByRole("region", { name: "Service level" });
  assert.equal(await levels.locator('.sla[data-state="running"], .sla[data-state="soon"]').count(), 2, "both levels are running with time left");
  assert.match(await levels.textContent(), /left/);

  // The thread: a reply to the customer (the first response), then an internal note.
  const reply = page.getByRole("form", { name: "Add to the conversation" });
  const thread = page.getByRole("list", { name: "Messages, oldest first" });
  await reply.getByLabel("Message").fill("Thank you for telling us; an engineer will call you today.");
  await reply.getByRole("button", { name: "Add the reply" }).click();
  await thread.locator("li.msg.outbound").filter({ hasText: "an engineer will call you today" }).waitFor();
  await levels.locator('.sla[data-state="met"]').waitFor();
  await reply.getByLabel("Internal note").check();
  await reply.getByLabel("Message").fill("Battery packs ordered from logistics.");
  await reply.getByRole("button", { name: "Add the note" }).click();
  await thread.locator("li.msg.internal").filter({ hasText: "Battery packs ordered" }).waitFor();
  const answered = (await call("GET", `/cases/${caseId}`, rep.token)).json;
  assert.ok(answered.first_response_at, "the reply was the first response");
  assert.deepEqual(answered.thread.map((m) => m.direction), ["outbound", "internal"]);

  // The account page lists it among the open cases, with its service level.
  await page.goto(`${base}/accounts/${account.id}`);
  const cases = page.getByRole("region", { name: /^Cases/ });
  const listed = cases.getByRole("listitem").filter({ hasText: subject });
  await listed.locator('.sla[data-state="met"]').waitFor();
  await expectAccessible(page, "the account page with a case and alerts");
  await listed.getByRole("link", { name: subject }).click();
  await page.getByRole("heading", { level: 1, name: subject }).waitFor();

  // Resolve it: a review call in 30 days, and a CSAT survey to the contact.
  const resolve = page.getByRole("form", { name: "Resolve the case" });
  await resolve.getByLabel("Resolution").fill("Replaced the battery packs on all three pumps; no alarms since.");
  await resolve.getByLabel("Review call in (days)").fill("0");
  await resolve.getByRole("button", { name: "Resolve the case" }).click();
  await resolve.locator("#resolve-review_in_days-error").waitFor();
  assert.match(await resolve.locator("#resolve-review_in_days-error").textContent(), /1 to 730/);
  assert.equal((await call("GET", `/cases/${caseId}`, rep.token)).json.status, "open", "the refused resolution changed nothing");
  await resolve.getByLabel("Review call in (days)").fill("30");
  await resolve.getByRole("button", { name: "Resolve the case" }).click();
  const review = page.getByRole("group", { name: "Review call" });
  await review.getByText(/Review call with/).waitFor();
  const resolved = (await call("GET", `/cases/${caseId}`, rep.token)).json;
  assert.equal(resolved.status, "resolved");
  assert.ok(resolved.resolved_at && resolved.review_task_id);
  const task = (await call("GET", `/tasks/${resolved.review_task_id}`, rep.token)).json;
  assert.equal(task.due_on, dayUtc(30));
  assert.equal(task.owner_id, me.id);
  assert.match(await review.textContent(), new RegExp(new Intl.DateTimeFormat("en-GB", { dateStyle: "medium" }).format(new Date(task.due_on))));
  const surveys = (await call("GET", `/surveys?case_id=${caseId}`, rep.token)).json.items;
  assert.deepEqual(surveys.map((s) => [s.kind, s.contact_id, s.status]), [["csat", contact.id, "sent"]]);
  await page.getByText(`CSAT survey emailed to ${contact.first_name} ${contact.last_name}`).waitFor();
  await page.getByText("Replaced the battery packs on all three pumps").waitFor();
  await expectAccessible(page, "the resolved case");
  await shot(page, "case-resolved");

  // The Service page: my resolved cases include it, both levels met.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Service" }).click();
  await page.getByRole("heading", { level: 1, name: "Service" }).waitFor();
  await page.getByLabel("Whose").selectOption("mine");
  await page.getByLabel("Status").selectOption("resolved");
  const row = page.getByRole("table", { name: "Cases" }).getByRole("row").filter({ hasText: subject });
  await row.waitFor();
  assert.equal(await row.locator('.sla[data-state="met"]').count(), 2);
  await expectAccessible(page, "the Service page");
  await shot(page, "service");
  await page.goto(`${base}/accounts/${account.id}`);
  await page.getByRole("region", { name: /^Cases/ }).getByText("No open cases.").waitFor();
});

test("a case past both its service levels escalates twice up the management line when the job runs, and shows under escalated to me", async () => {
  const { me, account, contact } = await repAccount(6);
  const users = (await call("GET", "/users?limit=500", admin.token)).json.items;
  const byId = Object.fromEntries(users.map((u) => [u.id, u]));
  // Each level goes to the holder's manager (one who has not left); at the top it stays there.
  const up = (u) => (byId[u.manager_id] && byId[u.manager_id].status !== "left" ? byId[u.manager_id] : u);
  const first = up(byId[me.id]), second = up(first);
  assert.notEqual(first.id, me.id, "the rep has a manager");
  const subject = `Monitor reboots during theatre lists ${unique()}`;
  const raised = await call("POST", "/cases", rep.token, {
    account_id: account.id, contact_id: contact?.id ?? null, kind: "complaint", priority: "high", subject,
    description: "The anaesthetic monitor in theatre 2 rebooted twice this week.",
  });
  assert.equal(raised.status, 201, JSON.stringify(raised.json));
  const caseId = raised.json.id;
  assert.match(caseId, /^\d+$/);
  assert.deepEqual([raised.json.first_response_at, raised.json.escalation_level, raised.json.thread.length], [null, 0, 0]);

  // Opened 30 hours ago, its first response due 26 hours ago and its resolution 6 hours ago, with
  // no response yet. Meanwhile the job's own schedule waits, so that "Run now" is what escalates it.
  const hour = 3600000, now = testNow();
  const schedule = sql("SELECT next_run_at FROM scheduled_jobs WHERE name = 'case-escalation'").trim();
  assert.match(schedule, /^\d+$/);
  sql(`BEGIN; UPDATE scheduled_jobs SET next_run_at = ${micros(now + 24 * hour)} WHERE name = 'case-escalation'; ` +
      `UPDATE cases SET opened_at = ${micros(now - 30 * hour)}, first_response_due_at = ${micros(now - 26 * hour)}, ` +
      `resolution_due_at = ${micros(now - 6 * hour)} WHERE id = ${caseId} AND first_response_at IS NULL; COMMIT;`);
  try {
    const late = (await call("GET", `/cases/${caseId}`, admin.token)).json;
    assert.ok(Math.abs(Date.parse(late.opened_at) - (now - 30 * hour)) < 1000, `opened ${late.opened_at}`);
    assert.ok(Math.abs(Date.parse(late.resolution_due_at) - (now - 6 * hour)) < 1000, `resolution due ${late.resolution_due_at}`);
    assert.equal(late.escalation_level, 0);

    // Admin → Jobs: run the escalation now.
    const page = await newPage();
    await signIn(page, admin.email, "/admin/users");
    await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "Jobs" }).click();
    await page.getByRole("heading", { level: 1, name: "Admin: Jobs" }).waitFor();
    const job = page.getByRole("table", { name: "Scheduled jobs" }).getByRole("row").filter({ hasText: "case-escalation" });
    await job.getByRole("button", { name: "Run now: case-escalation" }).click();
    const done = page.getByRole("status").filter({ hasText: /^case-escalation: \d+ escalation\(s\)/ });
    await done.waitFor();
    const escalations = Number((await done.textContent()).match(/: (\d+) escalation/)[1]);
    assert.ok(escalations >= 2, `the run made ${escalations} escalation(s), two of them this case's`);
    await job.getByText(`${escalations} escalation(s)`, { exact: true }).waitFor();
  } finally {
    sql(`UPDATE scheduled_jobs SET next_run_at = ${schedule} WHERE name = 'case-escalation'`);
  }

  // Level 1 to the rep's manager for the missed first response, level 2 to theirs for the
  // resolution; an internal note for each, and a task for each of them.
  const escalated = (await call("GET", `/cases/${caseId}`, admin.token)).json;
  assert.deepEqual([escalated.escalation_level, escalated.escalated_to_id, escalated.status, escalated.first_response_at],
                   [2, second.id, "open", null]);
  assert.ok(escalated.escalated_at);
  assert.deepEqual(escalated.thread.map((m) => m.direction), ["internal", "internal"]);
  assert.match(escalated.thread[0].body, new RegExp(`^Escalated to level 1 \\(${first.name}\\): no first response by `));
  assert.match(escalated.thread[1].body, new RegExp(`^Escalated to level 2 \\(${second.name}\\): not resolved by `));
  for (const [who, why] of [[first, "no first response by"], [second, "not resolved by"]]) {
    const tasks = (await call("GET", `/tasks?owner_id=${who.id}&account_id=${account.id}&limit=500`, admin.token)).json.items;
    assert.ok(tasks.some((t) => String(t.related_id) === caseId && t.subject.startsWith(`Escalated case: ${subject} (${why}`)), `a task for ${who.name}`);
  }

  // The case page says so.
  const page = await newPage();
  await signIn(page, rep.email, `/cases/${caseId}`);
  await page.getByRole("heading", { level: 1, name: subject }).waitFor();
  const levels = page.getByRole("region", { name: "Service level" });
  assert.equal(await levels.locator('.sla[data-state="breached"]').count(), 2, "both levels are breached");
  const escalation = levels.locator("div").filter({ has: page.locator("dt", { hasText: "Escalation" }) }).locator("dd");
  await escalation.filter({ hasText: new RegExp(`^Level 2 to ${second.name} since `) }).locator(".chip.esc").filter({ hasText: "Level 2" }).waitFor();
  const notes = page.getByRole("list", { name: "Messages, oldest first" }).locator("li.msg.internal");
  assert.equal(await notes.count(), 2);
  await notes.nth(0).filter({ hasText: `Escalated to level 1 (${first.name}): no first response by` }).waitFor();
  await notes.nth(1).filter({ hasText: `Escalated to level 2 (${second.name}): not resolved by` }).waitFor();
  await expectAccessible(page, "the escalated case");
  await shot(page, "case-escalated");

  // That manager's Service page, escalated to me: it is there (and no longer with the first).
  if (first.id !== second.id) {
    assert.ok(!(await call("GET", `/cases?escalated_to_id=${first.id}&limit=500`, admin.token)).json.items.some((c) => c.id === caseId));
  }
  const manager = await newPage();
  await signIn(manager, second.email, "/cases");
  await manager.getByRole("heading", { level: 1, name: "Service" }).waitFor();
  await manager.getByLabel("Whose").selectOption("escalated");
  await manager.waitForURL(/whose=escalated/);
  const table = manager.getByRole("table", { name: "Cases" });
  const row = table.locator(`tr[data-id="${caseId}"]`);
  await row.waitFor();
  await row.getByRole("link", { name: subject }).waitFor();
  assert.match(await row.getAttribute("class"), /breached/);
  await row.locator("td").nth(6).filter({ hasText: `Level 2 ${second.name}` }).waitFor();
  // Once the filter's answer is in, only cases escalated to them, this one among them.
  const theirs = (await call("GET", `/cases?escalated_to_id=${second.id}&limit=500`, admin.token)).json.items.map((c) => c.id);
  await manager.waitForFunction(({ ids, id }) => {
    const rows = [...document.querySelectorAll('table[aria-label="Cases"] tbody tr')].map((tr) => tr.dataset.id);
    return rows.includes(id) && rows.every((r) => ids.includes(r));
  }, { ids: theirs, id: caseId });
  await expectAccessible(manager, "the Service page, escalated to me");
  await shot(manager, "service-escalated-to-me");
});

test("an admin runs the nightly alerts now; the rep sees the alert on My day and on the account, and marks it done", async () => {
  const { me, account } = await repAccount(3);
  // A trial that ended a week ago with no decision: the nightly job raises an alert for it.
  const trial = await call("POST", "/trials", rep.token, {
    account_id: account.id, starts_on: dayUtc(-40), ends_on: dayUtc(-7),
    objectives: "Trial the new pumps on two wards", success_criteria: "No missed alarms in a month",
  });
  assert.equal(trial.status, 201, JSON.stringify(trial.json));

  const adminPage = await newPage();
  await signIn(adminPage, admin.email, "/admin/users");
  await adminPage.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "Jobs" }).click();
  await adminPage.getByRole("heading", { level: 1, name: "Admin: Jobs" }).waitFor();
  const job = adminPage.getByRole("table", { name: "Scheduled jobs" }).getByRole("row").filter({ hasText: "nightly-alerts" });
  await job.getByRole("button", { name: "Run now: nightly-alerts" }).click();
  await adminPage.getByRole("status").filter({ hasText: /^nightly-alerts: raised .*trial_without_decision 1/ }).waitFor();
  await job.getByText(/trial_without_decision 1/).waitFor();
  await expectAccessible(adminPage, "Admin: Jobs");
  await shot(adminPage, "admin-jobs");

  const about = (items) => items.filter((a) => a.subject_key === `trial:${trial.json.id}`);
  const raised = about((await call("GET", `/alerts?account_id=${account.id}&kind=trial_without_decision&status=open`, rep.token)).json.items);
  assert.equal(raised.length, 1);
  assert.equal(raised[0].user_id, me.id);
  assert.ok(raised[0].task_id, "the alert became a task");
  const reason = raised[0].reason;
  assert.match(reason, /without a decision/);

  // My day: the rep's open alerts, newest first, with their reasons.
  const page = await newPage();
  await signIn(page, rep.email);
  const mine = page.getByRole("region", { name: /^My alerts/ });
  const item = mine.getByRole("listitem").filter({ hasText: reason }).filter({ hasText: account.name });
  await mine.getByRole("listitem").first().waitFor();
  // The same run may raise other alerts for this rep (a new day puts more accounts past their
  // cadence), all at the same moment: page through until this one shows.
  for (let i = 0; i < 100 && !(await item.isVisible()); i++) {
    const more = mine.getByRole("button", { name: "Show more" });
    if (!(await more.isVisible())) break;
    const shown = await mine.getByRole("listitem").count();
    await more.click();
    await page.waitForFunction(
      ([n]) => document.querySelectorAll("section[aria-labelledby=my-alerts-title] li").length > n, [shown]);
  }
  await item.waitFor();
  await expectAccessible(page, "My day with alerts");
  await shot(page, "my-day-alerts");

  // On the account: done.
  await item.getByRole("link", { name: account.name }).click();
  await page.getByRole("heading", { level: 1, name: account.name }).waitFor();
  const alerts = page.getByRole("region", { name: /^Alerts/ });
  const onAccount = alerts.getByRole("listitem").filter({ hasText: reason });
  await onAccount.getByRole("button", { name: `Done: ${reason}` }).click();
  await alerts.getByRole("status").filter({ hasText: `Done: ${reason}` }).waitFor();
  assert.equal(await alerts.getByRole("listitem").filter({ hasText: reason }).count(), 0);
  assert.equal((await call("GET", `/alerts/${raised[0].id}`, rep.token)).json.status, "done");
  await shot(page, "account-alerts");

  // Running it again raises nothing new for the same trial.
  await job.getByRole("button", { name: "Run now: nightly-alerts" }).click();
  await adminPage.getByRole("status").filter({ hasText: /trial_without_decision 0/ }).waitFor();
  assert.equal(about((await call("GET", `/alerts?account_id=${account.id}&kind=trial_without_decision`, rep.token)).json.items).length, 1);
});

test("a survey sent from the account page is answered once through its link without signing in, and the answer shows on the account", async () => {
  const { account, contact } = await repAccount(4);
  assert.ok(contact, "the account has a contact with an email address");
  const name = `${contact.first_name} ${contact.last_name}`;
  const comment = `The engineer was quick and kind ${unique()}`;

  const page = await newPage();
  await signIn(page, rep.email, `/accounts/${account.id}`);
  const section = page.getByRole("region", { name: "Satisfaction" });
  const form = section.getByRole("form", { name: "Send a survey" });
  await form.getByRole("button", { name: "Send the survey" }).click();
  await form.locator("#survey-contact_id-error").waitFor();
  await form.getByLabel("Contact").selectOption(contact.id);
  await form.getByLabel("Survey").selectOption("nps");
  await form.getByRole("button", { name: "Send the survey" }).click();
  const sent = section.getByRole("status").filter({ hasText: `Survey emailed to ${name}` });
  await sent.waitFor();
  // The link names the server's public URL (by default the address it listens on, here port 0).
  const link = new URL(await sent.getByRole("link").getAttribute("href"));
  assert.match(link.pathname, /^\/survey\/[A-Za-z0-9_-]{20,}$/);
  const stored = (await call("GET", `/surveys?contact_id=${contact.id}&kind=nps&status=sent`, rep.token)).json.items;
  assert.equal(stored.length, 1);
  await section.getByText(`NPS to ${name}`).waitFor();

  // The customer: a fresh browser, no cookies, no sign-in.
  const customer = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "en-GB" });
  assert.equal((await customer.cookies()).length, 0);
  const answer = watchPolicy(await customer.newPage());
  await answer.goto(base + link.pathname);
  await answer.getByText(/How likely are you to recommend/).waitFor();
  assert.ok(!answer.url().includes("/login"), "the survey page needs no sign-in");
  await answer.getByText(`Dear ${contact.first_name},`).waitFor();
  assert.equal(await answer.getByRole("button", { name: "Sign out" }).count(), 0);
  const scores = answer.getByRole("group", { name: /How likely are you to recommend/ });
  assert.equal(await scores.getByRole("button").count(), 11, "NPS is 0 to 10");
  await answer.getByRole("button", { name: "Submit" }).click();
  await answer.getByText("Choose a score first.").waitFor();
  await scores.getByRole("button", { name: "9", exact: true }).click();
  assert.equal(await scores.getByRole("button", { name: "9", exact: true }).getAttribute("aria-pressed"), "true");
  await answer.getByLabel(/Anything you would like to add/).fill(comment);
  await expectAccessible(answer, "the survey page");
  await shot(answer, "survey");
  await answer.getByRole("button", { name: "Submit" }).click();
  await answer.getByRole("heading", { name: `Thank you, ${contact.first_name}` }).waitFor();
  await shot(answer, "survey-thanks");

  // The link works once.
  await answer.goto(base + link.pathname);
  await answer.getByRole("heading", { name: "This survey has already been answered" }).waitFor();
  assert.ok(!answer.url().includes("/login"));
  await expectAccessible(answer, "the used survey link");
  await shot(answer, "survey-used");
  const again = await call("POST", link.pathname.replace("/survey/", "/surveys/answer/"), null, { score: 2 });
  assert.equal(again.status, 410);
  await answer.goto(`${base}/survey/not-a-real-link`);
  await answer.getByRole("heading", { name: "This survey link is not valid" }).waitFor();
  await customer.close();

  const answered = (await call("GET", `/surveys/${stored[0].id}`, rep.token)).json;
  assert.deepEqual([answered.status, answered.score, answered.comment], ["answered", 9, comment]);

  // Back on the account page: the answer, with its kind, score, comment and date.
  await page.reload();
  const row = page.getByRole("region", { name: "Satisfaction" }).getByRole("table", { name: "Survey answers" }).getByRole("row").filter({ hasText: comment });
  await row.waitFor();
  const cells = await row.getByRole("cell").allTextContents();
  assert.equal(cells[0], new Intl.DateTimeFormat("en-GB", { dateStyle: "medium" }).format(new Date(answered.answered_at)));
  assert.deepEqual(cells.slice(1, 4), ["NPS", name, "9 / 10"]);
  await expectAccessible(page, "the account page with survey answers");
  await shot(page, "account-satisfaction");
});

// Scorecards, account health, trials and service levels.
const monthUtc = (back) => {
  const now = new Date(testNow());
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - back, 1));
  return `${d.getUTCFullYear()}-${String(d.getUTCMonth() + 1).padStart(2, "0")}`;
};

test("a manager sees their account managers' scorecards side by side against the period before, and downloads them", async () => {
  const users = (await call("GET", "/users?limit=500", admin.token)).json.items;
  const boss = users.find((u) => u.id === users.find((x) => x.role === "account_manager" && x.status === "active").manager_id);
  const team = users.filter((u) => u.manager_id === boss.id && u.role === "account_manager" && u.status !== "left");
  assert.ok(team.length >= 2, "the demo manager has account managers");
  const manager = await login(boss.email);
  const report = (await call("GET", "/reports/scorecards", manager.token)).json;
  assert.equal(report.period, monthUtc(0));
  assert.deepEqual(report.items.map((i) => i.name).sort(), team.map((u) => u.name).sort());

  const page = await newPage();
  await signIn(page, boss.email, "/targets");
  await page.getByRole("navigation", { name: "Targets and commission" }).getByRole("link", { name: "Scorecards" }).click();
  await page.getByRole("heading", { level: 1, name: "Scorecards" }).waitFor();
  const table = page.getByRole("table", { name: "Scorecards" });
  await table.locator("tbody tr").first().waitFor();
  assert.equal(await table.locator("tbody tr").count(), report.items.length);
  assert.equal(await page.getByLabel("Role").inputValue(), "account_manager");
  const money = (m) => new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", maximumFractionDigits: 0 }).format(m / 100);
  for (const person of report.items) {
    const row = table.locator(`tr[data-user="${person.user_id}"]`);
    assert.equal(await row.getByRole("rowheader").textContent(), person.name);
    const cell = (figure) => row.locator(`td[data-figure="${figure}"]`);
    const c = person.current, p = person.previous;
    assert.equal(await cell("check_in_calls").locator(".figure").textContent(), `${c.check_in_calls_made} / ${c.check_in_calls_due}`);
    assert.equal(await cell("check_in_calls").getByRole("img").getAttribute("aria-label"), `${c.check_in_calls_made} of ${c.check_in_calls_due} check-in calls made`);
    assert.equal(await cell("accounts_handled").locator(".figure").textContent(), String(c.accounts_handled));
    assert.equal(await cell("billing_queries_resolved").locator(".figure").textContent(), String(c.billing_queries_resolved));
    assert.equal(await cell("cross_sell_minor").locator(".figure").textContent(), money(c.cross_sell_minor));
    assert.equal(await cell("satisfaction_index").locator(".figure").textContent(), c.satisfaction_index === null ? "—" : String(Math.round(c.satisfaction_index)));
    // The trend against the month before: up or down by how much, green when better.
    const change = c.check_in_calls_made - p.check_in_calls_made;
    const trend = cell("check_in_calls").locator(".trend");
    if (change === 0) assert.equal(await trend.getAttribute("class"), "trend same");
    else {
      assert.equal(await trend.locator("[aria-hidden]").textContent(), `${change > 0 ? "▲" : "▼"} ${Math.abs(change)}`);
      assert.equal(await trend.locator(".sr-only").textContent(), `${change > 0 ? "up" : "down"} ${Math.abs(change)} on ${report.previous_period}`);
      assert.match(await trend.getAttribute("class"), change > 0 ? /\bgood\b/ : /\bbad\b/);
    }
    const sales = c.repeat_sales_minor - p.repeat_sales_minor;
    if (Math.abs(sales) >= 100) assert.equal(await cell("repeat_sales_minor").locator(".trend [aria-hidden]").textContent(), `${sales > 0 ? "▲" : "▼"} ${money(Math.abs(sales))}`);
    // Fewer hours to resolve a billing query is better.
    if (c.billing_query_hours !== null && p.billing_query_hours !== null && Math.abs(c.billing_query_hours - p.billing_query_hours) >= 0.05) {
      assert.match(await cell("billing_query_hours").locator(".trend").getAttribute("class"), c.billing_query_hours < p.billing_query_hours ? /\bdown good\b/ : /\bup bad\b/);
    }
  }
  const satisfaction = page.getByRole("figure", { name: /^Satisfaction index/ });
  await satisfaction.locator(".recharts-legend-item").filter({ hasText: report.previous_period }).waitFor();
  assert.equal(await satisfaction.locator(".recharts-yAxis .recharts-cartesian-axis-tick").count(), report.items.length);
  await page.getByRole("figure", { name: /^Sales in/ }).locator(".recharts-legend-item").filter({ hasText: "Cross-sell" }).waitFor();
  await expectAccessible(page, "the scorecards");
  await shot(page, "scorecards");

  // The CSV: each person in this period and the one before.
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download CSV" }).click();
  const csv = await download;
  assert.equal(csv.suggestedFilename(), `scorecards-${report.period}.csv`);
  const lines = readFileSync(await csv.path(), "utf8").trim().split(/\r?\n/);
  assert.match(lines[0], /^Person,Period,Accounts handled,Check-in calls made,Check-in calls due,/);
  assert.equal(lines.length, 1 + 2 * report.items.length);
  for (const person of report.items) {
    assert.ok(lines.some((l) => l.startsWith(`${person.name},${report.period},${person.current.accounts_handled},${person.current.check_in_calls_made},${person.current.check_in_calls_due},`)), `${person.name} this period`);
    assert.ok(lines.some((l) => l.startsWith(`${person.name},${report.previous_period},`)), `${person.name} the period before`);
  }
  const xlsx = new URL(await page.getByRole("link", { name: "Download XLSX" }).getAttribute("href"), base);
  assert.equal(xlsx.searchParams.get("format"), "xlsx");
  const workbook = await fetch(xlsx, { headers: { Authorization: `Bearer ${manager.token}` } });
  assert.equal(workbook.status, 200);
  assert.match(workbook.headers.get("content-type"), /spreadsheetml/);

  // Last month, then their customer success people.
  await page.getByRole("button", { name: "Last month" }).click();
  await page.getByRole("heading", { level: 2 }).filter({ hasText: `(${monthUtc(1)}, against ${monthUtc(2)})` }).waitFor();
  assert.match(page.url(), new RegExp(`period=${monthUtc(1)}`));
  const before = (await call("GET", `/reports/scorecards?period=${monthUtc(1)}`, manager.token)).json.items[0];
  await table.locator(`tr[data-user="${before.user_id}"] td[data-figure="check_in_calls"] .figure`)
    .filter({ hasText: `${before.current.check_in_calls_made} / ${before.current.check_in_calls_due}` }).waitFor();
  await page.getByLabel("Role").selectOption("customer_success");
  const success = (await call("GET", `/reports/scorecards?period=${monthUtc(1)}&role=customer_success`, manager.token)).json.items;
  assert.ok(success.length > 0, "the manager has customer success people");
  await table.getByRole("rowheader", { name: success[0].name }).waitFor();
  assert.equal(await table.locator("tbody tr").count(), success.length);
  await page.getByLabel("Period", { exact: true }).fill("2026-13");
  await page.locator("#period-error").filter({ hasText: "must be YYYY-MM, YYYY-Qn or YYYY" }).waitFor();
});

test("the account page shows the account's health: its score by band, the reasons and the trend, and logging a call lifts it", async () => {
  const me = (await call("GET", "/auth/me", rep.token)).json;
  const accounts = (await call("GET", `/accounts?owner_id=${me.id}&limit=50&sort=name`, rep.token)).json.items;
  let account, health;
  for (const a of accounts) {
    const h = (await call("GET", `/accounts/${a.id}/health`, rep.token)).json;
    if (h.reasons.some((r) => r.code === "not_contacted") && h.reasons.length >= 2) { account = a; health = h; break; }
    if (!health && h.reasons.some((r) => r.code === "not_contacted")) { account = a; health = h; }
  }
  assert.ok(account, "one of the rep's accounts has not been contacted within its cadence");
  assert.equal(health.trend.length, 7);
  assert.equal(health.trend[6].score, health.score);

  const page = await newPage();
  await signIn(page, rep.email, `/accounts/${account.id}`);
  const section = page.getByRole("region", { name: "Health" });
  const score = section.locator(".health-score");
  await score.waitFor();
  assert.equal(await score.locator(".value").textContent(), String(health.score));
  assert.equal(await score.getAttribute("data-band"), health.band);
  assert.equal(await score.locator(".band").textContent(), { healthy: "Healthy", watch: "Watch", at_risk: "At risk" }[health.band]);
  const reasons = section.getByRole("list", { name: "Why this score" }).getByRole("listitem");
  assert.equal(await reasons.count(), health.reasons.length);
  for (const r of health.reasons) {
    const item = reasons.filter({ hasText: r.detail });
    assert.equal(await item.locator(".points").textContent(), r.points > 0 ? `+${r.points}` : `−${-r.points}`);
    assert.match(await item.locator(".points").getAttribute("class"), r.points > 0 ? /plus/ : /minus/);
  }
  const spark = section.getByRole("img", { name: /^Health by month:/ });
  assert.equal(await spark.locator("circle").count(), 7);
  assert.deepEqual(await spark.locator("circle").evaluateAll((cs) => cs.map((c) => [c.dataset.month, Number(c.dataset.score)])),
                   health.trend.map((t) => [t.month, t.score]));
  // Higher scores sit higher.
  const ys = await spark.locator("circle").evaluateAll((cs) => cs.map((c) => Number(c.getAttribute("cy"))));
  for (let i = 0; i < 7; i++) for (let j = 0; j < 7; j++) {
    if (health.trend[i].score > health.trend[j].score) assert.ok(ys[i] < ys[j]);
  }
  await expectAccessible(page, "the account page with its health");
  await shot(page, "account-health");

  // A call today: the account is within its cadence again.
  const form = page.locator("form.logcall");
  await form.getByLabel("Subject").fill(`Catch-up call ${unique()}`);
  await form.getByRole("button", { name: "Log it" }).click();
  const lost = health.reasons.find((r) => r.code === "not_contacted");
  await section.locator('li[data-code="not_contacted"]').waitFor({ state: "detached" });
  const after = (await call("GET", `/accounts/${account.id}/health`, rep.token)).json;
  const raw = 70 + health.reasons.reduce((n, r) => n + r.points, 0) - lost.points;
  assert.equal(after.score, Math.min(100, Math.max(0, raw)));
  assert.equal(await score.locator(".value").textContent(), String(after.score));
});

test("a trial is started from the account page, and one ended without a decision stands out until it is given one", async () => {
  const { me, account } = await repAccount(5);
  const contacts = (await call("GET", `/contacts?account_id=${account.id}&limit=100`, rep.token)).json.items.filter((c) => !c.left_at);
  const contact = contacts[0];
  assert.ok(contact, "the account has a contact");
  const product = (await call("GET", "/products?lifecycle=active&limit=500&sort=name", rep.token)).json.items[3];
  const objectives = `Try the pumps on ward 7 ${unique()}`;

  const page = await newPage();
  await signIn(page, rep.email, `/accounts/${account.id}`);
  const section = page.getByRole("region", { name: /^Trials/ });
  const form = section.getByRole("form", { name: "Start a trial" });
  await form.getByLabel("Product").selectOption(product.id);
  await form.getByLabel("Starts").fill(dayUtc(0));
  await form.getByLabel("Ends").fill(dayUtc(-3));
  await form.getByLabel("Objectives").fill(objectives);
  await form.getByLabel(/^Success criteria/).fill("Nurses rate it 4 of 5 or better");
  await form.getByRole("group", { name: "People involved" }).getByLabel(`${contact.first_name} ${contact.last_name}`).check();
  await form.getByRole("button", { name: "Start the trial" }).click();
  await form.locator("#trial-ends_on-error").filter({ hasText: "must not be before starts_on" }).waitFor();
  assert.equal(await form.getByLabel("Objectives").inputValue(), objectives, "the failed save kept the input");
  await form.getByLabel("Ends").fill(dayUtc(28));
  await form.getByLabel("Status").selectOption("running");
  await form.getByRole("button", { name: "Start the trial" }).click();
  await section.getByRole("status").filter({ hasText: `Trial of ${product.name} started.` }).waitFor();
  const started = (await call("GET", `/trials?account_id=${account.id}&limit=100`, rep.token)).json.items.find((t) => t.objectives === objectives);
  assert.ok(started, "the trial was saved");
  assert.deepEqual([started.product_id, started.owner_id, started.starts_on, started.ends_on, started.status, started.contact_ids, started.decision],
                   [product.id, me.id, dayUtc(0), dayUtc(28), "running", [contact.id], null]);
  const item = section.locator(`li.trial[data-id="${started.id}"]`);
  await item.getByText(objectives).waitFor();
  await item.locator(".chip.trial-running").waitFor();
  assert.match(await item.textContent(), new RegExp(`with ${contact.first_name} ${contact.last_name}`));
  assert.equal(await item.getAttribute("class"), "trial");

  // One that ended last week with no decision yet.
  const ended = (await call("POST", "/trials", rep.token, {
    account_id: account.id, product_id: product.id, starts_on: dayUtc(-45), ends_on: dayUtc(-7), status: "ended",
    objectives: "Show the theatre team the monitors", success_criteria: "Fewer alarms missed", contact_ids: [contact.id],
  })).json;
  await page.reload();
  const late = section.locator(`li.trial[data-id="${ended.id}"]`);
  await late.locator(".chip.decision-needed").filter({ hasText: "Ended without a decision" }).waitFor();
  assert.match(await late.getAttribute("class"), /needs-decision/);
  await section.getByRole("heading", { name: /Trials/ }).getByText("1 waiting for a decision").waitFor();
  await expectAccessible(page, "the account page with trials");
  await shot(page, "account-trials");

  await late.getByRole("button", { name: /^Results and decision/ }).click();
  const editor = late.getByRole("form", { name: `Results and decision for ${product.name}` });
  await editor.getByLabel("Results").fill("Two alarms missed in six weeks, down from nine");
  await editor.getByLabel(/^Decision/).selectOption("adopt");
  assert.equal(await editor.getByLabel("Status").inputValue(), "ended");
  await editor.getByLabel("Implementation plan").fill("Order 12 monitors; train both theatre shifts in January");
  await expectAccessible(page, "the trial editor");
  await editor.getByRole("button", { name: "Save" }).click();
  await section.getByRole("status").filter({ hasText: `Saved the trial of ${product.name}.` }).waitFor();
  await late.locator(".chip.decision-adopt").waitFor();
  assert.equal(await late.getAttribute("class"), "trial");
  await late.getByText("Order 12 monitors; train both theatre shifts in January").waitFor();
  assert.equal(await section.getByText("waiting for a decision").count(), 0);
  const decided = (await call("GET", `/trials/${ended.id}`, rep.token)).json;
  assert.deepEqual([decided.decision, decided.status, decided.decided_on, decided.results, decided.implementation_plan, decided.version],
                   ["adopt", "ended", dayUtc(0), "Two alarms missed in six weeks, down from nine", "Order 12 monitors; train both theatre shifts in January", 2]);
  await shot(page, "account-trial-decided");

  // Someone else changes the running trial while it is open here: said, and reloaded on request.
  await item.getByRole("button", { name: /^Results and decision/ }).click();
  const open = item.getByRole("form", { name: `Results and decision for ${product.name}` });
  await open.getByLabel("Results").fill("Halfway: nurses like it");
  const changed = await call("PATCH", `/trials/${started.id}`, admin.token, { results: "Changed by someone else" });
  assert.equal(changed.status, 200, JSON.stringify(changed.json));
  await open.getByRole("button", { name: "Save" }).click();
  await open.getByRole("alert").filter({ hasText: "Someone else changed this trial" }).waitFor();
  assert.equal(await open.getByLabel("Results").inputValue(), "Halfway: nurses like it");
  await open.getByRole("button", { name: "Reload it" }).click();
  await page.waitForFunction((id) => document.querySelector(`li.trial[data-id="${id}"] textarea`)?.value === "Changed by someone else", started.id);
});

test("an admin changes a service level in the grid, and new cases take it", async () => {
  const sla = (await call("GET", "/case-slas?kind=other&priority=low", admin.token)).json.items[0];
  const refused = await call("PATCH", `/case-slas/${sla.id}`, rep.token, { resolution_hours: 1 });
  assert.equal(refused.status, 403);

  const page = await newPage();
  await signIn(page, admin.email, "/admin/users");
  await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "Service levels" }).click();
  await page.getByRole("heading", { level: 1, name: "Admin: Service levels" }).waitFor();
  const grid = page.getByRole("table", { name: "Service levels" });
  const all = (await call("GET", "/case-slas?limit=100", admin.token)).json.items;
  const respond = grid.getByLabel("Other, low: first response (hours)");
  const resolve = grid.getByLabel("Other, low: resolution (hours)");
  await resolve.waitFor();  // the grid fills in once the levels have loaded
  assert.equal(await grid.locator("input").count(), 2 * all.length);
  assert.equal(await respond.inputValue(), String(sla.first_response_hours));
  assert.equal(await resolve.inputValue(), String(sla.resolution_hours));
  assert.equal(await grid.getByLabel("Technical, high: resolution (hours)").inputValue(),
               String(all.find((l) => l.kind === "technical" && l.priority === "high").resolution_hours));

  await respond.fill("0");
  await resolve.fill(String(sla.resolution_hours + 72));
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.locator(`#sla-${sla.id}-first_response_hours-error`).filter({ hasText: "must be at least 1" }).waitFor();
  await page.getByRole("status").filter({ hasText: "Saved 0; 1 not saved" }).waitFor();
  assert.equal(await resolve.inputValue(), String(sla.resolution_hours + 72), "the failed save kept the input");
  assert.equal((await call("GET", `/case-slas/${sla.id}`, admin.token)).json.version, sla.version);
  await expectAccessible(page, "Admin: Service levels with an error");
  await respond.fill(String(sla.first_response_hours + 4));
  await page.getByRole("button", { name: "Save changes" }).click();
  await page.getByRole("status").filter({ hasText: "Saved 1 service level." }).waitFor();
  assert.equal(await page.locator(".sla-cell.dirty").count(), 0);
  const saved = (await call("GET", `/case-slas/${sla.id}`, admin.token)).json;
  assert.deepEqual([saved.first_response_hours, saved.resolution_hours, saved.version],
                   [sla.first_response_hours + 4, sla.resolution_hours + 72, sla.version + 1]);
  await expectAccessible(page, "Admin: Service levels");
  await shot(page, "admin-service-levels");

  // Someone else saved first: the cell says so and the grid reloads on request.
  const other = all.find((l) => l.kind === "complaint" && l.priority === "urgent");
  const cell = grid.getByLabel("Complaint, urgent: resolution (hours)");
  await cell.fill(String(other.resolution_hours + 1));
  assert.equal((await call("PATCH", `/case-slas/${other.id}`, admin.token, { resolution_hours: other.resolution_hours + 2 })).status, 200);
  await page.getByRole("button", { name: "Save changes" }).click();
  await grid.getByText("Someone else changed this level.").waitFor();
  await page.getByRole("button", { name: "Reload the levels" }).click();
  await page.waitForFunction((v) => document.querySelector('input[aria-label="Complaint, urgent: resolution (hours)"]')?.value === v, String(other.resolution_hours + 2));

  // A new case of that kind and priority is promised the new level.
  const casePage = await newPage();
  await signIn(casePage, rep.email, "/cases/new");
  const form = casePage.getByRole("form", { name: "New case" });
  await form.getByLabel("Kind").selectOption("other");
  await form.getByLabel("Priority").selectOption("low");
  await form.getByText(`first response within ${saved.first_response_hours} h, resolved within ${saved.resolution_hours} h`).waitFor();
});

test("a manager records an advisory board: two KOLs invited, one attended with what they said, one declined", async () => {
  const managerUser = (await call("GET", "/users?role=rsm&status=active&limit=1", admin.token)).json.items[0];
  const manager = await login(managerUser.email);
  const kols = (await call("GET", "/contacts?kol=true&limit=50", manager.token)).json.items.filter((c) => !c.left_at && c.email);
  const [first, second] = kols;
  assert.ok(first && second, "the manager can see two key opinion leaders");
  const name = `Infusion advisory board ${unique()}`;
  const said = "Wants the pump library shared across trusts";

  const page = await newPage();
  await signIn(page, manager.email, "/coaching");
  await page.getByRole("navigation", { name: "Coaching and advisory boards" }).getByRole("link", { name: "Advisory boards" }).click();
  await page.getByRole("link", { name: "New advisory board" }).click();
  const form = page.getByRole("form", { name: "Advisory board" });
  // A board needs a name and a date: said next to the fields.
  await form.getByRole("button", { name: "Create the board" }).click();
  await form.locator("#board-name-error").waitFor();
  await form.locator("#board-held_on-error").waitFor();
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Held on").fill("2026-11-12");
  await form.getByLabel("Topic").fill("Infusion safety");
  await form.getByLabel("Location").fill("Leeds");
  await form.getByLabel("Summary").fill("Pump libraries and training");
  for (const c of [first, second]) {
    await page.getByLabel("Find a KOL").fill(c.email);
    await page.getByRole("button", { name: `Add ${c.first_name} ${c.last_name}` }).click();
  }
  const members = form.getByRole("list", { name: "Members" });
  const row = (c) => members.locator(`li[data-contact="${c.id}"]`);
  await row(first).getByLabel("Status").selectOption("attended");
  await row(first).getByLabel("What they said").fill(said);
  await row(second).getByLabel("Status").selectOption("declined");
  await form.getByRole("button", { name: "Create the board" }).click();
  await page.waitForURL(/\/advisory-boards\/\d+$/);
  await page.getByRole("status").filter({ hasText: `Created ${name}.` }).waitFor();
  const id = page.url().match(/(\d+)$/)[1];

  await page.reload();
  await page.getByRole("heading", { name }).waitFor();
  await page.getByText("2 invited · 1 attended").waitFor();
  assert.equal(await row(first).getByLabel("Status").inputValue(), "attended");
  assert.equal(await row(first).getByLabel("What they said").inputValue(), said);
  assert.equal(await row(second).getByLabel("Status").inputValue(), "declined");
  await expectAccessible(page, "an advisory board");
  await shot(page, "advisory-board");

  // Edited and saved with If-Match: the second KOL came after all.
  await row(second).getByLabel("Status").selectOption("attended");
  await form.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: `Saved ${name}.` }).waitFor();

  const board = (await call("GET", `/advisory-boards/${id}`, manager.token)).json;
  assert.deepEqual([board.name, board.held_on, board.topic, board.location, board.invited, board.attended],
                   [name, "2026-11-12", "Infusion safety", "Leeds", 2, 2]);
  assert.deepEqual(board.members.map((m) => [m.contact_id, m.status, m.said]),
                   [[first.id, "attended", said], [second.id, "attended", null]]);

  await page.getByRole("link", { name: "All advisory boards" }).click();
  const listed = page.getByRole("table", { name: "Advisory boards, latest first" }).locator(`tr[data-id="${id}"]`);
  await listed.getByRole("link", { name }).waitFor();
  assert.match(await listed.textContent(), /12 Nov 2026.*Infusion safety22/);
  await expectAccessible(page, "the advisory boards list");
  await shot(page, "advisory-boards");
});

test("an admin imports accounts from a CSV: one bad row refuses the whole file, then the good rows are written on their own", async () => {
  assert.equal((await call("GET", "/imports", rep.token)).status, 403, "only admins import");
  const csv = [
    "Account ID,Account Name,Type",
    "E2E-IMP-1,Importville General Hospital,hospital",
    "E2E-IMP-2,Importville Health Trust,trust",
    "E2E-IMP-3,Importville Surgery,gp",
    "E2E-IMP-4,Importville Keep,castle",
  ].join("\n") + "\n";
  const ours = async () => (await call("GET", "/accounts?q=Importville&limit=50", admin.token)).json.items;
  assert.equal((await ours()).length, 0);

  const page = await newPage();
  await signIn(page, admin.email, "/admin/users");
  await page.getByRole("navigation", { name: "Admin sections" }).getByRole("link", { name: "Imports" }).click();
  await page.getByRole("heading", { level: 1, name: "Admin: Imports" }).waitFor();
  const form = page.getByRole("form", { name: "Import a file" });
  await form.getByLabel("Record type").selectOption({ label: "Accounts" });
  await form.getByLabel("File (CSV or XLSX)").setInputFiles({ name: "hospitals.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  assert.equal(await form.getByLabel("Write the good rows even if some are rejected").isChecked(), false, "all or nothing by default");
  await form.getByRole("button", { name: "Import" }).click();

  // All or nothing: the bad row refuses the file, and says where and why.
  const outcome = page.getByRole("region", { name: /^Import hospitals\.csv/ });
  await outcome.getByRole("status").filter({ hasText: "Nothing was written: 1 row was rejected." }).waitFor({ timeout: 30000 });
  const rejected = outcome.getByRole("table", { name: "Rejected rows" }).locator("tbody tr");
  assert.equal(await rejected.count(), 1);
  assert.deepEqual(await rejected.first().locator("td").allTextContents(),
                   ["5", "Type", "'castle' is not one of: health_system, hospital, department, gp_practice, pharmacy, local_authority, commissioning_group, other"]);
  const download = outcome.getByRole("link", { name: "Download the error file" });
  const href = await download.getAttribute("href");
  assert.match(href, /^\/api\/v1\/imports\/\d+\/errors$/);
  const errorFile = await page.context().request.get(base + href);
  assert.equal(errorFile.status(), 200);
  assert.match(await errorFile.text(), /^line,column,problem\r?\n5,Type,/);
  assert.equal((await ours()).length, 0, "nothing was written");
  await expectAccessible(page, "Admin: Imports after a refused file");
  await shot(page, "admin-imports-rejected");

  // Again, writing the good rows: three created, the bad one left out.
  await form.getByLabel("Write the good rows even if some are rejected").check();
  await form.getByRole("button", { name: "Import" }).click();
  await outcome.getByRole("status").filter({ hasText: "Imported: 3 created, 0 updated, 0 unchanged; 1 row was rejected and left out." }).waitFor({ timeout: 30000 });
  assert.equal(await rejected.count(), 1);
  const accounts = await ours();
  assert.deepEqual(accounts.map((a) => [a.external_id, a.name, a.type]).sort(), [
    ["E2E-IMP-1", "Importville General Hospital", "hospital"],
    ["E2E-IMP-2", "Importville Health Trust", "health_system"],
    ["E2E-IMP-3", "Importville Surgery", "gp_practice"],
  ]);

  // Both in the recent imports, newest first; the first one's outcome shows again when chosen.
  const recent = page.getByRole("table", { name: "Recent imports" }).locator("tbody tr");
  await page.waitForFunction(() => document.querySelectorAll('table[aria-label="Recent imports"] tbody tr .chip').length >= 2
    && document.querySelector('table[aria-label="Recent imports"] tbody tr .chip')?.textContent === "Succeeded");
  const [partial, refused] = [recent.nth(0), recent.nth(1)];
  assert.match(await partial.textContent(), /hospitals\.csv.*partial.*Accounts.*Succeeded\s*4\s*3\s*0\s*0\s*1/);
  assert.match(await refused.textContent(), /hospitals\.csv.*Accounts.*Rejected\s*nothing written\s*4\s*3\s*0\s*0\s*1/);
  await expectAccessible(page, "Admin: Imports after the good rows were written");
  await shot(page, "admin-imports-partial");
  await refused.getByRole("button", { name: /^hospitals\.csv \(import \d+\)$/ }).click();
  await outcome.getByRole("status").filter({ hasText: "Nothing was written: 1 row was rejected." }).waitFor();
});

test("an admin imports the products on deals from Salesforce's line items export", async () => {
  const product = await call("POST", "/products", admin.token, { sku: "E2E-IMP", name: "Syringe driver", family: "Infusion", list_price_minor: 5000, currency: "GBP" });
  assert.equal(product.status, 201, JSON.stringify(product.json));
  const deal = (await call("GET", "/opportunities?stage=proposal&limit=1", admin.token)).json.items[0];
  const named = await call("PATCH", `/opportunities/${deal.id}`, admin.token, { external_id: "006E2E000001" });
  assert.equal(named.status, 200, JSON.stringify(named.json));
  const page = await newPage();
  await signIn(page, admin.email, "/admin/imports");
  const card = page.getByRole("region", { name: "Products on deals" });
  const input = card.getByLabel("Import products on deals (CSV)");
  // A bad quantity: named by its line, nothing written.
  await input.setInputFiles({ name: "OpportunityLineItem.csv", mimeType: "text/csv",
    buffer: Buffer.from("Id,OpportunityId,ProductCode,Quantity,UnitPrice\n00k1,006E2E000001,E2E-IMP,0,45.00\n") });
  await card.getByText("line 2.quantity: is not a whole number from 1 to 1,000,000").waitFor();
  assert.equal((await call("GET", `/opportunities/${deal.id}`, admin.token)).json.line_items.length, 0);
  await input.setInputFiles({ name: "OpportunityLineItem.csv", mimeType: "text/csv",
    buffer: Buffer.from("Id,OpportunityId,ProductCode,Quantity,UnitPrice\n00k1,006E2E000001,E2E-IMP,4,45.00\n") });
  await card.getByRole("status").filter({ hasText: "1 row for 1 deal: 1 changed." }).waitFor();
  const stored = (await call("GET", `/opportunities/${deal.id}`, admin.token)).json;
  assert.deepEqual(stored.line_items.map((l) => [l.sku, l.quantity, l.list_price_minor, l.sale_price_minor]), [["E2E-IMP", 4, 5000, 4500]]);
  assert.equal(stored.amount_minor, 18000);
  await expectAccessible(page, "Admin imports with products on deals");
});

// A zip of `files` ({name: text}), stored uncompressed, as a zip tool writes one.
function storedZip(files) {
  const crc32 = (bytes) => {
    let crc = 0xffffffff;
    for (const b of bytes) {
      crc ^= b;
      for (let k = 0; k < 8; k++) crc = (crc >>> 1) ^ (0xedb88320 & -(crc & 1));
    }
    return (crc ^ 0xffffffff) >>> 0;
  };
  const locals = [], central = [];
  let offset = 0;
  for (const [name, text] of Object.entries(files)) {
    const data = Buffer.from(text), fileName = Buffer.from(name), crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0); local.writeUInt16LE(20, 4); local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18); local.writeUInt32LE(data.length, 22); local.writeUInt16LE(fileName.length, 26);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0); entry.writeUInt16LE(20, 4); entry.writeUInt16LE(20, 6); entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(data.length, 20); entry.writeUInt32LE(data.length, 24); entry.writeUInt16LE(fileName.length, 28);
    entry.writeUInt32LE(offset, 42);
    locals.push(local, fileName, data);
    central.push(entry, fileName);
    offset += 30 + fileName.length + data.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0); end.writeUInt16LE(Object.keys(files).length, 8); end.writeUInt16LE(Object.keys(files).length, 10);
  end.writeUInt32LE(directory.length, 12); end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

test("an admin moves a Salesforce export in from its zip: a dry run first, then for real", async () => {
  const owner = rep.email;
  const zip = storedZip({
    "User.csv": `Id,Name,Email,IsActive\n005E2E1,Rep There,${owner},true\n005E2E2,Gone There,gone.there@elsewhere.example,false\n`,
    "Account.csv": "Id,IsDeleted,Name,Type,OwnerId,BillingCity,Movein_Tier__c\n" +
      "001E2EMOVE1,false,Moveinford General Hospital,Customer - Direct,005E2E1,Moveinford,Gold\n" +
      "001E2EMOVE2,false,Moveinford Clinic,Prospect,005E2E1,Moveinford,\n" +
      "001E2EMOVE3,true,Moveinford Old Clinic,Prospect,005E2E2,Moveinford,\n",
    "Opportunity.csv": "Id,AccountId,Name,StageName,Amount,CloseDate,OwnerId,CurrencyIsoCode\n" +
      "006E2EMOVE1,001E2EMOVE1,Moveinford theatre beds,Proposal/Price Quote,42000.00,2027-03-31,005E2E1,GBP\n",
  });
  const ours = async () => (await call("GET", "/accounts?q=Moveinford&limit=50", admin.token)).json.items;
  assert.equal((await ours()).length, 0);

  const page = await newPage();
  await signIn(page, admin.email, "/admin/imports");
  const card = page.getByRole("region", { name: "Move in from Salesforce or HubSpot" });
  await card.getByLabel("Exported from").selectOption({ label: "Salesforce" });
  await card.getByLabel("Export (zip)").setInputFiles({ name: "salesforce-export.zip", mimeType: "application/zip", buffer: zip });
  assert.equal(await card.getByLabel("Dry run (check everything, write nothing)").isChecked(), true, "a dry run first by default");
  await card.getByLabel("Keep their own fields as custom fields").check();
  await card.getByRole("button", { name: "Check the export" }).click();
  await card.getByRole("status").filter({ hasText: "Dry run: everything checks out." }).waitFor({ timeout: 30000 });
  const checks = card.getByRole("list", { name: "Checks" });
  await checks.getByText("✓ Account.csv, records: 2 in the file, 2 would be written").waitFor();
  await checks.getByText("✓ Opportunity.csv, amount GBP: 42,000.00 in the file, 42,000.00 would be written").waitFor();
  const files = card.getByRole("table", { name: "Files of the export" });
  assert.match(await files.locator("tbody tr").filter({ hasText: "Account.csv" }).textContent(), /Account\.csv\s*accounts\s*3\s*1\s*2/);
  await card.getByRole("table", { name: "Owners" }).getByText("Matched by email").waitFor();
  await card.getByText(/Movein Tier \(text\) on accounts/).waitFor();
  assert.equal((await ours()).length, 0, "a dry run writes nothing");
  await expectAccessible(page, "Admin: Imports after a dry run of a move");
  await shot(page, "admin-move-in-dry-run");

  await card.getByLabel("Dry run (check everything, write nothing)").uncheck();
  await card.getByRole("button", { name: "Move in" }).click();
  await card.getByRole("status").filter({ hasText: "Moved in: every file imported and every check passed." }).waitFor({ timeout: 30000 });
  const accounts = await ours();
  assert.deepEqual(accounts.map((a) => [a.external_id, a.status, a.custom?.movein_tier ?? null]).sort(), [
    ["001E2EMOVE1", "customer", "Gold"],
    ["001E2EMOVE2", "prospect", null],
  ]);
  await card.getByRole("table", { name: "Recent moves" }).getByRole("button", { name: /^salesforce-export\.zip \(move \d+\)$/ }).first().waitFor();
});

test("a rep drops a signed plan on an account, downloads the same file and removes it", async () => {
  const account = (await call("GET", "/accounts?type=hospital&limit=1", rep.token)).json.items[0];
  const page = await newPage();
  await signIn(page, rep.email, `/accounts/${account.id}`);
  const card = page.getByRole("region", { name: "Files" });
  await card.waitFor();
  const pdf = "%PDF-1.7\n% signed success plan\n1 0 obj << >> endobj\n%%EOF\n";
  // Dropped on the card, as from the desktop.
  const dropped = await page.evaluateHandle((text) => {
    const transfer = new DataTransfer();
    transfer.items.add(new File([text], "Plan signé.pdf", { type: "application/pdf" }));
    return transfer;
  }, pdf);
  await card.dispatchEvent("drop", { dataTransfer: dropped });
  await card.getByRole("status").filter({ hasText: "Attached 1 file." }).waitFor();
  const link = card.getByRole("link", { name: "Plan signé.pdf" });
  await link.waitFor();
  const stored = (await call("GET", `/accounts/${account.id}/attachments`, rep.token)).json.items;
  assert.equal(stored[0].file_name, "Plan signé.pdf");
  assert.equal(stored[0].content_type, "application/pdf");

  const download = page.waitForEvent("download");
  await link.click();
  const file = await download;
  assert.equal(file.suggestedFilename(), "Plan signé.pdf");
  assert.equal(readFileSync(await file.path(), "utf8"), pdf);

  // A program is refused, with the reason, whatever it is called.
  await card.getByLabel("Attach files").setInputFiles({ name: "setup.pdf", mimeType: "application/pdf", buffer: Buffer.from("MZ\x90\x00program") });
  await card.getByRole("status").filter({ hasText: "setup.pdf: is not a kind of file Rapport keeps" }).waitFor();
  await expectAccessible(page, "an account's files");
  await shot(page, "account-files");

  page.once("dialog", (dialog) => dialog.accept());
  await card.getByRole("button", { name: "Remove Plan signé.pdf" }).click();
  await card.getByRole("status").filter({ hasText: "Removed Plan signé.pdf." }).waitFor();
  await link.waitFor({ state: "detached" });
  assert.equal((await call("GET", `/accounts/${account.id}/attachments`, rep.token)).json.items.some((f) => f.id === stored[0].id), false);

  // The demo's first success plan carries the plan as the customer signed it.
  const planPage = await newPage();
  await signIn(planPage, admin.email, "/success-plans/1");
  const evidence = planPage.getByRole("region", { name: "Signed plan and evidence" });
  await evidence.getByRole("link", { name: "Signed success plan.pdf" }).waitFor();
  await expectAccessible(planPage, "a success plan's files");
});

test("a rep edits a contact's phones and consent on their page, and a bad email is named", async () => {
  const contact = (await call("GET", "/contacts?stance=neutral&sort=last_name&limit=1", rep.token)).json.items[0];
  const page = await newPage();
  await signIn(page, rep.email, `/contacts/${contact.id}`);
  await page.getByRole("heading", { level: 1, name: new RegExp(`${contact.first_name} ${contact.last_name}`) }).waitFor();
  await page.getByRole("button", { name: "Edit contact" }).click();
  const form = page.getByRole("form", { name: /Edit contact/ });
  await form.getByLabel("Email", { exact: true }).fill("not an email");
  await form.getByRole("button", { name: "Save" }).click();
  await form.locator("#email-error").waitFor();
  assert.equal((await call("GET", `/contacts/${contact.id}`, rep.token)).json.email, contact.email);

  await form.getByLabel("Email", { exact: true }).fill(contact.email ?? "");
  await form.getByLabel("Mobile", { exact: true }).fill("07700 900123");
  await form.getByLabel("Opted out of email", { exact: true }).check();
  await form.getByLabel("Consent given or withdrawn on").fill("2026-11-20");
  await form.getByLabel(/Consent source/).fill("phone call");
  await form.getByRole("button", { name: "Save" }).click();
  await page.getByRole("status").filter({ hasText: "Saved." }).waitFor();
  await page.getByText("Opted out of email").waitFor();
  const stored = (await call("GET", `/contacts/${contact.id}`, rep.token)).json;
  assert.equal(stored.mobile, "07700 900123");
  assert.equal(stored.email_opted_out, true);
  assert.equal(stored.consent_on, "2026-11-20");
  await expectAccessible(page, "a contact's page");
  await shot(page, "contact");
  // Back as they were, for the tests that survey or introduce them.
  assert.equal((await call("PATCH", `/contacts/${contact.id}`, rep.token, { email_opted_out: false, mobile: contact.mobile })).status, 200);
});

test("an admin subscribes a receiver to account changes: it hears them signed, and the delivery log replays one", async () => {
  // The receiver: on this machine, so http is allowed; it checks each signature itself (Node's
  // crypto, not the server's code).
  const { createServer } = await import("node:http");
  const { createHmac, timingSafeEqual } = await import("node:crypto");
  const received = [];
  const receiver = createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
      res.writeHead(200, { "Content-Type": "text/plain" }).end("thanks");
    });
  });
  await new Promise((done) => receiver.listen(0, "127.0.0.1", done));
  const url = `http://127.0.0.1:${receiver.address().port}/rapport-${unique()}`;
  const signedBy = (secret, r) => {
    const key = Buffer.from(secret.slice("whsec_".length), "base64");
    const expected = createHmac("sha256", key).update(`${r.headers["webhook-id"]}.${r.headers["webhook-timestamp"]}.${r.body}`).digest();
    return r.headers["webhook-signature"].split(" ").some((s) => s.startsWith("v1,") && timingSafeEqual(Buffer.from(s.slice(3), "base64"), expected));
  };
  const waitFor = async (n) => {
    for (let i = 0; i < 100 && received.length < n; ++i) await new Promise((r) => setTimeout(r, 100));
    assert.equal(received.length, n, "the receiver heard too little");
  };
  try {
    const page = await newPage();
    await signIn(page, admin.email, "/admin/webhooks");
    await page.getByRole("heading", { name: "Admin: Webhooks" }).waitFor();
    const form = page.getByRole("form", { name: "Add a webhook endpoint" });
    await form.getByLabel("Address (https://)").fill("http://erp.example.com/hooks");
    await form.getByLabel("account.updated").check();
    await form.getByRole("button", { name: "Add endpoint" }).click();
    // Plain http goes only to this machine: the address is named as the problem.
    await form.getByText(/must be an https:\/\/ address/).waitFor();
    await form.getByLabel("Address (https://)").fill(url);
    await form.getByLabel("Description").fill("The ERP");
    await form.getByRole("button", { name: "Add endpoint" }).click();
    const secret = await page.getByLabel("Signing secret").inputValue();
    assert.match(secret, /^whsec_[A-Za-z0-9+/]+=*$/);
    await page.getByRole("button", { name: "Done" }).click();
    const row = page.locator(`tr[data-url="${url}"]`);
    await row.waitFor();

    // A change to an account reaches the receiver, signed with that secret.
    const account = (await call("GET", "/accounts?limit=1", admin.token)).json.items[0];
    const renamed = `${account.name} (${unique()})`;
    assert.equal((await call("PATCH", `/accounts/${account.id}`, admin.token, { name: renamed })).status, 200);
    await waitFor(1);
    const first = received[0];
    assert.ok(signedBy(secret, first), "the signature does not verify");
    const event = JSON.parse(first.body);
    assert.equal(event.type, "account.updated");
    assert.deepEqual(event.data.changes.name, { old: account.name, new: renamed });

    // The log shows it delivered; the payload opens; a replay sends the same id again.
    await row.getByRole("button", { name: "Deliveries" }).click();
    const log = page.getByRole("region", { name: `Deliveries to ${url}` });
    const delivery = log.locator(`tr[data-event="${first.headers["webhook-id"]}"]`);
    await delivery.getByText("delivered").waitFor();
    await delivery.getByRole("button", { name: "account.updated" }).click();
    await log.getByText(renamed, { exact: false }).first().waitFor();
    await expectAccessible(page, "Admin: Webhooks");
    await shot(page, "admin-webhooks");
    await delivery.getByRole("button", { name: "Replay" }).click();
    await waitFor(2);
    assert.equal(received[1].headers["webhook-id"], first.headers["webhook-id"]);
    assert.equal(received[1].body, first.body);
    assert.ok(signedBy(secret, received[1]));

    page.once("dialog", (d) => d.accept());
    await row.getByRole("button", { name: "Remove" }).click();
    await row.waitFor({ state: "detached" });
  } finally {
    receiver.close();
  }
});

test("a rep makes an address for emails, and files one from a stranger to an account", async () => {
  const page = await newPage();
  await signIn(page, rep.email);
  const card = page.getByRole("region", { name: "My emails in Rapport" });
  await card.getByRole("button", { name: "Make my address" }).click();
  const address = await card.getByLabel("Your address").inputValue();
  assert.match(address, /^log\+[0-9a-f]{32}@/);
  // A message from someone who is no contact, as the mail server hands it to `rapport mail-in`.
  const subject = `Tender question ${unique()}`;
  const message = `From: Stranger <stranger-${unique()}@elsewhere.example>\r\nTo: ${rep.email}\r\nSubject: ${subject}\r\nMessage-ID: <${unique()}@elsewhere.example>\r\n\r\nWhen does the tender close?\r\n`;
  const delivered = spawnSync(binary, ["mail-in", "--db", dbUrl ?? dbFile, "--recipient", address], { input: message, encoding: "utf8", env: onTestClock() });
  assert.equal(delivered.status, 0, delivered.stderr);
  await page.reload();
  const held = card.getByRole("listitem", { name: `Held: ${subject}` });
  await held.waitFor();
  await expectAccessible(page, "My day with a held email");
  await shot(page, "my-day-held-email");
  const account = (await call("GET", "/accounts?limit=1&sort=name", rep.token)).json.items[0];
  await held.getByLabel("File to account").fill(account.name.slice(0, 12));
  await held.getByRole("button", { name: `File to ${account.name}` }).first().click();
  await held.waitFor({ state: "detached" });
  const timeline = await call("GET", `/activities?account_id=${account.id}&kind=email&limit=500`, rep.token);
  assert.ok(timeline.json.items.some((a) => a.subject === subject), "the filed email is not on the account's timeline");
  // On the account's timeline, its thread (one message so far) opens.
  const accountPage = await newPage();
  await signIn(accountPage, rep.email, `/accounts/${account.id}`);
  await accountPage.getByRole("button", { name: `Thread of ${subject}` }).click();
  await accountPage.getByRole("list", { name: `Thread of ${subject}` }).getByText("Stranger").waitFor();
  await card.getByRole("button", { name: "Stop the address" }).click();
  await card.getByRole("button", { name: "Make my address" }).waitFor();
});

test("an admin erases a contact who asked to be forgotten: the reason in writing, then only an erased place-holder is left", async () => {
  const contact = (await call("GET", "/contacts?sort=-last_name&limit=1", admin.token)).json.items[0];
  const page = await newPage();
  await signIn(page, admin.email, `/contacts/${contact.id}`);
  await page.getByRole("heading", { level: 1, name: new RegExp(contact.last_name) }).waitFor();
  await page.getByText("Erase this contact (right to be forgotten)").click();
  const form = page.getByRole("form", { name: "Erase this contact" });
  assert.equal(await form.getByRole("button", { name: "Erase for good" }).isDisabled(), true, "not without a reason");
  await form.getByLabel("Reason").fill("Request under GDPR article 17, 7 Dec 2026");
  await form.getByRole("button", { name: "Erase for good" }).click();
  await page.getByRole("status").filter({ hasText: "Erased:" }).waitFor();
  await page.getByRole("heading", { level: 1, name: "Erased contact" }).waitFor();
  const stored = (await call("GET", `/contacts/${contact.id}`, admin.token)).json;
  assert.equal(stored.first_name, "Erased");
  assert.equal(stored.email, null);
  assert.equal(stored.do_not_contact, true);
  const history = (await call("GET", `/contacts/${contact.id}/history`, admin.token)).json.items;
  assert.deepEqual(history.map((h) => [h.field, h.new_value]), [["erasure", "Request under GDPR article 17, 7 Dec 2026"]]);
  await expectAccessible(page, "an erased contact's page");
});
