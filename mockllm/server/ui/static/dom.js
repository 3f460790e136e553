// A tiny element builder: h("td", {class: "x", onclick}, "text", child) — no framework needed for this page.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "dataset") Object.assign(el.dataset, value);
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
  return el;
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  for (const child of children.flat(Infinity)) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

const TOKEN_KEY = "mockllm-admin-token";

/**
 * The admin token: the one the page was opened with (`/_mock/ui/#token=…`, as the banner prints it), else the one
 * typed into the page earlier in this tab (sessionStorage: it lasts as long as the tab), else "".
 */
export let ADMIN_TOKEN = new URLSearchParams(location.hash.slice(1)).get("token") || sessionStorage.getItem(TOKEN_KEY) || "";
if (ADMIN_TOKEN) sessionStorage.setItem(TOKEN_KEY, ADMIN_TOKEN);

/** Remember `token` for this tab (sessionStorage) and use it from now on. */
export function rememberToken(token) {
  ADMIN_TOKEN = token;
  sessionStorage.setItem(TOKEN_KEY, token);
}

/** Forget the tab's token (the server refused it). */
export function forgetToken() {
  ADMIN_TOKEN = "";
  sessionStorage.removeItem(TOKEN_KEY);
}

/** `headers` with the admin token added, for the page's own `/_mock/` calls. */
export function withToken(headers = {}) {
  return ADMIN_TOKEN ? { ...headers, "X-Mock-Admin-Token": ADMIN_TOKEN } : headers;
}

/**
 * GET (or send) JSON to a path relative to the page; throws an Error with the server's message on a non-2xx
 * answer, its `status` set (401: the admin token is missing or wrong).
 */
export async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: withToken({ "Content-Type": "application/json", ...(init.headers || {}) }) });
  const text = await response.text();
  let value = null;
  try {
    value = text ? JSON.parse(text) : null;
  } catch {
    value = null; // not JSON: the status says what went wrong
  }
  if (!response.ok) throw Object.assign(new Error(value?.error?.message || `${response.status} ${response.statusText}`), { status: response.status });
  return value;
}
