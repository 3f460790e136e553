// Headless Chromium opens `new EventSource(url)` from a page of the server's own origin and collects
// every message until [DONE] (or an error with the source closed). stdin: {origin, url}; stdout: JSON
// {messages: [{data, lastEventId}], opens, errors}. CHROMIUM overrides /usr/bin/chromium.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { stdinJson } from "./reader.mjs";

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const { origin, url } = await stdinJson();
const profile = mkdtempSync(join(tmpdir(), "mockllm-chromium-"));
const context = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: FLAGS });
try {
  const page = await context.newPage();
  await page.goto(origin + "/_mock/health");
  const seen = await page.evaluate(
    (target) =>
      new Promise((resolve) => {
        const out = { messages: [], opens: 0, errors: 0 };
        const source = new EventSource(target);
        source.onopen = () => (out.opens += 1);
        source.onmessage = (event) => {
          out.messages.push({ data: event.data, lastEventId: event.lastEventId });
          if (event.data === "[DONE]") {
            source.close();
            resolve(out);
          }
        };
        source.onerror = () => {
          out.errors += 1;
          if (source.readyState === EventSource.CLOSED || out.errors > 5) {
            source.close();
            resolve(out);
          }
        };
      }),
    url,
  );
  console.log(JSON.stringify(seen));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
