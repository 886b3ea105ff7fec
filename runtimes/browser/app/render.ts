/**
 * Records rendered again from the capture, for an app that keeps none (segments.ts): the core is
 * deterministic, so a record rendered again is the bytes the load rendered. One record: a
 * translator on the record's thread (its connection part) that writes only that record
 * (Translator.setRenderRange) reads the capture from its start and analyses a fraction of it.
 * Every record (a filter on a field the index lacks, free text, the exports): the capture is
 * translated again, on threads for a large one, and the records stream to the caller.
 */
import { createTranslator, ENTRY_BYTES, type Translator, type TranslatorOptions } from '../../../src/index.js';
import { PARALLEL_CHUNK_BYTES, type ParallelTranslator } from '../../../src/parallel.js';

/** Bytes read from the capture at a time when rendering. */
const READ_BYTES = 1 << 20;

/** Thrown when a newer request made the work pointless (a new filter, another capture). */
export class Superseded extends Error { constructor() { super('superseded'); } }

/** The capture and how it is translated. */
export interface RenderSource {
  blob: Blob;
  options: TranslatorOptions;
  module: WebAssembly.Module;
  /** A parallel translator for a full pass (threads for a large capture), or null for one in this worker. */
  parallel: (() => Promise<ParallelTranslator | null>) | null;
}

/** Renders the record of packet `serial` (its index entry's connection part `part`): its NDJSON line, newline excluded. */
export async function renderOne(src: RenderSource, serial: number, part: number, cancelled: () => boolean): Promise<string> {
  const t = await createTranslator(src.module, src.options);
  t.setShard(t.shardOf(part, serial, t.maxShards), t.maxShards);
  t.setRenderRange(serial, serial);
  const chunks: Uint8Array[] = [];
  t.setSink((v) => { chunks.push(v.slice()); });
  const reader = src.blob.stream().getReader() as ReadableStreamDefaultReader<Uint8Array>;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (cancelled()) throw new Superseded();
      if (done) { t.finish(); break; }
      t.push(value);
      // Past the packet: its record is out (or the capture ended before it, which the caller hears).
      if (chunks.length || t.error || t.nextSerial > serial) break;
    }
  } finally {
    void reader.cancel().catch(() => {});
  }
  if (!chunks.length) throw new Error(t.error ? `packet #${serial} cannot be rendered again: ${t.error.message}` : `packet #${serial} is not in the capture`);
  const text = new TextDecoder().decode(chunks.length === 1 ? chunks[0]! : concat(chunks));
  return text.endsWith('\n') ? text.slice(0, -1) : text;
}

/**
 * Renders every record again, in order: `onBatch(ndjson, entries, count)` gets each batch of
 * records (views valid during the call) with their index entries; `onProgress(packets)` now and
 * then. Throws Superseded when `cancelled()` becomes true.
 */
export async function renderAll(src: RenderSource, onBatch: (ndjson: Uint8Array, entries: Uint8Array, count: number) => void,
  cancelled: () => boolean, onProgress: (packets: number) => void, pause: () => Promise<void>): Promise<{ error: string | null }> {
  const par = src.parallel ? await src.parallel() : null;
  const t: Translator | ParallelTranslator = par ?? await createTranslator(src.module, src.options);
  let entries: Uint8Array | null = null, count = 0;
  t.setIndexSink((e, n) => { entries = e.slice(0, n * ENTRY_BYTES); count = n; });
  let own = new Uint8Array(0);
  t.setSink((v) => {
    // Shared memory (threads over the shared core) cannot be decoded in place: copied.
    let view = v;
    if (typeof SharedArrayBuffer === 'function' && v.buffer instanceof SharedArrayBuffer) {
      if (own.length < v.length) own = new Uint8Array(Math.max(v.length, own.length * 2));
      own.set(v); view = own.subarray(0, v.length);
    }
    const e = entries!; entries = null;
    onBatch(view, e, count);
  });
  const reader = src.blob.stream().getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const gather = par ? new Uint8Array(PARALLEL_CHUNK_BYTES) : null;
  let gathered = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (cancelled()) throw new Superseded();
      if (done) break;
      if (gather === null) {
        for (let o = 0; o < value.length; o += READ_BYTES) await t.push(value.subarray(o, o + READ_BYTES));
      } else {
        for (let off = 0; off < value.length;) {
          const k = Math.min(gather.length - gathered, value.length - off);
          gather.set(value.subarray(off, off + k), gathered);
          gathered += k; off += k;
          if (gathered === gather.length) { await t.push(gather); gathered = 0; }
        }
      }
      if (t.error) break;
      onProgress(t.packets);
      await pause();
      if (cancelled()) throw new Superseded();
    }
    if (gathered > 0 && !t.error) await t.push(gather!.subarray(0, gathered));
    await t.finish();
  } finally {
    void reader.cancel().catch(() => {});
    if (par) par.close();
  }
  return { error: t.error ? t.error.message : null };
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}
