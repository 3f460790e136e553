// A `wx` / `uni` / `Taro` for Node tests: the network APIs over real sockets, the UI APIs recorded.
import { deviceProfile } from "./device.mjs";
import { startRequest } from "./request.mjs";
import { connectSocket } from "./socket.mjs";

export { DEVICE_PROFILES, deviceProfile, readGrouper, seededRandom } from "./device.mjs";
export { ABNORMAL_CLOSURE } from "./socket.mjs";

/** UI and navigation APIs a page calls; each is recorded in `$calls` and answers `<api>:ok`. */
const UI_APIS = ["showToast", "hideToast", "showLoading", "hideLoading", "showModal", "showActionSheet", "navigateTo", "redirectTo", "reLaunch", "switchTab", "navigateBack", "setNavigationBarTitle", "vibrateShort", "setClipboardData"];

/**
 * The shared core of every flavour: network APIs, recorded UI calls, in-memory storage, and the
 * bookkeeping that lets a test wait for the page to be idle.
 */
function createRuntime(options) {
  const { device = "exact", timeout, respond, modal = { confirm: true, cancel: false } } = options;
  deviceProfile(device); // an unknown name fails here, not at the first request
  const calls = [];
  const errors = [];
  const storage = new Map();
  let busy = 0;
  let waiters = [];
  const runtime = {
    device,
    timeout,
    respond,
    /** Call a page callback; what it throws is kept in `$errors` (and printed unless `quiet`), as the runtime reports it. */
    call(fn, value) {
      if (typeof fn !== "function") return;
      try {
        fn(value);
      } catch (error) {
        errors.push(error);
        if (!options.quiet) console.error("[simulator] a page callback threw:", error);
      }
    },
    started: () => (busy += 1),
    settled() {
      busy -= 1;
      if (busy === 0) setImmediate(() => busy === 0 && (waiters.forEach((resolve) => resolve()), (waiters = [])));
    },
  };
  const api = {
    request: (opts) => startRequest(opts, runtime),
    connectSocket: (opts) => connectSocket(opts, runtime),
    getStorageSync: (key) => (storage.has(key) ? storage.get(key) : ""),
    setStorageSync: (key, value) => void storage.set(key, value),
    removeStorageSync: (key) => void storage.delete(key),
    clearStorageSync: () => storage.clear(),
    $calls: calls,
    $errors: errors,
    /** Resolves once no request or socket is open (every callback has run). */
    $idle: () => (busy === 0 ? Promise.resolve() : new Promise((resolve) => waiters.push(resolve))),
  };
  for (const name of UI_APIS) {
    api[name] = (opts = {}) => {
      calls.push({ api: name, ...withoutCallbacks(opts) });
      const result = { errMsg: `${name}:ok`, ...(name === "showModal" ? modal : {}) };
      runtime.call(opts.success, result);
      runtime.call(opts.complete, result);
    };
  }
  return api;
}

function withoutCallbacks(opts) {
  return Object.fromEntries(Object.entries(opts).filter(([, v]) => typeof v !== "function"));
}

const hasCallback = (opts) => ["success", "fail", "complete"].some((k) => typeof opts?.[k] === "function");

/**
 * A `wx` for Node. options: device (a profile name or {mergeProbability, seed, mergeEnd}), timeout (ms,
 * default 60000), respond(request) → {statusCode, header, chunks} to answer without a server, modal
 * (what showModal answers), quiet (do not print callback errors).
 */
export function createWx(options = {}) {
  return createRuntime(options);
}

/**
 * A `uni` for Node: as `wx`, but request and connectSocket return their task only when success, fail or
 * complete is passed; else a Promise (uni-app's rule). `promiseStyle: "vue3"` (default) resolves with the
 * result and rejects with the error; `"vue2"` resolves with `[error, result]`.
 */
export function createUni(options = {}) {
  const { promiseStyle = "vue3" } = options;
  const base = createRuntime(options);
  const promised = (call) => (opts = {}) => {
    if (hasCallback(opts)) return call(opts);
    return new Promise((resolve, reject) => {
      const settle = (error, result) => (promiseStyle === "vue2" ? resolve([error, result]) : error ? reject(error) : resolve(result));
      call({ ...opts, success: (result) => settle(null, result), fail: (error) => settle(error, undefined) });
    });
  };
  return { ...base, request: promised(base.request), connectSocket: (opts = {}) => (hasCallback(opts) ? base.connectSocket(opts) : Promise.resolve(base.connectSocket(opts))) };
}

/**
 * A `Taro` for Node: `Taro.request` returns a Promise (rejecting on fail) that is also the task: abort,
 * on/offHeadersReceived, on/offChunkReceived; success/fail/complete are still called.
 */
export function createTaro(options = {}) {
  const base = createRuntime(options);
  function request(opts = {}) {
    let task;
    const promise = new Promise((resolve, reject) => {
      task = base.request({
        ...opts,
        success: (result) => (resolve(result), opts.success?.(result)),
        fail: (error) => (reject(error), opts.fail?.(error)),
      });
    });
    return Object.assign(promise, {
      abort: () => task.abort(),
      onHeadersReceived: task.onHeadersReceived,
      offHeadersReceived: task.offHeadersReceived,
      onChunkReceived: task.onChunkReceived,
      offChunkReceived: task.offChunkReceived,
    });
  }
  const connectSocket = (opts = {}) => Promise.resolve(base.connectSocket(opts));
  return { ...base, request, connectSocket };
}
