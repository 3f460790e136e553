// A hand-written retry loop, as many chat UIs have: fetch, and on a 429 or 503 try again, waiting `waitMs` (0: at
// once, ignoring Retry-After), at most `attempts` times. stdin: {url, session, model, attempts, waitMs};
// stdout: JSON {statuses}.
import { setTimeout as sleep } from "node:timers/promises";
import { stdinJson } from "./reader.mjs";

const { url, session, model, attempts = 3, waitMs = 0 } = await stdinJson();
const statuses = [];
for (let i = 0; i < attempts; i += 1) {
  const response = await fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Mock-Session": session },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
  await response.arrayBuffer();
  statuses.push(response.status);
  if (response.status !== 429 && response.status !== 503) break;
  if (waitMs) await sleep(waitMs);
}
console.log(JSON.stringify({ statuses }));
