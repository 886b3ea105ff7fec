// One thread of a parallel translation (src/parallel.ts), runtime-agnostic: a Node worker
// thread (runtimes/node/shard-worker.ts) or a Web Worker (runtimes/browser/shard-worker.ts)
// hands its message port to serveShard(). The thread translates every chunk of the capture it
// is sent, writes only its own records (Translator.setShard), and posts each batch of NDJSON
// with the records' serials and lengths, and how far it has read, so the coordinator can merge
// the threads' records by serial.

import { createTranslatorSync, MARK_BYTES, type Translator, type TranslatorOptions } from './translator.js';

/** Coordinator → thread. `recycle` hands back the buffer of a merged batch for the next one. */
export type ToShard =
  | { t: 'init'; module: WebAssembly.Module; options: TranslatorOptions; index: number; count: number }
  | { t: 'chunk'; bytes: Uint8Array }
  | { t: 'recycle'; buffer: ArrayBuffer }
  | { t: 'finish' };

/** A capture error as it crosses threads. */
export interface ShardError { code: number; reason: string; offset: number; packets: number }

/**
 * Thread → coordinator. `next`: every packet numbered below it has been handled by this thread.
 * A batch's buffer holds `count` marks as the core writes them (MARK_BYTES each: f64 serial,
 * u32 length), then `length` bytes of NDJSON.
 */
export type FromShard =
  | { t: 'out'; buffer: ArrayBuffer; count: number; length: number; next: number }
  | { t: 'consumed'; next: number; packets: number }
  | { t: 'ready' }
  | { t: 'end'; packets: number; error: ShardError | null }
  | { t: 'failed'; message: string; name: string };

/** The two ends of a thread's message port, as each runtime provides them. */
export interface ShardPort {
  post(message: FromShard, transfer?: Transferable[]): void;
  onMessage(handler: (message: ToShard) => void): void;
}

/** Buffers a thread keeps for its next batches (more come back only if the coordinator lags). */
const SPARE_BUFFERS = 2;

/** Runs one thread of a parallel translation on `port` until the coordinator finishes it. */
export function serveShard(port: ShardPort): void {
  let translator: Translator | null = null;
  const spare: ArrayBuffer[] = [];
  let ended = false;

  const end = (t: Translator) => {
    ended = true;
    const e = t.error;
    port.post({ t: 'end', packets: t.packets, error: e ? { code: e.code, reason: e.reason, offset: e.offset, packets: e.packets } : null });
  };

  port.onMessage((m) => {
    try {
      if (m.t === 'init') {
        const t = createTranslatorSync(m.module, m.options);
        t.setShard(m.index, m.count);
        // Each batch is copied once out of the core's memory into a buffer moved to the
        // coordinator, which moves it back when merged: after the first few, no allocation.
        let count = 0;
        let marks: Uint8Array | null = null;
        t.setMarkSink((view, n) => { marks = view; count = n; });
        t.setSink((view) => {
          const need = count * MARK_BYTES + view.length;
          const i = spare.findIndex((b) => b.byteLength >= need);
          const buffer = i >= 0 ? spare.splice(i, 1)[0]! : new ArrayBuffer(Math.max(need, 1 << 20) + (1 << 16));
          // The marks as the core wrote them (the coordinator reads them in place), then the bytes.
          const out = new Uint8Array(buffer);
          out.set(marks!);
          out.set(view, count * MARK_BYTES);
          port.post({ t: 'out', buffer, count, length: view.length, next: t.nextSerial }, [buffer]);
        });
        translator = t;
        port.post({ t: 'ready' });
        return;
      }
      if (m.t === 'recycle') { if (spare.length < SPARE_BUFFERS) spare.push(m.buffer); return; }
      const t = translator;
      if (t === null) throw new Error('shard used before init');
      if (m.t === 'chunk') {
        if (!ended) {
          t.push(m.bytes);
          if (t.error) end(t);
        }
        port.post({ t: 'consumed', next: ended ? Infinity : t.nextSerial, packets: t.packets });
      } else if (m.t === 'finish') {
        if (!ended) { t.finish(); end(t); }
      }
    } catch (e) {
      ended = true;
      port.post({ t: 'failed', message: e instanceof Error ? e.message : String(e), name: e instanceof Error ? e.name : 'Error' });
    }
  });
}
