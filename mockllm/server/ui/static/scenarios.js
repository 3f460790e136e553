// The Scenarios panel: every scenario with its description, steps, wire options, faults and where it applies.

import { fill, h } from "./dom.js";

const short = (text, n = 48) => (text.length > n ? `${text.slice(0, n - 1)}…` : text);

/** One chip per step: `say "你好…"`, `error 101`, `tool_call get_weather`, `pause 500 ms`. */
function stepChips(steps) {
  return (steps || []).map((step) => {
    const [kind, value] = Object.entries(step)[0];
    if (kind === "error") {
      const what = typeof value === "string" ? value : value.preset || [value.status, value.code].filter((v) => v !== undefined).join(" · ");
      return h("span", { class: "chip bad" }, `error ${what}`);
    }
    if (kind === "say" || kind === "think") return h("span", { class: "chip" }, `${kind} ${typeof value === "string" ? `“${short(value, 28)}”` : JSON.stringify(value)}`);
    if (kind === "tool_call") return h("span", { class: "chip" }, `tool_call ${value.name}`);
    if (kind === "pause") return h("span", { class: "chip" }, `pause ${value} ms`);
    return h("span", { class: "chip" }, `${kind} ${typeof value === "object" ? short(JSON.stringify(value), 28) : value}`);
  });
}

const options = (label, value, kind = "") =>
  value && Object.keys(value).length ? h("span", { class: `chip ${kind}` }, `${label} ${Object.entries(value).map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : v}`).join(" ")}`) : null;

/** Where a scenario applies: routes a routes map binds to it, the `match` rules that pick it, else every route by name. */
function appliesTo(scenario) {
  const where = [];
  if (scenario.routes.length) where.push(`bound to ${scenario.routes.join(", ")}`);
  if (scenario.match) where.push(`picked when ${Object.entries(scenario.match).map(([k, v]) => `${k} ~ ${typeof v === "object" ? JSON.stringify(v) : v}`).join(", ")}`);
  if (scenario.framing) where.push(`app framings: ${Object.keys(scenario.framing).join(", ")} changed`);
  where.push("any route by name");
  return where.join(" · ");
}

function searchText(s) {
  return JSON.stringify([s.name, s.description, s.steps, s.attempts, s.wire, s.faults, s.match, s.routes]).toLowerCase();
}

export function renderScenarios(list, countEl, scenarios, query, { selected, onPick }) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  const shown = scenarios.filter((s) => words.every((w) => searchText(s).includes(w)));
  countEl.textContent = shown.length === scenarios.length ? `${scenarios.length}` : `${shown.length} of ${scenarios.length}`;
  fill(
    list,
    shown.map((s) =>
      h(
        "li",
        { class: `scenario${s.name === selected ? " selected" : ""}`, dataset: { name: s.name }, tabindex: 0, onclick: () => onPick(s.name), onkeydown: (e) => e.key === "Enter" && onPick(s.name) },
        h("div", { class: "scenario-head" }, h("strong", {}, s.name), s.origin ? h("span", { class: "origin" }, s.origin) : null),
        h("p", {}, s.description.trim()),
        h(
          "div",
          { class: "chips" },
          stepChips(s.steps),
          s.attempts ? h("span", { class: "chip" }, `${s.attempts.length} attempts`) : null,
          options("stream", s.stream),
          options("wire", s.wire, "wire"),
          (s.faults || []).map((f) => h("span", { class: "chip warn" }, `fault ${f.fault}`)),
        ),
        h("p", { class: "applies" }, appliesTo(s)),
      ),
    ),
  );
}
