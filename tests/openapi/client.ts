// A TypeScript client generated from the served OpenAPI document (openapi-typescript's types,
// openapi-fetch's client), used as an integrator would: sign in, create, list, read with its ETag,
// update with If-Match, and a stale If-Match read back as a problem document. Compiled with
// `tsc --strict` against the generated types first, so a call the document does not describe
// fails before it runs. Run by client_test.sh:
//   node client.js BASE_URL EMAIL PASSWORD
import createClient from "openapi-fetch";
import type { operations, paths } from "./api.js";

declare const process: { argv: string[]; exit(code: number): never };  // no @types/node needed

type AccountList = operations["listAccounts"]["responses"][200]["content"]["application/json"];
type Problem = {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: { field: string; message: string }[];
};

const [baseUrl, email, password] = process.argv.slice(2);
const client = createClient<paths>({ baseUrl });
let checks = 0;
function check(what: string, ok: boolean, detail?: unknown): void {
  if (!ok) {
    console.error(`FAIL: ${what}`, detail === undefined ? "" : JSON.stringify(detail));
    process.exit(1);
  }
  checks += 1;
  console.log(`ok: ${what}`);
}

const login = await client.POST("/api/v1/auth/login", { body: { email, password } });
check("signIn answers a token", typeof login.data?.token === "string", login.error);
const headers = { Authorization: `Bearer ${login.data!.token}` };

const created = await client.POST("/api/v1/accounts", {
  headers,
  body: { name: "Generated Client General Hospital", type: "hospital", city: "York" },
});
check("createAccount answers 201 with the new account", created.response.status === 201, created.error);
const id = String((created.data as { id: string }).id);

const list = await client.GET("/api/v1/accounts", {
  headers,
  params: { query: { limit: 50, q: "Generated Client" } },
});
const items: AccountList["items"] = list.data?.items ?? [];
check("listAccounts finds it by name", items.some((a) => String(a.id) === id), list.error);

const read = await client.GET("/api/v1/accounts/{id}", { headers, params: { path: { id } } });
const etag = read.response.headers.get("ETag");
check("getAccount answers it with an ETag", read.data?.name === "Generated Client General Hospital" && !!etag);

const updated = await client.PATCH("/api/v1/accounts/{id}", {
  headers: { ...headers, "If-Match": etag! },
  params: { path: { id } },
  body: { city: "Leeds", beds: 420 },
});
check("updateAccount with If-Match changes it", updated.data?.city === "Leeds" && updated.data?.beds === 420, updated.error);

const stale = await client.PATCH("/api/v1/accounts/{id}", {
  headers: { ...headers, "If-Match": etag! },
  params: { path: { id } },
  body: { city: "Hull" },
});
const problem = stale.error as Problem | undefined;
check("a stale If-Match is refused with a problem document (412)",
  stale.response.status === 412 && problem?.status === 412 && typeof problem?.type === "string", problem);

const bad = await client.POST("/api/v1/accounts", {
  headers,
  // A wrong type the generated types would refuse at compile time, sent as a client in another
  // language could send it.
  body: { name: "Bad", type: "castle" } as unknown as { name: string; type: "hospital" },
});
const refusal = bad.error as Problem | undefined;
check("bad input is a 422 problem naming the field",
  bad.response.status === 422 && refusal?.errors?.[0]?.field === "type", refusal);

console.log(`${checks} checks passed`);
