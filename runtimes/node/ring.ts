/**
 * Capture on a trigger: keep the last SECS / bytes of raw packets of one interface in a bounded,
 * preallocated ring and write nothing until a trigger (SIGUSR1, or a line matching a regex
 * appended to a log file) fires; then translate the ring's packets in capture order and the live
 * packets of the next `afterSecs`, and go back to waiting with the ring empty.
 *
 * One ring per interface; one trigger fires them all (triggerAll). Each window is translated by
 * a fresh translator, so a connection that began before the window is joined mid-stream, as a
 * capture file cut at that point would be; records keep the packet's real serial on its
 * interface (TranslatorOptions.firstSerial).
 */
import { closeSync, fstatSync, openSync, readSync, statSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { CapturedPacket } from './capture/types.js';
import { PCAP_RECORD_HEADER_LEN, pcapGlobalHeader } from './capture/pcapstream.js';
import { createTranslatorSync, type SkipCounts, type Translator, type TranslatorOptions } from '../../src/index.js';

const MiB = 1 << 20;
/** Ring capacity when none is given (`--ring-mb` default). */
export const DEFAULT_RING_BYTES = 64 * MiB;
/** Smallest ring: a few packets of the largest size the core accepts (MAX_CAPLEN) fit in it. */
export const MIN_RING_BYTES = 1 * MiB;
/** Hard cap of a ring's capacity (`--ring-mb` at most 1024), per interface. */
export const MAX_RING_BYTES = 1024 * MiB;
/** Longest time span a ring keeps, and longest after-window (one day). */
export const MAX_RING_SECS = 86400;
/** Captured bytes kept per packet: the core's per-record limit (assembly/config.ts); longer packets are cut to it. */
export const MAX_CAPLEN = 262144;
/** Wall-clock slack after an after-window ends, for packets the engine delivers late (tcpdump and libpcap buffer). */
export const DEFAULT_GRACE_MS = 1000;
/**
 * Ring bytes translated per event-loop turn when a window opens (about 10 ms of work): a full
 * ring takes seconds, and the engine's packets must keep being read meanwhile.
 */
export const DEFAULT_DRAIN_SLICE_BYTES = 1 << 20;

const MAX_TIMER_MS = 0x7fffffff;
// Classic pcap record header: ts_sec, ts_nsec, incl_len, orig_len (little-endian). Written in
// place through the ring's own DataView (capture/pcapstream.ts's writeRecordHeader makes a view
// per call, and this runs for every captured packet).
const REC = PCAP_RECORD_HEADER_LEN;

/** A capture time (what the ring's clock returns): seconds since the Unix epoch and nanoseconds. */
export interface Instant { sec: number; nsec: number }

/** The wall clock as an Instant (the default clock of a ring). */
export function wallClock(): Instant {
  const ms = Date.now();
  return { sec: Math.floor(ms / 1000), nsec: (ms % 1000) * 1e6 };
}

/** Options of createTriggerRing. */
export interface TriggerRingOptions {
  /** The compiled core (loadCore()); each window instantiates it afresh. */
  core: WebAssembly.Module;
  /** Link type of the interface's packets (CaptureEngine.linktype). */
  linktype: number;
  /** Keep packets of the last `secs` seconds of capture time (`--ring`); default: no time bound. */
  secs?: number;
  /** Ring capacity in bytes (`--ring-mb` × 2^20), MIN_RING_BYTES..MAX_RING_BYTES; default DEFAULT_RING_BYTES. */
  bytes?: number;
  /** Seconds of live packets translated after a trigger (`--after`), 0..MAX_RING_SECS. */
  afterSecs: number;
  /** Windows after which the ring is done (`--max-triggers`); default: unlimited. */
  maxTriggers?: number;
  /** Options of each window's translator (interface, verbosity, project, ...); firstSerial is the ring's. */
  translatorOptions?: TranslatorOptions;
  /** Receives NDJSON as views valid only during the call (Translator.setSink), whole records each time. */
  sink: (ndjson: Uint8Array) => void;
  /**
   * Receives each packet of a window, in the order it is translated, as a nanosecond pcap record
   * (16-byte little-endian header, then the captured bytes), valid only during the call.
   */
  onRecord?: (record: Uint8Array) => void;
  /** Told when a window opens and closes (for a one-line log on stderr). */
  onWindow?: (event: WindowEvent) => void;
  /** Told, in one line, when a window's translation failed (the rest of that window is dropped). */
  onError?: (message: string) => void;
  /** The clock that dates a trigger; default wallClock. Tests inject capture time. */
  now?: () => Instant;
  /** Wall-clock slack before an idle after-window is closed; default DEFAULT_GRACE_MS. */
  graceMs?: number;
  /** Ring bytes translated per event-loop turn when a window opens; default DEFAULT_DRAIN_SLICE_BYTES. */
  drainSliceBytes?: number;
}

/** A window opening (`start`) or closing (`end`). */
export interface WindowEvent {
  phase: 'start' | 'end';
  /** Why the window opened (the trigger's reason; on `end`, the first trigger's). */
  reason: string;
  /** 1 for the first window. */
  window: number;
  /** Serial of the window's first packet (on `start`), of its last + 1 (on `end`). */
  serial: number;
  /** On `start`: packets in the ring's time window; on `end`: packets written in the window. */
  packets: number;
  /** On `end`: what the window's DEBUG analysis gave up (Translator.skipped). */
  skipped?: SkipCounts;
}

/** Counters of a ring. */
export interface RingStats {
  /** Packets pushed (the next packet's serial). */
  packets: number;
  /** Packets held in the ring now. */
  held: number;
  /** Bytes of the ring in use (headers included). */
  heldBytes: number;
  /** Packets evicted because they were older than `secs`. */
  evictedByTime: number;
  /** Packets evicted to make room (the byte bound). */
  evictedBySize: number;
  /** Packets whose captured bytes were cut to MAX_CAPLEN. */
  cut: number;
  /** Windows opened. */
  windows: number;
  /** Packets translated, over all windows. */
  translated: number;
  /** Packets of a window evicted before they were translated (the ring filled while it was being translated). */
  lost: number;
}

/** State of a ring: `waiting` for a trigger, `triggered` (a window is open), `done` (max triggers reached, or closed). */
export type RingState = 'waiting' | 'triggered' | 'done';

/** The trigger ring of one interface. */
export interface TriggerRing {
  /** The ring's storage, allocated once: its identity and size never change. */
  readonly buffer: Uint8Array;
  /** Current state. */
  readonly state: RingState;
  /** Resolves when the ring is done: maxTriggers windows closed, or close(). */
  readonly done: Promise<void>;
  /** Takes one packet (call from CaptureEngine.onPacket); its data is copied, not kept. */
  push(packet: CapturedPacket): void;
  /**
   * Fires a trigger dated `at` (default: the clock): opens a window, or extends the open one.
   * The ring's packets are translated from here on, one slice per event-loop turn.
   */
  trigger(reason: string, at?: Instant): void;
  /** True while the ring's packets of the open window are still being translated. */
  readonly draining: boolean;
  /** Closes an open window (its records are written), stops the timer; the ring is done. */
  close(): void;
  /** The counters. */
  stats(): RingStats;
}

function checkNumber(v: number, lo: number, hi: number, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < lo || v > hi) throw new RangeError(`${what} must be a number from ${lo} to ${hi}, not ${String(v)}`);
  return v;
}

/**
 * Creates the trigger ring of one interface. Throws RangeError (one line) for bad options.
 * A trigger translates the first slice of the ring at once and the rest on later event-loop
 * turns, while new packets queue behind it in the ring.
 */
export function createTriggerRing(o: TriggerRingOptions): TriggerRing {
  const capacity = Math.floor(checkNumber(o.bytes ?? DEFAULT_RING_BYTES, MIN_RING_BYTES, MAX_RING_BYTES, 'ring size in bytes (--ring-mb)'));
  const secs = o.secs === undefined ? null : checkNumber(o.secs, 0.000001, MAX_RING_SECS, 'ring seconds (--ring)');
  const afterSecs = checkNumber(o.afterSecs, 0, MAX_RING_SECS, 'after-window seconds (--after)');
  const maxTriggers = o.maxTriggers === undefined || o.maxTriggers === 0 ? Infinity : o.maxTriggers;
  if (maxTriggers !== Infinity && (!Number.isInteger(maxTriggers) || maxTriggers < 0)) throw new RangeError(`max triggers (--max-triggers) must be a non-negative integer, not ${String(o.maxTriggers)}`);
  if (!Number.isInteger(o.linktype) || o.linktype < 0) throw new RangeError(`link type must be a non-negative integer, not ${String(o.linktype)}`);
  const now = o.now ?? wallClock;
  const graceMs = o.graceMs ?? DEFAULT_GRACE_MS;
  const slice = Math.floor(checkNumber(o.drainSliceBytes ?? DEFAULT_DRAIN_SLICE_BYTES, 1, MAX_RING_BYTES, 'drain slice bytes'));
  const secsNs = secs === null ? 0 : Math.round(secs * 1e9);
  const afterNs = Math.round(afterSecs * 1e9);
  const header = pcapGlobalHeader(o.linktype, MAX_CAPLEN);
  // A bad translator option would otherwise surface only at the first trigger, long after start.
  createTranslatorSync(o.core, o.translatorOptions);

  const buf = new Uint8Array(capacity);
  const view = new DataView(buf.buffer);
  // One record staged for the window's translator: header + data, so each live packet is one push.
  const stage = new Uint8Array(REC + MAX_CAPLEN);
  const stageView = new DataView(stage.buffer);

  // Records [head, wrapEnd) ∪ [0, tail) when wrapped, else [head, tail). A record never straddles
  // the end of the buffer: when it does not fit at the tail it goes to offset 0 and wrapEnd marks
  // where the data before it stops.
  let head = 0, tail = 0, wrapEnd = 0, wrapped = false, held = 0;
  const st: RingStats = { packets: 0, held: 0, heldBytes: 0, evictedByTime: 0, evictedBySize: 0, cut: 0, windows: 0, translated: 0, lost: 0 };

  // Times are nanoseconds relative to `base` (the first second seen), exact in a double for 104 days.
  let base: number | null = null;
  const rel = (sec: number, nsec: number): number => { base ??= sec; return (sec - base) * 1e9 + nsec; };
  const relAt = (off: number): number => rel(view.getUint32(off, true), view.getUint32(off + 4, true));

  let state: RingState = 'waiting';
  let translator: Translator | null = null;
  let windowEnd = 0;
  let windowReason = '';
  let windowFirst = 0;
  let windowPackets = 0;
  let windowFailed = false;
  // While draining, the window's ring packets are being translated: new packets are stored
  // behind them (capture order holds), and nothing is evicted by time (the window's start is fixed).
  let draining = false;
  let drainScheduled = false;
  let nextSerial = 0; // serial the translator gives the next record
  let timer: ReturnType<typeof setTimeout> | null = null;
  let resolveDone!: () => void;
  const done = new Promise<void>((r) => { resolveDone = r; });

  const usedBytes = (): number => (wrapped ? wrapEnd - head + tail : tail - head);

  function dropOldest(): number {
    const off = head;
    head += REC + view.getUint32(off + 8, true);
    held--;
    if (held === 0) { head = tail = 0; wrapped = false; }
    else if (wrapped && head >= wrapEnd) { head = 0; wrapped = false; }
    return off;
  }

  // Makes room for n contiguous bytes at the tail, evicting the oldest records as needed.
  function reserve(n: number): void {
    for (;;) {
      if (held === 0) { head = tail = 0; wrapped = false; }
      if (wrapped) { if (head - tail >= n) return; }
      else if (capacity - tail >= n) return;
      else if (head >= n) { wrapEnd = tail; tail = 0; wrapped = true; return; }
      dropOldest();
      st.evictedBySize++;
      if (draining) st.lost++;
    }
  }

  function evictBefore(cutoff: number): void {
    while (held > 0 && relAt(head) < cutoff) { dropOldest(); st.evictedByTime++; }
  }

  function feed(bytes: Uint8Array, serial: number): void {
    const t = translator!;
    windowPackets++;
    o.onRecord?.(bytes);
    if (windowFailed) return;
    if (serial !== nextSerial) t.setNextSerial(serial); // packets were lost: keep the real serials
    nextSerial = serial + 1;
    t.push(bytes);
    st.translated++;
    if (t.error) {
      windowFailed = true;
      o.onError?.(`trigger window ${st.windows}: translation stopped at serial ${serial}: ${t.error.message}`);
    }
  }

  function openWindow(reason: string, at: number): void {
    st.windows++;
    state = 'triggered';
    windowReason = reason;
    windowEnd = at + afterNs;
    if (secs !== null) evictBefore(at - secsNs);
    windowFirst = st.packets - held;
    windowPackets = 0;
    windowFailed = false;
    nextSerial = windowFirst;
    translator = createTranslatorSync(o.core, { ...o.translatorOptions, firstSerial: windowFirst });
    translator.setSink(o.sink);
    translator.push(header);
    draining = true;
    o.onWindow?.({ phase: 'start', reason, window: st.windows, serial: windowFirst, packets: countUpTo(windowEnd) });
    armTimer();
    drain(slice);
  }

  // Takes the oldest record out of the ring into the window's translator; returns its size.
  function translateOldest(): number {
    const serial = st.packets - held; // the ring holds the newest `held` packets
    const off = dropOldest();
    const n = REC + view.getUint32(off + 8, true);
    feed(buf.subarray(off, off + n), serial);
    return n;
  }

  function countUpTo(end: number): number {
    let n = 0;
    for (let off = head, i = 0; i < held; i++) {
      if (wrapped && off >= wrapEnd) off = 0;
      if (relAt(off) > end) break;
      n++;
      off += REC + view.getUint32(off + 8, true);
    }
    return n;
  }

  // Translates up to `budget` bytes of the ring's records in capture order; a record dated after
  // the window (the next waiting period's first, or a clock far behind the packets) closes the
  // window and stays in the ring. The rest waits for the next event-loop turn.
  function drain(budget: number): void {
    drainScheduled = false;
    if (!draining) return;
    while (held > 0 && budget > 0) {
      if (relAt(head) > windowEnd) { closeWindow(); return; }
      budget -= translateOldest();
    }
    if (held === 0) { draining = false; return; }
    if (!drainScheduled) { drainScheduled = true; setImmediate(() => drain(slice)); }
  }

  // Closes an after-window that sees no packet dated past its end (an idle interface).
  function armTimer(): void {
    if (timer) clearTimeout(timer);
    const c = now();
    const ms = Math.max(0, (windowEnd - rel(c.sec, c.nsec)) / 1e6) + graceMs;
    // setTimeout holds 2^31-1 ms (24.8 days); a window dated further ahead waits in steps.
    const clamped = ms > MAX_TIMER_MS;
    timer = setTimeout(() => {
      timer = null;
      if (state === 'triggered') { if (clamped) armTimer(); else closeWindow(); }
    }, clamped ? MAX_TIMER_MS : ms);
  }

  function closeWindow(): void {
    if (draining) {
      // Closing early (the timer, close()): the window's packets still in the ring come first.
      draining = false;
      while (held > 0 && relAt(head) <= windowEnd) translateOldest();
    }
    if (timer) { clearTimeout(timer); timer = null; }
    const t = translator!;
    translator = null;
    if (!windowFailed) {
      t.finish();
      if (t.error) o.onError?.(`trigger window ${st.windows}: ${t.error.message}`);
    }
    t.setSink(null);
    o.onWindow?.({ phase: 'end', reason: windowReason, window: st.windows, serial: windowFirst + windowPackets, packets: windowPackets, skipped: t.skipped });
    if (st.windows >= maxTriggers) finishRing(); else state = 'waiting';
  }

  function finishRing(): void {
    state = 'done';
    head = tail = 0; wrapped = false; held = 0;
    resolveDone();
  }

  function store(p: CapturedPacket, caplen: number, len: number): void {
    if (secs !== null && !draining) evictBefore(rel(p.sec, p.nsec) - secsNs);
    reserve(REC + caplen);
    const off = tail;
    view.setUint32(off, p.sec, true); view.setUint32(off + 4, p.nsec, true);
    view.setUint32(off + 8, caplen, true); view.setUint32(off + 12, len, true);
    buf.set(caplen === p.data.length ? p.data : p.data.subarray(0, caplen), off + REC);
    tail += REC + caplen;
    held++;
  }

  return {
    buffer: buf,
    get state() { return state; },
    get draining() { return draining; },
    done,
    push(p: CapturedPacket): void {
      st.packets++;
      if (state === 'done') return;
      let caplen = p.data.length;
      if (caplen > MAX_CAPLEN) { caplen = MAX_CAPLEN; st.cut++; }
      const len = Math.max(p.len, caplen);
      if (state === 'triggered' && draining) { store(p, caplen, len); return; } // queued behind the ring's packets
      if (state === 'triggered') {
        if (rel(p.sec, p.nsec) <= windowEnd) {
          stageView.setUint32(0, p.sec, true); stageView.setUint32(4, p.nsec, true);
          stageView.setUint32(8, caplen, true); stageView.setUint32(12, len, true);
          stage.set(caplen === p.data.length ? p.data : p.data.subarray(0, caplen), REC);
          feed(stage.subarray(0, REC + caplen), st.packets - 1);
          return;
        }
        closeWindow();
        if ((state as RingState) !== 'waiting') return; // closeWindow() may have made the ring done
      }
      store(p, caplen, len);
    },
    trigger(reason: string, at?: Instant): void {
      if (state === 'done') return;
      const a = at ?? now();
      const t = rel(a.sec, a.nsec);
      if (state === 'triggered') {
        // A trigger inside a window extends it to `afterSecs` past this trigger; it opens no new window.
        windowEnd = Math.max(windowEnd, t + afterNs);
        armTimer();
        return;
      }
      openWindow(reason, t);
    },
    close(): void {
      if (state === 'triggered') closeWindow();
      if (state !== 'done') finishRing();
    },
    stats(): RingStats { return { ...st, held, heldBytes: usedBytes() }; },
  };
}

/** Fires one trigger on every ring (one per interface) with the same date. */
export function triggerAll(rings: readonly TriggerRing[], reason: string, at: Instant = wallClock()): void {
  for (const r of rings) r.trigger(reason, at);
}

// ---- trigger sources ------------------------------------------------------------------------

/** Bytes of a trigger-file line that are matched; the rest of a longer line is ignored. */
export const MAX_TRIGGER_LINE = 64 * 1024;
/** Default and bounds of the trigger file's poll interval (fs.watch misses events on some file systems). */
export const DEFAULT_POLL_MS = 1000;
export const MIN_POLL_MS = 10;
export const MAX_POLL_MS = 60_000;
const READ_CHUNK = 64 * 1024;

/** Compiles `--trigger-regex`; throws RangeError with one line naming the flag. */
export function compileTriggerRegex(source: string): RegExp {
  try {
    return new RegExp(source);
  } catch (e) {
    throw new RangeError(`--trigger-regex: ${(e as Error).message}`);
  }
}

/** Options of followTriggerFile. */
export interface FollowOptions {
  /** Poll interval in ms (MIN_POLL_MS..MAX_POLL_MS, default DEFAULT_POLL_MS), on top of fs.watch. */
  pollMs?: number;
  /** Told once per distinct problem (permission denied, ...), in one line. */
  onError?: (message: string) => void;
}

/**
 * Follows `path` like `tail -F` and calls `onMatch` for each complete line appended after the
 * start that matches `regex`: survives the file being created later, rotated (renamed and
 * recreated: the old file is read to its end first) and truncated (read again from its start).
 * Returns the function that stops following.
 */
export function followTriggerFile(path: string, regex: RegExp, onMatch: (line: string) => void, o: FollowOptions = {}): () => void {
  const pollMs = o.pollMs ?? DEFAULT_POLL_MS;
  if (!Number.isFinite(pollMs) || pollMs < MIN_POLL_MS || pollMs > MAX_POLL_MS) throw new RangeError(`trigger file poll interval must be ${MIN_POLL_MS} to ${MAX_POLL_MS} ms`);
  const re = new RegExp(regex.source, regex.flags.replace(/[gy]/g, '')); // no lastIndex state between lines
  const chunk = new Uint8Array(READ_CHUNK);
  const line = new Uint8Array(MAX_TRIGGER_LINE);
  const decoder = new TextDecoder();
  let lineLen = 0;
  let fd: number | null = null;
  let ino = -1, dev = -1;
  let offset = 0;
  let stopped = false;
  let lastError = '';
  // Whether the file was seen missing: when it appears it is new, and all of it was appended
  // after the start. A file that existed but could not be opened is read from its end instead.
  let missing = false;

  const report = (e: unknown): void => {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'EACCES' ? 'permission denied' : err.code === 'EISDIR' ? 'is a directory' : err.code ?? err.message;
    const msg = `trigger file ${path}: ${why}`;
    if (msg !== lastError) { lastError = msg; o.onError?.(msg); }
  };

  function open(fromStart: boolean): void {
    try {
      const f = openSync(path, 'r');
      const s = fstatSync(f);
      fd = f; ino = s.ino; dev = s.dev;
      offset = fromStart ? 0 : s.size;
      lineLen = 0;
      lastError = '';
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') missing = true; else report(e);
    }
  }

  function onLine(bytes: Uint8Array): void {
    let text = decoder.decode(bytes);
    if (text.endsWith('\r')) text = text.slice(0, -1);
    if (re.test(text)) onMatch(text);
  }

  function readToEnd(): void {
    if (fd === null) return;
    for (;;) {
      let n: number;
      try { n = readSync(fd, chunk, 0, chunk.length, offset); } catch (e) { report(e); return; }
      if (n <= 0) return;
      offset += n;
      let start = 0;
      for (let i = 0; i < n; i++) {
        if (chunk[i] !== 0x0a) continue;
        append(chunk.subarray(start, i));
        onLine(line.subarray(0, lineLen));
        lineLen = 0;
        start = i + 1;
        if (stopped) return;
      }
      append(chunk.subarray(start, n));
    }
  }

  // Keeps the first MAX_TRIGGER_LINE bytes of a line (the partial line stays bounded).
  function append(bytes: Uint8Array): void {
    const k = Math.min(bytes.length, MAX_TRIGGER_LINE - lineLen);
    if (k > 0) { line.set(bytes.subarray(0, k), lineLen); lineLen += k; }
  }

  function check(): void {
    if (stopped) return;
    if (fd === null) { open(missing); readToEnd(); return; }
    readToEnd();
    let s;
    try { s = statSync(path); } catch (e) {
      // Rotated away and not recreated yet: keep the old file, a writer may still append to it.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') report(e);
      return;
    }
    if (s.ino !== ino || s.dev !== dev) {
      closeSync(fd); fd = null;
      open(true);
      readToEnd();
      return;
    }
    let size: number;
    try { size = fstatSync(fd).size; } catch (e) { report(e); return; }
    if (size < offset) { offset = 0; lineLen = 0; readToEnd(); } // truncated in place
  }

  open(false);
  let watcher: FSWatcher | null = null;
  try {
    const name = basename(path);
    watcher = watch(dirname(path), { persistent: false }, (_ev, f) => { if (!f || f === name) check(); });
    watcher.on('error', () => { watcher?.close(); watcher = null; }); // the poll carries on
  } catch {
    watcher = null; // the directory does not exist (yet): polling alone finds the file
  }
  const poll = setInterval(check, pollMs);
  return () => {
    if (stopped) return;
    stopped = true;
    clearInterval(poll);
    watcher?.close();
    if (fd !== null) { try { closeSync(fd); } catch { /* already gone */ } fd = null; }
  };
}

/** Where triggers come from: a signal, and/or lines of a file matching a regex. */
export interface TriggerSources {
  /** Signal that fires a trigger (default SIGUSR1; null for none). */
  signal?: NodeJS.Signals | null;
  /** `--trigger-file`: followed like `tail -F`. */
  file?: string;
  /** `--trigger-regex`: required with `file`. */
  regex?: RegExp;
  /** Poll interval of the file (followTriggerFile). */
  pollMs?: number;
  /** Told about trigger-file problems, in one line. */
  onError?: (message: string) => void;
}

/** Calls `fire(reason)` on each trigger from the sources; returns the function that stops listening. */
export function watchTriggers(src: TriggerSources, fire: (reason: string) => void): () => void {
  const stops: (() => void)[] = [];
  const signal = src.signal === undefined ? 'SIGUSR1' : src.signal;
  if (signal) {
    const onSignal = () => fire(signal);
    process.on(signal, onSignal);
    stops.push(() => process.off(signal, onSignal));
  }
  if (src.file !== undefined) {
    if (!src.regex) throw new RangeError('--trigger-file needs --trigger-regex');
    const file = src.file;
    stops.push(followTriggerFile(file, src.regex, (l) => fire(`${file}: ${l.length > 200 ? l.slice(0, 200) + '…' : l}`), { pollMs: src.pollMs, onError: src.onError }));
  }
  return () => { for (const s of stops.splice(0)) s(); };
}
