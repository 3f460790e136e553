// Types of the mockllm Node helper (index.mjs).

export declare const SESSION_HEADER: "X-Mock-Session";
/** The variable both `mockllm serve` and this helper read the admin token from. */
export declare const ADMIN_TOKEN_ENV: "MOCKLLM_ADMIN_TOKEN";

export interface ConnectOptions {
  /** The server's admin token, sent as `Authorization: Bearer <token>` on `/_mock/` calls (default: $MOCKLLM_ADMIN_TOKEN). */
  token?: string;
}

/** A scenario as an object (schema 1): `name` defaults to "default", `schema` to 1, `description` is filled in. */
export interface ScenarioDocument {
  name?: string;
  description?: string;
  schema?: 1;
  match?: Record<string, unknown>;
  stream?: { unit?: "char" | "codepoint" | "word" | "token"; per_delta?: number; delay_ms?: number; jitter_ms?: number; first_token_ms?: number };
  steps?: Array<Record<string, unknown>>;
  attempts?: unknown[];
  [key: string]: unknown;
}

export interface JournalFilters {
  session?: string;
  path?: string;
  scenario?: string;
  /** Only entries numbered after this id. */
  since?: number;
}

export interface WaitFilters extends JournalFilters {
  /** How long to wait for a matching finished request (default 10000). */
  timeoutMs?: number;
}

/** One request as the server recorded it. */
export interface JournalEntry {
  id: number;
  time: number;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  session: string | null;
  scenario: string | null;
  body?: unknown;
  seed?: number;
  stream?: boolean;
  attempt?: number;
  /** The HTTP status sent; null when the connection ended before a status line. */
  status: number | null;
  ended: string;
  writes: number;
  bytes: number;
  duration_ms: number;
  [key: string]: unknown;
}

/** One line of the client report card (docs/report-card.md). */
export interface Verdict {
  verdict: "pass" | "warn" | "fail" | "n/a";
  summary: string;
  /** Request numbers (journal ids) and milliseconds the verdict rests on. */
  evidence: Array<Record<string, unknown>>;
}

export type VerdictName = "retries" | "backoff" | "abandoned" | "duplicates" | "resume" | "stall";

/** The client report card of one session. */
export interface Report {
  session: string | null;
  requests: number;
  overall: Verdict["verdict"];
  verdicts: Record<VerdictName, Verdict>;
}

/** Thresholds of the verdicts (see docs/report-card.md). */
export interface ReportRules {
  early_ratio?: number;
  immediate_ms?: number;
  abandon_grace_ms?: number;
  duplicate_window_ms?: number;
  stall_limit_ms?: number;
}

export declare class MockllmError extends Error {
  problems: string[];
}

export declare class MockllmClient {
  constructor(url: string, options?: ConnectOptions);
  readonly url: string;
  /** The admin token sent on `/_mock/` calls, if any. */
  readonly token: string | undefined;
  readonly openaiBaseUrl: string;
  session(id?: string): MockllmSession;
  defineScenario(document: ScenarioDocument | string, options?: { session?: string }): Promise<string[]>;
  deleteScenario(name: string, options?: { session?: string }): Promise<void>;
  journal(filters?: JournalFilters): Promise<JournalEntry[]>;
  waitForRequest(filters?: WaitFilters): Promise<JournalEntry>;
  reset(session: string): Promise<void>;
  report(session: string, rules?: ReportRules): Promise<Report>;
  /** Reject with a MockllmError naming each of `verdicts` (default: all) that is warn or fail. */
  assertClientOk(session: string, verdicts?: VerdictName[], rules?: ReportRules): Promise<Report>;
}

/** The subset of a Playwright Page or BrowserContext that `attach` uses. */
export interface Routable {
  route(url: string, handler: (route: any) => unknown): Promise<void>;
}

export declare class MockllmSession {
  readonly id: string;
  /** The server's root URL (no session in it). */
  readonly url: string;
  /** This session's root, `{url}/s/{id}`: requests under it count as this session's, no header needed. */
  readonly baseUrl: string;
  /** The `baseURL` for an OpenAI SDK, with the session in it: `{url}/s/{id}/v1`. */
  readonly openaiBaseUrl: string;
  readonly headers: { "X-Mock-Session": string };
  defineScenario(document: ScenarioDocument | string): Promise<string[]>;
  deleteScenario(name: string): Promise<void>;
  journal(filters?: Omit<JournalFilters, "session">): Promise<JournalEntry[]>;
  waitForRequest(filters?: Omit<WaitFilters, "session">): Promise<JournalEntry>;
  reset(): Promise<void>;
  report(rules?: ReportRules): Promise<Report>;
  assertClientOk(verdicts?: VerdictName[], rules?: ReportRules): Promise<Report>;
  /** Add the session header to every request a Playwright page/context sends to this server. */
  attach(pageOrContext: Routable): Promise<void>;
}

export declare class MockllmServer extends MockllmClient {
  readonly port: number;
  readonly pid: number;
  readonly scenarios: string[];
  /** The server's last output lines (stdout and stderr). */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  /** Folder of scenario files (default: the shipped ones). */
  scenarios?: string;
  /** Speed factor (default 0: no waiting). */
  speed?: number;
  /** Seed (default 1); null for a fresh one per request. */
  seed?: number | null;
  defaultScenario?: string;
  /** An admin token the server requires on `/_mock/` routes and this client sends (default: $MOCKLLM_ADMIN_TOKEN, which the server reads too). */
  token?: string;
  /** More `mockllm serve` flags. */
  args?: string[];
  /** The command before `serve` (default: [$MOCKLLM_PYTHON or "python3", "-m", "mockllm"]). */
  command?: string[];
  cwd?: string;
  env?: Record<string, string>;
  startTimeoutMs?: number;
}

export declare function startMockllm(options?: StartOptions): Promise<MockllmServer>;
export declare function connectMockllm(url: string, options?: ConnectOptions): MockllmClient;
