// The web app in a real browser (Debian's chromium through playwright-core) against the real
// rapport binary serving the demo company. Screenshots of each main page go to
// RAPPORT_E2E_OUT (default test-output/e2e).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium } from "playwright-core";
import AxeBuilder from "@axe-core/playwright";

const binary = process.env.RAPPORT_BINARY;
const webRoot = resolve(process.env.RAPPORT_WEB_ROOT ?? "dist");
const out = resolve(process.env.RAPPORT_E2E_OUT ?? "../test-output/e2e");
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

async function newPage(viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, locale: "en-GB" });
  return context.newPage();
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
}

async function expectAccessible(page, what) {
  const results = await new AxeBuilder({ page }).withTags(["wcag2a", "wcag2aa"]).analyze();
  const serious = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.length} × ${v.help}`), [], `${what} has accessibility violations`);
}

before(async () => {
  assert.ok(binary, "set RAPPORT_BINARY to the rapport binary");
  mkdirSync(out, { recursive: true });
  dir = mkdtempSync(join(tmpdir(), "rapport-e2e-"));
  const db = join(dir, "e2e.db");
  const demo = spawnSync(binary, ["demo", "--db", db, "--seed", "7"], { encoding: "utf8" });
  assert.equal(demo.status, 0, demo.stderr);
  server = spawn(binary, ["serve", "--db", db, "--listen", "127.0.0.1:0", "--web-root", webRoot], { stdio: ["ignore", "pipe", "ignore"] });
  base = await new Promise((ok, fail) => {
    let text = "";
    server.stdout.on("data", (d) => {
      text += d;
      const m = text.match(/at (http:\/\/127\.0\.0\.1:\d+)\//);
      if (m) ok(m[1]);
    });
    server.on("exit", (code) => fail(new Error(`rapport serve exited with ${code}`)));
  });
  admin = await login("admin@medequip.example");
  const reps = await call("GET", "/users?role=rep&status=active&limit=1", admin.token);
  rep = await login(reps.json.items[0].email);
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
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

  const subject = `Check-in after training ${Date.now()}`;
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
  const email = `new.starter.${Date.now()}@medequip.example`;
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
  await form.getByLabel("Region").fill("Typed before the other change");
  // Someone else saves first.
  const current = await fetch(`${base}/api/v1/accounts/${account.id}`, { headers: { Authorization: `Bearer ${admin.token}` } });
  const changed = await call("PATCH", `/accounts/${account.id}`, admin.token, { postcode: "ZZ1 1ZZ" });
  assert.equal(changed.status, 200, JSON.stringify(changed.json));
  assert.ok(current.ok);
  await form.getByRole("button", { name: "Save" }).click();
  await form.getByRole("alert").filter({ hasText: "Someone else changed" }).waitFor();
  assert.equal(await form.getByLabel("Region").inputValue(), "Typed before the other change");
  await shot(page, "stale-edit");
  await form.getByRole("button", { name: "Reload it" }).click();
  await page.waitForFunction(() => document.querySelector('input[aria-invalid]') !== null);
  assert.equal(await form.getByLabel("Postcode").inputValue(), "ZZ1 1ZZ");
});

test("contacts and tasks pages list what is in reach", async () => {
  const page = await newPage();
  await signIn(page, rep.email, "/contacts?stance=advocate");
  await page.locator("tbody tr").first().waitFor();
  const stances = await page.locator("tbody tr td:nth-child(4)").allTextContents();
  assert.ok(stances.length > 0 && stances.every((s) => s === "advocate"));
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
  const subject = `Quick call ${Date.now()}`;
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
  const subject = `We are still here for you ${Date.now()}`;
  await page.getByRole("textbox", { name: "Subject" }).fill(subject);
  await page.getByRole("button", { name: "Save" }).click();
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
  const download = page.waitForEvent("download");
  await page.getByRole("link", { name: "Download XLSX" }).click();
  const file = await download;
  assert.match(file.suggestedFilename(), /^forecast-.*\.xlsx$/);
  await expectAccessible(page, "the forecast");
  await shot(page, "forecast");
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
  await page.getByLabel(/^Outcome of the call on/).first().selectOption("best");
  await page.getByLabel(/^Review notes for the call on/).first().fill("Trial agreed for March");
  await page.getByRole("button", { name: "Save review" }).first().click();
  await page.getByText("Reviewed: Got the best action — Trial agreed for March").waitFor();
  const plans = (await call("GET", `/call_plans?account_id=${account.id}&limit=5`, rep.token)).json.items;
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
