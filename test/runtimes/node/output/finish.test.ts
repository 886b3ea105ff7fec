// The finishing queue (--gzip, --move-to) behind the -w writer: complete files compressed to
// NAME.gz and moved (a rename on one file system, a copy across: /dev/shm is tmpfs), never seen
// partial by a reader polling the directories meanwhile; a move that keeps failing is retried,
// said in one line and the file left where it was written; -W counts files where they end up.
import { describe, it, expect } from 'vitest';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { openFileOutput } from '../../../../runtimes/node/output/rotate.js';
import { createFinisher, type FinisherOptions } from '../../../../runtimes/node/output/finish.js';

let n = 0;
const newDir = (base = tmpdir()) => mkdtempSync(join(base, `tracecap-finish-${n++}-`));
const SHM = existsSync('/dev/shm') && statSync('/dev/shm').dev !== statSync(tmpdir()).dev ? '/dev/shm' : null;

/** NDJSON-like lines, `count` of them, compressible but not trivially. */
function lines(count: number, seed = 0): Buffer {
  const out: string[] = [];
  for (let i = 0; i < count; i++) out.push(`{"n":${i + seed},"v":"${((i + seed) * 2654435761 >>> 0).toString(36).repeat(3)}"}\n`);
  return Buffer.from(out.join(''));
}

/** Writes `data` in slices of ~1000 bytes at line ends through a -w writer with the finisher; returns what stderr got. */
async function run(dir: string, data: Buffer, o: Partial<FinisherOptions> & { rotateBytes?: number; maxFiles?: number; template?: string }) {
  const said: string[] = [];
  const finisher = createFinisher({ gzip: false, moveTo: null, ...o, onError: (l) => said.push(l) });
  const out = openFileOutput({ template: o.template ?? join(dir, 'part.json'), rotateBytes: o.rotateBytes, maxFiles: o.maxFiles, finisher: finisher.output(o.maxFiles) });
  for (let off = 0; off < data.length;) {
    const end = Math.min(data.length, data.indexOf(10, off + 1000) + 1 || data.length);
    out.write(data.subarray(off, end));
    off = end;
  }
  out.close();
  await finisher.drain();
  expect(finisher.pending).toBe(0);
  return { said, files: out.files };
}

const visible = (dir: string) => readdirSync(dir).filter((f) => !f.startsWith('.')).sort(natural);
function natural(a: string, b: string): number {
  const k = (s: string) => Number(/\.(\d+)\.json/.exec(s)?.[1] ?? 0);
  return k(a) - k(b);
}

describe('finishing complete files', () => {
  it('--gzip: every file becomes NAME.gz; gunzip gives the file; nothing hidden left', async () => {
    const dir = newDir();
    const data = lines(20_000);
    const { said, files } = await run(dir, data, { gzip: true, rotateBytes: 200_000 });
    expect(said).toEqual([]);
    const names = visible(dir);
    expect(names.length).toBeGreaterThan(3);
    expect(readdirSync(dir).length).toBe(names.length);
    expect(names.every((f) => f.endsWith('.json.gz'))).toBe(true);
    expect(files).toEqual(names.map((f) => join(dir, f)));
    const back = Buffer.concat(files.map((f) => gunzipSync(readFileSync(f))));
    expect(back.equals(data)).toBe(true);
    for (const f of files) expect(gunzipSync(readFileSync(f)).length).toBeLessThanOrEqual(200_000);
  });

  it('--gzip: a reader polling the directory never sees a partial .gz (a large file compressing meanwhile)', async () => {
    const dir = newDir();
    const data = lines(600_000); // ~30 MB: compression takes a while
    const said: string[] = [];
    const finisher = createFinisher({ gzip: true, moveTo: null, onError: (l) => said.push(l) });
    const out = openFileOutput({ template: join(dir, 'big.json'), finisher: finisher.output() });
    out.write(data);
    out.close();
    let polls = 0, sawHidden = 0, checked = 0, longest = 0;
    let done = false;
    let last = performance.now();
    const drained = finisher.drain().then(() => { done = true; });
    while (!done) {
      polls++;
      for (const f of readdirSync(dir)) {
        if (f.startsWith('.')) { if (f.endsWith('.gz.partial')) sawHidden++; continue; }
        // Visible means final: the name can only come from a rename of a whole file.
        expect(f).toBe('big.json.gz');
        expect(gunzipSync(readFileSync(join(dir, f))).length).toBe(data.length);
        checked++;
      }
      await new Promise((r) => setTimeout(r, 2));
      longest = Math.max(longest, performance.now() - last);
      last = performance.now();
    }
    await drained;
    expect(said).toEqual([]);
    expect(sawHidden, `polls ${polls}`).toBeGreaterThan(0);
    // Compression runs in the thread pool: this thread (the capture's) kept its turns.
    expect(longest, 'longest gap between two turns of this thread (ms)').toBeLessThan(250);
    expect(readdirSync(dir)).toEqual(['big.json.gz']);
    expect(gunzipSync(readFileSync(join(dir, 'big.json.gz'))).equals(data)).toBe(true);
    console.log(`gzip of ${data.length} bytes: ${polls} polls, ${sawHidden} saw it hidden, ${checked} saw it final, longest gap ${longest.toFixed(1)} ms`);
  });

  it('--move-to on the same file system (a rename) and across (a copy under a hidden name, then a rename), with and without --gzip', async () => {
    const bases = [tmpdir(), ...(SHM ? [SHM] : [])];
    for (const base of bases) {
      for (const gzip of [false, true]) {
        const dir = newDir();
        const dest = join(newDir(base), 'bucket', 'sub'); // created when missing
        const data = lines(5000);
        const { said, files } = await run(dir, data, { gzip, moveTo: dest, rotateBytes: 60_000 });
        expect(said).toEqual([]);
        expect(readdirSync(dir), `${base} gzip ${gzip}: left behind`).toEqual([]);
        const names = visible(dest);
        expect(readdirSync(dest)).toEqual(expect.arrayContaining(names));
        expect(readdirSync(dest)).toHaveLength(names.length);
        expect(files).toEqual(names.map((f) => join(dest, f)));
        const back = Buffer.concat(files.map((f) => (gzip ? gunzipSync(readFileSync(f)) : readFileSync(f))));
        expect(back.equals(data), `${base} gzip ${gzip}`).toBe(true);
      }
    }
    if (!SHM) console.warn('no second file system at /dev/shm: the copy path was not exercised');
  });

  it('a move that keeps failing: retried, then one line per file, the file left (compressed) at its final name; the capture side never throws', async () => {
    const dir = newDir();
    const blocker = join(newDir(), 'file');
    writeFileSync(blocker, 'not a directory');
    const t0 = Date.now();
    const { said, files } = await run(dir, lines(3000), { gzip: true, moveTo: join(blocker, 'bucket'), moveAttempts: 3, retryMs: 50, rotateBytes: 60_000 });
    const names = visible(dir);
    expect(names.length).toBeGreaterThan(1);
    expect(said).toHaveLength(names.length);
    said.forEach((l, i) => expect(l).toBe(`tracecap: --move-to ${join(blocker, 'bucket')}: ${names[i]}: not a directory (3 attempts); left at ${join(dir, names[i]!)}\n`));
    expect(files).toEqual(names.map((f) => join(dir, f)));
    expect(readdirSync(dir)).toHaveLength(names.length);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(names.length * 2 * 50);
  });

  it('-W counts the files where they end up: the oldest there is deleted first', async () => {
    const dir = newDir();
    const dest = newDir();
    const data = lines(5000);
    const { files } = await run(dir, data, { gzip: true, moveTo: dest, rotateBytes: 30_000, maxFiles: 3 });
    expect(readdirSync(dest)).toHaveLength(3);
    expect(files).toHaveLength(3);
    const tail = Buffer.concat(files.map((f) => gunzipSync(readFileSync(f))));
    expect(data.subarray(data.length - tail.length).equals(tail)).toBe(true);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a long queue: files beyond FINISH_QUEUE_MAX waiting are not compressed, said in one line each', async () => {
    const dir = newDir();
    const { said, files } = await run(dir, lines(2000), { gzip: true, queueMax: 1, rotateBytes: 20_000 });
    const names = visible(dir);
    // The first is compressed; those handed over while it was, are not.
    expect(names.filter((f) => f.endsWith('.gz')).length).toBeGreaterThanOrEqual(1);
    const plain = names.filter((f) => !f.endsWith('.gz'));
    expect(plain.length).toBeGreaterThan(0);
    expect(said).toHaveLength(plain.length);
    for (const l of said) expect(l).toMatch(/^tracecap: .*part(~\d{6})?\.json: \d+ files wait for compression; this one is not compressed\n$/);
    expect(files).toHaveLength(names.length);
  });

  it('a file that cannot be compressed (its directory gone meanwhile) is one line; drain() still resolves', async () => {
    const dir = newDir();
    const said: string[] = [];
    const finisher = createFinisher({ gzip: true, moveTo: null, onError: (l) => said.push(l) });
    const set = finisher.output();
    set.complete(join(dir, '.gone.json.partial'), join(dir, 'gone.json'));
    rmSync(dir, { recursive: true });
    await finisher.drain();
    expect(said.length).toBeGreaterThanOrEqual(1);
    expect(said[0]).toMatch(/^tracecap: .*gone\.json: cannot compress: no such file or directory; kept uncompressed\n$/);
    expect(set.files).toEqual([]);
  });
});
