/**
 * A job's records (GET /jobs/ID/records on the Worker that serves the app) in the app: the
 * NDJSON streamed in slices, each slice's lines given the core's 128-byte index entries
 * (src/entry.ts) read from the records themselves, so that the index (packets.ts, segments.ts),
 * the HTTP worker, the filters and the exports take a job's records exactly as they take the
 * core's output. A dropped connection resumes with `?from=` the next serial.
 */
import { ENTRY_BYTES, Entry, EntryNet, NO_PART } from '../../../src/entry.js';
import { parseIp } from '../../../src/ip.js';

const NL = 0x0a, QUOTE = 0x22, BACKSLASH = 0x5c, COMMA = 0x2c, COLON = 0x3a;
const OPEN_OBJ = 0x7b, CLOSE_OBJ = 0x7d, OPEN_ARR = 0x5b, CLOSE_ARR = 0x5d;
const dec = new TextDecoder();

/** The Worker's last line after a damaged capture's records (runtimes/workers/index.ts errorLine). */
export interface JobCaptureError { code: string; message: string; offset: number; packets: number }

/** What indexRecords() made of a run of whole lines. */
export interface IndexedLines {
  /** One entry (ENTRY_BYTES) per record. */
  entries: Uint8Array;
  count: number;
  /** Bytes of the records (from the first line): the error line, when there is one, follows them. */
  bytes: number;
  /** The Worker's error line (the capture is damaged past the last record), when it came. */
  error: JobCaptureError | null;
}

/** The end of the string starting at b[i] (a quote): the index after its closing quote. */
function skipString(b: Uint8Array, i: number, end: number): number {
  for (i++; i < end; i++) {
    const c = b[i]!;
    if (c === BACKSLASH) i++;
    else if (c === QUOTE) return i + 1;
  }
  throw new SyntaxError('a record ends inside a string');
}

/** The end of the JSON value starting at b[i]. */
function skipValue(b: Uint8Array, i: number, end: number): number {
  const c = b[i];
  if (c === QUOTE) return skipString(b, i, end);
  if (c === OPEN_OBJ || c === OPEN_ARR) {
    let depth = 0;
    while (i < end) {
      const x = b[i]!;
      if (x === QUOTE) { i = skipString(b, i, end); continue; }
      if (x === OPEN_OBJ || x === OPEN_ARR) depth++;
      else if (x === CLOSE_OBJ || x === CLOSE_ARR) { depth--; if (depth === 0) return i + 1; }
      i++;
    }
    throw new SyntaxError('a record ends inside an object');
  }
  while (i < end && b[i] !== COMMA && b[i] !== CLOSE_OBJ) i++;
  return i;
}

const keyCache = new Map<number, string>();
/** A top-level key's text (record keys are ASCII without escapes). */
function keyText(b: Uint8Array, s: number, e: number): string {
  let h = e - s;
  for (let i = s; i < e; i++) h = (h * 31 + b[i]!) | 0;
  const k = keyCache.get(h);
  if (k !== undefined && k.length === e - s) return k;
  const t = dec.decode(b.subarray(s, e));
  if (keyCache.size < 256) keyCache.set(h, t);
  return t;
}

/**
 * An address of L3 as its bytes at out[at] (4 for IPv4, 16 for IPv6; an IPv4 text in an IPv6
 * header is IPv4-mapped, as Go prints it); false when the text is not an address.
 */
function addrBytes(text: string, six: boolean, out: Uint8Array, at: number): boolean {
  const a = parseIp(text);
  if (!a || (a.length === 16 && !six)) return false;
  if (a.length === 4 && six) { out.fill(0, at, at + 10); out[at + 10] = 0xff; out[at + 11] = 0xff; out.set(a, at + 12); } else out.set(a, at);
  return true;
}

type Json = Record<string, unknown>;
const parse = (b: Uint8Array, s: number, e: number): unknown => JSON.parse(dec.decode(b.subarray(s, e)));

/**
 * Index entries for the whole lines in b[start, end) (each ending in a newline): what the core
 * writes for the same records (src/entry.ts), read from the records' JSON. Not known from a
 * record: the packet's file offset (-1), its connection part (NO_PART) and the record kind (0);
 * at INFO the records carry no lengths (capture and original length 0).
 */
export function indexRecords(b: Uint8Array, start: number, end: number): IndexedLines {
  let lines = 0;
  for (let i = start; i < end; i++) if (b[i] === NL) lines++;
  const entries = new Uint8Array(lines * ENTRY_BYTES);
  const v = new DataView(entries.buffer);
  let count = 0, at = start, error: JobCaptureError | null = null;
  while (at < end) {
    const nl = b.indexOf(NL, at);
    const lineEnd = nl < 0 || nl >= end ? end : nl;
    if (b[at] !== OPEN_OBJ) throw new SyntaxError(`record ${count} is not a JSON object`);
    const e = count * ENTRY_BYTES;
    let l3: Json | null = null, l4: Json | null = null, arp = false, icmp = false;
    let i = at + 1;
    while (i < lineEnd && b[i] !== CLOSE_OBJ) {
      if (b[i] === COMMA) i++;
      const ks = i + 1;
      const ke = skipString(b, i, lineEnd) - 1;
      i = ke + 1;
      if (b[i] !== COLON) throw new SyntaxError(`record ${count}: expected ":" after a key`);
      const vs = i + 1;
      const ve = skipValue(b, vs, lineEnd);
      i = ve;
      switch (keyText(b, ks, ke)) {
        case 'HTTP': v.setUint32(e + Entry.HTTP_OFF, vs - at, true); v.setUint32(e + Entry.HTTP_LEN, ve - vs, true); break;
        case 'timing': v.setUint32(e + Entry.TIMING_OFF, vs - at, true); v.setUint32(e + Entry.TIMING_LEN, ve - vs, true); break;
        case 'logging.googleapis.com/trace': v.setUint32(e + Entry.TRACE_OFF, vs + 1 - at, true); v.setUint32(e + Entry.TRACE_LEN, ve - vs - 2, true); break;
        case 'message': if (ve - vs > 2) { v.setUint32(e + Entry.MESSAGE_OFF, vs + 1 - at, true); v.setUint32(e + Entry.MESSAGE_LEN, ve - vs - 2, true); } break;
        case 'L3': l3 = parse(b, vs, ve) as Json; break;
        case 'L4': l4 = parse(b, vs, ve) as Json; break;
        case 'ARP': arp = true; break;
        case 'ICMP': icmp = true; break;
        case 'flow': v.setBigUint64(e + Entry.FLOW, BigInt(parse(b, vs, ve) as string), true); break;
        case 'severity': if (parse(b, vs, ve) === 'ERROR') v.setUint8(e + Entry.ERROR, 1); break;
        case 'pcap': v.setFloat64(e + Entry.SERIAL, Number((parse(b, vs, ve) as Json).num), true); break;
        case 'timestamp': { const t = parse(b, vs, ve) as Json; v.setFloat64(e + Entry.SEC, Number(t.seconds), true); v.setUint32(e + Entry.NSEC, Number(t.nanos ?? 0), true); break; }
        case 'meta': { const m = parse(b, vs, ve) as Json; if (m.cap_len !== undefined) v.setUint32(e + Entry.CAP_LEN, Number(m.cap_len), true); if (m.len !== undefined) v.setUint32(e + Entry.ORIG_LEN, Number(m.len), true); break; }
        case 'tracecap_error': error = parse(b, vs, ve) as JobCaptureError; break;
      }
    }
    if (error) {
      // The Worker's error line ends the stream: the records are the lines before it.
      return { entries: entries.subarray(0, count * ENTRY_BYTES), count, bytes: at - start, error };
    }
    v.setUint32(e + Entry.RECORD_LEN, lineEnd + 1 - at, true);
    if (arp) v.setUint8(e + Entry.NET, EntryNet.ARP);
    else if (l3) {
      const six = l3.v === 6;
      const ok = addrBytes(String(l3.src), six, entries, e + Entry.SRC) && addrBytes(String(l3.dst), six, entries, e + Entry.DST);
      if (ok) {
        v.setUint8(e + Entry.NET, six ? EntryNet.IPV6 : EntryNet.IPV4);
        // The protocol after IPv6 extension headers, as the core's entry has it: L3's
        // proto.num is the next header, the decoded layer says what came after them.
        v.setUint8(e + Entry.PROTO, icmp ? (six ? 58 : 1) : l4 ? ('seq' in l4 ? 6 : 17) : Number((l3.proto as Json | undefined)?.num ?? 0));
      }
    }
    if (l4) {
      v.setUint16(e + Entry.SPORT, Number(l4.src ?? 0), true);
      v.setUint16(e + Entry.DPORT, Number(l4.dst ?? 0), true);
      const f = l4.flags as Json | undefined;
      if (f?.dec !== undefined) v.setUint8(e + Entry.TCP_FLAGS, Number(f.dec));
    }
    v.setFloat64(e + Entry.FILE_OFFSET, -1, true);
    v.setUint8(e + Entry.PART, NO_PART);
    count++;
    at = lineEnd + 1;
  }
  return { entries, count, bytes: end - start, error };
}

// ---- the Worker's job API --------------------------------------------------------------------

/** A job's status as GET /jobs/ID answers it. */
export interface JobStatus { state: 'queued' | 'running' | 'done' | 'failed'; shards: { done: number; total: number }; packets: number; records: number; retries?: number; error?: string }

/** A refusal of the Worker: its status and its one line of text. */
export class JobHttpError extends Error {
  constructor(readonly status: number, message: string) { super(message); }
}

const auth = (token: string) => ({ authorization: `Bearer ${token}` });

/** The Worker's answer as a JobHttpError (its text is one line saying why). */
async function refusal(res: Response, what: string): Promise<JobHttpError> {
  const text = (await res.text().catch(() => '')).trim();
  if (res.status === 401) return new JobHttpError(401, text || 'the Worker refused the token');
  return new JobHttpError(res.status, `${what}: HTTP ${res.status}${text ? `: ${text}` : ''}`);
}

/** GET /jobs/ID (same origin). */
export async function jobStatus(id: string, token: string): Promise<JobStatus> {
  const res = await fetch(`/jobs/${encodeURIComponent(id)}`, { headers: auth(token), cache: 'no-store' });
  if (!res.ok) throw await refusal(res, `job ${id}`);
  return await res.json() as JobStatus;
}

/** The record of serial `serial` (its line, newline excluded): the first line of GET /jobs/ID/records?from=SERIAL. */
export async function jobRecord(id: string, token: string, serial: number): Promise<string> {
  const res = await fetch(`/jobs/${encodeURIComponent(id)}/records?from=${serial}`, { headers: auth(token), cache: 'no-store' });
  if (!res.ok || !res.body) throw await refusal(res, `the record of packet #${serial}`);
  const reader = res.body.getReader();
  const parts: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const nl = value.indexOf(NL);
      if (nl >= 0) { parts.push(value.subarray(0, nl)); break; }
      parts.push(value);
    }
  } finally { void reader.cancel().catch(() => {}); }
  const line = dec.decode(concat(parts));
  const rec = (line ? JSON.parse(line) : null) as { pcap?: { num?: string }; tracecap_error?: unknown } | null;
  if (!rec || rec.tracecap_error !== undefined || rec.pcap?.num !== String(serial)) throw new Error(`the job has no record of packet #${serial}`);
  return line;
}

/** Attempts at one point of the stream before giving up, and the pause before attempt n (ms): 250, 500, 1000, 2000. */
export const RESUME_ATTEMPTS = 5;
const resumeDelay = (n: number) => 250 * 2 ** (n - 1);

/** What streamJobRecords() ended with. */
export interface Streamed { records: number; error: JobCaptureError | null; resumed: number }

/**
 * Streams every record of job `id` in slices: `onRecords(view,
 * entries, count, first)` gets each slice's records (their bytes as received and their index
 * entries; views valid during the call) with the position of the first. Only a slice and one
 * partial line are in memory. When the connection drops, or the body ends before the `expected`
 * records without the Worker's error line, asks again from the serial after the last whole
 * record (RESUME_ATTEMPTS tries without progress); so does a 5xx answer. A refusal (401, 404,
 * 409) is thrown as a JobHttpError. `cancelled()` stops it (throws what `stop()` makes).
 */
export async function streamJobRecords(id: string, token: string, expected: number,
  onRecords: (view: Uint8Array, entries: Uint8Array, count: number, first: number) => void | Promise<void>,
  opts: { cancelled: () => boolean; stop: () => Error; onBytes?: (bytes: number) => void }): Promise<Streamed> {
  let next = 0; // records delivered (the position of the next)
  let serial = 0; // the serial asked for on a resume: the one after the last whole record's
  let bytes = 0, failures = 0, resumed = 0;
  const deliver = async (view: Uint8Array, r: IndexedLines) => {
    if (!r.count) return;
    await onRecords(view, r.entries, r.count, next);
    next += r.count;
    serial = new DataView(r.entries.buffer, r.entries.byteOffset).getFloat64((r.count - 1) * ENTRY_BYTES + Entry.SERIAL, true) + 1;
    failures = 0;
  };
  let tail = new Uint8Array(64 << 10), tailLen = 0;
  for (;;) {
    if (opts.cancelled()) throw opts.stop();
    let res: Response;
    let why: string;
    try {
      res = await fetch(`/jobs/${encodeURIComponent(id)}/records${serial ? `?from=${serial}` : ''}`, { headers: auth(token), cache: 'no-store' });
      if (!res.ok || !res.body) throw await refusal(res, `the records of job ${id}`);
      const reader = res.body.getReader();
      tailLen = 0;
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (opts.cancelled()) throw opts.stop();
          if (done) break;
          bytes += value.length;
          opts.onBytes?.(bytes);
          // Whole lines: the partial one before this chunk, joined to it, then the chunk's own.
          const buf = value;
          let from = 0, end = value.lastIndexOf(NL) + 1;
          if (tailLen > 0) {
            const nl = value.indexOf(NL);
            const take = nl < 0 ? value.length : nl + 1;
            if (tailLen + take > tail.length) { const t = new Uint8Array(Math.max(tail.length * 2, tailLen + take)); t.set(tail.subarray(0, tailLen)); tail = t; }
            tail.set(value.subarray(0, take), tailLen); tailLen += take;
            if (nl < 0) continue;
            const r = indexRecords(tail, 0, tailLen);
            await deliver(tail.subarray(0, r.bytes), r);
            tailLen = 0;
            if (r.error) return { records: next, error: r.error, resumed };
            from = take;
            if (end < from) end = from;
          }
          if (end > from) {
            const r = indexRecords(buf, from, end);
            await deliver(buf.subarray(from, from + r.bytes), r);
            if (r.error) return { records: next, error: r.error, resumed };
          }
          const rest = buf.length - Math.max(end, from);
          if (rest > 0) {
            if (rest > tail.length) tail = new Uint8Array(Math.max(tail.length * 2, rest));
            tail.set(buf.subarray(buf.length - rest)); tailLen = rest;
          }
        }
      } finally { void reader.cancel().catch(() => {}); }
      if (next >= expected && tailLen === 0) return { records: next, error: null, resumed };
      why = `the records ended after ${next} of ${expected}`;
    } catch (err) {
      if ((err instanceof JobHttpError && err.status < 500) || opts.cancelled()) throw err;
      if (err instanceof SyntaxError) throw new Error(`the job's records are not NDJSON after record ${next}: ${err.message}`);
      why = err instanceof Error ? err.message : String(err);
    }
    // Dropped (or cut short): again from the next whole record.
    if (++failures > RESUME_ATTEMPTS) throw new Error(`the connection to the Worker failed ${RESUME_ATTEMPTS} times at record ${next}, packet #${serial} (${why})`);
    resumed++;
    await new Promise((r) => setTimeout(r, resumeDelay(failures)));
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
