// Each test posts the answer it needs for its own session, drives the page, and checks what it shows and what it sent.
import { expect, test } from "./fixtures.mjs";

async function ask(page, text) {
  await page.getByRole("textbox", { name: "Message" }).fill(text);
  await page.keyboard.press("Enter");
}

test("the chat shows the streamed answer", async ({ page, mockllm }) => {
  await mockllm.defineScenario({ steps: [{ say: "Hello from mockllm" }], stream: { unit: "word" } });
  await page.goto("/");
  await ask(page, "hi");
  await expect(page.getByTestId("answer")).toHaveText("Hello from mockllm");
  const entry = await mockllm.waitForRequest({ path: "/v1/chat/completions" });
  expect(entry).toMatchObject({ status: 200, scenario: "default", session: mockllm.id });
  expect(entry.body).toMatchObject({ stream: true, messages: [{ role: "user", content: "hi" }] });
});

test("the second question sends the first answer along", async ({ page, mockllm }) => {
  await mockllm.defineScenario({ attempts: [[{ say: "Paris." }], [{ say: "About 2.1 million." }]] });
  await page.goto("/");
  await ask(page, "Capital of France?");
  await expect(page.getByTestId("answer")).toHaveText("Paris.");
  await ask(page, "How many people live there?");
  await expect(page.getByTestId("answer").last()).toHaveText("About 2.1 million.");
  const first = await mockllm.waitForRequest({ path: "/v1/chat/completions" });
  const second = await mockllm.waitForRequest({ path: "/v1/chat/completions", since: first.id });
  expect(second.body.messages.map((m) => m.content)).toEqual(["Capital of France?", "Paris.", "How many people live there?"]);
});

test("a rate limit shows a retry notice, not an error", async ({ page, mockllm }) => {
  await mockllm.defineScenario({ steps: [{ error: "rate_limited" }] });
  await page.goto("/");
  await ask(page, "hi");
  await expect(page.getByRole("status")).toHaveText(/busy.*try again/i);
  await expect(page.getByTestId("answer")).toHaveCount(0);
  expect(await mockllm.waitForRequest()).toMatchObject({ status: 429, path: "/v1/chat/completions" });
});
