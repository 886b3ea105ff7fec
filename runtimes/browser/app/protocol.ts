/** Messages between the app's page (main.tsx) and its worker (worker.ts); shared types only. */

/** Translation options the settings panel edits (kept in the page's query string). */
export interface AppOptions {
  verbosity: 'info' | 'debug';
  project?: string;
  ifaceName?: string;
  ifaceIndex?: number;
  ifaceAddrs?: string[];
  /** Translation threads, 1 to 8 (the `threads` query parameter); default: threads.ts threadsFor(). */
  threads?: number;
  /**
   * MiB of the packet index the tab may keep in memory when the browser's storage cannot take it
   * (the `memory` query parameter, 8 to 4096; default segments.ts MEMORY_SEGMENT_BYTES).
   */
  memoryMiB?: number;
}

/**
 * A job of the Worker that serves the app (`?job=ID`): its records are streamed from
 * GET /jobs/ID/records (same origin) with the bearer token, instead of a capture translated here.
 */
export interface JobSource { job: string; token: string; records: number; shards: number }

/**
 * Where the capture comes from: a file, several files read as one capture (merged by time
 * stamp, src/merge.ts), a URL or several on this server, or a job.
 */
export type Source = { file: Blob; name: string } | { files: Array<{ file: Blob; name: string }> } | { url: string } | { urls: string[] } | JobSource;

/** A time range in ms since the epoch, inclusive. */
export type Range = [number, number];

/**
 * The page's requests; each carries an id the reply repeats. The filter (text and time range)
 * is the view of every request after it: packets, connections, HTTP exchanges, traces, the
 * timeline and the exports all show only what it selects (a connection, an exchange or a trace
 * is shown when one of its packets is selected).
 */
export type Request =
  | { op: 'open'; source: Source; options: AppOptions }
  | { op: 'filter'; q: string; range: Range | null }
  | { op: 'rows'; start: number; count: number }
  | { op: 'locate'; num: number }
  | { op: 'detail'; pos: number }
  | { op: 'conns'; sort: string; desc: boolean; start: number; count: number }
  | { op: 'http'; sort: string; desc: boolean; start: number; count: number }
  | { op: 'traces'; sort: string; desc: boolean; start: number; count: number }
  | { op: 'trace'; id: string }
  | { op: 'timeline'; bins: number }
  | { op: 'fields' }
  | { op: 'complete'; text: string; cursor: number }
  | { op: 'help' }
  | { op: 'export'; what: ExportKind }
  | { op: 'memory' }
  | WaterfallRequest
  | EndpointsRequest
  // Follow stream (follow.ts): one connection's bytes both ways, its HTTP/1 messages decoded.
  | { op: 'follow'; flow: string }
  // The packets of a connection, of a trace, or (neither) of the view, as a capture file of the source's format.
  | { op: 'pcap'; flow?: string; trace?: string }
  // The HTTP/2 streams of a connection, from its records' `HTTP.streams` (streams.ts).
  | { op: 'h2streams'; flow: string };

/**
 * The memory account (op 'memory'): bytes held by each of the app's structures in its two
 * workers, named by what holds them, so a measurement can say where a tab's memory goes. Typed
 * arrays are counted exactly, texts and map entries estimated.
 */
export type MemoryAccount = Record<string, number>;

/** What an export writes: every record, the records of the view, the view's HTTP exchanges as HAR, or every exchange as OpenTelemetry spans (OTLP/JSON lines). */
export type ExportKind = 'ndjson' | 'ndjson-filtered' | 'har' | 'otlp';

/** An export's answer: the file, and a line for the page when a limit cut it (else null). */
export interface Exported { blob: Blob; note: string | null }

import type { SkipCounts } from '../../../src/skips.js';

/** Loading progress, sent while the worker translates (a job: bytes received, total 0, and the records `expected`). */
export interface Progress { bytes: number; total: number; packets: number; records: number; expected?: number }

/** The end of loading. */
export interface Loaded extends Progress {
  name: string;
  /** Where the per-packet index is kept: the Origin Private File System, or memory (no OPFS, or its quota reached). */
  store: 'opfs' | 'memory';
  /**
   * Lines the page shows as they are (a limit reached, storage that fell back to memory, what was
   * kept): never a silent cut. Empty when nothing needs saying.
   */
  notices: string[];
  first: number; last: number;
  /** The capture's error; for several files, the first file found damaged (`file`: its name; offset and packets are that file's). */
  error?: { message: string; offset: number; packets: number; code: string; file?: string };
  /** The files of a capture of several (merged), in the order given: the `file` of each record. */
  files?: string[];
  /** Threads the capture was translated on: 1 in the worker itself, more on shard-worker.js threads (threads.ts). */
  threads: number;
  /** Whether those threads ran tracecap-shared.wasm (cross-origin isolated: records read in place). */
  sharedCore: boolean;
  /** What the DEBUG analysis gave up, by reason (Translator.skipped; each record says so where it happens). None counted for a job. */
  skipped: SkipCounts;
  /** The Worker's job these records come from, and its shards (absent: a capture translated here). */
  job?: { id: string; shards: number };
  /**
   * Where loading spent its time (ms): reading the file, the core, indexing, HTTP pairing, the
   * store; and in all. With threads, `core` is the time loading waited for them (not their CPU time).
   */
  timings: { read: number; core: number; index: number; http: number; store: number; total: number };
}

/** A long piece of work the page may show (a filter that renders every record, an export): packets done of total. */
export interface Work { what: 'filter' | 'export' | 'detail'; done: number; total: number }

/** Events the worker sends without being asked. */
export type Event =
  | { ev: 'progress'; progress: Progress }
  | { ev: 'loaded'; loaded: Loaded }
  | { ev: 'failed'; message: string; auth?: boolean }
  | { ev: 'work'; work: Work }
  | { ev: 'reply'; id: number; result?: unknown; error?: string };

/** A packet-table row. */
export interface Row { pos: number; num: number; time: number; src: string; dst: string; proto: string; len: number; message: string; severity: string; /** Its file, in a capture of several files ('' else). */ file: string }

/**
 * Result of a filter request: the packets it selects of those loaded, or the first error in the
 * text with its character offset (and its length, to underline) — an unknown field is one.
 */
export type FilterResult = { ok: true; count: number; total: number } | { ok: false; message: string; offset: number; length?: number };

/** Where packet `num` is: its record position, and its index in the current view (-1: the filter leaves it out). */
export interface Located { pos: number; index: number }

/** Field names for completion: every field the filter knows, with the ones this capture has first. */
export interface Fields { present: string[]; other: string[] }

/** A connection (one flow id) with its counters. */
export interface Conn {
  id: number; flow: string; proto: string; client: string; server: string;
  packetsFwd: number; packetsBwd: number; bytesFwd: number; bytesBwd: number;
  start: number; end: number; exchanges: number;
  /** TLS server name (ClientHello) and application protocol (ServerHello, else the client's offer). */
  sni?: string; alpn?: string;
  /** Names DNS answers in the capture gave the server's address (connfacts.ts DnsNames), and how many more. */
  names?: string[]; moreNames?: number;
  /** The DNS names table was full (connfacts.ts MAX_DNS_ADDRESSES) before this server's address: its names may be missing. */
  namesFull?: boolean;
  /** How it ended (connfacts.ts endState): FIN, half-closed, RST (client|server), open; '' for UDP. */
  endState: string;
  /** Segments that repeat sequence space already sent (connfacts.ts RetransmissionTracker). */
  retransmissions: number;
}

/** An HTTP table row (Exchange from http.ts, headers left out). */
export interface HttpRow {
  id: number; proto: string; method: string; url: string; status?: number; reqTime: number; respTime?: number; latency?: number;
  trace?: string; flow: string; reqNum: number; respNum?: number; client: string; server: string;
}

/** A trace with its counts. */
export interface TraceRow { id: string; short: string; packets: number; exchanges: number; start: number; end: number }

/** One waterfall row: a packet carrying the trace. */
export interface TracePacket { pos: number; num: number; time: number; src: string; dst: string; proto: string; len: number; flags: string; kind: string; message: string }

/** A trace opened as a waterfall (`more`: packets of the trace past the ones listed). */
export interface TraceDetail { id: string; start: number; end: number; packets: TracePacket[]; exchanges: HttpRow[]; more?: number }

/** Timeline bins: per protocol class, packets and bytes per second. */
export interface Timeline { t: number[]; classes: string[]; packets: number[][]; bytes: number[][] }

/** A record's detail: its JSON text and the packet's captured bytes (none for a job: `bytesNote` says why). */
export interface Detail {
  pos: number; num: number; text: string; bytes: Uint8Array; fileOffset: number; bytesNote?: string;
  /** Its file, in a capture of several files (fileOffset is then the merged capture's). */
  file?: string;
}

// ---- between the main worker and the HTTP worker (http-worker.ts) ----

/** Numbers per HTTP packet in a batch's `meta`. */
export const META = 9; // pos, num, time, flow low 32 bits, flow high 32 bits, src id, dst id, sport, dport

/** Flag of a batch result's packet: its HTTP value is HTTP/2 (streams of frames). */
export const HTTP2_FLAG = 1;

/** Requests from the main worker. */
export type HttpRequest =
  | { op: 'reset' }
  /** lens: each packet's HTTP value bytes (0: none) in text; tlens: its `timing` value's bytes after them (0: none). */
  | { op: 'batch'; addrs: string[]; traceNames: string[]; meta: Float64Array; text: Uint8Array; lens: Uint32Array; tlens: Uint32Array }
  | { op: 'end' }
  | { op: 'view'; bits: Uint8Array | null; tag: string }
  | { op: 'http'; sort: string; desc: boolean; start: number; count: number }
  | { op: 'flowCounts' }
  | { op: 'traceCounts' }
  | { op: 'traceExchanges'; traces: string[] }
  | { op: 'exchangeIds' }
  | { op: 'exchanges'; ids: Uint32Array }
  | { op: 'memory' }
  | WaterfallRequest
  | EndpointsRequest;

/**
 * What a batch gives back: per HTTP packet four numbers (position, status or 0, method number
 * of segments.ts METHODS or 0, flags: HTTP2_FLAG), and for packets with more than one status,
 * method or trace (HTTP/2), those values (traces by name).
 */
export interface BatchResult { vals: Uint32Array; extras: Array<[number, { codes?: number[]; methods?: string[]; traceNames?: string[] }]> }

// ---- the all-requests waterfall and the latency statistics (views/waterfall-all.tsx, views/stats.tsx) ----

/**
 * Which of the view's exchanges the waterfall lists: those whose method, URL or status contains
 * `text` (case-insensitive; '' all), and of endpoint `endpoint` (endpoints.ts endpointKey, with
 * the host when `host`; '' all).
 */
export interface ExchangeSelect { text: string; endpoint: string; host: boolean }

/** A page of the all-requests waterfall, sorted by `sort`: reqTime, duration, status, size, url, method. */
export type WaterfallRequest = { op: 'waterfall'; sort: string; desc: boolean; start: number; count: number } & ExchangeSelect;

/** A page of the latency statistics per endpoint (`host`: the host is part of an endpoint). */
export interface EndpointsRequest { op: 'endpoints'; sort: string; desc: boolean; start: number; count: number; host: boolean }

/** A row of the all-requests waterfall: an exchange, its bar [begin, end] and its phases (absolute ms). */
export interface WaterfallRow {
  id: number; reqTime: number; proto: string; method: string; url: string; flow: string; reqNum: number;
  status?: number; respNum?: number;
  /** The bar: the SYN (on the exchange that carries its connection's setup) or the request's first byte, to the response's last byte (else what is known). */
  begin: number; end: number;
  /** end − begin, absent when nothing ended the exchange (no response, no timing). */
  duration?: number;
  /** Response bytes (head and body from the timing, else the body's). */
  size?: number;
  /** Who reset it: client, server (the connection), stream (HTTP/2 RST_STREAM). */
  reset?: string;
  note?: string;
  /** From Exchange.timing, when known: connect (SYN → ACK), send (request first → last byte), wait (→ response first byte), receive (→ last byte). */
  phases?: { connect?: [number, number]; send?: [number, number]; wait?: [number, number]; receive?: [number, number] };
  /** Retransmitted segments, both sides (timing). */
  retransmissions?: number;
}

/** A page of the waterfall: `span` the time axis (first begin, last end of every exchange it lists), `timed` how many of them have phases. */
export interface WaterfallPage { total: number; rows: WaterfallRow[]; span: [number, number]; timed: number }
