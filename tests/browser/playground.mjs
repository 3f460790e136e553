// Drive the playground page in headless Chromium, as a presenter would, at one viewport.
// stdin: a first JSON line {origin, viewport: "desktop" | "phone", shots: DIR}; later lines answer this script's asks.
// stdout: JSON lines: {ask: ...} when it needs the test to act (the test answers one line on stdin), {check, ...} per
// check passed, and last {done: true, problems: [...]}: JavaScript errors, console errors and requests that left
// the server's origin. CHROMIUM overrides /usr/bin/chromium.
import { join } from "node:path";
import { createInterface } from "node:readline";

import { runInBrowser, say } from "./playground_browser.mjs";

/** Wait until the phone has finished every answer it started (each bot bubble has its scenario caption below it). */
const phoneSettled = (page) =>
  page.waitForFunction(() => document.querySelectorAll("#phone-chat .bubble-scenario").length >= document.querySelectorAll("#phone-chat .bubble.bot").length);


const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const nextLine = async () => (await lines.next()).value;
const { origin, viewport, shots } = JSON.parse(await nextLine());
const ask = async (value) => {
  say({ ask: value });
  return JSON.parse(await nextLine());
};

await runInBrowser(viewport, {}, async (page, problems) => {
  page.on("request", (request) => {
    const url = request.url();
    if (!url.startsWith(origin + "/") && !url.startsWith("data:")) problems.push(`request outside the server: ${url}`);
  });

  await page.goto(origin + "/");
  await page.waitForSelector("body[data-ready=true]");
  say({ check: "redirected", url: page.url() });

  const targetValue = await page.$eval("#target", (select) => [...select.options].find((o) => o.textContent.startsWith("miniprogram "))?.value);
  await page.selectOption("#target", targetValue);

  // recharge-required: the phone shows the modal the client's onError(101) opens
  if (viewport === "desktop") await page.click('#scenario-list li[data-name="recharge-required"]');
  else await page.selectOption("#scenario", "recharge-required");
  await page.fill("#prompt", "帮我写一首关于春天的诗");
  await page.click("#send");
  const modal = page.locator("#phone-modal:not([hidden])");
  await modal.waitFor();
  say({ check: "recharge modal", title: await modal.locator(".wx-modal-title").textContent(), content: await modal.locator(".wx-modal-content").textContent(), confirm: await modal.locator(".confirm").textContent() });
  if (viewport === "phone") {
    await page.locator("#phone").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(shots, "playground-phone.png") });
  }
  await modal.locator(".confirm").click();
  await page.waitForSelector("#phone-modal", { state: "hidden" });

  // split-utf8 on the miniprogram framing: the inspector marks reads that end inside a character
  await page.selectOption("#scenario", "split-utf8");
  await page.fill("#prompt", "你好");
  await page.click("#send");
  await page.waitForSelector("#send:not([disabled])");
  await phoneSettled(page);
  const cut = page.locator("#inspector-body tr.mark-utf8");
  await cut.first().waitFor();
  say({
    check: "utf8 cut marked",
    cutReads: await cut.count(),
    firstCut: await cut.first().locator(".hex.end").textContent(),
    badge: await cut.first().locator(".badge.bad").textContent(),
    answer: await page.locator("#phone-chat .bubble.bot").last().textContent(),
  });

  if (viewport === "desktop") {
    // every route the page offers: what it shows (provider answers are read by the page itself), unpaced
    await page.selectOption("#scenario", "hello");
    await page.fill("#speed", "0");
    const answers = {};
    for (const [value, label] of await page.$$eval("#target option", (options) => options.map((o) => [o.value, o.textContent]))) {
      await page.selectOption("#target", value);
      await page.click("#send");
      await page.waitForSelector("#send:not([disabled])");
      await phoneSettled(page);
      answers[label] = { answer: await page.locator("#answer").textContent(), phone: await page.locator("#phone-chat .bubble.bot").last().textContent() };
    }
    say({ check: "every route", answers });
    await page.selectOption("#target", targetValue);

    // "the next request → login-required", then a request from another client gets -1 and shows in Live traffic
    await page.selectOption("#demo-scenario", "login-required");
    await page.fill("#demo-count", "1");
    await page.click("#demo-next");
    await page.locator('#demo-list li[data-id]', { hasText: "login-required" }).waitFor();
    const asked = Date.now();
    const sent = await ask({ send: "login-required" });
    const row = page.locator(`#live-rows tr[data-entry-id="${sent.entry}"]`);
    await row.waitFor();
    say({ check: "live latency", ms: Date.now() - asked }); // the other client's request and journal read included
    say({ check: "live row", code: await row.locator(".badge.code").textContent(), override: await row.locator(".badge", { hasText: "override" }).textContent(), scenario: await row.locator("td").nth(4).textContent() });
    await page.locator("#demo-list li.empty").waitFor();
    say({ check: "override used up" });
    await row.click();
    await page.locator("#inspector-what", { hasText: `journal #${sent.entry}` }).waitFor();
    const why = page.locator("#inspector-body dl.summary dt", { hasText: /^why$/ }).locator("xpath=following-sibling::dd[1]");
    say({ check: "entry inspected", writes: await page.locator("#inspector-body details.writes summary").count(), why: await why.textContent() });

    // an entry whose journal record has the server's writes: the inspector lists them
    const recorded = await ask({ record: "write_log" });
    await page.locator(`#live-rows tr[data-entry-id="${recorded.entry}"]`).click();
    const writes = page.locator("#inspector-body details.writes");
    await writes.locator("summary").click();
    say({ check: "server writes", summary: await writes.locator("summary").textContent(), rows: await writes.locator("tbody tr").allTextContents() });
    const whyTable = page.locator("#inspector-body table.why-table");
    say({ check: "why table", caption: await whyTable.locator("caption").textContent(), rows: await whyTable.locator("tbody tr").evaluateAll((rows) => rows.map((row) => [...row.cells].map((cell) => cell.textContent))) });

    // the report card of the whole journal: one row per verdict, each with its badge
    await page.fill("#report-session", "");
    await page.click("#report-read");
    await page.locator("#report-list li[data-name]").first().waitFor();
    say({
      check: "report card",
      status: await page.locator("#report-status").textContent(),
      rows: await page.$$eval("#report-list > li", (items) => items.map((li) => [li.dataset.name, li.dataset.verdict, li.querySelector(".badge").textContent])),
    });

    // back to this page's split-utf8 request, paced as scenario says, for the screenshot
    await page.selectOption("#scenario", "split-utf8");
    await page.fill("#speed", "1");
    await page.click("#send");
    await page.waitForSelector("#send:not([disabled])");
    await phoneSettled(page);
    await page.locator("#inspector-body tr.mark-utf8").first().waitFor();
    await page.$eval("#scenario-list li.selected", (li) => li.parentElement.scrollTo(0, li.offsetTop - li.parentElement.offsetTop - 8));
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(shots, "playground-desktop.png"), fullPage: true });
  }
});
