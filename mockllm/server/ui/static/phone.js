// The phone preview: a mini-program chat page driven by the reference client (mockllm-client.js, loaded as a
// classic script) through a `wx` look-alike whose request() streams with fetch, so every error code shows what the
// client code makes the page do: 101 → the recharge modal, -1 → the login page, anything else → a toast.

import { $, h } from "./dom.js";

/** The framings the reference client parses itself; others are shown as the raw text. */
const CLIENT_FRAMINGS = new Set(["miniprogram", "text", "ndjson", "sse-json", "openai"]);

export function clientFraming(framing) {
  return CLIENT_FRAMINGS.has(framing) ? framing : null;
}

export function createPhone(root) {
  const chat = $("#phone-chat", root);
  const toast = $("#phone-toast", root);
  const modal = $("#phone-modal", root);
  const login = $("#phone-login", root);
  const back = $("#phone-back", root);
  const title = $("#phone-title", root);
  let toastTimer = 0;

  const closeLogin = () => {
    login.hidden = true;
    back.hidden = true;
    title.textContent = "AI 助手";
  };
  back.addEventListener("click", closeLogin);
  $("#phone-login-button", root).addEventListener("click", closeLogin);
  modal.addEventListener("click", (event) => {
    if (event.target.closest("button")) modal.hidden = true;
  });

  const ui = {
    showToast({ title: text }) {
      toast.textContent = text;
      toast.hidden = false;
      clearTimeout(toastTimer);
      toastTimer = setTimeout(() => (toast.hidden = true), 3000);
    },
    showModal({ title: heading, content, confirmText = "确定" }) {
      $(".wx-modal-title", modal).textContent = heading;
      $(".wx-modal-content", modal).textContent = content;
      $(".confirm", modal).textContent = confirmText;
      modal.hidden = false;
    },
    navigateTo({ url }) {
      $("p", login).textContent = url;
      login.hidden = false;
      back.hidden = false;
      title.textContent = "登录";
    },
  };

  /** A `wx` whose request() goes through `transport(url, init, on)` (see request.js `record`); `seen.scenario` is the answer's. */
  const wxWith = (transport, seen) => ({
    ...ui,
    request(options) {
      const onChunk = [];
      const onHeaders = [];
      const controller = new AbortController();
      const init = {
        method: options.method || "GET",
        headers: { "Content-Type": "application/json", ...(options.header || {}) },
        body: options.data === undefined ? undefined : JSON.stringify(options.data),
        signal: controller.signal,
      };
      transport(options.url, init, {
        headers: (response) => {
          seen.scenario = response.headers.get("X-Mock-Scenario");
          onHeaders.forEach((f) => f({ statusCode: response.status, header: Object.fromEntries(response.headers) }));
        },
        read: (read) => onChunk.forEach((f) => f({ data: read.bytes.slice().buffer })),
      }).then((recording) => {
        if (recording.error) options.fail?.({ errMsg: `request:fail ${recording.error}` });
        else options.success?.({ statusCode: recording.response.status, header: Object.fromEntries(recording.response.headers), data: new ArrayBuffer(0) });
        options.complete?.({});
      });
      return { onChunkReceived: (f) => onChunk.push(f), onHeadersReceived: (f) => onHeaders.push(f), abort: () => controller.abort() };
    },
  });

  const bubble = (who, text) => {
    const el = h("div", { class: `bubble ${who}` }, text);
    chat.append(el);
    chat.scrollTop = chat.scrollHeight;
    return el;
  };

  /** Under an answer: the scenario that gave it (the `X-Mock-Scenario` response header), so a demo shows what played. */
  const caption = (scenario) => {
    if (!scenario) return;
    chat.append(h("div", { class: "bubble-scenario", title: "X-Mock-Scenario: the scenario that answered" }, `scenario · ${scenario}`));
    chat.scrollTop = chat.scrollHeight;
  };

  return {
    /** Ask `question` as the page would: streamRequest(wx, …) with the README's error handling. Resolves when complete. */
    ask({ question, url, headers, framing, transport }) {
      bubble("user", question);
      const answer = bubble("bot typing", "");
      const seen = { scenario: null };
      const wx = wxWith(transport, seen);
      return new Promise((resolve) => {
        globalThis.mockllmClient.streamRequest(wx, {
          url,
          method: "POST",
          data: { message: question, stream: true },
          header: headers,
          framing,
          onText: (text) => {
            answer.classList.remove("typing");
            answer.textContent += text;
            chat.scrollTop = chat.scrollHeight;
          },
          onError: ({ code, msg }) => {
            answer.classList.remove("typing");
            answer.append(h("span", { class: "bubble-error" }, `错误 ${code}: ${msg}`));
            if (code === -1) wx.navigateTo({ url: "/pages/login/login" });
            else if (code === 101) wx.showModal({ title: "余额不足", content: msg, confirmText: "去充值" });
            else wx.showToast({ title: msg || `错误 ${code}`, icon: "none" });
          },
          onComplete: ({ statusCode, done }) => {
            answer.classList.remove("typing");
            if (!done && statusCode >= 200 && statusCode < 300) answer.append(h("span", { class: "bubble-note" }, "（回答中断）"));
            caption(seen.scenario);
            resolve({ statusCode, done, scenario: seen.scenario });
          },
        });
      });
    },
    /** Show a provider answer (read by the page, not the client) as the bot's bubble, with the scenario that gave it. */
    show(question, text, error, scenario) {
      bubble("user", question);
      const answer = bubble("bot", text);
      if (error) {
        answer.append(h("span", { class: "bubble-error" }, `错误 ${error.code ?? ""}: ${error.msg}`));
        ui.showToast({ title: error.msg || `错误 ${error.code}` });
      }
      caption(scenario);
    },
    clear() {
      chat.replaceChildren();
      modal.hidden = true;
      toast.hidden = true;
      closeLogin();
    },
  };
}
