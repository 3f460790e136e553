// mockllm for Node test suites (vitest, Playwright, node --test): start a server, give each test a
// session, define scenarios for it, read and wait on its journal, stop. ESM, no dependencies, no build step.
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, watch } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const SESSION_HEADER = "X-Mock-Session";
/** The variable both `mockllm serve` and this helper read the admin token from. */
export const ADMIN_TOKEN_ENV = "MOCKLLM_ADMIN_TOKEN";
const START_TIMEOUT_MS = 30000;
const KEPT_OUTPUT_LINES = 200;

/** The server refused what a test asked (a scenario with problems, a bad query); `problems` lists why. */
export class MockllmError extends Error {
  constructor(message, problems = []) {
    super(problems.length ? `${message}\n${problems.join("\n")}` : message);
    this.name = "MockllmError";
    this.problems = problems;
  }
}

/** Talks to a running server's admin routes; `session()` gives one test its own view. */
export class MockllmClient {
  /** `token`: the server's admin token, sent as `Authorization: Bearer` on `/_mock/` calls (none: send nothing). */
  constructor(url, { token } = {}) {
    this.url = url.replace(/\/+$/, "");
    this.token = token || undefined;
  }

  /** The `baseURL` for an OpenAI SDK: the server's root + `/v1`. */
  get openaiBaseUrl() {
    return `${this.url}/v1`;
  }

  /** A session for one test: its own scenarios, journal and attempt counters. */
  session(id = `test-${randomUUID().slice(0, 8)}`) {
    return new MockllmSession(this, id);
  }

  /** Post a scenario (an object, or YAML/JSON text) for everyone or for `{session}`; resolve with the names added. */
  async defineScenario(document, { session } = {}) {
    const body = typeof document === "string" ? document : JSON.stringify(withDefaults(document, session));
    const answer = await this.admin("POST", "/_mock/scenarios", { session }, body);
    return answer.added;
  }

  /** Remove a posted scenario by name (of `{session}`, else a global one). */
  async deleteScenario(name, { session } = {}) {
    await this.admin("DELETE", `/_mock/scenarios/${encodeURIComponent(name)}`, { session });
  }

  /** Journal entries, oldest first, narrowed by `{session, path, scenario, since}`. */
  async journal(filters = {}) {
    return this.admin("GET", "/_mock/journal", filters);
  }

  /** The first finished request matching `{session, path, scenario, since}`, waiting up to `timeoutMs` (a long-poll, no polling). */
  async waitForRequest({ timeoutMs = 10000, ...filters } = {}) {
    const found = await this.admin("GET", "/_mock/journal", { ...filters, wait: timeoutMs / 1000 });
    if (found.length) return found[0];
    const seen = (await this.journal({ session: filters.session })).map((e) => `${e.method} ${e.path} → ${e.scenario} ${e.status}`);
    throw new MockllmError(`no request (${JSON.stringify(filters)}) finished within ${timeoutMs} ms; journal: ${JSON.stringify(seen)}`);
  }

  /** The client report card of `session` (docs/report-card.md): `{session, requests, overall, verdicts}`; `rules` tune the thresholds. */
  async report(session, rules = {}) {
    return this.admin("GET", "/_mock/report", { ...rules, session });
  }

  /** Throw a MockllmError naming each of `verdicts` (default: all) that is `warn` or `fail` in the report of `session`. */
  async assertClientOk(session, verdicts = [], rules = {}) {
    const card = await this.report(session, rules);
    const unknown = verdicts.filter((name) => !(name in card.verdicts));
    if (unknown.length) throw new MockllmError(`unknown verdict ${unknown.join(", ")}; valid: ${Object.keys(card.verdicts).join(", ")}`);
    const bad = Object.entries(card.verdicts).filter(([name, v]) => (!verdicts.length || verdicts.includes(name)) && (v.verdict === "warn" || v.verdict === "fail"));
    if (bad.length) {
      const lines = bad.map(([name, v]) => `${name}: ${v.verdict}: ${v.summary} ${JSON.stringify(v.evidence)}`);
      throw new MockllmError(`the client of session ${session} misbehaved`, lines);
    }
    return card;
  }

  /**
   * Every business code and provider error the scenarios can send, and which of them `{session}`'s requests
   * delivered and how: `codes[i].delivered` counts in_band, http_status and websocket_close deliveries.
   */
  async coverage({ session } = {}) {
    return this.admin("GET", "/_mock/coverage", { session });
  }

  /** Forget a session's posted scenarios, journal entries and attempt counters. */
  async reset(session) {
    await this.admin("DELETE", "/_mock/scenarios", { session });
    await this.admin("DELETE", "/_mock/journal", { session });
    await this.admin("DELETE", `/_mock/sessions/${encodeURIComponent(session)}`);
  }

  async admin(method, route, query = {}, body = undefined) {
    const params = new URLSearchParams(Object.entries(query).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
    const headers = this.token ? { Authorization: `Bearer ${this.token}` } : {};
    const response = await fetch(`${this.url}${route}?${params}`, { method, body, headers });
    const answer = await response.json();
    if (!response.ok) {
      throw new MockllmError(`mockllm refused ${method} ${route} (${response.status})`, answer.problems || [answer.error?.message ?? JSON.stringify(answer)]);
    }
    return answer;
  }
}

/**
 * One test's view of the server: every request under `baseUrl`, or that sends `headers`, sees its scenarios and
 * lands in its journal.
 */
export class MockllmSession {
  constructor(client, id) {
    this.client = client;
    this.id = id;
  }

  /** The server's root URL (no session in it). */
  get url() {
    return this.client.url;
  }

  /**
   * This session's root, `{url}/s/{id}`: every route answers under it as if the request sent the session header,
   * so an app or framework configured with a base URL alone is isolated too.
   */
  get baseUrl() {
    return `${this.client.url}/s/${encodeURIComponent(this.id)}`;
  }

  /** The `baseURL` for an OpenAI SDK, with the session in it: `{url}/s/{id}/v1`. */
  get openaiBaseUrl() {
    return `${this.baseUrl}/v1`;
  }

  /** `{"X-Mock-Session": id}`: pass as `defaultHeaders` to an SDK, or add to `fetch`. */
  get headers() {
    return { [SESSION_HEADER]: this.id };
  }

  /** Post a scenario for this session; an object gets `schema: 1`, a description and the name `default` unless it has them. */
  defineScenario(document) {
    return this.client.defineScenario(document, { session: this.id });
  }

  deleteScenario(name) {
    return this.client.deleteScenario(name, { session: this.id });
  }

  journal(filters = {}) {
    return this.client.journal({ ...filters, session: this.id });
  }

  waitForRequest(filters = {}) {
    return this.client.waitForRequest({ ...filters, session: this.id });
  }

  /** This session's client report card. */
  report(rules = {}) {
    return this.client.report(this.id, rules);
  }

  /** Throw unless each of `verdicts` (default: all) is pass or n/a in this session's report. */
  assertClientOk(verdicts = [], rules = {}) {
    return this.client.assertClientOk(this.id, verdicts, rules);
  }

  /** What this session's requests delivered of every code the scenarios can send. */
  coverage() {
    return this.client.coverage({ session: this.id });
  }

  reset() {
    return this.client.reset(this.id);
  }

  /** Make every request a Playwright page or context sends to this server carry the session header (other hosts untouched). */
  async attach(pageOrContext) {
    await pageOrContext.route(`${this.url}/**`, (route) => route.continue({ headers: { ...route.request().headers(), [SESSION_HEADER.toLowerCase()]: this.id } }));
  }
}

/**
 * A client for a server started elsewhere (Playwright's `webServer`, a CI service, `globalSetup`).
 * `token` (default: $MOCKLLM_ADMIN_TOKEN) is the admin token a server off loopback, or one given `--admin-token`, asks for.
 */
export function connectMockllm(url, { token = process.env[ADMIN_TOKEN_ENV] } = {}) {
  return new MockllmClient(url, { token });
}

/** A server this process started; `stop()` ends it. */
export class MockllmServer extends MockllmClient {
  constructor(ready, child, output, token) {
    super(ready.url, { token });
    this.port = ready.port;
    this.pid = ready.pid;
    this.scenarios = ready.scenarios;
    this.child = child;
    this.output = output;
  }

  /** Stop the server (SIGTERM: open streams are closed) and wait for it to exit. */
  async stop() {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once("exit", resolve));
    this.child.kill("SIGTERM");
    await exited;
  }
}

/**
 * Start `mockllm serve` on a free port of 127.0.0.1 and resolve once it listens (it writes its ready file).
 * Options: scenarios (folder), speed (default 0), seed (default 1), defaultScenario, token (admin token the
 * server requires; default: $MOCKLLM_ADMIN_TOKEN, which the server reads too), args (more flags),
 * command (default [$MOCKLLM_PYTHON or python3, "-m", "mockllm"]), cwd, env, startTimeoutMs.
 */
export async function startMockllm(options = {}) {
  const { scenarios, speed = 0, seed = 1, defaultScenario, args = [], cwd, startTimeoutMs = START_TIMEOUT_MS } = options;
  // The server reads its token from the environment (not a flag: no token in `ps`), and this client sends it.
  const env = { ...process.env, ...options.env, ...(options.token ? { [ADMIN_TOKEN_ENV]: options.token } : {}) };
  const token = env[ADMIN_TOKEN_ENV] || undefined;
  const command = options.command ?? [env.MOCKLLM_PYTHON || "python3", "-m", "mockllm"];
  const folder = mkdtempSync(join(tmpdir(), "mockllm-"));
  const readyFile = join(folder, "ready.json");
  const flags = ["serve", "--host", "127.0.0.1", "--port", "0", "--ready-file", readyFile, "--speed", String(speed), "--watch", "off"];
  if (seed !== null) flags.push("--seed", String(seed));
  if (scenarios) flags.push("--scenarios", scenarios);
  if (defaultScenario) flags.push("--default", defaultScenario);
  const child = spawn(command[0], [...command.slice(1), ...flags, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
  const output = keepOutput(child);
  try {
    const ready = await readyInfo(readyFile, child, startTimeoutMs, output);
    return new MockllmServer(ready, child, output, token);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

function keepOutput(child) {
  const lines = [];
  const keep = (data) => {
    lines.push(...data.toString("utf8").split("\n").filter(Boolean));
    lines.splice(0, Math.max(0, lines.length - KEPT_OUTPUT_LINES));
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  return () => lines.join("\n");
}

/** Resolve with the ready file's JSON as soon as the server writes it (watched, not polled); reject if the server exits first. */
function readyInfo(readyFile, child, timeoutMs, output) {
  return new Promise((resolve, reject) => {
    const watcher = watch(join(readyFile, ".."), () => check());
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    const onExit = (code, signal) => fail(`exited (${signal ?? `code ${code}`}) before it was ready`);
    const onError = (error) => fail(error.message);
    child.once("exit", onExit);
    child.once("error", onError);
    function done() {
      watcher.close();
      clearTimeout(timer);
      child.off("exit", onExit);
      child.off("error", onError);
    }
    function fail(why) {
      done();
      reject(new MockllmError(`mockllm did not start: ${why}\n${output()}`));
    }
    function check() {
      let info;
      try {
        info = JSON.parse(readFileSync(readyFile, "utf8"));
      } catch {
        return; // not written yet
      }
      done();
      resolve(info);
    }
    check();
  });
}

function withDefaults(document, session) {
  return { schema: 1, name: "default", description: `posted by ${session ?? "a test"}`, ...document };
}

export { DEVICE_PROFILES, createTaro, createUni, createWx } from "./simulator/index.mjs";
