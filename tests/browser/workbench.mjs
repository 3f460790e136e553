// The playground's coverage panel, its "Open on a phone" QR code and the phone view, in headless Chromium.
// Usage: node workbench.mjs URL SESSION; prints what the page shows as JSON.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const { chromium } = require("playwright-core");
const [url, session] = process.argv.slice(2);
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu"] });
const errors = [];
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  page.on("pageerror", (error) => errors.push(error.message));
  page.on("console", (message) => message.type() === "error" && errors.push(message.text()));
  await page.goto(`${url}/_mock/ui/`);
  await page.waitForSelector("body[data-ready=true]");
  await page.fill("#coverage-session", session);
  await page.click("#coverage-form button");
  await page.waitForFunction((s) => document.querySelector("#coverage-summary").textContent.includes(`session ${s}`), session);
  const covered = await page.$$eval("#coverage-table tr.covered", (rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent)));
  const summary = await page.textContent("#coverage-summary");
  await page.fill("#try-form [name=session]", session);
  await page.click("#pair summary");
  await page.waitForSelector(".pair-qr");
  const pair = { url: await page.textContent(".pair-url"), image: await page.getAttribute(".pair-qr", "src") };
  const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
  phone.on("pageerror", (error) => errors.push(error.message));
  await phone.goto(pair.url);
  await phone.waitForSelector("body[data-ready=true]");
  const phoneView = await phone.evaluate(() => ({
    view: document.body.classList.contains("phone-view"),
    session: document.querySelector("#try-form").elements.session.value,
    hidden: ["#live", "#coverage", "#try", "#scenarios", "#demo", "#pair"].filter((s) => !document.querySelector(s).checkVisibility()),
    phoneShown: document.querySelector("#phone-frame").checkVisibility(),
  }));
  console.log(JSON.stringify({ summary, covered, pair: { url: pair.url, svg: pair.image.startsWith("data:image/svg+xml") }, phoneView, errors }));
} finally {
  await browser.close();
}
