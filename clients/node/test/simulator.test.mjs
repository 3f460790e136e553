// The wx / uni / Taro simulator against a real mockllm: one onChunkReceived per socket read, WeChat's
// callbacks and errMsg, abort and timeouts, SocketTask close codes, uni's task-or-Promise rule, Taro's
// Promise task, and device profiles that merge reads without changing what a correct client reads.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { createRequire } from "node:module";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { DEVICE_PROFILES, createTaro, createUni, createWx, startMockllm } from "../index.mjs";
import { readGrouper } from "../simulator/index.mjs";

const REPO = fileURLToPath(new URL("../../..", import.meta.url));
const { streamRequest } = createRequire(import.meta.url)("../../miniprogram/mockllm-client.js");
const ASK = { messages: [{ role: "user", content: "你好" }] };
/** A gap the server leaves between writes, so each write is its own socket read. */
const APART = "gap_ms=30";

let server;
before(async () => {
  server = await startMockllm({ cwd: REPO, startTimeoutMs: 120000 });
});
after(async () => {
  await server.stop();
});

/** Run one wx.request to completion; resolve with every callback it saw, in order. */
function run(wx, options) {
  return new Promise((resolve) => {
    const seen = [];
    const task = wx.request({
      method: "POST",
      data: ASK,
      ...options,
      success: (res) => seen.push(["success", res]),
      fail: (err) => seen.push(["fail", err]),
      complete: (res) => (seen.push(["complete", res]), resolve({ seen, task })),
    });
    task.onHeadersReceived((res) => seen.push(["headers", res]));
    task.onChunkReceived((res) => seen.push(["chunk", Buffer.from(res.data)]));
    options.onTask?.(task);
  });
}

/** Where each of `sizes` ends, counted from the start. */
const offsets = (sizes) => sizes.map(((sum) => (size) => (sum += size))(0));

const chunksOf = (seen) => seen.filter(([kind]) => kind === "chunk").map(([, bytes]) => bytes);

describe("wx.request", { concurrency: 4 }, () => {
  test("enableChunked: headers first, one onChunkReceived per server write, then success (request:ok, empty data) and complete", async () => {
    const session = server.session();
    const url = `${server.url}/miniprogram/chat`;
    const { seen } = await run(createWx(), { url, header: { ...session.headers, "X-Mock-Scenario": "hello", "X-Mock-Wire": APART }, enableChunked: true, responseType: "arraybuffer" });
    const [entry] = await session.journal();
    const chunks = chunksOf(seen);
    // Each callback is one socket read: a whole number of the server's writes (a busy loop may find two
    // writes waiting in one read), never a write cut in two, and most writes on their own.
    const writeEnds = new Set(offsets(entry.write_log.map(([, size]) => size)));
    assert.ok(offsets(chunks.map((c) => c.length)).every((end) => writeEnds.has(end)));
    assert.ok(chunks.length > entry.write_log.length / 2, `${chunks.length} callbacks for ${entry.write_log.length} writes`);
    assert.equal(seen[0][0], "headers");
    assert.equal(seen[0][1].statusCode, 200);
    assert.deepEqual(seen.slice(-2).map(([kind]) => kind), ["success", "complete"]);
    const [, res] = seen.at(-2);
    assert.deepEqual([res.errMsg, res.statusCode, res.data.byteLength, res.header["X-Mock-Scenario"]], ["request:ok", 200, 0, "hello"]);
    const whole = await fetch(url, { method: "POST", headers: { "X-Mock-Scenario": "hello" }, body: JSON.stringify(ASK) });
    assert.deepEqual(Buffer.concat(chunks), Buffer.from(await whole.arrayBuffer()));
    await session.reset();
  });

  test("enableChunked with a non-2xx status still reaches success; the error body comes as chunks", async () => {
    const { seen } = await run(createWx(), { url: `${server.url}/miniprogram/chat`, header: { "X-Mock-Scenario": "no-such-scenario" }, enableChunked: true });
    const [, res] = seen.find(([kind]) => kind === "success");
    assert.equal(res.errMsg, "request:ok");
    assert.ok(res.statusCode >= 400 && res.statusCode < 500, String(res.statusCode));
    assert.match(Buffer.concat(chunksOf(seen)).toString("utf8"), /no-such-scenario/);
    assert.ok(!seen.some(([kind]) => kind === "fail"));
  });

  test("without enableChunked: the whole body in success, JSON-parsed as text, or an ArrayBuffer", async () => {
    const url = `${server.url}/miniprogram/chat`;
    const header = { "X-Mock-Scenario": "hello" };
    const text = await run(createWx(), { url, header, data: { ...ASK, stream: false } });
    const [, parsed] = text.seen.find(([kind]) => kind === "success");
    assert.match(parsed.data.content, /^你好！/);
    assert.deepEqual(chunksOf(text.seen), []);
    const raw = await run(createWx(), { url, header, data: { ...ASK, stream: false }, responseType: "arraybuffer" });
    const [, binary] = raw.seen.find(([kind]) => kind === "success");
    assert.ok(binary.data instanceof ArrayBuffer);
    assert.deepEqual(JSON.parse(Buffer.from(binary.data).toString("utf8")), parsed.data);
  });

  test("abort(): fail with request:fail abort, then complete, and no chunk after it", async () => {
    const session = server.session();
    await session.defineScenario({ stream: { delay_ms: 200 }, steps: [{ say: "一二三四五六七八九十" }] });
    const header = { ...session.headers, "X-Mock-Speed": "1" };
    let aborted = 0;
    const { seen } = await run(createWx(), {
      url: `${server.url}/miniprogram/chat`,
      header,
      enableChunked: true,
      onTask: (task) => task.onChunkReceived(() => aborted++ || task.abort()),
    });
    const kinds = seen.map(([kind]) => kind);
    assert.deepEqual(kinds.slice(-2), ["fail", "complete"]);
    assert.equal(seen.at(-2)[1].errMsg, "request:fail abort");
    assert.equal(kinds.filter((k) => k === "chunk").length, 1);
    await session.reset();
  });

  test("timeout: request:fail timeout", async () => {
    const { seen } = await run(createWx(), { url: `${server.url}/miniprogram/chat`, header: { "X-Mock-Scenario": "no-response" }, enableChunked: true, timeout: 300 });
    assert.deepEqual(seen.map(([kind, value]) => [kind, value.errMsg]).slice(-2), [["fail", "request:fail timeout"], ["complete", "request:fail timeout"]]);
  });

  test("nothing listening: request:fail with the reason", async () => {
    const closed = await freePort();
    const { seen } = await run(createWx(), { url: `http://127.0.0.1:${closed}/chat` });
    assert.match(seen.at(-2)[1].errMsg, /^request:fail connect ECONNREFUSED/);
  });

  test("a page callback that throws is kept in $errors; the request still completes", async () => {
    const wx = createWx({ quiet: true });
    const { seen } = await run(wx, {
      url: `${server.url}/miniprogram/chat`,
      header: { "X-Mock-Scenario": "hello" },
      enableChunked: true,
      onTask: (task) =>
        task.onChunkReceived(() => {
          throw new SyntaxError("page bug");
        }),
    });
    assert.equal(seen.at(-1)[0], "complete");
    assert.ok(wx.$errors.length > 1 && wx.$errors.every((e) => e.message === "page bug"));
  });
});

describe("device profiles", { concurrency: 3 }, () => {
  test("unknown names are refused with the known ones", () => {
    assert.throws(() => createWx({ device: "nokia" }), /unknown device profile "nokia"; known: exact, merge-some, merge-end/);
    assert.throws(() => createWx({ device: { mergeProbability: 2 } }), /mergeProbability must be within 0\.\.1/);
  });

  test("merge-end: the last two reads arrive as one callback", () => {
    const grouper = readGrouper("merge-end");
    const reads = ["a", "b", "c", "0\r\n\r\n"].map((s) => Buffer.from(s));
    const out = [...reads.flatMap((r) => grouper.push(r)), ...grouper.end()].map(String);
    assert.deepEqual(out, ["a", "b", "c0\r\n\r\n"]);
  });

  test("merge-some is seeded: the same seed merges the same reads", () => {
    const group = (seed) => {
      const grouper = readGrouper({ ...DEVICE_PROFILES["merge-some"], seed });
      return [...Array.from({ length: 40 }, (_, i) => grouper.push(Buffer.from([i]))).flat(), ...grouper.end()].map((b) => b.length);
    };
    assert.deepEqual(group(5), group(5));
    assert.notDeepEqual(group(5), group(6));
    assert.equal(group(5).reduce((a, b) => a + b, 0), 40);
    assert.ok(group(5).length < 40);
  });

  for (const device of ["merge-some", "merge-end"]) {
    test(`${device} changes the number of callbacks and nothing else for the reference client`, async () => {
      const read = (wx, scenario) =>
        new Promise((resolve) => {
          const events = [];
          let callbacks = 0;
          const task = streamRequest(wx, {
            url: `${server.url}/miniprogram/chat`,
            data: ASK,
            header: { "X-Mock-Scenario": scenario, "X-Mock-Wire": APART },
            onEvent: (e) => events.push(e),
            onComplete: (result) => resolve({ events, callbacks, result }),
          });
          task.onChunkReceived(() => callbacks++);
        });
      for (const scenario of ["hello", "recharge-required", "midstream-error"]) {
        // The reads of one real answer, replayed through both devices: how a busy machine happened to
        // group the server's writes into reads is then the same for both, and only the device differs.
        const { seen } = await run(createWx(), {
          url: `${server.url}/miniprogram/chat`,
          header: { "X-Mock-Scenario": scenario, "X-Mock-Wire": APART },
          enableChunked: true,
          responseType: "arraybuffer",
        });
        const [, { statusCode, header }] = seen.find(([kind]) => kind === "success");
        const respond = () => ({ statusCode, header, chunks: chunksOf(seen) });
        const exact = await read(createWx({ respond }), scenario);
        const merged = await read(createWx({ device, respond }), scenario);
        const fewer = scenario === "hello" || device === "merge-end" ? merged.callbacks < exact.callbacks : merged.callbacks <= exact.callbacks;
        assert.ok(fewer, `${scenario}: ${merged.callbacks} callbacks, against ${exact.callbacks} one per read`);
        assert.deepEqual(joinText(merged.events), joinText(exact.events), scenario);
        assert.deepEqual(merged.result, exact.result);
      }
    });
  }
});

function joinText(events) {
  const out = [];
  for (const e of events) {
    if (e.type === "text" && out.at(-1)?.type === "text") out.at(-1).text += e.text;
    else out.push({ ...e });
  }
  return out;
}

describe("wx.connectSocket", { concurrency: 2 }, () => {
  /** Open a socket, send one question, resolve with what it saw once it closes. */
  const talk = (wx, path, body, { closeAfter } = {}) =>
    new Promise((resolve) => {
      const seen = { opened: false, messages: [], errors: [], connect: null };
      const task = wx.connectSocket({ url: `${server.url.replace("http", "ws")}${path}`, success: (r) => (seen.connect = r.errMsg) });
      task.send({ data: "too early", fail: (e) => (seen.early = e.errMsg) });
      task.onOpen(() => {
        seen.opened = true;
        task.send({ data: JSON.stringify(body), success: (r) => (seen.sent = r.errMsg) });
      });
      task.onMessage((m) => {
        seen.messages.push(m.data);
        if (closeAfter && seen.messages.length === closeAfter) task.close({ code: 1000, reason: "bye", success: (r) => (seen.closing = r.errMsg) });
      });
      task.onError((e) => seen.errors.push(e.errMsg));
      task.onClose((res) => resolve({ ...seen, close: res }));
    });

  test("messages, then the server's close code 4001 and its reason", async () => {
    const seen = await talk(createWx(), "/ws/miniprogram/chat", { ...ASK, mock_scenario: "socket-close-4001" });
    assert.deepEqual([seen.connect, seen.early, seen.sent, seen.opened], ["connectSocket:ok", "sendSocketMessage:fail WebSocket is not connected", "sendSocketMessage:ok", true]);
    assert.ok(seen.messages.length > 0 && seen.messages.every((m) => typeof m === "string" && m.startsWith("success: ")));
    assert.deepEqual(seen.close, { code: 4001, reason: "login required" });
  });

  test("close() from the page: closeSocket:ok and onClose with the page's code", async () => {
    const seen = await talk(createWx(), "/ws/miniprogram/chat", { ...ASK, mock_scenario: "hello" }, { closeAfter: 1 });
    assert.equal(seen.closing, "closeSocket:ok");
    assert.equal(seen.close.code, 1000);
  });
});

describe("uni and Taro", { concurrency: 4 }, () => {
  const options = () => ({ url: `${server.url}/miniprogram/chat`, method: "POST", data: { ...ASK, stream: false }, header: { "X-Mock-Scenario": "hello" } });

  test("uni.request with a callback returns the RequestTask", async () => {
    const uni = createUni();
    let task;
    const res = await new Promise((resolve) => (task = uni.request({ ...options(), success: resolve })));
    assert.equal(typeof task.abort, "function");
    assert.equal(typeof task.onChunkReceived, "function");
    assert.equal(res.errMsg, "request:ok");
  });

  test("uni.request without success, fail or complete returns a Promise (vue3: the result; vue2: [error, result])", async () => {
    const promised = createUni().request(options());
    assert.ok(promised instanceof Promise);
    assert.match((await promised).data.content, /^你好！/);
    const [error, res] = await createUni({ promiseStyle: "vue2" }).request(options());
    assert.deepEqual([error, res.statusCode], [null, 200]);
    const closed = await freePort();
    await assert.rejects(createUni().request({ url: `http://127.0.0.1:${closed}/` }), (e) => e.errMsg.startsWith("request:fail "));
    const [failure] = await createUni({ promiseStyle: "vue2" }).request({ url: `http://127.0.0.1:${closed}/` });
    assert.match(failure.errMsg, /^request:fail /);
  });

  test("Taro.request is a Promise and the task: onChunkReceived, then the result", async () => {
    const Taro = createTaro();
    const request = Taro.request({ ...options(), data: ASK, enableChunked: true });
    const chunks = [];
    request.onChunkReceived((res) => chunks.push(Buffer.from(res.data)));
    const res = await request;
    assert.deepEqual([res.statusCode, res.errMsg], [200, "request:ok"]);
    assert.match(Buffer.concat(chunks).toString("utf8"), /0\r\n\r\n$/);
  });

  test("Taro.request's abort rejects the Promise with request:fail abort", async () => {
    const session = server.session();
    await session.defineScenario({ steps: [{ say: "first" }, { pause: 60000 }, { say: "never read" }] });
    const request = createTaro().request({ ...options(), data: ASK, header: { ...session.headers, "X-Mock-Speed": "1" }, enableChunked: true });
    request.onChunkReceived(() => request.abort());
    await assert.rejects(request, { errMsg: "request:fail abort" });
    await session.reset();
  });

  test("UI calls are recorded in order; storage is in memory; $idle waits for open requests", async () => {
    const wx = createWx();
    wx.showToast({ title: "余额不足", icon: "none", success: (r) => wx.setStorageSync("toast", r.errMsg) });
    wx.navigateTo({ url: "/pages/recharge/recharge" });
    assert.deepEqual(wx.$calls, [{ api: "showToast", title: "余额不足", icon: "none" }, { api: "navigateTo", url: "/pages/recharge/recharge" }]);
    assert.equal(wx.getStorageSync("toast"), "showToast:ok");
    let completed = false;
    wx.request({ ...options(), complete: () => (completed = true) });
    await wx.$idle();
    assert.equal(completed, true);
  });

  test("respond: answers without a server, each chunk one read", async () => {
    const wx = createWx({ respond: () => ({ statusCode: 200, header: { "Content-Type": "text/event-stream" }, chunks: [Buffer.from("success: "), Buffer.from('{"content":"hi"}\r\n')] }) });
    const { seen } = await run(wx, { url: "http://app.invalid/chat", enableChunked: true });
    assert.deepEqual(chunksOf(seen).map(String), ["success: ", '{"content":"hi"}\r\n']);
    assert.equal(seen.at(-1)[1].errMsg, "request:ok");
  });
});

/** A port nothing listens on. */
function freePort() {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
