// Helpers of the parallel-translation tests (test/src/shard.test.ts, test/src/parallel.test.ts,
// test/runtimes/node/parallel.test.ts, test/runtimes/node/cli-threads.test.ts): the capture
// enumeration of test/golden/identity.test.ts, a seeded PRNG for reproducible chunkings, one
// plain translator run, and N in-process shards (Translator.setShard + marks) merged by serial.
// Not a test file itself (vitest only picks up *.test.ts).
import { createHash } from 'node:crypto';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createTranslatorSync, MARK_BYTES, type TranslatorOptions } from '../../src/translator.js';
import { REPO, SHARED, prng } from '../diff/support.js';
import { concatBytes } from '../../src/bytes.js';

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(pcap|pcapng|ntar|cap)$/i.test(name)) out.push(p);
  }
  return out;
}

/** Every capture of ../shared/corpus/** and test/captures/, as test/golden/identity.test.ts enumerates them. */
export function allCaptures(): string[] {
  return [...walk(join(SHARED, 'corpus')), ...walk(join(REPO, 'test', 'captures'))];
}

/** The key of a capture in test/golden/identity.json (without the verbosity). */
export function identityKey(p: string): string {
  return p.startsWith(SHARED) ? `shared/${relative(SHARED, p)}` : relative(REPO, p);
}

/** mulberry32 (test/diff/support.ts): a small seeded PRNG, so a failing chunking can be replayed from its seed. */
export { prng };

/** A random chunk size: mostly up to 64 KiB, sometimes tiny (inside a record header), sometimes large. */
export function chunkSize(rand: () => number): number {
  const r = rand();
  if (r < 0.15) return 1 + Math.floor(rand() * 40);
  if (r < 0.9) return 1 + Math.floor(rand() * 65536);
  return 1 + Math.floor(rand() * (1 << 20));
}

/** Cuts `data` into random chunks drawn from `rand`. */
export function chunks(data: Uint8Array, rand: () => number): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let off = 0; off < data.length;) {
    const n = Math.min(chunkSize(rand), data.length - off);
    out.push(data.subarray(off, off + n));
    off += n;
  }
  return out;
}

/** What a run gives: the NDJSON, the capture error (message and identity.json's suffix), the records. */
export interface Run { bytes: Uint8Array; error: string | null; suffix: string; records: number }

const concat = concatBytes;

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** identity.json's value for a run: the SHA-256 and, after a capture error, `CODE@offset/packets`. */
export const digestOf = (r: Run) => `${sha256(r.bytes)}${r.suffix}`;

/** One plain translator over `data` (pushed in 1 MiB chunks unless `rand` is given). */
export function single(module: WebAssembly.Module, data: Uint8Array, options: TranslatorOptions, rand?: () => number): Run {
  const t = createTranslatorSync(module, options);
  const parts: Uint8Array[] = [];
  const pieces = rand ? chunks(data, rand) : Array.from({ length: Math.ceil(data.length / (1 << 20)) }, (_, i) => data.subarray(i << 20, (i + 1) << 20));
  for (const c of pieces) { parts.push(t.push(c)); if (t.error) break; }
  parts.push(t.finish());
  const e = t.error;
  return { bytes: concat(parts), error: e ? e.message : null, suffix: e ? ` ${e.codeName}@${e.offset}/${e.packets}` : '', records: t.records };
}

/** The result of N in-process shards merged by serial, with what the marks showed. */
export interface ShardedRun extends Run {
  /** Problems with the marks (empty when every batch was covered exactly by its marks). */
  markProblems: string[];
  /** Records each shard wrote. */
  perShard: number[];
  /** The shards' capture errors (message), one per shard. */
  errors: (string | null)[];
}

/**
 * Runs `count` translators as shards 0..count-1 of one parallel run over the whole of `data`,
 * each with its own random chunking from `rand`, and merges their records by serial. Checks
 * the marks as it goes: each batch's lengths add up to the batch, every record ends in a
 * newline, serials rise strictly within a shard and no serial is written by two shards.
 */
export function sharded(module: WebAssembly.Module, data: Uint8Array, options: TranslatorOptions, count: number, rand: () => number): ShardedRun {
  const records: { serial: number; bytes: Uint8Array }[] = [];
  const markProblems: string[] = [];
  const perShard: number[] = [];
  const errors: (string | null)[] = [];
  let suffix = '';
  for (let k = 0; k < count; k++) {
    const t = createTranslatorSync(module, options);
    t.setShard(k, count);
    let pending: { serial: number; length: number }[] | null = null;
    let last = -1;
    let written = 0;
    let batches = 0;
    t.setMarkSink((marks, n) => {
      if (pending !== null) markProblems.push(`shard ${k}: two mark batches without output between them`);
      if (marks.byteLength !== n * MARK_BYTES) markProblems.push(`shard ${k}: mark view of ${marks.byteLength} bytes for ${n} marks`);
      const v = new DataView(marks.buffer, marks.byteOffset, marks.byteLength);
      pending = [];
      for (let i = 0; i < n; i++) pending.push({ serial: v.getFloat64(i * MARK_BYTES, true), length: v.getUint32(i * MARK_BYTES + 8, true) });
    });
    t.setSink((view) => {
      batches++;
      const marks = pending ?? [];
      pending = null;
      if (marks.length === 0 && view.length > 0) markProblems.push(`shard ${k}: batch ${batches} of ${view.length} bytes without marks`);
      let off = 0;
      for (const m of marks) {
        if (!(m.serial > last)) markProblems.push(`shard ${k}: serial ${m.serial} after ${last}`);
        last = m.serial;
        if (m.length === 0 || off + m.length > view.length) { markProblems.push(`shard ${k}: mark of serial ${m.serial} (length ${m.length}) beyond its batch (${view.length} bytes, at ${off})`); break; }
        if (view[off + m.length - 1] !== 0x0a) markProblems.push(`shard ${k}: record of serial ${m.serial} does not end in a newline`);
        records.push({ serial: m.serial, bytes: view.slice(off, off + m.length) });
        off += m.length;
        written++;
      }
      if (off !== view.length) markProblems.push(`shard ${k}: batch ${batches}: marks cover ${off} of ${view.length} bytes`);
    });
    for (const c of chunks(data, rand)) { t.push(c); if (t.error) break; }
    t.finish();
    if (t.records !== written) markProblems.push(`shard ${k}: records ${t.records} but ${written} marked`);
    perShard.push(written);
    const e = t.error;
    errors.push(e ? e.message : null);
    if (k === 0) suffix = e ? ` ${e.codeName}@${e.offset}/${e.packets}` : '';
  }
  records.sort((a, b) => a.serial - b.serial);
  for (let i = 1; i < records.length; i++) if (records[i]!.serial === records[i - 1]!.serial) { markProblems.push(`serial ${records[i]!.serial} written by two shards`); break; }
  return { bytes: concat(records.map((r) => r.bytes)), error: errors[0] ?? null, suffix, records: records.length, markProblems, perShard, errors };
}

/** The first line where two NDJSON outputs differ (for failure messages). */
export function firstDifference(a: Uint8Array, b: Uint8Array): string {
  const dec = new TextDecoder();
  const la = dec.decode(a).split('\n'), lb = dec.decode(b).split('\n');
  for (let i = 0; i < Math.max(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return `line ${i} (of ${la.length - 1} vs ${lb.length - 1}):\n  want ${(la[i] ?? '<none>').slice(0, 300)}\n  got  ${(lb[i] ?? '<none>').slice(0, 300)}`;
  }
  return a.length === b.length ? 'no difference' : `lengths ${a.length} vs ${b.length}`;
}
