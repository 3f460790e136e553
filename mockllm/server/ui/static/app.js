// The playground page: wires the panels to the server's admin API, the live feed and real chat requests.

import { createAnswerReader } from "./answer.js";
import { createDemo } from "./demo.js";
import { $, ADMIN_TOKEN, api, fill, forgetToken, h, rememberToken } from "./dom.js";
import { renderInspector } from "./inspector.js";
import { createReport } from "./report.js";
import { followJournal } from "./live.js";
import { clientFraming, createPhone } from "./phone.js";
import { bodyFor, curlLine, mockHeaders, record, targets, urlFor, wireOptions } from "./request.js";
import { renderScenarios } from "./scenarios.js";
import { analyze } from "./wire.js";
import { PAGE_PARAMS, showCoverage, showPairing } from "./workbench.js";

const TAG = "X-Playground-Request";
const form = $("#try-form");
const phone = createPhone($("#phone-frame"));
const inspectorBody = $("#inspector-body");
const state = { scenarios: [], targets: [], shown: null, runs: new Map(), current: null, counter: 0 };

const headerOf = (headers, name) => Object.entries(headers || {}).find(([k]) => k.toLowerCase() === name.toLowerCase())?.[1];

// ---------------------------------------------------------------- theme

const THEMES = ["auto", "light", "dark"];
function applyTheme(theme) {
  if (theme === "auto") delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = theme;
  $("#theme").textContent = `◐ ${theme}`;
  localStorage.setItem("mockllm-theme", theme);
}
$("#theme").addEventListener("click", () => {
  const now = localStorage.getItem("mockllm-theme") || "auto";
  applyTheme(THEMES[(THEMES.indexOf(now) + 1) % THEMES.length]);
});
applyTheme(localStorage.getItem("mockllm-theme") || "auto");

// ---------------------------------------------------------------- scenarios and targets

function pickScenario(name) {
  form.elements.scenario.value = name;
  $("#demo-scenario").value = name;
  showScenarios();
}

function showScenarios() {
  renderScenarios($("#scenario-list"), $("#scenario-count"), state.scenarios, $("#scenario-search").value, { selected: form.elements.scenario.value, onPick: pickScenario });
}

function fillSelects() {
  const names = state.scenarios.map((s) => s.name);
  fill(form.elements.scenario, h("option", { value: "", title: "Demo control's overrides, match rules, the default" }, "(server's choice)"), names.map((n) => h("option", { value: n }, n)));
  fill($("#demo-scenario"), names.map((n) => h("option", { value: n }, n)));
  const groups = group(state.targets);
  fill(form.elements.target, [...groups].map(([label, items]) => h("optgroup", { label }, items.map((t) => h("option", { value: state.targets.indexOf(t) }, t.label)))));
  const miniprogram = state.targets.findIndex((t) => t.framing === "miniprogram");
  if (miniprogram >= 0) form.elements.target.value = String(miniprogram); // what the phone preview is for
  fill($("#demo-routes"), [...new Set(state.targets.map((t) => t.path))].map((p) => h("option", { value: p })));
}

/** Items by their `group`, in first-seen order. */
function group(items) {
  const out = new Map();
  for (const item of items) out.set(item.group, [...(out.get(item.group) || []), item]);
  return out;
}

// ---------------------------------------------------------------- the inspector

function runView(run) {
  const response = run.response;
  const headers = response ? Object.fromEntries(response.headers) : {};
  const replay = { ...run.headers };
  if (headers["x-mock-scenario"]) replay["X-Mock-Scenario"] = headers["x-mock-scenario"];
  if (headers["x-mock-seed"]) replay["X-Mock-Seed"] = headers["x-mock-seed"];
  delete replay[TAG];
  return {
    summary: [
      ["request", `POST ${run.url}`],
      ["status", response ? `${response.status}${run.error ? ` · ${run.error}` : ""}` : run.error || "waiting…"],
      ["scenario", headers["x-mock-scenario"] || "—"],
      ["why", headers["x-mock-why"] || "—"],
      ["seed", headers["x-mock-seed"] || "—"],
      ["reads", `${run.reads.length}${run.elapsed ? ` in ${run.elapsed.toFixed(0)} ms` : ""}`],
    ],
    why: run.entry?.why,
    analysis: analyze(run.reads, headers["content-type"], run.target.framing),
    writeLog: run.entry?.write_log,
    truncated: run.entry?.write_log_truncated,
    curl: curlLine(run.url, { "Content-Type": "application/json", ...replay }, run.body),
  };
}

function entryView(entry) {
  const query = entry.query && Object.keys(entry.query).length ? `?${new URLSearchParams(entry.query)}` : "";
  const replay = {};
  if (typeof entry.body === "object" && entry.body !== null) replay["Content-Type"] = "application/json";
  if (entry.scenario) replay["X-Mock-Scenario"] = entry.scenario;
  if (entry.seed !== undefined && entry.seed !== null) replay["X-Mock-Seed"] = entry.seed;
  const session = headerOf(entry.headers, "X-Mock-Session");
  if (session) replay["X-Mock-Session"] = session;
  const errors = (entry.errors || []).map((e) => `${e.code ?? e.status} ${e.message}`).join("; ");
  return {
    summary: [
      ["request", `${entry.method} ${entry.path}${query}`],
      ["from", headerOf(entry.headers, "User-Agent") || "—"],
      ["session", entry.session || "—"],
      ["scenario", `${entry.scenario || "—"}${entry.override ? ` (demo override #${entry.override})` : ""}`],
      ["why", entry.why?.reason || "—"],
      ["seed", entry.seed ?? "—"],
      ["status", `${entry.status ?? "no response"} · ${entry.ended}`],
      ["errors", errors || "none"],
      ["writes", `${entry.writes} · ${entry.bytes} B · ${entry.duration_ms} ms`],
    ],
    why: entry.why,
    body: entry.body,
    writeLog: entry.write_log,
    truncated: entry.write_log_truncated,
    curl: entry.scenario ? curlLine(entry.path + query, replay, entry.body === undefined || entry.body === null ? undefined : entry.body) : null,
  };
}

let renderQueued = false;
function renderShown() {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    const shown = state.shown;
    if (!shown) return;
    $("#inspector-what").textContent = shown.run ? "this page's request" : `journal #${shown.entry.id}`;
    renderInspector(inspectorBody, shown.run ? runView(shown.run) : entryView(shown.entry));
  });
}

function inspect(shown) {
  state.shown = shown;
  renderShown();
}

// ---------------------------------------------------------------- Try

function currentTarget() {
  return state.targets[Number(form.elements.target.value)] || state.targets[0];
}

function setBusy(busy, text) {
  $("#send").disabled = busy;
  $("#stop").disabled = !busy;
  $("#try-status").textContent = text;
}

/**
 * The Demo control override that will answer a request to `path` of `session`, if any: Demo control wins over this
 * page's own scenario pick, as it does over every other client's choice, so the pick is left out then.
 */
async function demoOverrideFor(path, session) {
  const overrides = await api("../overrides");
  return overrides.find((o) => (o.route === null || o.route === path) && (o.session === null || o.session === (session || null))) || null;
}

async function send(prompt) {
  if (!prompt.trim() || state.current) return;
  const target = currentTarget();
  const tag = String(++state.counter);
  const session = form.elements.session.value.trim();
  setBusy(true, "asking Demo control…"); // busy from the click on: the override check below is a round trip
  const override = await demoOverrideFor(target.path, session).catch(() => null);
  const headers = {
    ...mockHeaders({
      scenario: override ? "" : form.elements.scenario.value,
      speed: form.elements.speed.value,
      seed: form.elements.seed.value,
      wire: wireOptions(form),
      session,
    }),
    [TAG]: tag,
  };
  const run = { target, url: urlFor(target), headers, body: bodyFor(target, prompt), reads: [], response: null, error: null, elapsed: 0, entry: null };
  const controller = new AbortController();
  state.current = controller;
  state.runs.set(tag, run);
  for (const old of [...state.runs.keys()].slice(0, -20)) state.runs.delete(old); // runs whose entry never came
  inspect({ run });
  setBusy(true, `streaming from ${run.url}${override ? ` (Demo control: ${override.scenario})` : ""}…`);
  const transport = (url, init, on = {}) =>
    record(url, { ...init, signal: controller.signal }, {
      headers: (response) => {
        run.response = response;
        on.headers?.(response);
        renderShown();
      },
      read: (read) => {
        run.reads.push(read);
        on.read?.(read);
        renderShown();
      },
    }).then((recording) => {
      Object.assign(run, { error: recording.error, elapsed: recording.elapsed });
      return recording;
    });
  const framing = target.framing && clientFraming(target.extends || target.framing);
  if (framing) await askPhone(prompt, run, framing, transport);
  else await askPage(prompt, run, transport);
  state.current = null;
  const status = run.response ? `${run.response.status}` : "no response";
  setBusy(false, `${status} · ${run.reads.length} reads · ${run.elapsed.toFixed(0)} ms${run.error ? ` · ${run.error}` : ""}`);
  renderShown();
}

/** An app framing the reference client reads: the phone preview asks, as a mini-program would. */
async function askPhone(prompt, run, framing, transport) {
  const answer = fill($("#answer"));
  await phone.ask({ question: prompt, url: run.url, headers: run.headers, framing, transport });
  answer.textContent = `Read by mockllm-client.js (${framing} framing): see the phone preview.`;
}

/** Any other route: this page reads the answer out of the stream (or the whole body) and shows it. */
async function askPage(prompt, run, transport) {
  const answer = fill($("#answer"));
  const init = { method: "POST", headers: { "Content-Type": "application/json", ...run.headers }, body: JSON.stringify(run.body) };
  let reader = null;
  await transport(run.url, init, {
    headers: (response) => (reader = createAnswerReader(response.headers.get("content-type"))),
    read: (read) => {
      reader.pushBytes(read.bytes);
      answer.textContent = reader.state.text;
    },
  });
  reader?.end();
  const error = reader?.state.error || (run.error ? { code: "network", msg: run.error } : null);
  answer.textContent = reader?.state.text || (error ? "" : reader?.state.body) || "";
  if (error) answer.append(h("div", { class: "answer-error" }, `error${error.code === null ? "" : ` ${error.code}`}: ${error.msg}`));
  if (reader?.state.text || error) phone.show(prompt, reader?.state.text || "", error, run.response?.headers.get("X-Mock-Scenario")); // embeddings and token counts have nothing to chat
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  send(form.elements.prompt.value);
});
$("#stop").addEventListener("click", () => state.current?.abort());
$("#phone-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("#phone-input");
  send(input.value);
  input.value = "";
});
$("#phone-clear").addEventListener("click", () => phone.clear());
$("#scenario-search").addEventListener("input", showScenarios);
form.elements.scenario.addEventListener("change", showScenarios);

// ---------------------------------------------------------------- demo control and live traffic

const demo = createDemo({
  form: $("#demo-form"),
  scenario: $("#demo-scenario"),
  count: $("#demo-count"),
  scope: $("#demo-scope"),
  where: $("#demo-where"),
  whereLabel: $("#demo-where-label"),
  whereName: $("#demo-where-name"),
  sticky: $("#demo-sticky"),
  reset: $("#demo-reset"),
  list: $("#demo-list"),
  status: $("#demo-status"),
});

createReport({ form: $("#report-form"), session: $("#report-session"), known: $("#report-sessions"), status: $("#report-status"), list: $("#report-list") });

let coverageTimer = 0;
function onEntry(entry) {
  clearTimeout(coverageTimer);
  coverageTimer = setTimeout(refreshCoverage, 300); // one refresh for a burst of requests
  const run = state.runs.get(headerOf(entry.headers, TAG));
  if (run) {
    run.entry = entry;
    state.runs.delete(headerOf(entry.headers, TAG));
    if (state.shown?.run === run) renderShown();
  }
  if (entry.override || entry.path === "/_mock/overrides" || entry.path.startsWith("/_mock/overrides/")) demo.refresh();
}

/** The phone page (the pairing QR code's address): the phone preview alone, its requests in the given session. */
function openAsPhone() {
  const session = PAGE_PARAMS.get("session") || "";
  if (session) form.elements.session.value = session;
  if (PAGE_PARAMS.get("view") === "phone") {
    document.body.classList.add("phone-view");
    $("#phone").scrollIntoView();
  }
  $("#pair").addEventListener("toggle", () => $("#pair").open && showPairing($("#pair-body"), form.elements.session.value.trim()));
}

const coverageForm = $("#coverage-form");
const refreshCoverage = () => showCoverage($("#coverage-table"), $("#coverage-summary"), $("#coverage-session").value.trim()).catch((error) => ($("#coverage-summary").textContent = error.message));
coverageForm.addEventListener("submit", (event) => {
  event.preventDefault();
  refreshCoverage();
});

openAsPhone();

// ---------------------------------------------------------------- the admin token

/** Ask for the admin token, saying why (the server's 401 reason included), instead of waiting on "connecting…". */
function askForToken(reason) {
  const panel = $("#token-panel");
  $("#token-status").textContent = reason;
  $("#live-state").textContent = "admin token needed";
  panel.hidden = false;
  document.body.dataset.auth = "needed";
  $("#token-input").focus();
}

$("#token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  rememberToken($("#token-input").value.trim());
  $("#token-panel").hidden = true;
  $("#token-status").textContent = "";
  start();
});

/** A refusal of the page's own admin calls: a 401 asks for the (right) token; anything else goes on as an error. */
function refused(error) {
  if (error.status !== 401) throw error;
  const tried = ADMIN_TOKEN;
  forgetToken();
  askForToken(tried ? `The server refused the token this tab had (401): ${error.message}` : `401: ${error.message}`);
}

let following = null;

/** The page's `#…` without the token (the phone view and session stay, so a reload keeps them). */
function hashWithoutToken() {
  const kept = new URLSearchParams(PAGE_PARAMS);
  kept.delete("token");
  return kept.size ? `#${kept}` : "";
}

async function start() {
  let scenarios, dialects;
  try {
    [scenarios, dialects] = await Promise.all([api("../scenarios"), api("../dialects")]);
    await demo.refresh();
  } catch (error) {
    return refused(error);
  }
  if (location.hash.includes("token=")) history.replaceState(null, "", location.pathname + location.search + hashWithoutToken()); // kept for the tab, out of sight
  delete document.body.dataset.auth;
  state.scenarios = scenarios;
  state.targets = targets(dialects);
  fillSelects();
  showScenarios();
  following?.close();
  following = followJournal($("#live-rows"), $("#live-state"), { onPick: (entry) => inspect({ entry }), onEntry, onRefused: refused });
  await refreshCoverage();
  document.body.dataset.ready = "true";
}

start();
