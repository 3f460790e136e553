// The Node helper against a real server it starts: sessions, scenarios, journal, long-poll, Playwright attach, stop.
// Run with `node --test clients/node/test/`; $MOCKLLM_PYTHON names a Python with mockllm importable.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { fileURLToPath, pathToFileURL } from "node:url";

import { ADMIN_TOKEN_ENV, MockllmError, SESSION_HEADER, connectMockllm, startMockllm } from "../index.mjs";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
// The official SDK and playwright-core come from the test clients' npm project.
const fromTestClients = createRequire(join(REPO, "tests", "browser", "package.json"));
const load = async (name) => import(pathToFileURL(fromTestClients.resolve(name)).href);
const { default: OpenAI } = await load("openai");
const playwright = await load("playwright-core");
const chromium = playwright.chromium ?? playwright.default.chromium;
const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];
const HI = [{ role: "user", content: "hi" }];

let server;
before(async () => {
  server = await startMockllm({ cwd: REPO, startTimeoutMs: 120000 }); // a loaded CI machine may take long to import
});
after(async () => {
  await server.stop();
});

const openaiFor = (session) => new OpenAI({ baseURL: session.openaiBaseUrl, apiKey: "unused", defaultHeaders: session.headers, maxRetries: 0 });

test("starts on a free port and says what it serves", () => {
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.ok(server.port > 0 && server.pid > 0);
  assert.ok(server.scenarios.includes("hello") && server.scenarios.includes("default"));
  assert.equal(server.openaiBaseUrl, `${server.url}/v1`);
});

test("two sessions each get their own answer and journal (official openai SDK)", async () => {
  const [a, b] = [server.session(), server.session()];
  await a.defineScenario({ steps: [{ say: "for a" }] });
  await b.defineScenario({ steps: [{ say: "for b" }] });
  const [ra, rb] = await Promise.all([a, b].map((s) => openaiFor(s).chat.completions.create({ model: "m", messages: HI })));
  assert.equal(ra.choices[0].message.content, "for a");
  assert.equal(rb.choices[0].message.content, "for b");
  const [ja, jb] = await Promise.all([a.journal(), b.journal()]);
  assert.deepEqual([ja.length, jb.length], [1, 1]);
  assert.equal(ja[0].session, a.id);
  const sent = Object.entries(ja[0].headers).find(([name]) => name.toLowerCase() === SESSION_HEADER.toLowerCase());
  assert.deepEqual(sent?.[1], a.id);
  await Promise.all([a.reset(), b.reset()]);
  assert.deepEqual(await a.journal(), []);
});

test("a client given only the session's base URL is isolated: no header, its scenario and its journal", async () => {
  const [session, other] = [server.session(), server.session()];
  assert.equal(session.openaiBaseUrl, `${server.url}/s/${session.id}/v1`);
  await session.defineScenario({ steps: [{ say: "only for this session" }] });
  const bare = new OpenAI({ baseURL: session.openaiBaseUrl, apiKey: "unused", maxRetries: 0 });
  const reply = await bare.chat.completions.create({ model: "m", messages: HI });
  assert.equal(reply.choices[0].message.content, "only for this session");
  const raw = await fetch(`${other.baseUrl}/miniprogram/chat`, { method: "POST", body: JSON.stringify({ message: "hi" }) });
  assert.equal(raw.headers.get("X-Mock-Scenario"), "default");
  assert.doesNotMatch(await raw.text(), /only for this session/);
  const [entry] = await session.journal();
  assert.deepEqual([entry.path, entry.session], ["/v1/chat/completions", session.id]);
  assert.deepEqual((await other.journal()).map((e) => [e.path, e.session]), [["/miniprogram/chat", other.id]]);
  await Promise.all([session.reset(), other.reset()]);
});

test("YAML text, streaming, and a tool call", async () => {
  const session = server.session();
  const names = await session.defineScenario(
    "schema: 1\nname: tool\ndescription: calls the tool\nsteps:\n  - tool_call: {name: get_weather, arguments: {city: Paris}}\n",
  );
  assert.deepEqual(names, ["tool"]);
  const stream = await openaiFor(session).chat.completions.create({ model: "tool", messages: HI, stream: true });
  let name = "";
  let args = "";
  for await (const chunk of stream) {
    const call = chunk.choices[0]?.delta?.tool_calls?.[0];
    name += call?.function?.name ?? "";
    args += call?.function?.arguments ?? "";
  }
  assert.deepEqual([name, JSON.parse(args)], ["get_weather", { city: "Paris" }]);
  assert.deepEqual((await session.journal({ scenario: "tool" })).map((e) => e.stream), [true]);
  await session.reset();
});

test("waitForRequest resolves when the request finishes, without polling", async () => {
  const session = server.session();
  const waiting = session.waitForRequest({ path: "/v1/chat/completions" });
  const answer = openaiFor(session).chat.completions.create({ model: "hello", messages: HI });
  const entry = await waiting;
  await answer;
  assert.deepEqual([entry.scenario, entry.status, entry.session], ["hello", 200, session.id]);
  await assert.rejects(session.waitForRequest({ scenario: "echo", timeoutMs: 50 }), (error) => {
    assert.ok(error instanceof MockllmError);
    assert.match(error.message, /no request .* finished within 50 ms; journal: \["POST \/v1\/chat\/completions → hello 200"\]/);
    return true;
  });
  await session.reset();
});

test("report reads the session's client report card; assertClientOk names a misbehaving verdict", async () => {
  const patient = server.session();
  const sdk = new OpenAI({ baseURL: patient.openaiBaseUrl, apiKey: "unused", defaultHeaders: patient.headers, maxRetries: 2 });
  await sdk.chat.completions.create({ model: "fail-twice-then-succeed", messages: HI });
  const card = await patient.assertClientOk(["retries", "backoff"]);
  assert.equal(card.requests, 3);
  assert.deepEqual(card.verdicts.retries.evidence.map((e) => e.outcome), ["honoured", "honoured"]);
  const hasty = server.session();
  await hasty.defineScenario({ steps: [{ error: { preset: "rate_limited", headers: { "retry-after-ms": "1000" } } }] });
  for (let i = 0; i < 2; i += 1) await assert.rejects(openaiFor(hasty).chat.completions.create({ model: "m", messages: HI }), /429/);
  await assert.rejects(hasty.assertClientOk(["retries"]), (error) => error instanceof MockllmError && /^retries: fail: a retry came before the asked wait/m.test(error.message));
  await hasty.assertClientOk(["abandoned"]);
  await assert.rejects(hasty.assertClientOk(["retry"]), /unknown verdict retry; valid: retries, backoff/);
  await assert.rejects(hasty.report({ stall_limit_ms: "soon" }), /stall_limit_ms must be a number >= 0/);
});

test("a scenario with problems is refused with file:line problems", async () => {
  const session = server.session();
  await assert.rejects(session.defineScenario({ steps: [{ sya: "x" }] }), (error) => {
    assert.ok(error instanceof MockllmError);
    assert.equal(error.problems.length, 1);
    assert.match(error.problems[0], /^<posted>:1: steps\[0\]\.sya: unknown key 'sya'; did you mean 'say'\?/);
    return true;
  });
});

test("connectMockllm talks to a server started elsewhere; deleteScenario removes one", async () => {
  const client = connectMockllm(`${server.url}/`);
  await client.defineScenario({ name: "shared-one", steps: [{ say: "shared" }] });
  const session = client.session("fixed-id");
  const reply = await openaiFor(session).chat.completions.create({ model: "shared-one", messages: HI });
  assert.equal(reply.choices[0].message.content, "shared");
  await client.deleteScenario("shared-one");
  await assert.rejects(client.deleteScenario("shared-one"), /No posted scenario 'shared-one' for every session/);
  await session.reset();
});

test("attach gives every request a Playwright page sends to the server the session header", async () => {
  const session = server.session();
  await session.defineScenario({ steps: [{ say: "from the browser" }] });
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: CHROMIUM_FLAGS });
  try {
    const page = await browser.newPage();
    await session.attach(page);
    // The page's origin (localhost) is not the server's (127.0.0.1): a cross-origin call, as from an app under test.
    await page.goto(`http://localhost:${server.port}/_mock/health`);
    const seen = await page.evaluate(async (url) => {
      const response = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ messages: [{ role: "user", content: "hi" }] }) });
      return { scenario: response.headers.get("X-Mock-Scenario"), text: (await response.json()).choices[0].message.content };
    }, server.url);
    assert.deepEqual(seen, { scenario: "default", text: "from the browser" });
  } finally {
    await browser.close();
  }
  const [entry] = await session.journal();
  assert.equal(entry.headers.Origin, `http://localhost:${server.port}`);
  await session.reset();
});

test("a folder with problems fails the start with the server's output", async () => {
  const folder = mkdtempSync(join(tmpdir(), "mockllm-bad-"));
  writeFileSync(join(folder, "default.yaml"), "schema: 1\nname: default\nsteps: []\n");
  try {
    await assert.rejects(startMockllm({ scenarios: folder, cwd: REPO, startTimeoutMs: 120000 }), (error) => {
      assert.match(error.message, /mockllm did not start: exited \(code 1\) before it was ready/);
      assert.match(error.message, /default\.yaml:1: description: field required/);
      return true;
    });
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
});

test("stop ends the process and may be called twice", async () => {
  const own = await startMockllm({ cwd: REPO, startTimeoutMs: 120000 });
  await own.stop();
  await own.stop();
  assert.notEqual(own.child.exitCode ?? own.child.signalCode, null);
  await assert.rejects(fetch(`${own.url}/_mock/health`));
});

test("a server that requires an admin token: the helper sends it as a bearer token, from the option or the environment", async () => {
  const token = "node-helper-admin-token";
  const guarded = await startMockllm({ cwd: REPO, token, startTimeoutMs: 120000 });
  try {
    const session = guarded.session();
    await session.defineScenario({ steps: [{ say: "behind the token" }] });
    const reply = await openaiFor(session).chat.completions.create({ model: "m", messages: HI }); // model routes stay open
    assert.equal(reply.choices[0].message.content, "behind the token");
    assert.deepEqual((await session.journal()).map((e) => e.status), [200]);

    await assert.rejects(connectMockllm(guarded.url, { token: "" }).journal(), (error) => {
      assert.ok(error instanceof MockllmError);
      assert.match(error.message, /mockllm refused GET \/_mock\/journal \(401\)\nAdmin routes need the admin token/);
      return true;
    });
    assert.equal((await connectMockllm(guarded.url, { token }).journal({ session: session.id })).length, 1);
    const before = process.env[ADMIN_TOKEN_ENV];
    process.env[ADMIN_TOKEN_ENV] = token;
    try {
      await connectMockllm(guarded.url).session(session.id).reset();
    } finally {
      if (before === undefined) delete process.env[ADMIN_TOKEN_ENV];
      else process.env[ADMIN_TOKEN_ENV] = before;
    }
    assert.deepEqual(await session.journal(), []);
  } finally {
    await guarded.stop();
  }
});
