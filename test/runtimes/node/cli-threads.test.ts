// The CLI's --threads (runtimes/node/cli.ts translateParallel): on a ≥ 4 MiB capture, 1, 2, 4
// and auto threads write the same bytes, from a file and from standard input; -c N is exact;
// damaged input gives the same records, the same stderr line and exit 2; bad values are usage
// errors (exit 1). Outputs are compared by SHA-256 (a bench capture's DEBUG output is ~60 MB).
import { describe, it, expect } from 'vitest';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, openSync, readFileSync, writeFileSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const BIN = 'bin/tracecap.js';
const BENCH = new URL('../../../../shared/corpus/bench/', import.meta.url).pathname;
const HTTP = new URL('../../../../shared/corpus/http/', import.meta.url).pathname;
const FILE = BENCH + 'api-8000req-mtu1500.pcap';
const tmp = mkdtempSync(join(tmpdir(), 'tracecap-cli-threads-'));

interface Result { code: number | null; sha: string; bytes: number; lines: number; err: string }

/** Runs the CLI; stdout is hashed as it comes (not kept), stdin is a file descriptor when given. */
function run(args: string[], stdinFile?: string): Promise<Result> {
  return new Promise((resolve, reject) => {
    const fd = stdinFile ? openSync(stdinFile, 'r') : null;
    const child = spawn(process.execPath, [BIN, ...args], { stdio: [fd ?? 'ignore', 'pipe', 'pipe'] });
    if (fd !== null) closeSync(fd);
    const h = createHash('sha256');
    let bytes = 0, lines = 0, err = '';
    child.stdout!.on('data', (b: Buffer) => { h.update(b); bytes += b.length; for (const c of b) if (c === 10) lines++; });
    child.stderr!.on('data', (b: Buffer) => { err += b.toString('utf8'); });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, sha: h.digest('hex'), bytes, lines, err }));
  });
}

describe('tracecap --threads', () => {
  it('the capture is at least 4 MiB (auto uses several threads for it)', () => {
    expect(readFileSync(FILE).length).toBeGreaterThanOrEqual(4 << 20);
  });

  it('--threads 1, 2, 4 and auto: byte-identical stdout, exit 0, nothing on stderr', async () => {
    const one = await run(['--threads', '1', FILE]);
    expect(one.code).toBe(0);
    expect(one.err).toBe('');
    expect(one.lines).toBeGreaterThan(10000);
    for (const t of ['2', '4', 'auto']) {
      const r = await run(['--threads', t, FILE]);
      expect({ threads: t, code: r.code, err: r.err, bytes: r.bytes, sha: r.sha }).toEqual({ threads: t, code: 0, err: '', bytes: one.bytes, sha: one.sha });
    }
    // And as plain `tracecap FILE` writes it.
    expect((await run([FILE])).sha).toBe(one.sha);
  });

  it('--verbosity info --threads 3 = --threads 1', async () => {
    const one = await run(['--verbosity', 'info', '--threads', '1', FILE]);
    const three = await run(['--verbosity', 'info', '--threads', '3', FILE]);
    expect(one.code).toBe(0);
    expect({ code: three.code, sha: three.sha, err: three.err }).toEqual({ code: 0, sha: one.sha, err: '' });
  });

  it('standard input (-): --threads 2 and auto give the bytes of --threads 1 on the file', async () => {
    const one = await run(['--threads', '1', FILE]);
    for (const t of ['2', 'auto']) {
      const r = await run(['--threads', t, '-'], FILE);
      expect({ threads: t, code: r.code, err: r.err, sha: r.sha }).toEqual({ threads: t, code: 0, err: '', sha: one.sha });
    }
  });

  it('-c N --threads 2 is exact: the first N records of --threads 1', async () => {
    for (const n of ['1', '1000']) {
      const one = await run(['-c', n, '--threads', '1', FILE]);
      const two = await run(['-c', n, '--threads', '2', FILE]);
      expect(one.code).toBe(0);
      expect(one.lines).toBe(Number(n));
      expect({ n, code: two.code, lines: two.lines, sha: two.sha, err: two.err }).toEqual({ n, code: 0, lines: Number(n), sha: one.sha, err: '' });
    }
    const stdin = await run(['-c', '1000', '--threads', '2', '-'], FILE);
    expect(stdin.sha).toBe((await run(['-c', '1000', FILE])).sha);
  });

  it('-w FILE, a tcpdump EXPRESSION and software filters with --threads 2: the bytes of --threads 1', async () => {
    const w1 = join(tmp, 'one.ndjson'), w2 = join(tmp, 'two.ndjson');
    expect((await run(['--threads', '1', '-w', w1, FILE])).code).toBe(0);
    expect((await run(['--threads', '2', '-w', w2, FILE])).code).toBe(0);
    expect(readFileSync(w2).equals(readFileSync(w1))).toBe(true);
    for (const args of [[FILE, 'tcp dst port 28193 and tcp[tcpflags] & tcp-push != 0'], ['--tcp-flags', 'SYN,FIN', '--verbosity', 'info', FILE]]) {
      const one = await run(['--threads', '1', ...args]);
      const two = await run(['--threads', '2', ...args]);
      expect(one.code, args.join(' ')).toBe(0);
      expect(one.lines, args.join(' ')).toBeGreaterThan(100);
      expect({ code: two.code, sha: two.sha, err: two.err }, args.join(' ')).toEqual({ code: 0, sha: one.sha, err: '' });
    }
  });

  it('a damaged file with --threads 2: exit 2, the stdout and the stderr line of --threads 1', async () => {
    const data = readFileSync(FILE);
    const cut = join(tmp, 'cut.pcap');
    writeFileSync(cut, data.subarray(0, Math.floor(data.length * 0.55) + 11)); // ends inside a record
    const ng = readFileSync(HTTP + 'h1-keepalive-mtu1500.pcapng');
    const bad = Buffer.from(ng);
    let off = 0;
    for (let i = 0; i < 400; i++) off += bad.readUInt32LE(off + 4);
    bad.writeUInt32LE(13, off + 4); // a block length that is no block's
    const badNg = join(tmp, 'bad-length.pcapng');
    writeFileSync(badNg, bad);
    for (const f of [cut, badNg]) {
      const one = await run(['--threads', '1', f]);
      expect(one.code, f).toBe(2);
      expect(one.lines).toBeGreaterThan(0);
      expect(one.err).toMatch(new RegExp(`^tracecap: ${f.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: .* at byte offset \\d+ \\(packet \\d+\\)\\n$`));
      const two = await run(['--threads', '2', f]);
      expect({ f, code: two.code, err: two.err, lines: two.lines, sha: two.sha }).toEqual({ f, code: 2, err: one.err, lines: one.lines, sha: one.sha });
    }
    // The same through standard input (the name is <stdin> in both).
    const one = await run(['--threads', '1', '-'], cut);
    const two = await run(['--threads', '2', '-'], cut);
    expect(one.code).toBe(2);
    expect(one.err).toMatch(/^tracecap: <stdin>: capture is truncated/);
    expect({ code: two.code, err: two.err, sha: two.sha }).toEqual({ code: 2, err: one.err, sha: one.sha });
  });

  it('--threads 0, 9, x, 1.5 and an empty value are usage errors (exit 1); so is --threads with -i', async () => {
    const small = HTTP + 'dns-udp.pcap';
    for (const args of [['--threads', '0', small], ['--threads', '9', small], ['--threads', 'x', small], ['--threads', '1.5', small], ['--threads', '', small],
      ['--threads', '2', '-i', 'lo'], ['-i', 'lo', '--threads', 'auto']]) {
      const r = await run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.bytes, args.join(' ')).toBe(0);
      expect(r.err.split('\n')[0], args.join(' ')).toMatch(/^tracecap: .*threads/);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
});
