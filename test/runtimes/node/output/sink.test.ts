// createFdSink end to end, in child processes writing to real descriptors: a FIFO with a slow
// reader (the `tracecap x | jq` case), a socket (what Node's spawn gives), a reader that leaves
// early (EPIPE: exit 0, nothing on stderr), /dev/null and a regular file.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, openSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeTranslator } from '../../../../dist/runtimes/node/core.js';
import { createFdSink, fdKind, OutputError } from '../../../../runtimes/node/output/sink.js';

const HTTP = new URL('../../../../../shared/corpus/http/', import.meta.url).pathname;
const FIX = new URL('./fixtures/', import.meta.url).pathname;
const WRITER = FIX + 'sink-writer.mjs';
const SLOW = FIX + 'slow-reader.mjs';
const files = readdirSync(HTTP).filter((n) => n.endsWith('.pcap')).sort().map((n) => HTTP + n);
const REPEAT = 3; // about 8.4 MB: past THREAD_AFTER_BYTES, so `auto` starts its thread where it uses one
const tmp = mkdtempSync(join(tmpdir(), 'tracecap-sink-'));
const env = { ...process.env, TRACECAP_SINK_REPORT: '1' };
let expected: Buffer;

beforeAll(async () => {
  const parts: Buffer[] = [];
  for (const f of files) {
    const t = await createNodeTranslator({ verbosity: 'debug' });
    parts.push(Buffer.from(t.push(readFileSync(f))), Buffer.from(t.finish()));
  }
  const once = Buffer.concat(parts);
  expected = Buffer.concat(Array.from({ length: REPEAT }, () => once));
});

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
function shell(script: string) {
  const r = spawnSync('bash', ['-c', `set -o pipefail; ${script}`], { env, maxBuffer: 64 << 20 });
  return { code: r.status, err: r.stderr.toString() };
}
const writer = (mode: string) => `${q(process.execPath)} ${q(WRITER)} ${mode} ${REPEAT} ${files.map(q).join(' ')}`;

describe('createFdSink', () => {
  for (const mode of ['direct', 'thread', 'auto']) {
    it(`pipe with a slow reader loses nothing (${mode})`, () => {
      const out = join(tmp, `slow-${mode}.ndjson`);
      const r = shell(`${writer(mode)} | ${q(process.execPath)} ${q(SLOW)} ${q(out)}`);
      expect(r.err).toMatch(new RegExp(`^kind=fifo reopened=true threaded=${mode === 'thread' ? 'true' : 'false'} bytes=${expected.length}\\n$`));
      expect(r.code).toBe(0);
      expect(readFileSync(out).equals(expected)).toBe(true);
    });

    it(`reader leaving early: exit 0, nothing on stderr (${mode})`, () => {
      // head leaves after 100 kB; the writer has megabytes left and must stop quietly.
      const r = spawnSync('bash', ['-c', `${writer(mode)} | head -c 100000 > /dev/null; echo "\${PIPESTATUS[0]}"`], { maxBuffer: 1 << 20 });
      expect(r.stderr.toString()).toBe('');
      expect(r.stdout.toString()).toBe('0\n');
    });
  }

  for (const mode of ['direct', 'thread']) it(`socket (spawn stdio) with a slow reader: every byte, in order (${mode})`, async () => {
    const child = spawn(process.execPath, [WRITER, mode, String(REPEAT), ...files], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    const got: Buffer[] = [];
    let err = '';
    child.stderr.on('data', (d) => { err += d; });
    child.stdout.on('data', (d: Buffer) => {
      got.push(d);
      // Stall the reader every 256 kB, so the socket fills and the writer meets EAGAIN.
      if (got.length % 4 === 0) { child.stdout.pause(); setTimeout(() => child.stdout.resume(), 15); }
    });
    const code = await new Promise<number | null>((res) => child.on('close', res));
    expect(err).toMatch(new RegExp(`^kind=socket reopened=false threaded=${mode === 'thread'} bytes=${expected.length}\\n$`));
    expect(code).toBe(0);
    expect(Buffer.concat(got).equals(expected)).toBe(true);
  });

  it('/dev/null: inline, no thread', () => {
    const r = shell(`${writer('auto')} > /dev/null`);
    expect(r.err).toBe(`kind=null reopened=false threaded=false bytes=${expected.length}\n`);
    expect(r.code).toBe(0);
  });

  it('regular file: every byte', () => {
    const out = join(tmp, 'plain.ndjson');
    const r = shell(`${writer('auto')} > ${q(out)}`);
    expect(r.err).toMatch(/^kind=file reopened=false threaded=(true|false) bytes=\d+\n$/);
    expect(r.code).toBe(0);
    expect(readFileSync(out).equals(expected)).toBe(true);
  });

  it('appending to a file (>>) keeps what was there: the descriptor is used as it is', () => {
    const out = join(tmp, 'append.ndjson');
    const r = shell(`echo first > ${q(out)} && ${writer('thread')} >> ${q(out)}`);
    expect(r.code).toBe(0);
    const got = readFileSync(out);
    expect(got.subarray(0, 6).toString()).toBe('first\n');
    expect(got.subarray(6).equals(expected)).toBe(true);
  });
});

describe('createFdSink failures', () => {
  for (const mode of ['direct', 'thread'] as const) {
    it(`a write error is one line naming the output, thrown by write() or close() (${mode})`, () => {
      const fd = openSync('/dev/full', 'w'); // every write: ENOSPC
      expect(fdKind(fd)).toBe('tty');
      const sink = createFdSink(fd, { mode, label: '/dev/full' });
      let err: unknown;
      try {
        for (let i = 0; i < 3 && !err; i++) sink.write(expected.subarray(0, 1 << 20));
        sink.flush();
      } catch (e) { err = e; }
      expect(err).toBeInstanceOf(OutputError);
      expect((err as OutputError).code).toBe('ENOSPC');
      expect((err as Error).message).toBe('/dev/full: no space left on device');
      expect(() => sink.close()).toThrow(/^\/dev\/full: no space left on device$/);
      closeSync(fd);
    });
  }
  it('a closed descriptor: one-line error at creation', () => {
    expect(() => createFdSink(987)).toThrow(/^fd 987: bad file descriptor$/);
  });
});
