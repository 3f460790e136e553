// The playground as a newcomer meets it, in headless Chromium: behind an admin token, the Try panel's first
// choices, Demo control against the page's own scenario pick, and the phone's login page.
// stdin: one JSON line {origin, token, viewport: "desktop" | "phone"} (token: the server's admin token, or null).
// stdout: one JSON line per check ({check, ...}), then {done: true, problems: [...]} (JavaScript errors, console
// errors other than the 401s the token check provokes, failed steps). CHROMIUM overrides /usr/bin/chromium.
import { createInterface } from "node:readline";

import { runInBrowser, say } from "./playground_browser.mjs";

/** Wait until the phone has finished every answer it started (each bot bubble has its scenario caption below it). */
const phoneSettled = (page) =>
  page.waitForFunction(() => document.querySelectorAll("#phone-chat .bubble-scenario").length >= document.querySelectorAll("#phone-chat .bubble.bot").length);


const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
const { origin, token, viewport } = JSON.parse((await lines.next()).value);


/** The token prompt: shown with its reason, a wrong token refused, the right one kept for the tab. */
async function tokenChecks(page) {
  await page.goto(origin + "/_mock/ui/");
  await page.waitForSelector("body[data-auth=needed]");
  const panel = page.locator("#token-panel");
  say({
    check: "token asked",
    visible: await panel.isVisible(),
    why: await panel.locator("p").first().textContent(),
    status: await page.locator("#token-status").textContent(),
    live: await page.locator("#live-state").textContent(),
  });
  await page.fill("#token-input", "not-the-token");
  await page.click("#token-form button");
  await page.waitForSelector("body[data-auth=needed]");
  await page.locator("#token-status", { hasText: "refused" }).waitFor();
  say({ check: "wrong token refused", status: await page.locator("#token-status").textContent() });
  await page.fill("#token-input", token);
  await page.click("#token-form button");
  await page.waitForSelector("body[data-ready=true]");
  await page.locator("#live-state", { hasText: "live" }).waitFor();
  say({ check: "token accepted", scenarios: await page.locator("#scenario-list li").count(), live: await page.locator("#live-state").textContent() });
  await page.reload();
  await page.waitForSelector("body[data-ready=true]");
  say({ check: "token kept for the tab", asked: await page.locator("#token-panel").isVisible(), stored: await page.evaluate(() => sessionStorage.getItem("mockllm-admin-token")) });
  await page.evaluate(() => sessionStorage.clear());
  await page.goto("about:blank");
  await page.goto(`${origin}/_mock/ui/#token=${encodeURIComponent(token)}`);
  await page.waitForSelector("body[data-ready=true]");
  say({ check: "token from the URL", hash: await page.evaluate(() => location.hash) });
}

/** What Try offers first, and whether the scenario dropdown shows a whole name. */
async function tryChecks(page) {
  const target = await page.$eval("#target", (select) => select.selectedOptions[0].textContent);
  const fit = await page.$eval("#scenario", (select) => {
    const style = getComputedStyle(select);
    const context2d = document.createElement("canvas").getContext("2d");
    context2d.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const widest = Math.max(...[...select.options].map((o) => context2d.measureText(o.textContent).width));
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    return { widest: Math.ceil(widest), inner: Math.floor(select.clientWidth - padding) };
  });
  say({ check: "try first choices", target, ...fit });
}

/** Send from the Try panel and wait for the answer to finish. */
async function send(page) {
  await page.click("#send");
  await page.waitForSelector("#send:not([disabled])");
  await phoneSettled(page);
}

const captions = (page) => page.locator("#phone-chat .bubble-scenario").allTextContents();

/** Demo control beats the page's own pick; the phone says which scenario answered. */
async function demoChecks(page) {
  await page.selectOption("#scenario", "split-utf8");
  await page.selectOption("#demo-scenario", "recharge-required");
  await page.fill("#demo-count", "1");
  await page.click("#demo-next");
  await page.locator("#demo-list li[data-id]", { hasText: "recharge-required" }).waitFor();
  await send(page);
  const modal = page.locator("#phone-modal:not([hidden])");
  await modal.waitFor();
  const modalTitle = await modal.locator(".wx-modal-title").textContent();
  await modal.locator(".confirm").click();
  await page.locator("#demo-list li.empty").waitFor();
  const afterOverride = await captions(page);
  await send(page);
  say({ check: "demo control wins", modalTitle, afterOverride, afterUsedUp: await captions(page) });
}

/** The login page the client opens on code -1 covers the chat from the navigation bar down, no strip showing. */
async function loginChecks(page) {
  await page.selectOption("#scenario", "login-required");
  await send(page);
  await page.waitForSelector("#phone-login:not([hidden])");
  await page.locator("#phone-frame").scrollIntoViewIfNeeded();
  const cover = await page.evaluate(() => {
    const box = (selector) => document.querySelector(selector).getBoundingClientRect();
    const navbar = box(".navbar");
    const login = box("#phone-login");
    const chat = box("#phone-chat");
    const x = chat.left + chat.width / 2;
    const uncovered = [];
    for (let y = Math.ceil(navbar.bottom) + 1; y < chat.bottom - 1; y += 4) {
      const hit = document.elementFromPoint(x, y);
      if (!hit?.closest("#phone-login")) uncovered.push(y);
    }
    return { gap: Math.round(login.top - navbar.bottom), uncovered: uncovered.length };
  });
  say({ check: "login covers the chat", ...cover });
}

await runInBrowser(viewport, { ignored: /401 \(Unauthorized\)/ }, async (page) => {
  if (token) {
    await tokenChecks(page);
  } else {
    await page.goto(origin + "/_mock/ui/");
    await page.waitForSelector("body[data-ready=true]");
  }
  await tryChecks(page);
  await demoChecks(page);
  await loginChecks(page);
});
