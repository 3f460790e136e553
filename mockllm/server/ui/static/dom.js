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

/** The admin token the page was opened with (`/_mock/ui/#token=…`, as the banner prints it), or "". */
export const ADMIN_TOKEN = new URLSearchParams(location.hash.slice(1)).get("token") || "";

/** `headers` with the admin token added, for the page's own `/_mock/` calls. */
export function withToken(headers = {}) {
  return ADMIN_TOKEN ? { ...headers, "X-Mock-Admin-Token": ADMIN_TOKEN } : headers;
}

/** GET (or send) JSON to a path relative to the page; throws an Error with the server's message on a non-2xx answer. */
export async function api(path, init = {}) {
  const response = await fetch(path, { ...init, headers: withToken({ "Content-Type": "application/json", ...(init.headers || {}) }) });
  const text = await response.text();
  const value = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(value?.error?.message || `${response.status} ${response.statusText}`);
  return value;
}
