/**
 * @module tracecap/otlpexport — sends OTLP/JSON lines (src/otlp.ts) to an OTLP/HTTP receiver,
 * one `POST /v1/traces` per line, `Content-Type: application/json` (OTLP 1.x, "OTLP/HTTP"),
 * through a bounded queue, with the retries the OTLP spec asks for ("OTLP/HTTP Throttling",
 * "Retryable Response Codes": 429, 502, 503, 504, and network errors; exponential backoff with
 * jitter; `Retry-After` honoured). Runtime-agnostic: `fetch` and `setTimeout` only.
 */

/** Batches (lines) waiting or in flight at once; past it a new batch is dropped and counted. */
export const OTLP_QUEUE_BATCHES = 64;
/** Bytes of the batches waiting or in flight at once; past it a new batch is dropped and counted. */
export const OTLP_QUEUE_BYTES = 32 << 20;
/** Attempts per batch (the first and the retries) before it is dropped and counted. */
export const OTLP_MAX_ATTEMPTS = 5;
/** First backoff, doubled per retry up to OTLP_MAX_BACKOFF_MS, each drawn from its upper half (jitter). */
export const OTLP_BACKOFF_MS = 500;
/** Longest wait between attempts, also the most of a `Retry-After` that is honoured. */
export const OTLP_MAX_BACKOFF_MS = 30_000;
/** One request's time limit; past it the attempt counts as a network error (retryable). */
export const OTLP_REQUEST_TIMEOUT_MS = 10_000;

/** Bounds and hooks of an OtlpExporter (defaults: the OTLP_* constants). */
export interface OtlpExporterOptions {
  maxBatches?: number;
  maxBytes?: number;
  maxAttempts?: number;
  backoffMs?: number;
  maxBackoffMs?: number;
  timeoutMs?: number;
  /** Extra request headers (e.g. authorization for a hosted endpoint). */
  headers?: Record<string, string>;
  fetch?: typeof fetch;
}

/** What the exporter did with the batches it was given. */
export interface OtlpExportStats {
  sentBatches: number;
  sentSpans: number;
  /** Batches and spans not queued because the queue was full. */
  droppedFullBatches: number;
  droppedFullSpans: number;
  /** Batches and spans given up: a non-retryable answer, or every attempt failed. */
  failedBatches: number;
  failedSpans: number;
  /** Spans the receiver said it rejected (ExportTraceServiceResponse.partialSuccess.rejectedSpans). */
  rejectedSpans: number;
  retries: number;
  /** The last failure, e.g. "HTTP 503" or "fetch failed". */
  lastError?: string;
}

/** `URL` as given when it ends in /v1/traces, else with /v1/traces appended (OTLP/HTTP's default path). */
export function tracesUrl(url: string): string {
  const u = new URL(url); // throws TypeError on a malformed URL
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new TypeError(`not an http(s) URL: ${url}`);
  if (!u.pathname.endsWith('/v1/traces')) u.pathname = u.pathname.replace(/\/$/, '') + '/v1/traces';
  return u.toString();
}

const RETRYABLE = new Set([429, 502, 503, 504]);

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date, in ms from now; undefined if absent or unreadable. */
export function retryAfterMs(v: string | null, now = Date.now()): number | undefined {
  if (v === null) return undefined;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s) * 1000;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/**
 * Sends batches one at a time, in order. offer() never waits: a batch that does not fit the queue
 * is dropped at once and counted (never silently); close() waits until every queued batch is sent
 * or given up — at most OTLP_MAX_ATTEMPTS attempts of OTLP_REQUEST_TIMEOUT_MS plus the backoffs
 * for the first batch given up, then one attempt per batch until one is accepted, so it ends.
 */
export class OtlpExporter {
  private readonly queue: { body: Uint8Array<ArrayBuffer>; spans: number }[] = [];
  private readonly encoder = new TextEncoder();
  private queuedBytes = 0;
  private running: Promise<void> | null = null;
  private readonly o: Required<Omit<OtlpExporterOptions, 'headers' | 'fetch'>> & Pick<OtlpExporterOptions, 'headers'>;
  private readonly fetch: typeof fetch;
  private readonly counts: OtlpExportStats = { sentBatches: 0, sentSpans: 0, droppedFullBatches: 0, droppedFullSpans: 0, failedBatches: 0, failedSpans: 0, rejectedSpans: 0, retries: 0 };
  /** The URL posted to (…/v1/traces). */
  readonly url: string;

  /** An exporter to `url` (see tracesUrl); throws TypeError on a URL that is not http(s). */
  constructor(url: string, options: OtlpExporterOptions = {}) {
    this.url = tracesUrl(url);
    this.o = {
      maxBatches: Math.max(1, options.maxBatches ?? OTLP_QUEUE_BATCHES), maxBytes: Math.max(1, options.maxBytes ?? OTLP_QUEUE_BYTES),
      maxAttempts: Math.max(1, options.maxAttempts ?? OTLP_MAX_ATTEMPTS), backoffMs: options.backoffMs ?? OTLP_BACKOFF_MS,
      maxBackoffMs: options.maxBackoffMs ?? OTLP_MAX_BACKOFF_MS, timeoutMs: options.timeoutMs ?? OTLP_REQUEST_TIMEOUT_MS, headers: options.headers,
    };
    this.fetch = options.fetch ?? ((...a) => fetch(...a));
  }

  /** Queues one batch (an OTLP/JSON line) of `spans` spans; false when the queue was full and it was dropped. */
  offer(line: string, spans: number): boolean {
    const body = this.encoder.encode(line);
    const bytes = body.length;
    if (this.queue.length >= this.o.maxBatches || this.queuedBytes + bytes > this.o.maxBytes) {
      this.counts.droppedFullBatches++;
      this.counts.droppedFullSpans += spans;
      return false;
    }
    this.queue.push({ body, spans });
    this.queuedBytes += bytes;
    this.running ??= this.drain().finally(() => { this.running = null; });
    return true;
  }

  /** Waits for every queued batch to be sent or given up; the counts. */
  async close(): Promise<OtlpExportStats> {
    while (this.running !== null) await this.running;
    return this.stats();
  }

  /** The counts so far. */
  stats(): OtlpExportStats {
    return { ...this.counts };
  }

  private async drain(): Promise<void> {
    // The batch stays in the queue (and counts against its bounds) until it is sent or given up.
    while (this.queue.length > 0) {
      const b = this.queue[0]!;
      await this.send(b.body, b.spans);
      this.queue.shift();
      this.queuedBytes -= b.body.byteLength;
    }
  }

  // Set when a batch was given up after every attempt, cleared by the next success: while the
  // receiver keeps failing, each later batch gets one attempt, so a queue of them cannot take
  // OTLP_MAX_ATTEMPTS times as long to give up.
  private failing = false;

  private async send(body: Uint8Array<ArrayBuffer>, spans: number): Promise<void> {
    const attempts = this.failing ? 1 : this.o.maxAttempts;
    for (let attempt = 1; ; attempt++) {
      let retryable: boolean;
      let wait: number | undefined;
      try {
        const res = await this.fetch(this.url, {
          method: 'POST', body, headers: { 'content-type': 'application/json', ...this.o.headers },
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        const text = await res.text();
        if (res.ok) {
          this.failing = false;
          this.counts.sentBatches++;
          this.counts.sentSpans += spans;
          // A full success may have an empty body; a partial one says how many spans were rejected.
          try {
            const r = JSON.parse(text) as { partialSuccess?: { rejectedSpans?: string | number; errorMessage?: string } };
            const n = Number(r.partialSuccess?.rejectedSpans ?? 0);
            if (n > 0) { this.counts.rejectedSpans += n; this.counts.lastError = `partial success: ${r.partialSuccess?.errorMessage ?? `${n} spans rejected`}`; }
          } catch { /* not JSON: nothing to read */ }
          return;
        }
        this.counts.lastError = `HTTP ${res.status}`;
        retryable = RETRYABLE.has(res.status);
        wait = retryAfterMs(res.headers.get('retry-after'));
      } catch (e) {
        this.counts.lastError = e instanceof Error ? (e.name === 'TimeoutError' ? `no answer in ${this.o.timeoutMs} ms` : e.message) : String(e);
        retryable = true;
      }
      if (!retryable || attempt >= attempts) {
        if (retryable) this.failing = true;
        this.counts.failedBatches++;
        this.counts.failedSpans += spans;
        return;
      }
      this.counts.retries++;
      // Exponential backoff, drawn from its upper half so that retries of many senders spread out.
      const backoff = Math.min(this.o.maxBackoffMs, this.o.backoffMs * 2 ** (attempt - 1));
      await sleep(Math.min(this.o.maxBackoffMs, wait ?? backoff * (0.5 + Math.random() / 2)));
    }
  }
}

/** One line for standard error saying what an export did not deliver, or null when it delivered everything. */
export function exportSummary(url: string, s: OtlpExportStats, maxBatches = OTLP_QUEUE_BATCHES): string | null {
  const n = (k: number, one: string): string => `${k} ${one}${k === 1 ? '' : one.endsWith('h') ? 'es' : 's'}`;
  const parts: string[] = [];
  if (s.droppedFullBatches > 0) parts.push(`${n(s.droppedFullBatches, 'batch')} (${n(s.droppedFullSpans, 'span')}) dropped: the queue of ${n(maxBatches, 'batch')} was full`);
  if (s.failedBatches > 0) parts.push(`${n(s.failedBatches, 'batch')} (${n(s.failedSpans, 'span')}) not delivered (last: ${s.lastError ?? 'unknown'})`);
  if (s.rejectedSpans > 0) parts.push(`${n(s.rejectedSpans, 'span')} rejected by the receiver (${s.lastError ?? ''})`);
  return parts.length > 0 ? `OTLP endpoint ${url}: ${parts.join('; ')}; ${n(s.sentSpans, 'span')} delivered` : null;
}
