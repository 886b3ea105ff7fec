// One thread of a parallel translation (src/parallel.ts), runtime-agnostic: a Node worker
// thread (runtimes/node/shard-worker.ts) or a Web Worker (runtimes/browser/shard-worker.ts)
// hands its message port to serveShard(). The thread translates every chunk of the capture it
// is sent, writes only its own records (Translator.setShard), and posts each batch of NDJSON
// with the records' serials and lengths, and how far it has read, so the coordinator can merge
// the threads' records by serial.

import type { SkipCounts } from './skips.js';
import { createTranslatorSync, MARK_BYTES, type Translator, type TranslatorOptions } from './translator.js';
import { ENTRY_BYTES } from './entry.js';

/**
 * Coordinator → thread. Capture bytes come as `input` (a slot of the shared input buffers every
 * thread reads, where the runtime has shared memory) or `chunk` (the thread's own copy).
 * `recycle` hands back the buffer of a merged batch for the next one.
 */
export type ToShard =
  | { t: 'init'; module: WebAssembly.Module; options: TranslatorOptions; index: number; count: number; inputs: SharedArrayBuffer[] | null; windows: SharedArrayBuffer | null }
  | { t: 'input'; slot: number; length: number }
  | { t: 'entries'; on: boolean }
  | { t: 'chunk'; bytes: Uint8Array }
  | { t: 'recycle'; buffer: ArrayBuffer }
  | { t: 'finish' };

/** A capture error as it crosses threads. */
export interface ShardError { code: number; reason: string; offset: number; packets: number }

/**
 * Thread → coordinator. `next`: every packet numbered below it has been handled by this thread.
 * `window`: a batch left in place in the core's shared memory (`memory`, sent again whenever
 * it grew): its bytes, marks and index entries (-1: none) at those offsets, readable until the
 * coordinator frees the window. `out`: a batch moved in its own buffer, which holds `count` marks as the core writes them (MARK_BYTES each: f64 serial,
 * u32 length), then with `entries` the records' index entries (ENTRY_BYTES each, src/entry.ts),
 * then `length` bytes of NDJSON.
 */
export type FromShard =
  | { t: 'out'; buffer: ArrayBuffer; count: number; length: number; next: number }
  | WindowMessage
  | { t: 'consumed'; next: number; packets: number; slot: number; window: WindowMessage | null }
  | { t: 'ready' }
  | { t: 'end'; packets: number; error: ShardError | null; skipped: SkipCounts }
  | { t: 'failed'; message: string; name: string };

/** A batch left in the thread's output window (see FromShard). */
export interface WindowMessage { t: 'window'; window: number; memory: SharedArrayBuffer | null; bytes: number; length: number; marks: number; count: number; entries: number; next: number }

/** The two ends of a thread's message port, as each runtime provides them. */
export interface ShardPort {
  post(message: FromShard, transfer?: Transferable[]): void;
  onMessage(handler: (message: ToShard) => void): void;
}

/** Output windows of a thread over shared memory: batches in the coordinator's hands at once, plus the one being rendered. */
export const OUT_WINDOWS = 3;

/** Buffers a thread keeps for its next batches (more come back only if the coordinator lags). */
const SPARE_BUFFERS = 2;

/** Runs one thread of a parallel translation on `port` until the coordinator finishes it. */
export function serveShard(port: ShardPort): void {
  let translator: Translator | null = null;
  const spare: ArrayBuffer[] = [];
  let indexSink: ((view: Uint8Array) => void) | null = null;
  let inputs: SharedArrayBuffer[] | null = null;
  // A batch in an output window not yet announced (it goes with the next message).
  let held: WindowMessage | null = null;
  const take = () => { const h = held; held = null; return h; };
  let ended = false;

  const end = (t: Translator) => {
    ended = true;
    const h = take();
    if (h) port.post(h);
    const e = t.error;
    port.post({ t: 'end', packets: t.packets, error: e ? { code: e.code, reason: e.reason, offset: e.offset, packets: e.packets } : null, skipped: t.skipped });
  };

  const t0 = () => { if (translator === null) throw new Error('shard used before init'); return translator; };

  port.onMessage((m) => {
    try {
      if (m.t === 'init') {
        const t = createTranslatorSync(m.module, m.options);
        t.setShard(m.index, m.count);
        if (m.windows) {
          // Shared memory (tracecap-shared.wasm): a batch stays where the core wrote it, in one
          // of the output windows, and the core renders on in the next. ctl[w] is 1 while
          // window w is free, 0 while the coordinator reads it.
          const ctl = new Int32Array(m.windows);
          t.useWindows(ctl.length);
          let w = 0;
          let sent: SharedArrayBuffer | null = null;
          let marks = 0, count = 0, entries = -1;
          t.setMarkSink((view, n) => { marks = view.byteOffset; count = n; });
          indexSink = (view) => { entries = view.byteOffset; };
          t.setSink((view) => {
            const memory = t.memory.buffer as unknown as SharedArrayBuffer;
            Atomics.store(ctl, w, 0);
            const batch: WindowMessage = { t: 'window', window: w, memory: memory === sent ? null : memory, bytes: view.byteOffset, length: view.length, marks, count, entries: t.indexing ? entries : -1, next: t.nextSerial };
            sent = memory;
            if (held) port.post(held);
            held = batch;
            // The core goes on in the next window once this returns. If it is not free yet, the
            // coordinator must know of every batch (and how far this thread has read) before
            // the wait, or it could be waiting for this thread in turn; otherwise the batch goes
            // with the chunk's `consumed` message, one message instead of two.
            w = (w + 1) % ctl.length;
            if (Atomics.load(ctl, w) === 0) {
              port.post(held); held = null;
              while (Atomics.load(ctl, w) === 0) Atomics.wait(ctl, w, 0);
            }
          });
          translator = t;
          inputs = m.inputs;
          port.post({ t: 'ready' });
          return;
        }
        // Each batch is copied once out of the core's memory into a buffer moved to the
        // coordinator, which moves it back when merged: after the first few, no allocation.
        let count = 0;
        let marks: Uint8Array | null = null;
        let entries: Uint8Array | null = null;
        t.setMarkSink((view, n) => { marks = view; count = n; });
        indexSink = (view) => { entries = view; };
        t.setSink((view) => {
          const at = count * MARK_BYTES;
          const bytesAt = at + (entries ? count * ENTRY_BYTES : 0);
          const need = bytesAt + view.length;
          const i = spare.findIndex((b) => b.byteLength >= need);
          const buffer = i >= 0 ? spare.splice(i, 1)[0]! : new ArrayBuffer(Math.max(need, 1 << 20) + (1 << 16));
          // The marks as the core wrote them (the coordinator reads them in place), then the bytes.
          const out = new Uint8Array(buffer);
          out.set(marks!);
          if (entries) out.set(entries, at);
          out.set(view, bytesAt);
          port.post({ t: 'out', buffer, count, length: view.length, next: t.nextSerial }, [buffer]);
        });
        translator = t;
        inputs = m.inputs;
        port.post({ t: 'ready' });
        return;
      }
      if (m.t === 'entries') { t0().setIndexSink(m.on ? indexSink : null); return; }
      if (m.t === 'recycle') { if (spare.length < SPARE_BUFFERS) spare.push(m.buffer); return; }
      const t = translator;
      if (t === null) throw new Error('shard used before init');
      if (m.t === 'chunk' || m.t === 'input') {
        if (!ended) {
          t.push(m.t === 'chunk' ? m.bytes : new Uint8Array(inputs![m.slot]!, 0, m.length));
          if (t.error) end(t);
        }
        port.post({ t: 'consumed', next: ended ? Infinity : t.nextSerial, packets: t.packets, slot: m.t === 'input' ? m.slot : -1, window: take() });
      } else if (m.t === 'finish') {
        if (!ended) { t.finish(); end(t); }
      }
    } catch (e) {
      ended = true;
      port.post({ t: 'failed', message: e instanceof Error ? e.message : String(e), name: e instanceof Error ? e.name : 'Error' });
    }
  });
}
