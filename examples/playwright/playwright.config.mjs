// Playwright starts mockllm (and your app) before the tests; the `mockllm` fixture gives each test a session.
import { defineConfig } from "@playwright/test";

export const MOCKLLM_URL = "http://127.0.0.1:4010";

export default defineConfig({
  webServer: [
    {
      command: "python -m mockllm serve --port 4010 --speed 0 --watch off --scenarios ./scenarios",
      url: `${MOCKLLM_URL}/_mock/health`,
      reuseExistingServer: !process.env.CI,
    },
    {
      // Your app, configured to call the model API at MOCKLLM_URL/v1.
      command: "npm run dev",
      url: "http://127.0.0.1:5173",
      env: { OPENAI_BASE_URL: `${MOCKLLM_URL}/v1` },
      reuseExistingServer: !process.env.CI,
    },
  ],
  use: { baseURL: "http://127.0.0.1:5173" },
});
