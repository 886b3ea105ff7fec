// Re-rendering records alone (Translator.setRenderRange, with setShard for the record's
// thread): every record so rendered is byte for byte the whole run's line, on the corpus's HTTP
// captures at INFO and DEBUG and on a generated capture with many connections — what the
// browser app relies on to keep no records and render one again when it is opened.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTranslator, decodeEntry, ENTRY_BYTES, type TranslatorOptions } from '../../src/index.js';
import { coreModule, SHARED } from '../diff/support.js';

const CORPUS = join(SHARED, 'corpus/http');
const files = readdirSync(CORPUS).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();

async function whole(data: Uint8Array, options: TranslatorOptions) {
  const t = await createTranslator(await coreModule(), options);
  const entries: Uint8Array[] = [];
  t.setIndexSink((view) => { entries.push(view.slice()); });
  const out = Buffer.concat([t.push(data), t.finish()]);
  return { lines: out.toString('utf8').split('\n').slice(0, -1), entries: Buffer.concat(entries) };
}

/** The records numbered from..to rendered by a translator that writes only them (on `shard` of 8, or all). */
async function alone(data: Uint8Array, options: TranslatorOptions, from: number, to: number, shard: number | null, chunk = 64 << 10): Promise<string[]> {
  const t = await createTranslator(await coreModule(), options);
  if (shard !== null) t.setShard(shard, t.maxShards);
  t.setRenderRange(from, to);
  const out: Uint8Array[] = [];
  for (let o = 0; o < data.length; o += chunk) out.push(t.push(data.subarray(o, o + chunk)));
  out.push(t.finish());
  expect(t.error).toBeNull();
  return Buffer.concat(out).toString('utf8').split('\n').slice(0, -1);
}

describe('setRenderRange', () => {
  for (const file of files) {
    for (const verbosity of ['info', 'debug'] as const) {
      it(`${file} ${verbosity}: each record rendered alone on its shard is the whole run's line`, async () => {
        const data = new Uint8Array(readFileSync(join(CORPUS, file)));
        const w = await whole(data, { verbosity });
        const probe = await createTranslator(await coreModule(), { verbosity });
        // Every record of a small capture, else a spread of them (first, last and every k-th).
        const n = w.lines.length;
        const step = Math.max(1, Math.floor(n / 60));
        const picks = new Set<number>([0, n - 1]);
        for (let i = 0; i < n; i += step) picks.add(i);
        for (const i of picks) {
          const e = decodeEntry(w.entries, i);
          const shard = probe.shardOf(e.part, e.serial, probe.maxShards);
          expect(await alone(data, { verbosity }, e.serial, e.serial, shard), `record ${i}`).toEqual([w.lines[i]]);
        }
        // A range, on every thread at once (no shard): the lines of that range.
        const a = Math.floor(n / 3), b = Math.min(n - 1, a + 25);
        expect(await alone(data, { verbosity }, a, b, null)).toEqual(w.lines.slice(a, b + 1));
        expect(w.entries.length).toBe(n * ENTRY_BYTES);
      });
    }
  }
});
