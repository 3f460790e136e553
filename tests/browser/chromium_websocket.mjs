// Headless Chromium opens a page WebSocket to the server, sends one request and collects every
// message until the socket closes or the end marker arrives. stdin: {origin, url, request};
// stdout: JSON {messages, close: {code, reason, wasClean}}. CHROMIUM overrides /usr/bin/chromium.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { stdinJson } from "./reader.mjs";

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const { origin, url, request } = await stdinJson();
const profile = mkdtempSync(join(tmpdir(), "mockllm-chromium-"));
const context = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: FLAGS });
try {
  const page = await context.newPage();
  await page.goto(origin + "/_mock/health");
  const seen = await page.evaluate(
    ({ target, body }) =>
      new Promise((resolve) => {
        const out = { messages: [], close: null };
        const socket = new WebSocket(target);
        socket.onopen = () => socket.send(body);
        socket.onmessage = (event) => {
          out.messages.push(event.data);
          if (event.data === "0\r\n\r\n") socket.close(1000);
        };
        socket.onclose = (event) => {
          out.close = { code: event.code, reason: event.reason, wasClean: event.wasClean };
          resolve(out);
        };
      }),
    { target: url, body: JSON.stringify(request) },
  );
  console.log(JSON.stringify(seen));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
