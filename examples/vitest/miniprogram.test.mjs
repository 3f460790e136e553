// A mini-program page under test without devtools: the simulator's `wx` streams from mockllm over a real
// socket, one onChunkReceived per read, and records the page's toasts and navigation.
import { afterEach, beforeEach, expect, inject, test } from "vitest";
import { connectMockllm, createWx } from "mockllm-node";
import { createChatPage } from "./pages/chat.mjs";

const mockllm = connectMockllm(inject("mockllmUrl"));
let session;

beforeEach(() => {
  session = mockllm.session();
});
afterEach(() => session.reset());

/** The page with a fresh simulated wx; `wire` is an X-Mock-Wire value for this request. */
function open({ device, wire } = {}) {
  const wx = createWx({ device });
  const header = { ...session.headers, ...(wire ? { "X-Mock-Wire": wire } : {}) };
  return { wx, page: createChatPage(wx, { url: `${mockllm.url}/miniprogram/chat`, header }) };
}

test("the page shows the streamed answer and hides its loading state", async () => {
  await session.defineScenario({ steps: [{ say: "你好，我是测试助手。" }] });
  const { wx, page } = open();
  const shown = await page.ask("你好");
  expect(shown).toEqual({ answer: "你好，我是测试助手。", loading: false, done: true });
  expect(wx.$calls.map((c) => c.api)).toEqual(["showLoading", "hideLoading"]);
});

test("business code 101: a toast with the message, then the recharge page", async () => {
  await session.defineScenario({ steps: [{ say: "好的" }, { error: { code: 101, msg: "余额不足，请充值后再试" } }] });
  const { wx, page } = open();
  const shown = await page.ask("写一首诗");
  expect(shown.answer).toBe("好的");
  expect(wx.$calls).toContainEqual({ api: "showToast", title: "余额不足，请充值后再试", icon: "none" });
  expect(wx.$calls).toContainEqual({ api: "navigateTo", url: "/pages/recharge/recharge" });
});

test("characters cut between reads and a device that merges packets: the same page", async () => {
  await session.defineScenario({ steps: [{ say: "每个汉字都被拆开😀" }, { error: { code: -1, msg: "请先登录" } }] });
  const { wx, page } = open({ device: "merge-end", wire: "split_utf8=every" });
  const shown = await page.ask("你好");
  expect(shown.answer).toBe("每个汉字都被拆开😀");
  expect(wx.$calls).toContainEqual({ api: "redirectTo", url: "/pages/login/login" });
  expect(wx.$errors).toEqual([]);
});
