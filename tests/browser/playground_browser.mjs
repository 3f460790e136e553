// Headless Chromium for the playground scripts: a throwaway profile at a desktop or phone viewport, and the
// page's own JavaScript and console errors collected as problems. CHROMIUM overrides /usr/bin/chromium.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const VIEWPORTS = {
  desktop: { viewport: { width: 1440, height: 1000 }, colorScheme: "dark" },
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, colorScheme: "light" },
};
const TIMEOUT = 15_000;

/**
 * A browser at `viewport` with one page; `problems` collects page errors and console errors (those `ignored`
 * matches excepted). `close()` ends the browser and removes its profile.
 */
export async function openBrowser(viewport, { ignored = null } = {}) {
  const profile = mkdtempSync(join(tmpdir(), "mockllm-playground-"));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
    ...VIEWPORTS[viewport],
  });
  context.setDefaultTimeout(TIMEOUT);
  const problems = [];
  const page = context.pages()[0] || (await context.newPage());
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error" && !ignored?.test(message.text())) problems.push(`console.error: ${message.text()}`);
  });
  const close = async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  };
  return { page, problems, close };
}

/** Print one JSON line: a check, an ask, or the last `{done, problems}`. */
export const say = (value) => console.log(JSON.stringify(value));

/**
 * Run `steps(page, problems)` in a browser at `viewport`; a failed step is a problem. Then print
 * `{done: true, problems}`, close the browser and exit.
 */
export async function runInBrowser(viewport, options, steps) {
  const { page, problems, close } = await openBrowser(viewport, options);
  try {
    await steps(page, problems);
  } catch (error) {
    problems.push(`${error.name}: ${error.message.split("\n")[0]}`);
  } finally {
    say({ done: true, problems });
    await close();
    process.exit(0);
  }
}
