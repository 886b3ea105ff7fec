// The command line of the packet outputs: --pcap-w, --pcap-format, --pcap-over-ip (live only),
// --gzip and --move-to (with -w or --pcap-w), the rotation flags shared by -w and --pcap-w, and
// the usage errors that name the flag. Then the CLI itself with --gzip --move-to on a file.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { parseCommandLine, UsageError, type LiveCommand, type FileCommand } from '../../../runtimes/node/args.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const parse = (...argv: string[]) => parseCommandLine(argv, {});
const usage = (argv: string[], message: string | RegExp) => expect(() => parse(...argv), argv.join(' ')).toThrow(message instanceof RegExp ? message : new UsageError(message));

describe('packet output flags', () => {
  it('--pcap-w alone: records still to standard output; packets to files in pcap, rotated by -G -C -W as -w', () => {
    const c = parse('-i', 'lo', '--pcap-w', '/p/part__{ifindex}_{iface}__%Y%m%dT%H%M%S.pcap', '-G', '60', '-C', '0.5', '-W', '7', '--tz', 'Europe/Paris') as LiveCommand;
    expect(c.kind).toBe('live');
    expect(c.output).toEqual({
      file: null, gzip: false, moveTo: null, pcapOverIp: null, records: true,
      packets: { template: '/p/part__{ifindex}_{iface}__%Y%m%dT%H%M%S.pcap', format: 'pcap', tz: 'Europe/Paris', rotateSecs: 60, rotateBytes: 500_000, maxFiles: 7 },
    });
  });

  it('-w and --pcap-w together share the rotation; --pcap-format pcapng; --gzip, --move-to, --pcap-over-ip', () => {
    const c = parse('-i', 'eth0', '-w', '/j/r_%s.json', '--pcap-w', '/p/p_%s.pcapng', '--pcap-format', 'pcapng', '-G', '5',
      '--gzip', '--move-to', '/bucket/x', '--pcap-over-ip', '[::1]:57012', '--tee') as LiveCommand;
    expect(c.output).toEqual({
      file: { template: '/j/r_%s.json', tz: 'UTC', rotateSecs: 5, tee: true },
      packets: { template: '/p/p_%s.pcapng', format: 'pcapng', tz: 'UTC', rotateSecs: 5 },
      gzip: true, moveTo: '/bucket/x', pcapOverIp: { host: '::1', port: 57012 }, records: true,
    });
  });

  it('reading a file: --gzip and --move-to go with -w; the packet flags need -i', () => {
    const c = parse('x.pcap', '-w', 'out.json', '--gzip', '--move-to', 'done') as FileCommand;
    expect(c.output).toMatchObject({ file: { template: 'out.json' }, packets: null, gzip: true, moveTo: 'done', pcapOverIp: null });
    usage(['x.pcap', '--pcap-w', 'p.pcap'], '--pcap-w needs -i (live capture)');
    usage(['x.pcap', '--pcap-over-ip', '127.0.0.1:1'], '--pcap-over-ip needs -i (live capture)');
    usage(['x.pcap', '--pcap-format', 'pcapng'], '--pcap-format needs -i (live capture)');
  });

  it('usage errors name the flag', () => {
    usage(['-i', 'lo', '--gzip'], '--gzip needs -w or --pcap-w (files to write)');
    usage(['-i', 'lo', '--move-to', '/d'], '--move-to needs -w or --pcap-w (files to write)');
    usage(['-i', 'lo', '-G', '5'], '-G needs -w or --pcap-w (files to write)');
    usage(['-i', 'lo', '--pcap-w', 'p.pcap', '--tee'], '--tee needs -w (files to write)');
    usage(['-i', 'lo', '--pcap-format', 'pcapng'], '--pcap-format needs --pcap-w (packet files to write)');
    usage(['-i', 'lo', '--pcap-w', 'p.pcap', '--pcap-format', 'erf'], '--pcap-format must be pcap or pcapng, not "erf"');
    usage(['-i', 'lo', '--pcap-w', 'p_%Q.pcap'], /^--pcap-w template "p_%Q.pcap": unknown conversion %Q/);
    usage(['-i', 'lo', '--pcap-w', 'p.pcap', '--move-to', ''], '--move-to needs a directory');
    usage(['-i', 'lo', '-w', 'r_{iface}.json'], '-w: {iface} and {ifindex} are for --pcap-w (the records of every interface are one stream)');
    usage(['-i', 'lo', '--pcap-over-ip', '57012'], '--pcap-over-ip needs ADDR:PORT (IPv6 as [ADDR]:PORT), not "57012"');
    usage(['-i', 'lo', '--pcap-over-ip', '127.0.0.1:65536'], '--pcap-over-ip: port 65536 is above 65535');
    usage(['-i', 'lo', '--pcap-w', 'a', '--pcap-w', 'b'], '--pcap-w is given more than once');
  });

  it('the usage text lists the flags', () => {
    const r = spawnSync(process.execPath, [join(ROOT, 'bin/tracecap.js'), '--help'], { encoding: 'utf8' });
    for (const f of ['--pcap-w TEMPLATE', '--pcap-format pcap|pcapng', '--pcap-over-ip ADDR:PORT', '--gzip', '--move-to DIR']) expect(r.stdout).toContain(f);
  });
});

describe('tracecap FILE -w … --gzip --move-to DIR', () => {
  it('the records end up compressed in DIR, gunzip gives the plain output; nothing left beside -w', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tracecap-args-'));
    const bin = join(ROOT, 'bin/tracecap.js');
    const input = join(ROOT, 'examples/http-keepalive.pcap');
    const plain = spawnSync(process.execPath, [bin, input], { encoding: 'buffer' });
    expect(plain.status).toBe(0);
    const r = spawnSync(process.execPath, [bin, input, '-w', join(dir, 'tmp', 'part.json'), '-C', '0.01', '--gzip', '--move-to', join(dir, 'bucket')], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    expect(readdirSync(join(dir, 'tmp'))).toEqual([]);
    const names = readdirSync(join(dir, 'bucket')).sort((a, b) => Number(/\.(\d+)\.json/.exec(a)?.[1] ?? 0) - Number(/\.(\d+)\.json/.exec(b)?.[1] ?? 0));
    expect(names.length).toBeGreaterThan(1);
    expect(names.every((n) => /^part(~\d{6})?\.json\.gz$/.test(n))).toBe(true);
    const back = Buffer.concat(names.map((n) => gunzipSync(readFileSync(join(dir, 'bucket', n)))));
    expect(back.equals(plain.stdout)).toBe(true);
  });
});

describe('several capture files (issue 23)', () => {
  const isInput = (w: string) => w.endsWith('.pcap') || w === 'dir' || w.includes('*');
  const parseWith = (...argv: string[]) => parseCommandLine(argv, {}, isInput);
  it('the first word is an input, and each next one that names captures; the expression starts at the first that does not', () => {
    expect(parseWith('a.pcap', 'b.pcap', 'dir', 'logs/*.pcap', 'port', '80', 'c.pcap')).toMatchObject({ kind: 'file', input: 'a.pcap', inputs: ['a.pcap', 'b.pcap', 'dir', 'logs/*.pcap'], expression: 'port 80 c.pcap' });
    expect(parseWith('x', 'b.pcap')).toMatchObject({ input: 'x', inputs: ['x', 'b.pcap'], expression: '' });
    expect(parseWith()).toMatchObject({ input: '-', inputs: ['-'], expression: '' });
    // Standard input first: every other word is the expression.
    expect(parseWith('-', 'b.pcap')).toMatchObject({ inputs: ['-'], expression: 'b.pcap' });
  });
  it('-r is repeatable, and then every word is the expression', () => {
    expect(parseWith('-r', 'a.pcap', '-r', 'dir', 'b.pcap', 'tcp')).toMatchObject({ input: 'a.pcap', inputs: ['a.pcap', 'dir'], expression: 'b.pcap tcp' });
  });
  it('standard input does not merge with files', () => {
    expect(() => parseWith('-r', 'a.pcap', '-r', '-')).toThrow(new UsageError('standard input (-) cannot be merged with files'));
  });
  it('tracecap app takes several files', () => {
    expect(parseWith('app', 'a.pcap', 'b.pcap')).toMatchObject({ kind: 'app', file: 'a.pcap', files: ['a.pcap', 'b.pcap'] });
    expect(parseWith('app')).toMatchObject({ kind: 'app', file: null, files: [] });
  });
});
