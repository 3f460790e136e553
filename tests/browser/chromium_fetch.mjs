// Headless Chromium reads each case from a page of the server's own origin (no CORS involved).
// stdin: {origin, cases: [{name, url, headers, body}]}; stdout: JSON lines. CHROMIUM overrides /usr/bin/chromium.
// A fresh profile (the --user-data-dir Playwright passes) is made and removed on every run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { readAll, stdinJson } from "./reader.mjs";

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const { origin, cases } = await stdinJson();
const profile = mkdtempSync(join(tmpdir(), "mockllm-chromium-"));
const context = await chromium.launchPersistentContext(profile, {
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  headless: true,
  args: FLAGS,
});
try {
  const page = await context.newPage();
  await page.goto(origin + "/_mock/health");
  for (const seen of await page.evaluate(readAll, cases)) console.log(JSON.stringify(seen));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
