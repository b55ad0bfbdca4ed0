// node check.mjs FILE: validates an OpenAPI document; exits 1 listing what is wrong.
import { readFileSync } from "node:fs";
import { Validator } from "@seriousme/openapi-schema-validator";

const file = process.argv[2];
const document = JSON.parse(readFileSync(file, "utf8"));
const validator = new Validator();
const result = await validator.validate(document);
if (!result.valid) {
  console.error(`${file} is not a valid OpenAPI ${validator.version} document:`);
  console.error(JSON.stringify(result.errors, null, 2).slice(0, 4000));
  process.exit(1);
}
// Client generators make method names of operationIds: each a plain camel-case name, used once.
const problems = [];
const seen = new Map();
for (const [path, item] of Object.entries(document.paths)) {
  for (const [method, operation] of Object.entries(item)) {
    const id = operation.operationId;
    if (typeof id !== "string" || !/^[a-z][A-Za-z0-9]*$/.test(id)) {
      problems.push(`${method.toUpperCase()} ${path}: operationId ${JSON.stringify(id)} is not a camel-case name`);
    } else if (seen.has(id)) {
      problems.push(`${method.toUpperCase()} ${path}: operationId ${id} is also ${seen.get(id)}'s`);
    } else {
      seen.set(id, `${method.toUpperCase()} ${path}`);
    }
  }
}
if (!Array.isArray(document.servers) || document.servers.length === 0) problems.push("no servers");
if (problems.length > 0) {
  console.error(`${file}:\n${problems.join("\n")}`);
  process.exit(1);
}
const operations = Object.values(document.paths).reduce((n, p) => n + Object.keys(p).length, 0);
console.log(`${file}: valid OpenAPI ${validator.version}, ${Object.keys(document.paths).length} paths, ${operations} operations`);
