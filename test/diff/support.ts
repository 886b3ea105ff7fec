// Shared helpers of the differential (test/diff) and conformance (test/conformance) suites:
// paths, running the core over a capture, running tshark, and a key-order-preserving JSON scan.
// Not a test file itself (vitest only picks up *.test.ts).

import { execFile, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTranslator } from '../../src/index.js';

/** The repository root (two levels above this file). */
export const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The shared material next to the repository. */
export const SHARED = resolve(REPO, '../shared');
/** The built core. */
export const WASM = join(REPO, 'build/tracecap.wasm');

/** True when the tshark binary runs. */
export const HAS_TSHARK = spawnSync('tshark', ['--version'], { encoding: 'utf8' }).status === 0;

let modulePromise: Promise<WebAssembly.Module> | undefined;

/** The compiled core (compiled once per test file). Fails clearly when `npm run build` has not run. */
export function coreModule(): Promise<WebAssembly.Module> {
  if (!existsSync(WASM)) throw new Error(`${WASM} is missing: run \`npm run build\` first`);
  return (modulePromise ??= WebAssembly.compile(readFileSync(WASM)));
}

/** Result of translating one whole capture. */
export interface Translation {
  /** The NDJSON bytes, exactly as produced. */
  bytes: Uint8Array;
  /** The capture error (CaptureError) or null. */
  error: { reason: string; offset: number; packets: number } | null;
}

/**
 * Translates a capture with a fresh translator. `chunks` gives the size of each push
 * (called with the offset; default: the whole file in one push).
 */
export async function translate(
  data: Uint8Array,
  verbosity: 'info' | 'debug',
  chunks?: (offset: number) => number,
): Promise<Translation> {
  const t = await createTranslator(await coreModule(), { verbosity });
  const parts: Uint8Array[] = [];
  if (!chunks) parts.push(t.push(data));
  else {
    for (let off = 0; off < data.length; ) {
      const n = Math.max(1, Math.min(chunks(off), data.length - off));
      parts.push(t.push(data.subarray(off, off + n)));
      off += n;
    }
  }
  parts.push(t.finish());
  let n = 0;
  for (const p of parts) n += p.length;
  const bytes = new Uint8Array(n);
  n = 0;
  for (const p of parts) { bytes.set(p, n); n += p.length; }
  const e = t.error;
  return { bytes, error: e ? { reason: e.reason, offset: e.offset, packets: e.packets } : null };
}

/** Splits NDJSON bytes into lines (without the final empty line after the last `\n`). */
export function lines(bytes: Uint8Array): string[] {
  const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  if (text === '') return [];
  if (!text.endsWith('\n')) throw new Error('NDJSON output does not end with a newline');
  return text.slice(0, -1).split('\n');
}

/** Deterministic PRNG (mulberry32) for reproducible random chunk sizes. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed derived from a string (FNV-1a 32). */
export function seedOf(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * Random chunk sizes: mostly small (1..64 bytes, so block/record headers straddle chunks),
 * sometimes medium (up to 4 KiB) and sometimes large (up to 256 KiB).
 */
export function randomChunks(seed: number): (offset: number) => number {
  const r = prng(seed);
  return () => {
    const k = r();
    if (k < 0.6) return 1 + Math.floor(r() * 64);
    if (k < 0.9) return 1 + Math.floor(r() * 4096);
    return 1 + Math.floor(r() * 262144);
  };
}

/** Runs tshark and returns stdout; rejects with stderr on a non-zero exit. */
export function runTshark(args: string[]): Promise<string> {
  return new Promise((res, rej) => {
    execFile('tshark', args, { encoding: 'utf8', maxBuffer: 1 << 30 }, (err, stdout, stderr) => {
      if (err) rej(new Error(`tshark ${args.join(' ')} failed: ${err.message}\n${stderr}`));
      else res(stdout);
    });
  });
}

/** Maps `fn` over `items` with at most `limit` concurrent promises, keeping order. */
export async function pool<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Files under `dir` (recursively) whose name ends with one of `exts`, sorted. */
export function filesUnder(dir: string, exts: string[]): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (exts.some((e) => name.endsWith(e))) out.push(p);
    }
  };
  walk(dir);
  return out;
}

// ───────────────────────── key-order-preserving JSON scan ─────────────────────────
// JSON.parse cannot tell the order of keys in the text (integer-like keys such as h2 stream
// ids "1", "3", "11" are re-ordered numerically by JS objects), so the key order is read
// from the text itself with a small strict scanner.

/** One object of a scanned JSON text: its JSON path and its keys in text order. */
export interface ScannedObject { path: string; keys: string[] }

/** Scans one JSON value (the whole text) and returns every object's keys in text order. Throws on malformed JSON. */
export function scanObjects(text: string): ScannedObject[] {
  const objects: ScannedObject[] = [];
  let i = 0;
  const fail = (what: string): never => { throw new Error(`JSON scan: ${what} at offset ${i}`); };
  const ws = () => { while (i < text.length && ' \t\r\n'.includes(text[i]!)) i++; };
  const str = (): string => {
    if (text[i] !== '"') fail('expected string');
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    if (i >= text.length) fail('unterminated string');
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const keys: string[] = [];
      objects.push({ path, keys });
      ws();
      if (text[i] === '}') { i++; return; }
      for (;;) {
        ws();
        const k = str();
        keys.push(k);
        ws();
        if (text[i] !== ':') fail('expected :');
        i++;
        value(`${path}.${k}`);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return; }
        fail('expected , or }');
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') { i++; return; }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return; }
        fail('expected , or ]');
      }
    } else if (c === '"') str();
    else {
      const m = /^(?:-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 64));
      if (!m) fail('unexpected token');
      i += m![0].length;
    }
  };
  value('$');
  ws();
  if (i !== text.length) fail('trailing data');
  return objects;
}

/** Bytewise (UTF-8) comparison of two strings, as Go sorts map keys. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
