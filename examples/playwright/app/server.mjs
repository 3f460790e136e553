// The app under test: a chat page on 127.0.0.1:$PORT whose browser code calls the model API at $OPENAI_BASE_URL.
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";

const PORT = Number(process.env.PORT || 4173);
const CONFIG = JSON.stringify({ openaiBaseUrl: process.env.OPENAI_BASE_URL || "https://api.openai.com/v1" });
const FILES = {
  "/": ["index.html", "text/html; charset=utf-8"],
  "/chat.js": ["chat.js", "text/javascript; charset=utf-8"],
};

async function serve(request, response) {
  const path = new URL(request.url, "http://app").pathname;
  if (path === "/config.json") return send(response, 200, "application/json", CONFIG);
  const file = FILES[path];
  if (!file) return send(response, 404, "text/plain; charset=utf-8", "not found");
  send(response, 200, file[1], await readFile(new URL(file[0], import.meta.url)));
}

function send(response, status, type, body) {
  response.writeHead(status, { "Content-Type": type, "Cache-Control": "no-store" }).end(body);
}

createServer(serve).listen(PORT, "127.0.0.1", () => console.log(`chat app on http://127.0.0.1:${PORT}`));
