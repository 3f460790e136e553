// Headless Chromium chats on the useChat page (tests/browser/usechat) as a user does: types each question,
// presses Send, and waits until the hook has finished that request (`data-finished`) before the next.
// stdin: {page, chats: [{name, api, questions}]}: `page` is the built page's URL, `api` the transport's.
// stdout: a JSON line per chat: {name, turns: [what the page shows after each answer], pageErrors}.
// CHROMIUM overrides /usr/bin/chromium; a fresh profile is made and removed on every run.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";
import { stdinJson } from "./reader.mjs";

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
// A hang guard only: an answer at speed 0 takes milliseconds.
const ANSWER_TIMEOUT_MS = 20000;

/** What the page shows: the hook's status and error, and each message's rendered parts. Runs in the page. */
function rendered() {
  const main = document.querySelector("main");
  const part = (node) => {
    const kind = node.dataset.part;
    if (kind === "tool") {
      const output = node.querySelector("[data-output]");
      return { kind, tool: node.dataset.tool, state: node.dataset.state, input: JSON.parse(node.querySelector("[data-input]").textContent), ...(output && { output: JSON.parse(output.textContent) }) };
    }
    return { kind, text: (kind === "reasoning" ? node.querySelector("p") : node).textContent };
  };
  return {
    status: main.dataset.status,
    error: document.querySelector("[role=alert]")?.textContent ?? null,
    messages: [...main.querySelectorAll("li")].map((li) => ({ role: li.dataset.role, parts: [...li.querySelectorAll("[data-part]")].map(part) })),
  };
}

async function chat(context, pageUrl, { name, api, questions }) {
  const page = await context.newPage();
  const pageErrors = [];
  page.on("pageerror", (error) => pageErrors.push(String(error)));
  try {
    await page.goto(`${pageUrl}?api=${encodeURIComponent(api)}`);
    const turns = [];
    for (const [index, question] of questions.entries()) {
      await page.getByLabel("Message").fill(question);
      await page.getByRole("button", { name: "Send" }).click();
      await page.locator(`main[data-finished="${index + 1}"]`).waitFor({ timeout: ANSWER_TIMEOUT_MS });
      turns.push(await page.evaluate(rendered));
    }
    return { name, turns, pageErrors };
  } finally {
    await page.close();
  }
}

const { page, chats } = await stdinJson();
const profile = mkdtempSync(join(tmpdir(), "mockllm-chromium-"));
const context = await chromium.launchPersistentContext(profile, { executablePath: process.env.CHROMIUM || "/usr/bin/chromium", headless: true, args: FLAGS });
try {
  for (const one of chats) console.log(JSON.stringify(await chat(context, page, one)));
} finally {
  await context.close();
  rmSync(profile, { recursive: true, force: true });
}
