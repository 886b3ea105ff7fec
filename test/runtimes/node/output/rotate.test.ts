// The -w writer: rotation by time (injected clock) and size, the -W ring, temp-then-rename,
// same-second names, whole records in every file, and the concatenation of the files equal to
// one unrotated output, byte for byte. Inline and writer-thread modes run the same cases.
import { describe, it, expect, beforeAll } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync, existsSync, statSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createNodeTranslator } from '../../../../dist/runtimes/node/core.js';
import { openFileOutput, repeatName, parseRotateMegabytes, parseRotateSecs, parseMaxFiles, TemplateError, MAX_REMEMBERED_NAMES } from '../../../../runtimes/node/output/rotate.js';
import { createFdSink, OutputError } from '../../../../runtimes/node/output/sink.js';

const HTTP = new URL('../../../../../shared/corpus/http/', import.meta.url).pathname;
const T0 = Date.UTC(2023, 10, 14, 22, 13, 20);

/** The translator's chunks for every corpus capture (DEBUG), as the sink receives them. */
async function corpusChunks(): Promise<Uint8Array[]> {
  const chunks: Uint8Array[] = [];
  for (const f of readdirSync(HTTP).filter((n) => n.endsWith('.pcap')).sort()) {
    const t = await createNodeTranslator({ verbosity: 'debug' });
    t.setSink((v) => chunks.push(v.slice()));
    const data = readFileSync(HTTP + f);
    // Odd slices, so that chunk boundaries fall anywhere between records.
    for (let off = 0; off < data.length; off += 50_021) t.push(data.subarray(off, off + 50_021));
    t.finish();
    expect(t.error).toBeNull();
  }
  return chunks;
}

const concat = (parts: Uint8Array[]): Buffer => Buffer.concat(parts.map((p) => Buffer.from(p.buffer, p.byteOffset, p.length)));
let chunks: Uint8Array[];
let whole: Buffer;
beforeAll(async () => { chunks = await corpusChunks(); whole = concat(chunks); });

let n = 0;
const newDir = () => mkdtempSync(join(tmpdir(), `tracecap-rotate-${n++}-`));
/** Final files in `dir` (recursively), in the order the writer completed them. */
const read = (files: readonly string[]) => files.map((f) => readFileSync(f));
const hidden = (dir: string) => readdirSync(dir, { recursive: true }).map(String).filter((f) => f.split('/').pop()!.startsWith('.'));

function expectWholeRecords(buf: Buffer, name: string) {
  expect(buf.length, `${name} is empty`).toBeGreaterThan(0);
  expect(buf[buf.length - 1], `${name} ends inside a record`).toBe(10);
  for (const line of buf.toString('utf8').split('\n').slice(0, -1)) JSON.parse(line);
}

for (const mode of ['direct', 'thread'] as const) {
  describe(`file output (${mode})`, () => {
    it('without rotation: one file, equal to the plain output; nothing hidden left', () => {
      const dir = newDir();
      const out = openFileOutput({ template: join(dir, 'out.ndjson'), mode });
      for (const c of chunks) out.write(c);
      out.close();
      expect(out.threaded).toBe(mode === 'thread');
      expect(readdirSync(dir)).toEqual(['out.ndjson']);
      expect(readFileSync(join(dir, 'out.ndjson')).equals(whole)).toBe(true);
      expect(out.bytes).toBe(whole.length);
      expect(out.files).toEqual([join(dir, 'out.ndjson')]);
    });

    it('-C: no file above the limit unless one record is larger, none cut, concatenation equal', () => {
      const dir = newDir();
      const limit = 100_000;
      const out = openFileOutput({ template: join(dir, 'part_%Y%m%d_%H%M%S.ndjson'), rotateBytes: limit, now: () => T0, mode });
      for (const c of chunks) out.write(c);
      out.close();
      const bufs = read(out.files);
      expect(bufs.length).toBeGreaterThan(20);
      expect(concat(bufs).equals(whole)).toBe(true);
      let larger = 0;
      bufs.forEach((b, i) => {
        expectWholeRecords(b, out.files[i]!);
        if (b.length > limit) { larger++; expect(b.indexOf(10), 'an oversized file holds one record').toBe(b.length - 1); }
      });
      // The corpus has no record near 100 kB: every file is within the limit.
      expect(larger).toBe(0);
      // Same clock second for all: distinct names with ~000001, ~000002 … before the extension.
      expect(out.files[0]).toBe(join(dir, 'part_20231114_221320.ndjson'));
      expect(out.files[1]).toBe(join(dir, 'part_20231114_221320~000001.ndjson'));
      // A plain byte sort (ls) lists them in the order written, past ~000009 too.
      expect(readdirSync(dir).sort()).toEqual(out.files.map((f) => f.slice(dir.length + 1)));
      expect(new Set(out.files).size).toBe(out.files.length);
      expect(hidden(dir)).toEqual([]);
      expect(readdirSync(dir).length).toBe(out.files.length);
    });

    it('-C smaller than a record: each record alone in its file', () => {
      const dir = newDir();
      const out = openFileOutput({ template: join(dir, 'r.ndjson'), rotateBytes: 10, mode });
      out.write(chunks[0]!.subarray(0, chunks[0]!.indexOf(10, chunks[0]!.indexOf(10) + 1) + 1)); // two records
      out.close();
      const bufs = read(out.files);
      expect(bufs.length).toBe(2);
      bufs.forEach((b) => expect(b.indexOf(10)).toBe(b.length - 1));
    });

    it('-G: a new file when a write comes G seconds after the open; names from the open time', () => {
      const dir = newDir();
      let now = T0;
      const out = openFileOutput({ template: join(dir, '%H%M%S.ndjson'), rotateSecs: 60, now: () => now, mode });
      const parts = chunks.slice(0, 6);
      out.write(parts[0]!);
      now += 30_000; out.write(parts[1]!);       // same file
      now += 29_999; out.write(parts[2]!);       // 59.999 s: same file
      now += 1; out.write(parts[3]!);            // 60 s: rotates
      now += 3_600_000; out.tick();              // idle past the interval: the file completes, none opens
      out.flush();
      expect(out.files.length).toBe(2);
      expect(readdirSync(dir).sort()).toEqual(['221320.ndjson', '221420.ndjson']);
      out.write(parts[4]!); out.write(parts[5]!);
      out.close();
      expect(out.files.map((f) => f.slice(dir.length + 1))).toEqual(['221320.ndjson', '221420.ndjson', '231420.ndjson']);
      const bufs = read(out.files);
      expect(bufs[0]!.equals(concat(parts.slice(0, 3)))).toBe(true);
      expect(bufs[1]!.equals(concat(parts.slice(3, 4)))).toBe(true);
      expect(bufs[2]!.equals(concat(parts.slice(4, 6)))).toBe(true);
    });

    it('-W: at most N complete files, the oldest deleted, the newest kept whole', () => {
      const dir = newDir();
      let now = T0;
      const out = openFileOutput({ template: join(dir, 'w_%s.ndjson'), rotateBytes: 200_000, maxFiles: 3, now: () => (now += 1000), mode });
      let max = 0;
      for (const c of chunks) { out.write(c); max = Math.max(max, readdirSync(dir).filter((f) => !f.startsWith('.')).length); }
      out.close();
      expect(out.completed).toBeGreaterThan(6);
      expect(out.files.length).toBe(3);
      expect(readdirSync(dir).sort()).toEqual(out.files.map((f) => f.slice(dir.length + 1)).sort());
      expect(max).toBeLessThanOrEqual(3);
      // The kept files are the last ones: they are the tail of the output.
      const kept = concat(read(out.files));
      expect(whole.subarray(whole.length - kept.length).equals(kept)).toBe(true);
    });

    it('a file is hidden under .NAME.partial until complete, then renamed', () => {
      const dir = newDir();
      const out = openFileOutput({ template: join(dir, 'live.ndjson'), mode });
      out.write(chunks[0]!);
      out.flush();
      expect(readdirSync(dir)).toEqual(['.live.ndjson.partial']);
      expect(readFileSync(join(dir, '.live.ndjson.partial')).equals(Buffer.from(chunks[0]!))).toBe(true);
      out.close();
      expect(readdirSync(dir)).toEqual(['live.ndjson']);
    });

    it('same-second names never clobber: this run suffixes them, a file of an earlier run is replaced', () => {
      const dir = newDir();
      writeFileSync(join(dir, 'x.ndjson'), 'from an earlier run\n');
      const out = openFileOutput({ template: join(dir, 'x.ndjson'), rotateBytes: 1, now: () => T0, mode });
      const three = chunks[1]!.subarray(0, [0, 0, 0].reduce((at) => chunks[1]!.indexOf(10, at) + 1, 0));
      out.write(three);
      out.close();
      expect(readdirSync(dir).sort()).toEqual(['x.ndjson', 'x~000001.ndjson', 'x~000002.ndjson']);
      expect(concat(read(out.files)).equals(Buffer.from(three))).toBe(true);
    });

    it('nothing written: no file at all (no final empty file)', () => {
      const dir = newDir();
      const out = openFileOutput({ template: join(dir, 'sub', 'none.ndjson'), rotateSecs: 1, mode });
      out.write(new Uint8Array(0));
      out.tick();
      out.close();
      expect(readdirSync(dir)).toEqual([]);
      expect(out.files).toEqual([]);
    });

    it('creates missing directories, rendered from the template too', () => {
      const dir = newDir();
      const out = openFileOutput({ template: join(dir, '%Y', '%m%d', 'h%H.ndjson'), now: () => T0, mode });
      out.write(chunks[0]!);
      out.close();
      expect(readFileSync(join(dir, '2023', '1114', 'h22.ndjson')).equals(Buffer.from(chunks[0]!))).toBe(true);
    });

    it('--tee: standard output gets the same bytes', () => {
      const dir = newDir();
      const teeFile = join(dir, 'tee.out');
      const fd = openSync(teeFile, 'w');
      const out = openFileOutput({ template: join(dir, 'f.ndjson'), rotateBytes: 300_000, tee: createFdSink(fd, { mode }), mode });
      for (const c of chunks) out.write(c);
      out.close();
      closeSync(fd);
      expect(readFileSync(teeFile).equals(whole)).toBe(true);
      expect(concat(read(out.files)).equals(whole)).toBe(true);
    });
  });
}

describe('repeatName: repeats sort after the first name and in numeric order under a byte sort', () => {
  it('a fixed-width counter after ~ before the extension (a compressed one included)', () => {
    expect(repeatName('/d/c-233218.json', 1)).toBe('/d/c-233218~000001.json');
    expect(repeatName('/d/c-233218', 12)).toBe('/d/c-233218~000012');
    expect(repeatName('/d/x.json.gz', 2)).toBe('/d/x~000002.json.gz');
    expect(repeatName('/d/x.gz', 2)).toBe('/d/x~000002.gz');
    expect(repeatName('/d/.hidden', 3)).toBe('/d/.hidden~000003');
  });
  it('ls order is write order: seconds, then the repeats of each second, past 9, 99 … and 999999', () => {
    for (const [first, second, ext] of [['c-233218', 'c-233219', '.json'], ['c-233218', 'c-233219', ''], ['part__2_eth0__20231114T221320', 'part__2_eth0__20231114T221321', '.json.gz']] as const) {
      const written: string[] = [];
      for (const stem of [first, second]) {
        written.push(stem + ext);
        for (const n of [1, 2, 9, 10, 11, 99, 100, 1000, 999_999, 1_000_000, 1_000_001]) written.push(repeatName(stem + ext, n));
      }
      expect([...written].sort()).toEqual(written);
    }
  });
});

describe('file output to special files', () => {
  it('-w /dev/null writes in place: no temporary file in /dev, the device stays a device', () => {
    const before = readdirSync('/dev').filter((f) => f.endsWith('.partial'));
    const out = openFileOutput({ template: '/dev/null', rotateBytes: 100_000, maxFiles: 1 });
    for (const c of chunks) out.write(c);
    out.close();
    expect(statSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(readdirSync('/dev').filter((f) => f.endsWith('.partial'))).toEqual(before);
    expect(out.files).toEqual([]);
  });
  it('-w FIFO writes into the named pipe', async () => {
    const dir = newDir();
    const fifo = join(dir, 'fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    // The reader writes to a file, not to us: this thread blocks in close() until it has read all.
    const reader = spawn('sh', ['-c', 'cat "$0" > "$0.out"', fifo], { stdio: 'ignore' });
    const closed = new Promise((res) => reader.on('close', res));
    const out = openFileOutput({ template: fifo, mode: 'thread' });
    for (const c of chunks) out.write(c);
    out.close();
    await closed;
    expect(readFileSync(fifo + '.out').equals(whole)).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['fifo', 'fifo.out']);
  });
});

describe('file output errors and flags', () => {
  it('a file that cannot be created: one-line OutputError naming it', () => {
    const dir = newDir();
    writeFileSync(join(dir, 'plain'), 'x');
    const out = openFileOutput({ template: join(dir, 'plain', 'sub', 'a.ndjson') });
    let err: unknown;
    try { out.write(chunks[0]!); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(OutputError);
    expect((err as OutputError).code).toBe('ENOTDIR');
    expect((err as Error).message).toBe(`${join(dir, 'plain', 'sub', 'a.ndjson')}: not a directory`);
    out.close();
  });
  it('bad templates, zones and limits are usage errors (TemplateError)', () => {
    expect(() => openFileOutput({ template: 'a_%Q' })).toThrow(TemplateError);
    expect(() => openFileOutput({ template: 'a_%H', tz: 'Nowhere/City' })).toThrow(/unknown time zone/);
    expect(() => openFileOutput({ template: 'a', maxFiles: 0 })).toThrow(TemplateError);
    expect(() => openFileOutput({ template: 'a', rotateSecs: -1 })).toThrow(TemplateError);
  });
  it('flag parsers: -C in millions of bytes (fractions allowed), -G and -W whole numbers', () => {
    expect(parseRotateMegabytes('100')).toBe(100_000_000);
    expect(parseRotateMegabytes('0.5')).toBe(500_000);
    expect(() => parseRotateMegabytes('0')).toThrow(/-C needs/);
    expect(() => parseRotateMegabytes('1e3')).toThrow(TemplateError);
    expect(parseRotateSecs('60')).toBe(60);
    expect(() => parseRotateSecs('0')).toThrow(/-G needs/);
    expect(() => parseRotateSecs('1.5')).toThrow(/-G needs/);
    expect(parseMaxFiles('7')).toBe(7);
    expect(() => parseMaxFiles('-1')).toThrow(/-W needs/);
    expect(MAX_REMEMBERED_NAMES).toBeGreaterThan(1000);
  });
  it('ring wrap-around in the writer thread: 4× the corpus in odd slices, byte for byte', () => {
    const dir = newDir();
    const out = openFileOutput({ template: join(dir, 'big.ndjson'), rotateBytes: 1_500_000, mode: 'thread' });
    let expected: Buffer[] = [];
    for (let k = 0; k < 4; k++) for (const c of chunks) {
      // Slices at record ends, of varying lengths, as the core hands them over.
      for (let off = 0; off < c.length;) {
        const end = Math.min(c.length, c.indexOf(10, off + 7919 * (k + 1)) + 1 || c.length);
        out.write(c.subarray(off, end)); expected.push(Buffer.from(c.subarray(off, end))); off = end;
      }
    }
    out.close();
    const all = Buffer.concat(expected);
    expect(all.length).toBeGreaterThan(4 << 20);
    expect(concat(read(out.files)).equals(all)).toBe(true);
    read(out.files).forEach((b, i) => { expectWholeRecords(b, out.files[i]!); expect(b.length).toBeLessThanOrEqual(1_500_000); });
    expect(statSync(out.files[0]!).size).toBeGreaterThan(1_000_000);
    expect(existsSync(join(dir, '.big.ndjson.partial'))).toBe(false);
    expected = [];
  });
});

describe('stop by SIGINT (the handler runtimes/node/output/README.md gives the CLI)', () => {
  for (const mode of ['direct', 'thread']) it(`every record handed over is in a complete file (${mode})`, async () => {
    const dir = newDir();
    const fixture = new URL('./fixtures/rotate-writer.mjs', import.meta.url).pathname;
    const corpus = readdirSync(HTTP).filter((f) => f.endsWith('.pcap')).sort().map((f) => HTTP + f);
    const child = spawn(process.execPath, [fixture, dir, mode, ...corpus], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    await new Promise<void>((res) => child.stdout.once('data', () => res()));
    await new Promise((res) => setTimeout(res, 400));
    const code = new Promise<number | null>((res) => child.on('close', res));
    child.kill('SIGINT');
    expect(await code).toBe(130);
    expect(err).toBe('');
    expect(hidden(dir)).toEqual([]);
    const names = readdirSync(dir).sort();
    expect(names.length).toBeGreaterThan(1);
    // A plain byte sort of the names is the order they were written in (one second, then the
    // ~000001, ~000002 … repeats of the same second).
    names.forEach((f) => expect(f).toMatch(/_\d{8}_\d{6}(~\d{6})?\.ndjson$/));
    const bufs = names.map((f) => readFileSync(join(dir, f)));
    bufs.forEach((b, i) => expectWholeRecords(b, names[i]!));
    // What was written is the start of the corpus output (the writer cycles through it).
    const got = concat(bufs);
    expect(got.length).toBeGreaterThan(50_000);
    expect(got.length).toBeLessThan(whole.length);
    expect(whole.subarray(0, got.length).equals(got)).toBe(true);
  });
});
