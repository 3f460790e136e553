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

/** How often one code was delivered, and how. */
export interface CoverageTally {
  count: number;
  /** An error frame in a 200 stream, or a WebSocket message. */
  in_band: number;
  /** An HTTP error response. */
  http_status: number;
  /** A WebSocket close frame with the code. */
  websocket_close: number;
  /** Journal entry ids that delivered it. */
  entries: number[];
}

/** One business code or provider error a loaded scenario can send. */
export interface CoverageCode {
  /** "code 101", "type server_error", "status 500" or "close 4001". */
  key: string;
  kind: "error" | "close";
  code: number | string | null;
  type: string | null;
  status: number | null;
  message: string;
  scenarios: string[];
  delivered: CoverageTally;
}

export interface Coverage {
  session: string | null;
  total: number;
  covered: number;
  codes: CoverageCode[];
  /** Errors the session's requests delivered that no loaded scenario declares. */
  others: Array<{ key: string; delivered: CoverageTally }>;
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
  /** GET /_mock/coverage: what `{session}`'s requests delivered of every code the scenarios can send. */
  coverage(options?: { session?: string }): Promise<Coverage>;
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
  coverage(): Promise<Coverage>;
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

// ---------------------------------------------------------------- the wx / uni / Taro simulator

/** How the runtime groups socket reads into onChunkReceived callbacks. */
export interface DeviceProfile {
  /** Chance (0..1) that a read is held back and delivered with the next one. */
  mergeProbability?: number;
  /** Seed of the merges (same seed, same merges; default 1). */
  seed?: number;
  /** The last two reads arrive as one callback: the end marker shares it with the frame before. */
  mergeEnd?: boolean;
}

export type DeviceProfileName = "exact" | "merge-some" | "merge-end";

/** `exact` (one callback per read), `merge-some` ({mergeProbability: 0.3, seed: 1}), `merge-end` ({mergeEnd: true}). */
export declare const DEVICE_PROFILES: Readonly<Record<DeviceProfileName, Readonly<DeviceProfile>>>;

export interface GeneralCallbackResult {
  errMsg: string;
}

export interface RequestSuccessResult<T = string | ArrayBuffer | Record<string, unknown>> extends GeneralCallbackResult {
  /** With enableChunked: empty (the body went to onChunkReceived). Else the body: text (JSON-parsed with dataType "json") or an ArrayBuffer. */
  data: T;
  statusCode: number;
  header: Record<string, string>;
  cookies: string[];
}

export interface RequestOptions {
  url: string;
  method?: "GET" | "POST" | "PUT" | "DELETE" | "HEAD" | "OPTIONS" | "PATCH" | string;
  /** An object is sent as JSON (a query string for GET); a string or ArrayBuffer as it is. */
  data?: string | object | ArrayBuffer;
  header?: Record<string, string>;
  /** Milliseconds before `request:fail timeout` (default 60000). */
  timeout?: number;
  dataType?: "json" | string;
  responseType?: "text" | "arraybuffer";
  /** Stream: each socket read (as the device profile groups them) goes to onChunkReceived; success still comes for a non-2xx status. */
  enableChunked?: boolean;
  success?: (result: RequestSuccessResult) => void;
  /** errMsg "request:fail <reason>", "request:fail abort" or "request:fail timeout". */
  fail?: (error: GeneralCallbackResult) => void;
  complete?: (result: RequestSuccessResult | GeneralCallbackResult) => void;
}

export interface RequestTask {
  abort(): void;
  onHeadersReceived(listener: (result: { header: Record<string, string>; statusCode: number; cookies: string[] }) => void): void;
  offHeadersReceived(listener?: (...args: any[]) => void): void;
  /** One call per socket read (or group of reads, as the device profile says): that read's body bytes. */
  onChunkReceived(listener: (result: { data: ArrayBuffer }) => void): void;
  offChunkReceived(listener?: (...args: any[]) => void): void;
}

export interface ConnectSocketOptions {
  url: string;
  header?: Record<string, string>;
  protocols?: string[];
  success?: (result: GeneralCallbackResult) => void;
  fail?: (error: GeneralCallbackResult) => void;
  complete?: (result: GeneralCallbackResult) => void;
}

export interface SocketTask {
  send(options: { data: string | ArrayBuffer; success?: (r: GeneralCallbackResult) => void; fail?: (e: GeneralCallbackResult) => void; complete?: (r: GeneralCallbackResult) => void }): void;
  close(options?: { code?: number; reason?: string; success?: (r: GeneralCallbackResult) => void; fail?: (e: GeneralCallbackResult) => void; complete?: (r: GeneralCallbackResult) => void }): void;
  onOpen(listener: (result: { header: Record<string, string>; profile: object }) => void): void;
  /** One whole message: text as a string, binary as an ArrayBuffer. */
  onMessage(listener: (result: { data: string | ArrayBuffer }) => void): void;
  /** The close code and reason (1006 when the connection dropped without a close frame). */
  onClose(listener: (result: { code: number; reason: string }) => void): void;
  onError(listener: (result: GeneralCallbackResult) => void): void;
}

/** A UI call a page made (showToast, navigateTo, …), as recorded: its name and its options without callbacks. */
export interface UiCall {
  api: string;
  [option: string]: unknown;
}

export interface SimulatorOptions {
  /** How reads are grouped into onChunkReceived callbacks (default "exact"). */
  device?: DeviceProfileName | DeviceProfile;
  /** Default request timeout in ms (default 60000). */
  timeout?: number;
  /** Answer requests without a server: each chunk is one read. */
  respond?: (request: RequestOptions) => { statusCode?: number; header?: Record<string, string>; chunks: Array<ArrayBuffer | Uint8Array>; complete?: boolean };
  /** What showModal answers (default {confirm: true, cancel: false}). */
  modal?: { confirm: boolean; cancel: boolean };
  /** Do not print what page callbacks throw (it is kept in $errors either way). */
  quiet?: boolean;
}

type UiApi = (options?: Record<string, unknown>) => void;

export interface SimulatedWx {
  request(options: RequestOptions): RequestTask;
  connectSocket(options: ConnectSocketOptions): SocketTask;
  showToast: UiApi;
  hideToast: UiApi;
  showLoading: UiApi;
  hideLoading: UiApi;
  showModal: UiApi;
  showActionSheet: UiApi;
  navigateTo: UiApi;
  redirectTo: UiApi;
  reLaunch: UiApi;
  switchTab: UiApi;
  navigateBack: UiApi;
  setNavigationBarTitle: UiApi;
  vibrateShort: UiApi;
  setClipboardData: UiApi;
  getStorageSync(key: string): unknown;
  setStorageSync(key: string, value: unknown): void;
  removeStorageSync(key: string): void;
  clearStorageSync(): void;
  /** Every UI call the page made, in order. */
  readonly $calls: UiCall[];
  /** What page callbacks threw (the runtime reports these instead of crashing). */
  readonly $errors: unknown[];
  /** Resolves once no request or socket is open and every callback has run. */
  $idle(): Promise<void>;
}

export interface SimulatedUni extends Omit<SimulatedWx, "request" | "connectSocket"> {
  /** A RequestTask when success, fail or complete is passed; else a Promise (uni-app's rule). */
  request(options: RequestOptions & ({ success: Function } | { fail: Function } | { complete: Function })): RequestTask;
  request(options: RequestOptions): Promise<RequestSuccessResult> | Promise<[GeneralCallbackResult | null, RequestSuccessResult | undefined]>;
  connectSocket(options: ConnectSocketOptions & ({ success: Function } | { fail: Function } | { complete: Function })): SocketTask;
  connectSocket(options: ConnectSocketOptions): Promise<SocketTask>;
}

export type TaroRequestTask = Promise<RequestSuccessResult> & RequestTask;

export interface SimulatedTaro extends Omit<SimulatedWx, "request" | "connectSocket"> {
  /** A Promise (rejecting on fail) that is also the task: abort, on/offHeadersReceived, on/offChunkReceived. */
  request(options: RequestOptions): TaroRequestTask;
  connectSocket(options: ConnectSocketOptions): Promise<SocketTask>;
}

export declare function createWx(options?: SimulatorOptions): SimulatedWx;
/** `promiseStyle`: "vue3" (default: resolve the result, reject the error) or "vue2" (resolve `[error, result]`). */
export declare function createUni(options?: SimulatorOptions & { promiseStyle?: "vue3" | "vue2" }): SimulatedUni;
export declare function createTaro(options?: SimulatorOptions): SimulatedTaro;
