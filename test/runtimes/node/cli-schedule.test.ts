// Scheduled capture (--cron), the startup probe (--hc-port) and the hosts filter (--hosts), run as
// a user runs them: `node bin/tracecap.js -i lo …` in a network namespace of the test's own, with
// datagrams sent on its loopback only (127.0.0.0/8 inside the namespace), nothing else.
import { describe, it, expect, afterAll } from 'vitest';
import { existsSync, mkdirSync, mkdtempSync, rmSync, rmdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { gunzipSync } from 'node:zlib';
import { readPcap } from '../../helpers/pcap-records.js';
import type { ChildProcess } from 'node:child_process';
import { Netns, netnsUnavailable, exited, collect, waitFor } from '../../helpers/netns.js';

const ROOT = new URL('../../../', import.meta.url).pathname;
const BIN = join(ROOT, 'bin/tracecap.js');

const unavailable = netnsUnavailable();
if (unavailable) console.warn(`scheduled capture, probe and hosts tests skipped: ${unavailable}`);

let port = 33000 + (process.pid % 1000) * 10;

/** Sends one UDP datagram every `everyMs` to each of `addrs` (port `p`) for `ms`, inside the namespace; prints `<addr> <send time ms>` per datagram. */
function sender(ns: Netns, addrs: string[], p: number, everyMs: number, ms: number): { child: ChildProcess; sent: () => { addr: string; t: number }[] } {
  const script = `
const s = require('node:dgram').createSocket('udp4');
const addrs = ${JSON.stringify(addrs)};
const end = Date.now() + ${ms};
let i = 0;
const tick = () => {
  if (Date.now() >= end) { s.close(); return; }
  for (const a of addrs) { const t = Date.now(); s.send('x' + (i++), ${p}, a); process.stdout.write(a + ' ' + t + '\\n'); }
  setTimeout(tick, ${everyMs});
};
tick();`;
  const child = ns.spawn(process.execPath, ['-e', script]);
  const { out } = collect(child);
  return {
    child,
    sent: () => out().toString('utf8').split('\n').filter(Boolean).map((l) => { const [addr, t] = l.split(' '); return { addr: addr!, t: Number(t) }; }),
  };
}

function cli(ns: Netns, args: string[]) {
  const child = ns.spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env: { ...process.env, TRACECAP_SIDECAR: '' } });
  const io = collect(child);
  return { child, ...io };
}

const records = (b: Buffer) => b.toString('utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, any>);
const timeMs = (r: Record<string, any>) => Number(r.timestamp.seconds) * 1000 + Math.floor(Number(r.timestamp.nanos) / 1e6);

describe.skipIf(unavailable !== null)('scheduled capture, startup probe and hosts filter (network namespace)', () => {
  it('--cron "*/4 * * * * *" --timeout 2: windows open and close on the schedule; packets between windows get no record', async () => {
    const ns = new Netns();
    try {
      const p = port++;
      const c = cli(ns, ['-i', 'lo', '--cron', '*/4 * * * * *', '--timeout', '2', '--id', 'sched', '--log-name', 'log/sched', 'udp', 'port', String(p)]);
      await waitFor(c.child.stderr!, 'tracecap: next capture window at', 15_000);
      // Datagrams every 50 ms for ~9.5 s: two or three windows, and the gaps between them.
      const s = sender(ns, ['127.0.0.1'], p, 50, 9500);
      await exited(s.child, 30_000);
      await new Promise((r) => setTimeout(r, 300));
      c.child.kill('SIGINT');
      const { code } = await exited(c.child, 20_000);
      const lines = c.err().split('\n').filter(Boolean);
      expect(code, lines.join(' | ')).toBe(0);
      // The windows as the CLI announced them: every 4 s on the second, 2 s long.
      const windows = lines.flatMap((l) => {
        const m = /^tracecap: capture window (\d+): (\S+) to (\S+)$/.exec(l);
        return m ? [{ n: Number(m[1]), start: Date.parse(m[2]!), end: Date.parse(m[3]!) }] : [];
      });
      expect(windows.length, lines.join(' | ')).toBeGreaterThanOrEqual(2);
      for (const w of windows) {
        expect(w.start % 4000, 'a window starts on a multiple of 4 s').toBe(0);
        expect(w.end - w.start).toBe(2000);
      }
      expect(lines.filter((l) => /^tracecap: capture window \d+ closed$/.test(l)).length).toBeGreaterThanOrEqual(windows.length - 1);
      const recs = records(c.out());
      const sent = s.sent();
      // Windows whose span the sender covered: every datagram sent well inside it has its record.
      const covered = windows.filter((w) => w.start >= sent[0]!.t && w.end <= sent.at(-1)!.t);
      expect(covered.length, 'windows the traffic covered').toBeGreaterThanOrEqual(1);
      for (const w of covered) {
        // Engines need a moment to open at the window's start.
        const inner = sent.filter((x) => x.t >= w.start + 500 && x.t <= w.end - 200).length;
        const got = recs.filter((r) => timeMs(r) >= w.start + 500 && timeMs(r) <= w.end - 200).length;
        expect(got, `window ${w.n}`).toBe(inner);
        expect(got).toBeGreaterThan(15);
      }
      // No record outside a window (capture time, with the engine's clock a little behind the sender's).
      for (const r of recs) {
        const t = timeMs(r);
        expect(windows.some((w) => t >= w.start - 50 && t <= w.end + 100), `record at ${new Date(t).toISOString()} outside every window`).toBe(true);
      }
      // Datagrams were sent between windows too: those have no record.
      const between = sent.filter((x) => windows.every((w) => x.t < w.start - 100 || x.t > w.end + 300)).length;
      expect(between).toBeGreaterThan(15);
      expect(recs.length).toBeLessThan(sent.length - between + 1);
      // Each window is a capture of its own: its context id and log name end in /exe/<uuid>.
      const ids = new Set(recs.map((r) => r['logging.googleapis.com/labels']['run.googleapis.com/pcap/id'] as string));
      expect(ids.size).toBe(new Set(recs.map((r) => windows.findIndex((w) => timeMs(r) <= w.end + 100))).size);
      for (const id of ids) expect(id).toMatch(/^sched\/exe\/[0-9a-f-]{36}$/);
    } finally {
      ns.destroy();
    }
  });

  it('sidecar: PCAP_USE_CRON=true PCAP_CRON_EXP PCAP_TO: windows with tcpdumpw\'s context, job/<uuid>/exe/<uuid>; pcap files per window, one PCAP-over-IP stream across them', async () => {
    const ns = new Netns();
    const dir = mkdtempSync(join(tmpdir(), 'tracecap-cron-files-'));
    try {
      const p = port++;
      const streamPort = port++;
      const child = ns.spawn(process.execPath, [BIN], { cwd: ROOT, env: { ...process.env, TRACECAP_SIDECAR: '1', PCAP_IFACE: 'lo', PCAP_USE_CRON: 'true', PCAP_CRON_EXP: '*/3 * * * * *', PCAP_TO: '1', PCAP_PORTS: String(p), PCAP_HC_PORT: '0', PROJECT_ID: 'proj', PCAP_TMP: dir, TRACECAP_PCAP_OVER_IP: `127.0.0.1:${streamPort}` } });
      const c = collect(child);
      await waitFor(child.stderr!, 'tracecap: next capture window at', 15_000);
      expect(c.err()).toContain(`tracecap: pcap over IP on 127.0.0.1:${streamPort}\n`);
      // A PCAP-over-IP client connected before the first window, reading to the end.
      const reader = ns.spawn(process.execPath, ['-e', `
const s = require('node:net').connect(${streamPort}, '127.0.0.1');
s.on('data', (b) => process.stdout.write(b));
s.on('error', (e) => { process.stderr.write(String(e)); process.exit(1); });`]);
      const stream = collect(reader);
      const s = sender(ns, ['127.0.0.1'], p, 50, 7000);
      await exited(s.child, 20_000);
      child.kill('SIGTERM');
      const { code } = await exited(child, 20_000);
      expect(code, c.err()).toBe(0);
      expect((await exited(reader, 10_000)).code, stream.err()).toBe(0);
      const recs = records(c.out());
      // (The simple filters are software filters: the ICMP port-unreachable answers pass them, difference 56.)
      const udp = recs.filter((r) => r.L4?.dst === p);
      expect(udp.length).toBeGreaterThan(10);
      // 1 s in every 3: well under half of what was sent.
      expect(udp.length).toBeLessThan(s.sent().length / 2);
      const ids = recs.map((r) => /^job\/([0-9a-f-]{36})\/exe\/([0-9a-f-]{36})$/.exec(r['logging.googleapis.com/labels']['run.googleapis.com/pcap/id']));
      expect(ids.every((m) => m !== null)).toBe(true);
      expect(new Set(ids.map((m) => m![1])).size, 'one job').toBe(1);
      const windows = new Set(ids.map((m) => m![2])).size;
      expect(windows, 'an execution per window').toBeGreaterThanOrEqual(2);
      for (const [i, r] of recs.entries()) {
        expect(r['logging.googleapis.com/operation'].producer).toBe(`projects/proj/pcap/${ids[i]![0]}`);
      }
      // pcap-sidecar's pcap files (PCAP_TCPDUMP, gzipped, PCAP_DIR unset so they stay, said in a line):
      // each window its own files, together every packet captured in the windows.
      expect(c.err()).toContain(`tracecap: the pcap files stay in ${dir} (nothing moves them out: PCAP_DIR is not set)`);
      const names = readdirSync(dir).sort();
      for (const n of names) expect(n).toMatch(/^part__1_lo__\d{8}T\d{6}(~\d{6})?\.pcap\.gz$/);
      expect(names.length).toBeGreaterThanOrEqual(windows);
      const filed = names.flatMap((n) => readPcap(gunzipSync(readFileSync(join(dir, n)))).packets);
      const sum = (re: RegExp) => [...c.err().matchAll(re)].reduce((n, m) => n + Number(m[1]), 0);
      // (On a busy machine a window's engines stop a little after its end: what they captured
      // after it is left out, and said.)
      const captured = sum(/^tracecap: (\d+) packets? captured/gm) - sum(/^tracecap: (\d+) packets? stamped after the window's end left out$/gm);
      expect(filed.length).toBe(captured);
      expect(filed.length).toBeGreaterThanOrEqual(recs.length);
      // The stream: one pcap header, then the same packets as the files, across the windows.
      const streamed = readPcap(new Uint8Array(stream.out())).packets;
      const key = (x: { sec: number; nsec: number; data: Uint8Array }) => `${x.sec}.${x.nsec}:${Buffer.from(x.data).toString('hex')}`;
      expect(streamed.map(key)).toEqual(filed.map(key));
    } finally {
      ns.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--hc-port: the port refuses connections before the capture starts and accepts them once it runs', async () => {
    const ns = new Netns();
    try {
      const hc = port++;
      // A prober in the namespace: a connection attempt every 25 ms, "R" refused or "A" accepted, with the time.
      const prober = ns.spawn(process.execPath, ['-e', `
const net = require('node:net');
let n = 0;
const once = () => {
  const t = Date.now();
  const s = net.connect(${hc}, '127.0.0.1');
  s.on('connect', () => { process.stdout.write('A ' + t + '\\n'); s.destroy(); if (++n < 10) setTimeout(once, 25); });
  s.on('error', () => { process.stdout.write('R ' + t + '\\n'); setTimeout(once, 25); });
};
once();`]);
      const probes = collect(prober);
      await new Promise((r) => setTimeout(r, 300));
      // tcpdump takes a while to start: the port must stay closed all that time.
      const c = cli(ns, ['-i', 'lo', '--engine', 'tcpdump', '--hc-port', String(hc), 'udp port 9']);
      await waitFor(c.child.stderr!, 'tracecap: listening on lo (tcpdump)', 20_000);
      const listening = Date.now();
      await exited(prober, 10_000);
      c.child.kill('SIGTERM');
      const { code } = await exited(c.child, 20_000);
      expect(code, c.err()).toBe(0);
      const seen = probes.out().toString('utf8').split('\n').filter(Boolean).map((l) => ({ ok: l[0] === 'A', t: Number(l.slice(2)) }));
      const firstAccepted = seen.findIndex((x) => x.ok);
      expect(firstAccepted, 'refused at first').toBeGreaterThan(5);
      expect(seen.slice(firstAccepted).every((x) => x.ok), 'accepted from then on').toBe(true);
      expect(seen.filter((x) => x.ok)).toHaveLength(10);
      // Not before the capture ran (the "listening on" line comes just before the port opens).
      expect(seen[firstAccepted]!.t).toBeGreaterThanOrEqual(listening - 250);
    } finally {
      ns.destroy();
    }
  });

  it('--hosts NAME --hosts-every 1: only that host\'s packets, and its new address once the name resolves to another', async () => {
    const ns = new Netns();
    // ip netns exec binds /etc/netns/NAME/hosts over /etc/hosts for what runs in the namespace:
    // a name only this test resolves, without touching the machine's resolver.
    const dir = join('/etc/netns', ns.name);
    const madeParent = !existsSync('/etc/netns');
    mkdirSync(dir, { recursive: true });
    const hostsFile = join(dir, 'hosts');
    writeFileSync(hostsFile, '127.0.0.1 localhost\n127.0.0.2 svc.tracecap.test\n');
    try {
      const p = port++;
      const c = cli(ns, ['-i', 'lo', '--hosts', 'svc.tracecap.test', '--hosts-every', '1', 'udp', 'port', String(p)]);
      await waitFor(c.child.stderr!, 'tracecap: listening on', 15_000);
      expect(c.err()).toContain('tracecap: --hosts: 127.0.0.2 (resolved again every 1 s)');
      const s = sender(ns, ['127.0.0.2', '127.0.0.3', '127.0.0.4'], p, 50, 6000);
      await new Promise((r) => setTimeout(r, 2000));
      // The same file, rewritten in place (the bind mount keeps its inode).
      writeFileSync(hostsFile, '127.0.0.1 localhost\n127.0.0.3 svc.tracecap.test\n');
      await waitFor(c.child.stderr!, 'tracecap: --hosts: now 127.0.0.3', 5000).catch(() => {});
      await exited(s.child, 20_000);
      await new Promise((r) => setTimeout(r, 500));
      c.child.kill('SIGINT');
      const { code } = await exited(c.child, 20_000);
      expect(code, c.err()).toBe(0);
      expect(c.err()).toContain('tracecap: --hosts: now 127.0.0.3\n');
      const dsts = records(c.out()).map((r) => r.L3.dst as string);
      // .2 only, then .3 only: never .4, never both at once.
      const switchAt = dsts.indexOf('127.0.0.3');
      expect(switchAt, dsts.join(' ')).toBeGreaterThan(10);
      expect(dsts.slice(0, switchAt).every((d) => d === '127.0.0.2'), dsts.join(' ')).toBe(true);
      expect(dsts.slice(switchAt).every((d) => d === '127.0.0.3'), dsts.join(' ')).toBe(true);
      expect(dsts.length - switchAt).toBeGreaterThan(10);
      // Every datagram sent to .2 (while it was the host's address) or to .3 (after) is there at most once.
      expect(new Set(records(c.out()).map((r) => `${r.L3.dst}:${r.L4.src}:${r.pcap.num}`)).size).toBe(dsts.length);
    } finally {
      ns.destroy();
      rmSync(dir, { recursive: true, force: true });
      if (madeParent && readdirSync('/etc/netns').length === 0) rmdirSync('/etc/netns');
    }
  });
});

afterAll(() => {});
