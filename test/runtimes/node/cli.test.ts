// The tracecap CLI as a user runs it: files, stdin, -w, -c, verbosity, exit codes and the
// one-line errors for damaged or foreign input.
import { describe, it, expect } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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
  it('says on stderr what the analysis gave up, with 1 thread and with 2; nothing when nothing was', async () => {
    const { Conversation, request } = await import('../../helpers/conversation.js');
    const pk: B.PcapPacket[] = [];
    const c = new Conversation(pk);
    c.handshake(100);
    c.send(request('/a', '', 'X-Pad: ' + 'p'.repeat(20000) + '\r\n'), 100.1);
    c.reply('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', 100.2);
    const big = join(tmp, 'big-head.pcap');
    writeFileSync(big, B.pcap(pk, { nano: true }));
    const want = `tracecap: ${big}: the analysis gave up: 1 HTTP/1 heads over the head limit (lines beyond it not shown)\n`;
    for (const threads of ['1', '2']) {
      const r = run(['--threads', threads, big]);
      expect(r.code).toBe(0);
      expect(r.err).toBe(want);
      expect(lines(r.out)).toHaveLength(pk.length);
    }
    expect(run([file]).err).toBe('');
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
    for (const args of [['--bogus'], ['-c'], ['-c', 'x'], ['--verbosity', 'loud'], ['--project', 'a', '--project', 'b', file], ['--iface-addr', 'nope', file],
      ['--ports', '80,http', file], ['--deny-ports', '-1', file], ['--l3', 'ipx', file], ['--l4', 'sctp', file], ['--tcp-flags', 'SYNACK', file],
      ['--net', '10.0.0.0/40', file], ['--deny-socket', '1.2.3.4:5', file], ['--net'], ['--deny-socket']]) {
      const r = run(args);
      expect(r.code, args.join(' ')).toBe(1);
      expect(r.err).toMatch(/^tracecap: /);
      expect(r.err).not.toMatch(/\n\s+at /);
    }
  });
  it('-w where no file can be made: one line naming the output, exit 2, no hang', () => {
    for (const [w, reason] of [['/proc/tracecap-nope/x.json', /no such file or directory/], [`${file}/x.json`, /not a directory/]] as const) {
      const r = spawnSync(process.execPath, [BIN, file, '-w', w], { encoding: 'utf8', timeout: 20_000, killSignal: 'SIGKILL' });
      expect(r.status, `${w}: ${r.stderr}`).toBe(2);
      expect(lines(r.stderr)).toHaveLength(1);
      expect(r.stderr).toMatch(new RegExp(`^tracecap: ${w.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}: `));
      expect(r.stderr).toMatch(reason);
    }
  });
  it('Ctrl-C while reading a large file: every record so far complete in the -w file, one line, exit 130', async () => {
    const big = join(tmp, 'big.pcap');
    expect(spawnSync(process.execPath, ['bench/gen.js', 'http', big, '200000000']).status).toBe(0);
    const dir = mkdtempSync(join(tmp, 'intr-'));
    const child = spawn(process.execPath, [BIN, '--verbosity', 'info', big, '-w', join(dir, 'out.json')], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d; });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    // Interrupt once the first records are written (the file exists under its temporary name):
    // the whole file takes far longer than that to translate.
    for (let i = 0; i < 2000 && !existsSync(join(dir, '.out.json.partial')); i++) await new Promise((r) => setTimeout(r, 5));
    child.kill('SIGINT');
    const code = await exited;
    rmSync(big);
    expect(code, err).toBe(130);
    expect(err).toMatch(/^tracecap: .*big\.pcap: interrupted after \d+ packets\n$/);
    expect(readdirSync(dir)).toEqual(['out.json']);
    const out = readFileSync(join(dir, 'out.json'));
    expect(out[out.length - 1]).toBe(10);
    // Every line a whole record, numbered from 0 without a gap (read as bytes: the file can be large).
    let start = 0;
    let n = 0;
    for (let nl = out.indexOf(10); nl >= 0; start = nl + 1, nl = out.indexOf(10, start), n++) {
      if (n % 997 === 0 || out.indexOf(10, nl + 1) < 0) expect(JSON.parse(out.subarray(start, nl).toString()).pcap.num).toBe(String(n));
    }
    expect(n).toBeGreaterThan(0);
    expect(n).toBeLessThan(Number(/after (\d+) packets/.exec(err)![1]) + 1);
    rmSync(dir, { recursive: true });
  });
  it('stops quietly when the reader goes away (EPIPE)', () => {
    const r = spawnSync('bash', ['-c', `node ${BIN} ${HTTP}h1-keepalive-mtu1500.pcap | head -c 100 > /dev/null; echo "\${PIPESTATUS[0]}"`]);
    expect(r.stdout.toString().trim()).toBe('0');
    expect(r.stderr.toString()).toBe('');
  });
});

describe('tracecap CLI filters', () => {
  const file = HTTP + 'h1-resets-mtu1500.pcap';
  const data = readFileSync(file);
  const nums = (out: string) => lines(out).map((l) => Number(JSON.parse(l).pcap.num));
  // tcpdump's own count of the packets an expression keeps.
  const tcpdumpCount = (f: string, expr: string) => lines(spawnSync('tcpdump', ['-nr', f, expr], { encoding: 'utf8' }).stdout).length;

  it('takes the trailing words as a tcpdump expression, with -r or after FILE, quoted or not', () => {
    const expr = ['tcp', 'port', '28093', 'and', 'tcp[tcpflags]', '&', 'tcp-syn', '!=', '0'];
    const a = run(['--verbosity', 'info', '-r', file, ...expr]);
    expect(a.code).toBe(0);
    expect(a.err).toBe('');
    expect(lines(a.out)).toHaveLength(tcpdumpCount(file, expr.join(' ')));
    expect(lines(a.out).length).toBeGreaterThan(0);
    expect(run(['--verbosity', 'info', '-r', file, expr.join(' ')]).out).toBe(a.out);
    expect(run(['--verbosity', 'info', file, ...expr]).out).toBe(a.out);
    expect(run(['--verbosity', 'info', file, expr.join(' ')]).out).toBe(a.out);
    expect(run(['--verbosity', 'info', '-', expr.join(' ')], data).out).toBe(a.out);
  });
  it('records keep their packet numbers', () => {
    const all = lines(run(['--verbosity', 'info', file]).out);
    const kept = lines(run(['--verbosity', 'info', file, 'tcp[tcpflags] & tcp-rst != 0']).out);
    expect(kept.length).toBe(tcpdumpCount(file, 'tcp[tcpflags] & tcp-rst != 0'));
    for (const l of kept) expect(all[Number(JSON.parse(l).pcap.num)]).toBe(l);
  });
  it('a bad expression is one line naming tcpdump\'s message, exit 2', () => {
    for (const args of [[file, 'tcp', 'port'], ['-r', file, 'tcp port'], ['-', 'tcp port']]) {
      const r = run(args, args[0] === '-' ? data : undefined);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.out).toBe('');
      expect(r.err).toBe('tracecap: bad filter "tcp port": syntax error\n');
    }
    const v = run([HTTP + 'h2c-any-sll2.pcap', 'vlan']);
    expect(v.code).toBe(2);
    expect(v.err).toBe('tracecap: bad filter "vlan": no VLAN support for Linux cooked v2\n');
  });
  it('standard input: compiles for the link type its header shows (pcap and pcapng)', () => {
    const sll2 = HTTP + 'h2c-any-sll2.pcap';
    const r = run(['--verbosity', 'info', '-', 'tcp port 28082'], readFileSync(sll2));
    expect(r.code).toBe(0);
    expect(lines(r.out)).toHaveLength(tcpdumpCount(sll2, 'tcp port 28082'));
    expect(run(['-', 'vlan'], readFileSync(sll2)).code).toBe(2);
    const ng = HTTP + 'h1-keepalive-mtu1500.pcapng';
    const n = run(['--verbosity', 'info', '-', 'greater 200'], readFileSync(ng));
    expect(nums(n.out)).toEqual(nums(run(['--verbosity', 'info', ng, 'greater 200']).out));
    expect(lines(n.out)).toHaveLength(tcpdumpCount(ng, 'greater 200'));
    const bad = run(['-', 'tcp'], new TextEncoder().encode('not a capture at all, no'));
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/not a pcap or pcapng capture/);
  });
  it('a pcapng interface defined after the first packet still gets a program (common link types)', () => {
    const ip = (sp: number) => B.ipv4({ proto: 6, payload: B.tcp({ srcPort: sp, dstPort: 80, flags: 'SYN' }) });
    const ng = B.pcapng([{ blocks: [
      { type: 'idb', linkType: 1 }, { type: 'epb', iface: 0, data: B.ethernet({ payload: ip(1000) }) },
      { type: 'idb', linkType: 113 }, { type: 'epb', iface: 1, data: B.sll({ payload: ip(2000) }) },
      { type: 'epb', iface: 0, data: B.ethernet({ payload: ip(3000) }) },
    ] }]);
    const f = join(tmp, 'late-idb.pcapng');
    writeFileSync(f, ng);
    expect(nums(run(['--verbosity', 'info', f, 'tcp']).out)).toEqual([0, 1, 2]);
    expect(nums(run(['--verbosity', 'info', f, 'src port 2000']).out)).toEqual([1]);
    expect(nums(run(['--verbosity', 'info', '-', 'src port 2000 or src port 3000'], ng).out)).toEqual([1, 2]);
    expect(run([f, 'ether host 1:2:3:4:5:6']).code).toBe(0); // libpcap refuses it for SLL: those packets are dropped
    expect(nums(run(['--verbosity', 'info', f, 'not ether host 1:2:3:4:5:6']).out)).toEqual([0, 2]);
  });
  it('-c N counts records written, like tcpdump -c', () => {
    const r = run(['--verbosity', 'info', '-c', '3', file, 'tcp[tcpflags] & tcp-rst != 0']);
    const all = nums(run(['--verbosity', 'info', file, 'tcp[tcpflags] & tcp-rst != 0']).out);
    expect(nums(r.out)).toEqual(all.slice(0, 3));
    expect(nums(run(['--verbosity', 'info', '-c', '3', '-', 'tcp[tcpflags] & tcp-rst != 0'], data).out)).toEqual(all.slice(0, 3));
  });
  it('software filter flags equal the API options', () => {
    const cases: Array<[string[], string]> = [
      [['--ports', '28093'], 'port 28093'],
      [['--deny-ports', '28093,28094'], 'not port 28093 and not port 28094'],
      [['--l4', 'udp'], 'not tcp'],
      [['--l3', 'ip6,arp'], 'not ip'],
      [['--net', '127.0.0.0/8', '--net', '10.0.0.0/8'], 'ip'],
      [['--net', '10.0.0.0/8'], 'not ip'],
      [['--tcp-flags', 'SYN,fin'], 'tcp[tcpflags] & (tcp-syn|tcp-fin) != 0'],
      [['--deny-socket', '127.0.0.1:28093-127.0.0.1:54436', '--deny-socket', '127.0.0.1:54422-127.0.0.1:28093'], 'not ((port 54436 or port 54422) and port 28093)'],
      [['--ports', '28093', '--tcp-flags', 'RST'], 'port 28093 and tcp[tcpflags] & tcp-rst != 0'],
    ];
    for (const [flags, expr] of cases) {
      const got = run(['--verbosity', 'info', ...flags, file]);
      expect(got.code, flags.join(' ')).toBe(0);
      expect(lines(got.out), flags.join(' ')).toHaveLength(tcpdumpCount(file, expr));
      expect(got.out, flags.join(' ')).toBe(run(['--verbosity', 'info', file, expr]).out);
    }
    // With an expression too: a packet must pass both.
    expect(run(['--verbosity', 'info', '--ports', '28093', file, 'tcp[tcpflags] & tcp-syn != 0']).out)
      .toBe(run(['--verbosity', 'info', file, 'port 28093 and tcp[tcpflags] & tcp-syn != 0']).out);
  });
  it('lists the filter flags in the usage text', () => {
    const u = run(['--help']).out;
    for (const f of ['EXPRESSION', '--l3', '--l4', '--net', '--ports', '--deny-ports', '--tcp-flags', '--deny-socket']) expect(u).toContain(f);
  });
});
