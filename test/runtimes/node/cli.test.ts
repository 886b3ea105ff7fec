// The tracecap CLI as a user runs it: files, stdin, -w, -c, verbosity, exit codes and the
// one-line errors for damaged or foreign input.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as B from '../../helpers/build.js';

const BIN = 'bin/tracecap.js';
const HTTP = new URL('../../../../shared/corpus/http/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'tracecap-cli-'));

function run(args: string[], input?: Uint8Array, env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { input, env: { ...process.env, ...env }, maxBuffer: 256 << 20 });
  return { code: r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}
const lines = (s: string) => s.split('\n').filter((l) => l.length > 0);

describe('tracecap CLI', () => {
  const file = HTTP + 'h1-resets-mtu1500.pcap';
  const data = readFileSync(file);

  it('--help prints usage and exits 0', () => {
    const r = run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^usage: tracecap \[options\] \[FILE\|-\]/);
  });
  it('translates a file to NDJSON on stdout, one record per packet', () => {
    const r = run([file]);
    expect(r.code).toBe(0);
    expect(r.err).toBe('');
    const ls = lines(r.out);
    const n = spawnSync('capinfos', ['-c', '-M', file]).stdout?.toString().match(/Number of packets:\s+(\d+)/)?.[1];
    if (n) expect(ls.length).toBe(Number(n));
    ls.forEach((l, i) => expect(JSON.parse(l).pcap.num).toBe(String(i)));
  });
  it('-r FILE, FILE, "-" and no argument with stdin all give the same bytes', () => {
    const a = run([file]).out;
    expect(run(['-r', file]).out).toBe(a);
    expect(run(['-'], data).out).toBe(a);
    expect(run([], data).out).toBe(a);
  });
  it('-w FILE writes there instead of stdout', () => {
    const out = join(tmp, 'out.ndjson');
    const r = run(['-w', out, file]);
    expect(r.code).toBe(0);
    expect(r.out).toBe('');
    expect(readFileSync(out, 'utf8')).toBe(run([file]).out);
  });
  it('-c N stops after N packets', () => {
    const r = run(['-c', '3', file]);
    expect(r.code).toBe(0);
    expect(lines(r.out)).toHaveLength(3);
  });
  it('--verbosity info drops the DEBUG fields; debug is the default', () => {
    const info = JSON.parse(lines(run(['--verbosity', 'info', '-c', '1', file]).out)[0]!);
    const dbg = JSON.parse(lines(run(['-c', '1', file]).out)[0]!);
    expect(info).not.toHaveProperty('iface');
    expect(dbg).toHaveProperty('iface');
    expect(JSON.parse(lines(run(['--verbosity=DEBUG', '-c', '1', file]).out)[0]!)).toEqual(dbg);
  });
  it('interface options reach the records', () => {
    const r = JSON.parse(lines(run(['-c', '1', '--iface', 'eth0', '--iface-index', '2', '--iface-addr', '127.0.0.1', '--id', 'cli/1', '--log-name', 'log/cli/1', file]).out)[0]!);
    expect(r.iface).toEqual({ addrs: ['127.0.0.1'], index: 2, name: 'eth0' });
    expect(r['logging.googleapis.com/operation'].id).toMatch(/^cli\/1\/iface\/eth0\/flow\/tcp:\d+$/);
    expect(r['logging.googleapis.com/operation'].producer).toBe('log/cli/1');
    expect(r.meta.flow).toBe('12161960014018917983');
  });
  it('a truncated capture: every record before the damage, one stderr line with the offset, exit 2', () => {
    const cut = data.subarray(0, 5000);
    const r = run(['-'], cut);
    expect(r.code).toBe(2);
    const ls = lines(r.out);
    expect(ls.length).toBeGreaterThan(0);
    ls.forEach((l) => JSON.parse(l));
    const errLines = lines(r.err);
    expect(errLines).toHaveLength(1);
    expect(errLines[0]).toMatch(/^tracecap: <stdin>: capture is truncated: it ends inside a record at byte offset \d+ \(packet \d+\)$/);
    const off = Number(errLines[0]!.match(/offset (\d+)/)![1]);
    expect(off).toBeLessThan(5000);
    expect(off).toBeGreaterThan(5000 - 1600);
  });
  it('input that is not a capture: one stderr line, nothing on stdout, exit 2', () => {
    const p = join(tmp, 'notes.txt');
    writeFileSync(p, 'hello, this is not a capture\n');
    const r = run([p]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(lines(r.err)).toEqual([`tracecap: ${p}: not a pcap or pcapng capture (unknown magic number) at byte offset 0 (packet 1)`]);
  });
  it('a corrupt pcapng block: records before it, then the block\'s offset', () => {
    const good = B.pcapng({ blocks: [{ type: 'idb', linkType: 1 }, { type: 'epb', iface: 0, data: B.hex('00'.repeat(60)) }, { type: 'epb', iface: 0, data: B.hex('00'.repeat(60)) }] });
    const bad = new Uint8Array(good);
    const secondEpb = good.length - 92;
    bad[secondEpb + bad.length - secondEpb - 1] ^= 0xff; // break the trailing length of the last block
    const r = run(['-'], bad);
    expect(r.code).toBe(2);
    expect(lines(r.out)).toHaveLength(1);
    expect(r.err).toMatch(new RegExp(`block's trailing length differs from its leading length at byte offset ${secondEpb} \\(packet 2\\)`));
  });
  it('a missing file: one line, exit 2; empty input: one line, exit 2', () => {
    const r = run([join(tmp, 'nope.pcap')]);
    expect(r.code).toBe(2);
    expect(lines(r.err)).toHaveLength(1);
    expect(r.err).toMatch(/no such file/);
    const e = run(['-'], new Uint8Array(0));
    expect(e.code).toBe(2);
    expect(e.err).toBe('tracecap: <stdin>: input is empty\n');
  });
  it('usage errors exit 1 without a stack trace', () => {
    for (const args of [['--bogus'], ['-c'], ['-c', 'x'], ['--verbosity', 'loud'], ['a', 'b'], ['--iface-addr', 'nope', file]]) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toMatch(/^tracecap: /);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
  it('stops quietly when the reader goes away (EPIPE)', () => {
    const r = spawnSync('bash', ['-c', `node ${BIN} ${HTTP}h1-keepalive-mtu1500.pcap | head -c 100 > /dev/null; echo "\${PIPESTATUS[0]}"`]);
    expect(r.stdout.toString().trim()).toBe('0');
    expect(r.stderr.toString()).toBe('');
  });
});
