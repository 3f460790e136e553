// Demo control: "the next N requests (on route X / from session Y / everywhere) get scenario Z", the sticky
// active scenario, and reset — all through the admin API POST/GET/DELETE /_mock/overrides.

import { api, fill, h } from "./dom.js";

function describe(o) {
  const what = o.sticky ? "active" : `next ${o.left}`;
  const where = [o.route ? `on ${o.route}` : "every route", o.session ? `session ${o.session}` : null].filter(Boolean).join(", ");
  return [h("strong", {}, o.scenario), ` · ${what} · ${where}`, o.used ? ` · used ${o.used}×` : ""];
}

export function createDemo(els) {
  const refresh = async () => {
    const overrides = await api("../overrides");
    fill(
      els.list,
      overrides.length
        ? overrides.map((o) => h("li", { class: o.sticky ? "sticky" : "", dataset: { id: o.id } }, h("span", {}, describe(o)), h("button", { type: "button", class: "ghost", title: "remove", onclick: () => remove(o.id) }, "✕")))
        : h("li", { class: "empty" }, "No overrides: every request picks its scenario as usual."),
    );
  };
  const run = async (action, message) => {
    try {
      await action();
      els.status.textContent = message;
      els.status.classList.remove("bad");
    } catch (error) {
      els.status.textContent = error.message;
      els.status.classList.add("bad");
    }
    await refresh();
  };
  const scope = () => {
    const where = els.where.value.trim();
    if (els.scope.value === "route") return { route: where };
    if (els.scope.value === "session") return { session: where };
    return {};
  };
  const post = (extra) => api("../overrides", { method: "POST", body: JSON.stringify({ scenario: els.scenario.value, ...scope(), ...extra }) });
  const remove = (id) => run(() => api(`../overrides/${id}`, { method: "DELETE" }), `Override #${id} removed.`);

  els.scope.addEventListener("change", () => {
    els.whereLabel.hidden = els.scope.value === "all";
    els.whereName.textContent = els.scope.value === "route" ? "Route" : "Session";
    els.where.placeholder = els.scope.value === "route" ? "/miniprogram/chat" : "X-Mock-Session value";
    els.where.setAttribute("list", els.scope.value === "route" ? "demo-routes" : "");
  });
  els.form.addEventListener("submit", (event) => {
    event.preventDefault();
    const count = Number(els.count.value || 1);
    run(() => post({ count }), count === 1 ? `The next request gets ${els.scenario.value}.` : `The next ${count} requests get ${els.scenario.value}.`);
  });
  els.sticky.addEventListener("click", () => run(() => post({ sticky: true }), `${els.scenario.value} is the active scenario.`));
  els.reset.addEventListener("click", () => run(() => api("../overrides", { method: "DELETE" }), "Reset: no overrides."));
  return { refresh };
}
