// ESLint for the web app: TypeScript's recommended rules and React's rules of hooks, run by
// `npm run lint` (the build and CI run it, so a warning fails).
import js from "@eslint/js";
import reactHooks from "eslint-plugin-react-hooks";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "src/generated/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["src/**/*.{ts,tsx}"],
    plugins: { "react-hooks": reactHooks },
    rules: {
      "react-hooks/rules-of-hooks": "error",
      "react-hooks/exhaustive-deps": "error",
    },
  },
  {
    files: ["e2e/**/*.{js,mjs}", "scripts/**/*.{js,mjs}", "*.js", "*.ts"],
    // Node's globals, and the page's for the functions the browser tests run inside the page.
    languageOptions: {
      globals: Object.fromEntries(
        ["process", "console", "URL", "URLSearchParams", "Buffer", "fetch", "setTimeout", "clearTimeout", "AbortController", "document", "window", "DataTransfer", "File"].map((name) => [name, "readonly"]),
      ),
    },
  },
);
