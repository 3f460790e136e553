import { expect, test } from "./fixtures.mjs";

test("the chat shows the streamed answer", async ({ page, mockllm }) => {
  await mockllm.defineScenario({ steps: [{ say: "Hello from mockllm" }], stream: { unit: "word", delay_ms: 20 } });
  await page.goto("/");
  await page.getByRole("textbox").fill("hi");
  await page.keyboard.press("Enter");
  await expect(page.getByText("Hello from mockllm")).toBeVisible();
  const entry = await mockllm.waitForRequest({ path: "/v1/chat/completions" });
  expect(entry.body.messages.at(-1).content).toBe("hi");
});

test("a rate limit shows a retry notice, not an error", async ({ page, mockllm }) => {
  await mockllm.defineScenario({ steps: [{ error: "rate_limited" }] });
  await page.goto("/");
  await page.getByRole("textbox").fill("hi");
  await page.keyboard.press("Enter");
  await expect(page.getByText(/try again/i)).toBeVisible();
});
