// Types of mockllm-node/fuzz: the library behind the mockllm-fuzz command.
import type { SimulatedWx } from "mockllm-node";

export interface ReaderCallbacks {
  onText(text: string): void;
  onError(error: { code: unknown; msg: string }): void;
  onDone(): void;
  /** The app framing fetched (the reference client reads it; others may ignore it). */
  framing?: string;
}

/** What a handler module exports: a reader factory (reader mode) or a page's ask (page mode). */
export interface HandlerModule {
  createReader?(callbacks: ReaderCallbacks): { push(bytes: ArrayBuffer): void; end?(): void };
  ask?(wx: SimulatedWx, question: string): unknown;
}

export type TraceEvent =
  | { type: "text"; text: string }
  | { type: "error"; code: unknown; msg: string }
  | { type: "done" }
  | { type: "throw"; name: string; message: string }
  | { type: "ui"; api: string; [option: string]: unknown }
  | { type: "result"; [key: string]: unknown };

export interface DeliveryDescription {
  cuts: Array<{ offset: number; insideCharacter: boolean; insideFrame: boolean; character: { text: string; from: number; to: number } | null }>;
  /** Write boundaries removed (the offset where one write ends and the next starts). */
  merges: number[];
  /** Whether the last write (the end marker) shares a read with the one before. */
  mergesEnd: boolean;
  profile: string | null;
  /** The size of each read. */
  reads: number[];
}

export interface Finding {
  /** "cut inside a character", "cut inside a frame", "cut at a frame boundary", "merged end marker", "merged last write", "merged writes", "all in one read", "device profile NAME". */
  finding: string;
  count: number;
  /** The smallest failing delivery of this kind. */
  delivery: DeliveryDescription;
  /** The `--only` spec that replays it. */
  spec: string;
  /** An X-Mock-Wire value that makes the server deliver this kind of failure, if one exists. */
  wire: string | null;
  actual: TraceEvent[];
}

export interface ScenarioReport {
  scenario: string;
  skipped?: string;
  framing: string;
  statusCode: number | null;
  bytes: number;
  writes: number[];
  writesFrom: string;
  interrupted: string | null;
  tried: number;
  failures: number;
  /** The handler's trace on the stream as sent (one read per server write). */
  expected: TraceEvent[];
  findings: Finding[];
  /** The finding with the smallest failing delivery. */
  minimal: string | null;
}

export interface FuzzOptions {
  module: HandlerModule | { default: HandlerModule };
  file?: string;
  mode?: "reader" | "page";
  /** The server's root URL. */
  server: string;
  /** Scenario names (default: every scenario the server serves). */
  scenarios?: string[];
  framing?: "miniprogram" | "text" | "ndjson" | "sse-json" | string;
  path?: string;
  question?: string;
  /** At most this many one-cut deliveries per scenario (default 2000). */
  cuts?: number;
  /** At most this many two-cut deliveries per scenario (default 2000). */
  pairs?: number;
  /** Replay one delivery: "cuts=37,52;merges=80" or "profile=merge-some:3". */
  only?: string;
  token?: string;
  timeoutMs?: number;
  command?: string;
}

export declare function fuzz(options: FuzzOptions): Promise<{ reports: ScenarioReport[]; text: string; ok: boolean }>;
export declare function formatReport(reports: ScenarioReport[], command: string): string;
export declare function readerTrace(createReader: NonNullable<HandlerModule["createReader"]>, chunks: Uint8Array[], framing?: string): TraceEvent[];
export declare function pageTrace(ask: NonNullable<HandlerModule["ask"]>, answer: { statusCode: number; header: Record<string, string>; complete?: boolean }, chunks: Uint8Array[], question: string, timeoutMs: number): Promise<TraceEvent[]>;
export declare function frameEnds(body: Uint8Array, framing: string): number[];
export declare function insideCharacter(body: Uint8Array, offset: number): boolean;
export declare function deliveries(body: Uint8Array, sizes: number[], options?: { cuts?: number; pairs?: number; seed?: number; profileSeeds?: number }): Generator<{ kind: string; cuts: number[]; merges: number[]; profile: string | null; chunks: Uint8Array[] }>;
