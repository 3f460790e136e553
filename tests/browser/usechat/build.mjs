// Builds the useChat page with Vite: `node tests/browser/usechat/build.mjs DIR` writes the site to DIR/site.
// Vite's cache goes to DIR/cache, so nothing is written into the checkout or into node_modules.
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";

const [into] = process.argv.slice(2);
await build({
  configFile: false,
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  cacheDir: join(into, "cache"),
  logLevel: "warn",
  build: {
    outDir: join(into, "site"),
    emptyOutDir: true,
    rolldownOptions: {
      // swr marks its modules "use client" for React Server Components; a browser bundle has no use for it.
      onwarn(warning, warn) {
        if (warning.code !== "MODULE_LEVEL_DIRECTIVE") warn(warning);
      },
    },
  },
});
