// A chat page in headless Chromium sends a message, reads the first piece of its streamed answer, then the user
// sends another message: the page starts a second stream, with or without aborting the first (an AbortController).
// stdin: {origin, session, first, second, abort}: `first`/`second` are scenario names, `abort` whether the page aborts
// the first stream before it starts the second. With the page still open (the first stream still running when it
// was left open), Node reads the session's report card. stdout: JSON {firstText, secondText, report}.
// CHROMIUM overrides /usr/bin/chromium.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { stdinJson } from "./reader.mjs";

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const { origin, session, first, second, abort } = await stdinJson();
const profile = mkdtempSync(join(tmpdir(), "mockllm-chromium-"));
const context = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: FLAGS });
try {
  const page = await context.newPage();
  await page.goto(origin + "/_mock/health");
  const seen = await page.evaluate(
    async ({ session, first, second, abort }) => {
      const send = (model, signal) =>
        fetch("/v1/chat/completions", {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-Mock-Session": session, "X-Mock-Speed": "1" },
          body: JSON.stringify({ model, stream: true, messages: [{ role: "user", content: model }] }),
          signal,
        });
      const controller = new AbortController();
      const reader = (await send(first, controller.signal)).body.getReader();
      const decoder = new TextDecoder();
      const firstText = decoder.decode((await reader.read()).value, { stream: true });
      if (abort) controller.abort();
      // The page forgets the first reader (as a chat UI that replaces the message list's state does) and reads the second.
      const answer = (await send(second)).body.getReader();
      let secondText = "";
      for (let part = await answer.read(); !part.done; part = await answer.read()) secondText += decoder.decode(part.value, { stream: true });
      return { firstText, secondText };
    },
    { session, first, second, abort },
  );
  const report = await (await fetch(`${origin}/_mock/report?session=${encodeURIComponent(session)}`)).json();
  console.log(JSON.stringify({ ...seen, report }));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
