// The CLI capturing live, end to end, as a user runs it: `node bin/tracecap.js -i lo …` inside a
// network namespace of the test's own, real traffic on its loopback, stopped by SIGINT, a
// trigger or its own timeout. Records are compared with what the CLI writes for a plain
// `tcpdump -w FILE` recording of the same traffic; rotating files, filters, the trigger ring,
// the sidecar environment and the start errors are checked as seen from outside the process.
import { describe, it, expect } from 'vitest';
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { readPcap } from '../../helpers/pcap-records.js';
import { join } from 'node:path';
import { Netns, netnsUnavailable, exited } from '../../helpers/netns.js';
import { summaryOf, expectSameRecords, nsTcpdump, packetsOf } from '../../helpers/live-checks.js';
import { ID_ARGS, cli, until, count, records, traffic, interrupt, translateFile, liveTestFile } from '../../helpers/cli-live.js';

const ENGINES = ['libpcap', 'tcpdump'] as const;
const VERBOSITIES = ['info', 'debug'] as const;
const LISTENING = /^tracecap: listening on lo \((libpcap|tcpdump)\)$/;

const unavailable = netnsUnavailable();
if (unavailable) console.warn(`CLI live capture tests skipped: ${unavailable}`);

// UDP: with receive timestamps on, every capture handle reports the kernel's one stamp.
const { tmp } = liveTestFile('tracecap-cli-live-', unavailable);
let port = 29000 + (process.pid % 1000) * 10;

/** Complete files in `dir` in the order they were written, which is their names' byte order (time, then the ~NNNNNN repeats); fails on a `.partial`. */
function completeFiles(dir: string, prefix: string): string[] {
  const names = readdirSync(dir).sort();
  expect(names.filter((n) => n.endsWith('.partial')), `${dir}: files left incomplete`).toEqual([]);
  for (const n of names) expect(n, 'unexpected file').toMatch(new RegExp(`^${prefix}_\\d+(~\\d{6})?\\.json$`));
  return names.map((n) => join(dir, n));
}

const portsOf = (r: Record<string, any>) => [r.L4?.src, r.L4?.dst] as unknown[];

describe.skipIf(unavailable !== null)('tracecap -i (the CLI capturing live in a network namespace)', () => {
  it('DNS on lo: both engines, INFO and DEBUG, byte-identical to the CLI translating tcpdump -w of the same traffic; SIGINT: exit 0, one summary line', async () => {
    const ns = new Netns();
    try {
      const p = port++;
      const file = join(tmp, 'dns.pcap');
      const ref = nsTcpdump(ns, 'lo', file, `udp port ${p}`);
      const runs = ENGINES.flatMap((engine) => VERBOSITIES.map((verbosity) => ({
        engine, verbosity, run: cli(ns, ['-i', 'lo', '--engine', engine, '--verbosity', verbosity, ...ID_ARGS, 'udp', 'port', String(p)]),
      })));
      await Promise.all([ref.ready, ...runs.map((r) => r.run.ready)]);
      await traffic(ns, 'dns', p, 40);
      // 40 queries and 40 answers; tcpdump's engine hands them over within its 1 s block timeout.
      await until(() => runs.every((r) => count(r.run.out()) >= 80), 15_000);
      const results = await Promise.all(runs.map((r) => interrupt(r.run)));
      ref.child.kill('SIGINT');
      expect((await exited(ref.child, 10_000)).code).toBe(0);
      const expected = { info: translateFile(file, 'info'), debug: translateFile(file, 'debug') };
      expect(expected.debug.split('\n').length - 1).toBe(80);
      for (const [i, r] of runs.entries()) {
        const res = results[i]!;
        const what = `${r.engine} ${r.verbosity}`;
        expect(res.code, `${what}: ${res.lines.join(' | ')}`).toBe(0);
        expect(res.lines[0], what).toMatch(LISTENING);
        expect(res.lines[0], what).toContain(`(${r.engine})`);
        expect(summaryOf(res.lines.slice(1))[0], what).toBe(80);
        records(res.out, what);
        expectSameRecords(res.out, expected[r.verbosity], what);
      }
    } finally {
      ns.destroy();
    }
  });

  it('-w with -G 1 --tee, and -C 0.05 -W 3: complete files only, no cut record, the files in order are standard output (or its tail)', async () => {
    const ns = new Netns();
    try {
      const p = port++;
      const dirG = join(tmp, 'rotate-G');
      const dirC = join(tmp, 'rotate-C');
      const g = cli(ns, ['-i', 'lo', '-w', join(dirG, 'part_%Y%m%d%H%M%S.json'), '-G', '1', '--tee', 'udp', 'port', String(p)]);
      const c = cli(ns, ['-i', 'lo', '-w', join(dirC, 'ring_%Y%m%d%H%M%S.json'), '-C', '0.05', '-W', '3', '--tee', 'udp', 'port', String(p)]);
      await Promise.all([g.ready, c.ready]);
      // Traffic spread over at least 2.5 s (bounded: 30 rounds), so -G 1 makes several files.
      const t0 = Date.now();
      let rounds = 0;
      while (rounds < 30 && (rounds < 3 || Date.now() - t0 < 2500)) { await traffic(ns, 'dns', p, 30); rounds++; }
      const total = rounds * 60;
      await until(() => count(g.out()) >= total && count(c.out()) >= total, 15_000);
      const [rg, rc] = await Promise.all([interrupt(g), interrupt(c)]);
      for (const [what, r] of [['-G', rg], ['-C', rc]] as const) {
        expect(r.code, `${what}: ${r.lines.join(' | ')}`).toBe(0);
        expect(r.lines[0]).toMatch(LISTENING);
        expect(summaryOf(r.lines.slice(1))[0], what).toBe(total);
        expect(records(r.out, `${what} stdout`)).toHaveLength(total);
      }
      const filesG = completeFiles(dirG, 'part');
      expect(filesG.length, 'files of -G 1').toBeGreaterThanOrEqual(2);
      const textG = filesG.map((f) => readFileSync(f, 'utf8'));
      textG.forEach((t, i) => expect(records(t, filesG[i]!).length, filesG[i]).toBeGreaterThan(0));
      expectSameRecords(textG.join(''), rg.out, '-G files vs --tee');

      const filesC = completeFiles(dirC, 'ring');
      expect(filesC, 'files kept by -W 3').toHaveLength(3);
      const textC = filesC.map((f) => readFileSync(f, 'utf8'));
      textC.forEach((t, i) => {
        expect(statSync(filesC[i]!).size, filesC[i]).toBeLessThanOrEqual(50_000);
        expect(records(t, filesC[i]!).length, filesC[i]).toBeGreaterThan(0);
      });
      const kept = textC.join('');
      // The oldest files were deleted: what is left is the end of standard output.
      expect(rc.out.length).toBeGreaterThan(kept.length);
      expect(rc.out.endsWith(kept), '-W 3 files are the tail of --tee').toBe(true);
      expect(rc.out.at(-kept.length - 1)).toBe('\n');
    } finally {
      ns.destroy();
    }
  });

  it('filters: a BPF expression as trailing words and --ports select only the matching packets', async () => {
    const ns = new Netns();
    try {
      const [p1, p2, p3] = [port++, port++, port++];
      const bpf = cli(ns, ['-i', 'lo', 'udp', 'port', String(p1)]);
      const soft = cli(ns, ['-i', 'lo', '--ports', String(p2)]);
      await Promise.all([bpf.ready, soft.ready]);
      // Other traffic first: anything wrongly selected would be written before the matching records.
      await traffic(ns, 'h1', p3, 4);
      await traffic(ns, 'dns', p3, 10);
      await traffic(ns, 'dns', p1, 10);
      await traffic(ns, 'dns', p2, 10);
      await until(() => count(bpf.out()) >= 20 && count(soft.out()) >= 20, 15_000);
      for (const [what, c, p] of [['udp port', bpf, p1], ['--ports', soft, p2]] as const) {
        const r = await interrupt(c);
        expect(r.code, `${what}: ${r.lines.join(' | ')}`).toBe(0);
        const recs = records(r.out, what);
        expect(recs, what).toHaveLength(20);
        for (const rec of recs) {
          expect(rec.L3.proto.name, what).toBe('UDP');
          expect(portsOf(rec), what).toContain(p);
        }
        expect(summaryOf(r.lines.slice(1))[0], what).toBeGreaterThanOrEqual(20);
      }
    } finally {
      ns.destroy();
    }
  });

  it('--ring 30 --after 1 --max-triggers 1: SIGUSR1 writes the packets captured before it, window lines, exit 0 by itself', async () => {
    const ns = new Netns();
    try {
      const p = port++;
      const file = join(tmp, 'ring.pcap');
      const ref = nsTcpdump(ns, 'lo', file, `udp port ${p}`);
      const c = cli(ns, ['-i', 'lo', '--ring', '30', '--after', '1', '--max-triggers', '1', ...ID_ARGS, 'udp', 'port', String(p)]);
      await Promise.all([ref.ready, c.ready]);
      await traffic(ns, 'dns', p, 20);
      // Nothing is written before the trigger.
      expect(c.out().length).toBe(0);
      // The trigger once tcpdump's own handle (its block timeout is 1 s, libpcap's 100 ms) has
      // all 40 packets: by then the CLI's engine has handed them to the ring too.
      const recorded = () => { try { return packetsOf(readFileSync(file)).length; } catch { return 0; } };
      await until(() => recorded() >= 40, 15_000);
      c.child.kill('SIGUSR1');
      const { code } = await exited(c.child, 20_000);
      ref.child.kill('SIGINT');
      expect((await exited(ref.child, 10_000)).code).toBe(0);
      const lines = c.err().split('\n').filter(Boolean);
      expect(code, lines.join(' | ')).toBe(0);
      expect(lines[0]).toMatch(LISTENING);
      const opened = /^tracecap: lo: window 1 opened by SIGUSR1: (\d+) packets from the ring, from serial 0$/.exec(lines[1] ?? '');
      expect(opened, lines[1]).not.toBeNull();
      // Every packet was captured before the trigger; one the engine had not handed over yet
      // still belongs to the window (written while it is open), so the total is exact.
      expect(Number(opened![1])).toBeGreaterThan(0);
      expect(lines[2]).toMatch(/^tracecap: lo: window 1 closed: 40 packets written, next serial 40$/);
      expect(summaryOf(lines.slice(3))[0]).toBe(40);
      const out = c.out().toString('utf8');
      records(out, 'ring');
      expectSameRecords(out, translateFile(file, 'debug'), 'ring window vs tcpdump -w');
    } finally {
      ns.destroy();
    }
  });

  it('--trigger-file F --trigger-regex RE: a matching line appended to F opens the window; other lines do not', async () => {
    const ns = new Netns();
    try {
      const p = port++;
      const log = join(tmp, 'app.log');
      writeFileSync(log, 'level=error before the start\n');
      const c = cli(ns, ['-i', 'lo', '--ring', '30', '--after', '1', '--max-triggers', '1', '--trigger-file', log, '--trigger-regex', 'level=error', 'udp', 'port', String(p)]);
      await c.ready;
      await traffic(ns, 'dns', p, 10);
      appendFileSync(log, 'level=info all is well\n');
      await traffic(ns, 'dns', p, 10);
      expect(c.out().length, 'written before the trigger').toBe(0);
      appendFileSync(log, 'level=error boom\n');
      const { code } = await exited(c.child, 20_000);
      const lines = c.err().split('\n').filter(Boolean);
      expect(code, lines.join(' | ')).toBe(0);
      // The line that opened it is named: not the one there before the start (F is followed from
      // its end, like tail -F), nor the one that does not match.
      expect(lines[1]).toMatch(new RegExp(`^tracecap: lo: window 1 opened by ${log}: level=error boom: \\d+ packets from the ring, from serial 0$`));
      expect(lines[2]).toMatch(/^tracecap: lo: window 1 closed: 40 packets written, next serial 40$/);
      expect(summaryOf(lines.slice(3))[0]).toBe(40);
      expect(records(c.out().toString('utf8'), 'trigger file')).toHaveLength(40);
    } finally {
      ns.destroy();
    }
  });

  it('sidecar: TRACECAP_SIDECAR=1 PCAP_IFACE=lo PCAP_TO=2 PCAP_L4_PROTOS=udp, pcap-sidecar\'s files: records on stdout and in JSON files, every packet in pcap files, gzipped and moved into PCAP_DIR', async () => {
    const ns = new Netns();
    const dir = mkdtempSync(join(tmp, 'sidecar-'));
    const [local, bucket] = [join(dir, 'pcap-tmp'), join(dir, 'bucket')];
    try {
      const [pu, pt] = [port++, port++];
      const c = cli(ns, [], {
        TRACECAP_SIDECAR: '1', PCAP_IFACE: 'lo', PCAP_TO: '2', PCAP_L4_PROTOS: 'udp', PROJECT_ID: 'cli-live-project',
        PCAP_TMP: local, PCAP_DIR: bucket, PCAP_SECS: '1', PCAP_JSONDUMP: 'true', PCAP_HC_PORT: '0',
      });
      await c.ready;
      const started = Date.now();
      await traffic(ns, 'h1', pt, 2);
      await traffic(ns, 'dns', pu, 5);
      const { code } = await exited(c.child, 20_000);
      const elapsed = Date.now() - started;
      const lines = c.err().split('\n').filter(Boolean);
      expect(code, lines.join(' | ')).toBe(0);
      expect(elapsed).toBeGreaterThanOrEqual(1500);
      expect(elapsed).toBeLessThan(10_000);
      expect(lines[0]).toMatch(LISTENING);
      const captured = summaryOf(lines.slice(1))[0]!;
      expect(captured).toBeGreaterThan(0);
      const text = c.out().toString('utf8');
      const recs = records(text, 'sidecar');
      expect(recs.length).toBeGreaterThan(0);
      const id = recs[0]!['logging.googleapis.com/labels']['run.googleapis.com/pcap/id'] as string;
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const logName = `projects/cli-live-project/pcaps/${id}`;
      for (const r of recs) {
        expect(r.L3.proto.name).toBe('UDP');
        expect(portsOf(r)).toContain(pu);
        // DEBUG: the interface and the endpoints are there.
        expect(r.iface).toMatchObject({ index: 1, name: 'lo' });
        expect(r.L3.endpoints).toBeDefined();
        expect(r['logging.googleapis.com/labels']['run.googleapis.com/pcap/id']).toBe(id);
        expect(r['logging.googleapis.com/labels']['run.googleapis.com/pcap/name']).toBe(logName);
        expect(r['logging.googleapis.com/operation'].producer).toBe(logName);
        expect(r['logging.googleapis.com/operation'].id).toMatch(new RegExp(`^${id}/iface/lo/flow/`));
      }
      // The DNS traffic (5 queries, 5 answers) fits in the 2 s unless the machine is very busy.
      expect(recs.length).toBeLessThanOrEqual(10);
      // pcapfsn's work: every complete file gzipped and moved into PCAP_DIR, nothing left behind.
      expect(readdirSync(local)).toEqual([]);
      const names = readdirSync(bucket).sort();
      const pcaps = names.filter((n) => /^part__1_lo__\d{8}T\d{6}(~\d{6})?\.pcap\.gz$/.test(n));
      const jsons = names.filter((n) => /^part__\d{8}T\d{6}(~\d{6})?\.json\.gz$/.test(n));
      expect(pcaps.length + jsons.length, names.join(' ')).toBe(names.length);
      expect(pcaps.length).toBeGreaterThanOrEqual(1);
      // The JSON files hold the records of stdout, in order.
      expect(jsons.map((n) => gunzipSync(readFileSync(join(bucket, n))).toString('utf8')).join('')).toBe(text);
      // The pcap files hold every packet captured (the software filters choose records only):
      // the TCP exchange too, and exactly the UDP packets that have records.
      const packets = pcaps.flatMap((n) => readPcap(gunzipSync(readFileSync(join(bucket, n)))).packets);
      expect(packets.length).toBe(captured);
      const isUdp = (d: Uint8Array) => d[12] === 0x08 && d[13] === 0x00 && d[23] === 17;
      expect(packets.filter((p) => isUdp(p.data)).length).toBe(recs.length);
      expect(packets.some((p) => !isUdp(p.data))).toBe(true);
      expect(packets.filter((p) => isUdp(p.data)).map((p) => `${p.sec}.${String(Math.floor(p.nsec / 1000)).padStart(6, '0')}`))
        .toEqual(recs.map((r) => `${r.timestamp.seconds}.${String(Math.floor(r.timestamp.nanos / 1000)).padStart(6, '0')}`));
    } finally {
      ns.destroy();
    }
  });

  it('errors: -i nosuch0 and a bad filter exit 2 with one line; -i with -r is a usage error, exit 1', async () => {
    const ns = new Netns();
    try {
      const cases = [
        { args: ['-i', 'nosuch0'], code: 2, line: /^tracecap: -i "nosuch0": no such interface/, only: true },
        { args: ['-i', 'lo', 'udp and and'], code: 2, line: /^tracecap: lo: .*syntax error.*\(filter "udp and and"\)$/, only: true },
        { args: ['-i', 'lo', '-r', 'x'], code: 1, line: /^tracecap: -r is for reading a capture; with -i/, only: false },
      ];
      for (const k of cases) {
        const c = cli(ns, k.args);
        const { code } = await exited(c.child, 20_000);
        const lines = c.err().split('\n').filter(Boolean);
        expect(code, `${k.args.join(' ')}: ${c.err()}`).toBe(k.code);
        expect(lines[0], k.args.join(' ')).toMatch(k.line);
        if (k.only) expect(lines, k.args.join(' ')).toHaveLength(1);
        else expect(c.err()).toContain('usage: tracecap');
        expect(c.out().length).toBe(0);
      }
    } finally {
      ns.destroy();
    }
  });
});
