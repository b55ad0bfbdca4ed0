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
const operations = Object.values(document.paths).reduce((n, p) => n + Object.keys(p).length, 0);
console.log(`${file}: valid OpenAPI ${validator.version}, ${Object.keys(document.paths).length} paths, ${operations} operations`);
