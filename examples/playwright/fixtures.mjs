// A `mockllm` fixture: each test gets its own session, and every request its page sends to mockllm carries it.
import { randomUUID } from "node:crypto";
import { test as base } from "@playwright/test";
import { connectMockllm } from "mockllm-node";
import { MOCKLLM_URL } from "./playwright.config.mjs";

const server = connectMockllm(MOCKLLM_URL);

export const test = base.extend({
  mockllm: async ({ page }, use, testInfo) => {
    // Readable in the journal, and unique across workers, retries and --repeat-each.
    const session = server.session(`${testInfo.title.replace(/[^A-Za-z0-9._-]+/g, "-").slice(0, 40)}-${randomUUID().slice(0, 8)}`);
    await session.attach(page);
    await use(session);
    await session.reset();
  },
});

export { expect } from "@playwright/test";
