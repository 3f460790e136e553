// The most-copied uni-app handler (fixtures/naive-handler.mjs: one code path per read) on the default stream
// of /miniprogram/chat, as a new user's `mockllm serve` sends it: every shipped scenario with a business error navigates, toasts and renders exactly as
// with a 20 ms gap between writes, and never throws, because the error frame and the end marker are each a
// write of their own. `merge_end=true` puts the end marker back into the error frame's write, and it throws.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";

import { createWx, startMockllm } from "../index.mjs";
import { ask } from "./fixtures/naive-handler.mjs";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
/** What the handler does for each shipped business code. */
const ACTIONS = {
  "login-required": [{ api: "navigateTo", url: "/pages/login/login" }],
  "recharge-required": [{ api: "showToast", title: "余额不足，请充值后再试", icon: "none" }, { api: "navigateTo", url: "/pages/recharge/recharge" }],
  "quota-exhausted": [{ api: "showToast", title: "今日免费次数已用完，开通会员可继续使用", icon: "none" }],
  "content-blocked": [{ api: "showToast", title: "内容包含敏感信息，已停止生成", icon: "none" }],
  "generic-failure": [{ api: "showToast", title: "请求失败，请稍后重试", icon: "none" }],
  "invalid-params": [{ api: "showToast", title: "参数错误：message 不能为空", icon: "none" }],
  "not-found": [{ api: "showToast", title: "会话不存在或已删除", icon: "none" }],
  "server-error": [{ api: "showToast", title: "服务器繁忙，请稍后再试", icon: "none" }],
};

let server;
let withErrors;
before(async () => {
  // Speed 1, as `mockllm serve` starts: the end marker comes a delta interval (tens of ms) after the error frame.
  server = await startMockllm({ cwd: REPO, speed: 1, startTimeoutMs: 120000 });
  const listed = await (await fetch(`${server.url}/_mock/scenarios`)).json();
  withErrors = listed.filter((s) => !s.faults && !s.attempts && (s.steps ?? []).some((step) => step.error)).map((s) => s.name);
});
after(async () => {
  await server.stop();
});

/** What the page shows and did for `scenario` with the X-Mock-Wire value `wire` ("" = the default stream). */
async function page(scenario, wire) {
  const wx = createWx({ quiet: true });
  const header = { "X-Mock-Scenario": scenario, ...(wire ? { "X-Mock-Wire": wire } : {}) };
  const shown = await ask(wx, "你好", { url: `${server.url}/miniprogram/chat`, header });
  await wx.$idle();
  return { shown, calls: wx.$calls, errors: wx.$errors.map((e) => `${e.name}: ${e.message}`) };
}

test("every shipped scenario with a business error: the default stream reads as with a 20 ms gap, and never throws", async () => {
  assert.ok(withErrors.length >= 12, `only ${withErrors}`);
  for (const name of Object.keys(ACTIONS)) assert.ok(withErrors.includes(name), name);
  for (const scenario of withErrors) {
    const plain = await page(scenario, "");
    const paced = await page(scenario, "gap_ms=20");
    assert.deepEqual(plain.errors, [], `${scenario} threw on the default stream`);
    assert.deepEqual(plain, paced, scenario);
    assert.equal(plain.shown.done, true, `${scenario}: the end marker was seen`);
    if (ACTIONS[scenario]) assert.deepEqual(plain.calls, ACTIONS[scenario], scenario);
  }
});

test("merge_end=true sends the end marker in the error frame's write: the same handler throws, as designed", async () => {
  const merged = await page("recharge-required", "merge_end=true");
  assert.deepEqual(merged.errors.map((e) => e.split(":")[0]), ["SyntaxError"]);
  assert.deepEqual([merged.calls, merged.shown.done], [[], false]);
});

test("coverage(): one recharge-required request in a session is code 101 delivered in-band once", async () => {
  const session = server.session();
  const wx = createWx({ quiet: true });
  await ask(wx, "你好", { url: `${server.url}/miniprogram/chat`, header: { ...session.headers, "X-Mock-Scenario": "recharge-required" } });
  await session.waitForRequest({ scenario: "recharge-required" });
  const report = await session.coverage();
  const delivered = report.codes.filter((c) => c.delivered.count).map((c) => [c.key, c.delivered.in_band, c.delivered.http_status]);
  assert.deepEqual(delivered, [["code 101", 1, 0]]);
  assert.equal(report.session, session.id);
  assert.ok(report.codes.some((c) => c.key === "close 4001" && c.delivered.count === 0));
  await session.reset();
  assert.equal((await server.coverage({ session: session.id })).covered, 0);
});
