// Playwright starts mockllm and the app before the tests; the `mockllm` fixture gives each test a session.
import { existsSync } from "node:fs";
import { defineConfig } from "@playwright/test";

const MOCKLLM_PORT = Number(process.env.MOCKLLM_PORT || 4010);
const APP_PORT = Number(process.env.APP_PORT || 4173);
export const MOCKLLM_URL = `http://127.0.0.1:${MOCKLLM_PORT}`;
const APP_URL = `http://127.0.0.1:${APP_PORT}`;
const PYTHON = process.env.MOCKLLM_PYTHON || "python3";
// The system's Chromium when there is one (never a download): $CHROMIUM, else Debian's, else Playwright's own build.
const CHROMIUM = process.env.CHROMIUM || (existsSync("/usr/bin/chromium") ? "/usr/bin/chromium" : undefined);

export default defineConfig({
  testDir: ".",
  webServer: [
    {
      command: `"${PYTHON}" -m mockllm serve --host 127.0.0.1 --port ${MOCKLLM_PORT} --speed 0 --seed 1 --watch off --scenarios ./scenarios`,
      url: `${MOCKLLM_URL}/_mock/health`,
      reuseExistingServer: !process.env.CI,
    },
    {
      // The app under test, told where the model API is (a real app reads its OPENAI_BASE_URL the same way).
      command: "node app/server.mjs",
      url: APP_URL,
      env: { PORT: String(APP_PORT), OPENAI_BASE_URL: `${MOCKLLM_URL}/v1` },
      reuseExistingServer: !process.env.CI,
    },
  ],
  use: { baseURL: APP_URL, launchOptions: { executablePath: CHROMIUM } },
});
