// The WASI command build (assembly/wasi.ts → build/tracecap-wasi.wasm) under Node's node:wasi
// (scripts/run-wasi.mjs): the CLI's bytes, exit statuses and error lines on standard input.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

const CLI = 'bin/tracecap.js';
const RUNNER = 'scripts/run-wasi.mjs';
const HTTP = '../shared/corpus/http';
const env = { ...process.env, PROJECT_ID: '' };

function run(bin: string, args: string[], input: Buffer, extraEnv: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['--no-warnings', bin, ...args], { input, env: { ...env, ...extraEnv }, maxBuffer: 512 << 20 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr.toString() };
}
// The CLI reads the same bytes on standard input, as the WASI command does.
const cli = (args: string[], input: Buffer, e?: Record<string, string>) => run(CLI, [...args, '-'], input, e);
const wasi = (args: string[], input: Buffer, e?: Record<string, string>) => run(RUNNER, args, input, e);

function same(args: string[], input: Buffer, e?: Record<string, string>) {
  const a = cli(args, input, e), b = wasi(args, input, e);
  expect(b.stderr).toBe(a.stderr);
  expect(b.status).toBe(a.status);
  expect(Buffer.compare(b.stdout, a.stdout), `${args.join(' ')}: ${b.stdout.length} bytes against ${a.stdout.length}`).toBe(0);
  return a;
}

describe('WASI command (tracecap-wasi.wasm under node:wasi)', () => {
  const captures = readdirSync(HTTP).filter((f) => /\.pcap(ng)?$/.test(f)).sort();

  it('imports only WASI preview 1, exports _start and memory; the library module imports no WASI', () => {
    const m = new WebAssembly.Module(readFileSync('build/tracecap-wasi.wasm'));
    expect(new Set(WebAssembly.Module.imports(m).map((i) => i.module))).toEqual(new Set(['wasi_snapshot_preview1']));
    expect(WebAssembly.Module.exports(m).map((x) => x.name).sort()).toEqual(['_start', 'memory']);
    const lib = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
    expect(WebAssembly.Module.imports(lib).map((i) => `${i.module}.${i.name}`)).toEqual(['env.abort']);
  });

  it(`every capture of corpus/http (${captures.length}) at INFO and DEBUG: the CLI's bytes`, () => {
    expect(captures.length).toBeGreaterThan(5);
    for (const f of captures) {
      const input = readFileSync(join(HTTP, f));
      for (const v of ['info', 'debug']) {
        const r = same(['--verbosity', v], input);
        expect(r.status, f).toBe(0);
        expect(r.stdout.length, f).toBeGreaterThan(0);
      }
    }
  });

  it('-c N is exact (below, at and beyond the record count)', () => {
    const input = readFileSync(join(HTTP, 'h1-keepalive-mtu1500.pcap'));
    const all = cli([], input).stdout.toString().split('\n').length - 1;
    for (const n of [1, 7, all - 1, all, all + 5]) {
      const r = same(['-c', String(n)], input);
      expect(r.stdout.toString().split('\n').length - 1).toBe(Math.min(n, all));
    }
  });

  it('the options of a capture file: project, interface name, index and addresses, log name, id; PROJECT_ID', () => {
    const input = readFileSync(join(HTTP, 'h2c-mtu1500.pcap'));
    same(['--project', 'p1', '--iface', 'eth0', '--iface-index', '2', '--iface-addr', '10.0.0.2', '--iface-addr', '::1', '--iface-addr', '::ffff:10.1.2.3', '--log-name', 'log/x', '--id', 'ctx'], input);
    same(['--verbosity=info', '--project=p2'], input);
    same([], input, { PROJECT_ID: 'from-env' });
  });

  it('--iface-addr parses as the CLI does (IPv4, IPv6 with ::, a dotted-quad tail; invalid forms refused by both)', () => {
    const input = readFileSync(join(HTTP, 'h1-keepalive-lo.pcap'));
    for (const a of ['127.0.0.1', '::1', '0:0:0:0:0:0:0:1', '2001:DB8::', '1::2:3:4:5:6:7', '::ffff:127.0.0.1', 'fe80::1:2']) same(['--iface-addr', a], input);
    for (const a of ['1:2:3:4:5:6:7:8:9', '1::2::3', '256.0.0.1', '1.2.3', '12345::', '::g', '1.2.3.4:5']) {
      expect(cli(['--iface-addr', a], input).status, a).toBe(1);
      expect(wasi(['--iface-addr', a], input).status, a).toBe(1);
    }
  });

  it('damaged and non-capture input: the records before the damage, exit 2, the same line', () => {
    const pcap = readFileSync(join(HTTP, 'h1-keepalive-mtu1500.pcap'));
    const ng = Buffer.from(readFileSync(join(HTTP, 'h1-keepalive-mtu1500.pcapng')));
    ng.writeUInt32LE(0xfffffff0, ng.readUInt32LE(4) + 4); // the second block's length
    for (const input of [pcap.subarray(0, 5000), pcap.subarray(0, 30), ng, readFileSync('README.md'), Buffer.alloc(0)]) {
      const r = same([], input);
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/^tracecap: <stdin>: .+\n$/);
    }
  });

  it('usage errors: exit 1 and a line naming the problem', () => {
    const input = readFileSync(join(HTTP, 'dns-udp.pcap'));
    for (const args of [['--bogus'], ['--verbosity', 'loud'], ['-c', '0'], ['-c'], ['--iface-addr', 'nope'], ['capture.pcap']]) {
      const r = wasi(args, input);
      expect(r.status, args.join(' ')).toBe(1);
      expect(r.stderr, args.join(' ')).toMatch(/^tracecap: .+\nusage: tracecap-wasi/);
      expect(r.stdout.length).toBe(0);
    }
    const h = wasi(['--help'], input);
    expect(h.status).toBe(0);
    expect(h.stdout.toString()).toMatch(/^usage: tracecap-wasi/);
  });
});
