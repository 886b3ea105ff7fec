// The CLI's packet outputs, live, end to end (issue 19): `tracecap -i … --pcap-w` in network
// namespaces of the test's own while a plain `tcpdump -w` records the same interfaces. The pcap
// files must be tcpdump's, packet for packet and (one interface, UDP with kernel receive time
// stamps) byte for byte; pcapng likewise with the interface names; rotation by -G and -C with
// -W; --gzip and --move-to with a poller that must never see a partial file; a trigger window
// as pcap; PCAP-over-IP with a fast client (its stream is the capture) and a stalled one (cut
// off while the capture and the fast client go on).
import { describe, it, expect, afterAll } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { Netns, netnsUnavailable, veth, exited, collect, waitFor } from '../../helpers/netns.js';
import { summaryOf, expectSameRecords, nsTcpdump, ECHO, PINGS } from '../../helpers/live-checks.js';
import { ID_ARGS, cli, until, count, records, traffic, interrupt, translateFile, liveTestFile } from '../../helpers/cli-live.js';
import { readPcap, readPcapng, type PcapPacket } from '../../helpers/pcap-records.js';

const ENGINES = ['libpcap', 'tcpdump'] as const;
const unavailable = netnsUnavailable();
if (unavailable) console.warn(`CLI live packet output tests skipped: ${unavailable}`);

// With receive timestamps on, tracecap's files and tcpdump's can be equal to the byte.
const { tmp } = liveTestFile('tracecap-cli-packets-', unavailable);
// A second file system for --move-to (tmpfs): the move is then a copy, as into a mounted bucket.
const shm = (() => {
  try { return statSync('/dev/shm').dev !== statSync(tmp).dev ? mkdtempSync('/dev/shm/tracecap-cli-packets-') : null; } catch { return null; }
})();
afterAll(() => { if (shm) rmSync(shm, { recursive: true, force: true }); });
let port = 39000 + (process.pid % 1000) * 10;

const same = (a: PcapPacket, b: PcapPacket) => a.sec === b.sec && a.nsec === b.nsec && a.len === b.len && Buffer.from(a.data).equals(Buffer.from(b.data));

/** The same packets (time, lengths, bytes) in the same order; the first difference is shown. */
function expectPackets(got: PcapPacket[], want: PcapPacket[], what: string): void {
  const bad = got.findIndex((p, i) => !want[i] || !same(p, want[i]!));
  if (bad >= 0) {
    const show = (p?: PcapPacket) => p && { sec: p.sec, nsec: p.nsec, len: p.len, data: Buffer.from(p.data).toString('hex').slice(0, 120) };
    expect(show(got[bad]), `${what}: packet ${bad}`).toEqual(show(want[bad]));
  }
  expect(got.length, `${what}: packets`).toBe(want.length);
}

/** Packets of tcpdump's classic file, or of a pcapng file (one interface id, or all). */
const pcapPackets = (file: string) => readPcap(readFileSync(file)).packets;

/** Files of `dir` matching `re`, ordered as written: a byte sort of the names (time, then the ~NNNNNN repeats). */
function written(dir: string, re: RegExp): string[] {
  return readdirSync(dir).filter((n) => re.test(n)).sort().map((n) => join(dir, n));
}

function tshark(file: string, fields: string[]): string[][] {
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-E', 'separator=,', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 64 << 20 });
  expect(r.status, `tshark -r ${file}: ${r.stderr}`).toBe(0);
  return r.stdout.trim().split('\n').filter(Boolean).map((l) => l.split(','));
}

/** A client of a PCAP-over-IP server (argv: host port [file]): with a file, it writes the stream there; without, it never reads. */
const POI_CLIENT = `
import net from 'node:net';
import { createWriteStream } from 'node:fs';
const [host, port, file] = process.argv.slice(2);
const s = net.connect(Number(port), host, () => console.log('connected'));
s.on('error', () => {});
if (file) { const out = createWriteStream(file); s.pipe(out); out.on('finish', () => process.exit(0)); }
else { s.pause(); setInterval(() => {}, 1 << 30); } // a paused socket alone does not keep the process
`;
/**
 * A TCP bulk transfer on 127.0.0.1 (argv: port megabytes): a server that reads everything, a
 * client that sends 64 KiB every 4 ms (16 MB/s: loopback at full speed is more than a capture
 * on two busy cores takes; the kernel would drop most of it).
 */
const BULK = `
import net from 'node:net';
const [port, mb] = process.argv.slice(2).map(Number);
let got = 0;
const server = net.createServer((s) => { s.on('data', (b) => { got += b.length; }); s.on('end', () => s.end()); });
await new Promise((r) => server.listen(port, '127.0.0.1', r));
const c = net.connect(port, '127.0.0.1');
const chunk = Buffer.alloc(64 << 10, 0x62);
for (let i = 0; i < mb * 16; i++) {
  if (!c.write(chunk)) await new Promise((r) => c.once('drain', r));
  await new Promise((r) => setTimeout(r, 4));
}
c.end();
await new Promise((r) => c.on('close', r));
server.close();
console.log(got);
`;

describe.skipIf(unavailable !== null)('tracecap -i … --pcap-w / --gzip / --move-to / --pcap-over-ip (live, in network namespaces)', () => {
  it('lo, both engines: the pcap file is tcpdump -w\'s byte for byte, the pcapng has the same packets on interface lo (tshark reads both); records as for tcpdump\'s file; --no-records: the file alone', async () => {
    const ns = new Netns();
    try {
      const p = port++;
      const dir = join(tmp, 'lo');
      mkdirSync(dir, { recursive: true });
      const refFile = join(dir, 'ref.pcap');
      const ref = nsTcpdump(ns, 'lo', refFile, `udp port ${p}`);
      const runs = ENGINES.flatMap((engine) => (['pcap', 'pcapng'] as const).map((format) => {
        const file = join(dir, `${engine}.${format}`);
        return { engine, format, file, run: cli(ns, ['-i', 'lo', '--engine', engine, ...ID_ARGS, '--pcap-w', file, '--pcap-format', format, 'udp', 'port', String(p)]) };
      }));
      // Packets only (pcap-sidecar's default: PCAP_JSONDUMP_LOG=false): nothing on stdout.
      const bareFile = join(dir, 'bare.pcap');
      const bare = cli(ns, ['-i', 'lo', '--pcap-w', bareFile, '--no-records', 'udp', 'port', String(p)]);
      await Promise.all([ref.ready, bare.ready, ...runs.map((r) => r.run.ready)]);
      await traffic(ns, 'dns', p, 40);
      await until(() => runs.every((r) => count(r.run.out()) >= 80), 15_000);
      await new Promise((r) => setTimeout(r, 1500));
      const results = await Promise.all(runs.map((r) => interrupt(r.run)));
      const bareResult = await interrupt(bare);
      ref.child.kill('SIGINT');
      expect((await exited(ref.child, 10_000)).code).toBe(0);
      const refBytes = readFileSync(refFile);
      const refPackets = readPcap(refBytes).packets;
      expect(refPackets).toHaveLength(80);
      const expected = translateFile(refFile, 'debug');
      expect(bareResult.code, bareResult.lines.join(' | ')).toBe(0);
      expect(bareResult.out).toBe('');
      expect(summaryOf(bareResult.lines.slice(1))[0]).toBe(80);
      expect(readFileSync(bareFile).equals(refBytes), '--no-records: the file equals tcpdump\'s').toBe(true);
      for (const [i, r] of runs.entries()) {
        const res = results[i]!;
        const what = `${r.engine} ${r.format}`;
        expect(res.code, `${what}: ${res.lines.join(' | ')}`).toBe(0);
        expect(summaryOf(res.lines.slice(1))[0], what).toBe(80);
        // The records are still written (standard output), and they are the packets': the same
        // bytes as the CLI gives for tcpdump's file.
        expectSameRecords(res.out, expected, what);
        const bytes = readFileSync(r.file);
        if (r.format === 'pcap') {
          expectPackets(readPcap(bytes).packets, refPackets, what);
          expect(bytes.equals(refBytes), `${what}: the whole file equals tcpdump's`).toBe(true);
        } else {
          const ng = readPcapng(bytes);
          expect(ng.ifaces, what).toEqual([{ linktype: 1, snaplen: 262144, name: 'lo', tsresol: 6 }]);
          expectPackets(ng.packets, refPackets, what);
          const info = spawnSync('capinfos', ['-M', r.file], { encoding: 'utf8' });
          expect(info.stdout, what).toMatch(new RegExp(`Filter string = udp port ${p}`));
        }
        const rows = tshark(r.file, ['frame.interface_name', 'frame.len']);
        expect(rows, what).toHaveLength(80);
        for (const [name, len] of rows) {
          if (r.format === 'pcapng') expect(name, what).toBe('lo');
          expect(Number(len)).toBeGreaterThan(40);
        }
      }
    } finally {
      ns.destroy();
    }
  });

  it('two interfaces (lo and a veth): pcapng with both, one pcap file set per interface ({ifindex}, {iface}), a merged pcap; each equals tcpdump\'s; interfaces of two link types in one classic file: exit 2', async () => {
    const a = new Netns();
    const b = new Netns();
    try {
      const net = 1 + ((process.pid + 7) % 250);
      const index = veth(a, b, net);
      const p = port++;
      const dir = join(tmp, 'two');
      mkdirSync(dir, { recursive: true });
      const refs = { lo: join(dir, 'ref-lo.pcap'), tcv0: join(dir, 'ref-tcv0.pcap') };
      const tcpdumps = Object.entries(refs).map(([dev, file]) => nsTcpdump(a, dev, file, `udp port ${p}`));
      writeFileSync(join(dir, 'echo.mjs'), ECHO);
      writeFileSync(join(dir, 'pings.mjs'), PINGS);
      const echoes = [a.spawn(process.execPath, [join(dir, 'echo.mjs'), '127.0.0.1', String(p)]), b.spawn(process.execPath, [join(dir, 'echo.mjs'), `10.99.${net}.2`, String(p)])];
      const both = ['-i', 'lo', '-i', 'tcv*', ...ID_ARGS];
      const runs = {
        ng: cli(a, [...both, '--engine', 'tcpdump', '--pcap-w', join(dir, 'both.pcapng'), '--pcap-format', 'pcapng', 'udp', 'port', String(p)]),
        sets: cli(a, [...both, '--pcap-w', join(dir, 'part__{ifindex}_{iface}__x.pcap'), 'udp', 'port', String(p)]),
        merged: cli(a, [...both, '--pcap-w', join(dir, 'merged.pcap'), 'udp', 'port', String(p)]),
      };
      await Promise.all([...tcpdumps.map((t) => t.ready), ...Object.values(runs).map((r) => r.ready), ...echoes.map((e) => waitFor(e.stdout!, 'up', 10_000))]);
      const pings = a.spawn(process.execPath, [join(dir, 'pings.mjs'), String(p), '40', '127.0.0.1', `10.99.${net}.2`]);
      const pe = collect(pings);
      expect((await exited(pings, 60_000)).code, pe.err()).toBe(0);
      await until(() => Object.values(runs).every((r) => count(r.out()) >= 80), 15_000);
      const res = { ng: await interrupt(runs.ng), sets: await interrupt(runs.sets), merged: await interrupt(runs.merged) };
      for (const t of tcpdumps) { t.child.kill('SIGINT'); expect((await exited(t.child, 10_000)).code).toBe(0); }
      for (const [what, r] of Object.entries(res)) {
        expect(r.code, `${what}: ${r.lines.join(' | ')}`).toBe(0);
        expect(summaryOf(r.lines.slice(1))[0], what).toBe(80);
      }
      const lo = pcapPackets(refs.lo), tcv0 = pcapPackets(refs.tcv0);
      expect([lo.length, tcv0.length]).toEqual([40, 40]);

      // pcapng: one IDB per interface, in -i order, each packet with its interface's id.
      const ng = readPcapng(readFileSync(join(dir, 'both.pcapng')));
      expect(ng.ifaces.map((i) => [i.name, i.linktype])).toEqual([['lo', 1], ['tcv0', 1]]);
      expectPackets(ng.packets.filter((q) => q.iface === 0), lo, 'pcapng lo');
      expectPackets(ng.packets.filter((q) => q.iface === 1), tcv0, 'pcapng tcv0');
      const names = tshark(join(dir, 'both.pcapng'), ['frame.interface_name']).map(([n]) => n);
      expect(names.filter((n) => n === 'lo')).toHaveLength(40);
      expect(names.filter((n) => n === 'tcv0')).toHaveLength(40);

      // One set per interface, named as pcap-sidecar names its files: each is tcpdump's file.
      expect(readFileSync(join(dir, 'part__1_lo__x.pcap')).equals(readFileSync(refs.lo)), 'lo set').toBe(true);
      expect(readFileSync(join(dir, `part__${index}_tcv0__x.pcap`)).equals(readFileSync(refs.tcv0)), 'tcv0 set').toBe(true);

      // Merged: both interfaces in time order, as the records are.
      const merged = pcapPackets(join(dir, 'merged.pcap'));
      // (Ties go to the interface given first, as the merge does.)
      const byTime = [...lo.map((q, k) => ({ q, iface: 0, k })), ...tcv0.map((q, k) => ({ q, iface: 1, k }))]
        .sort((x, y) => x.q.sec - y.q.sec || x.q.nsec - y.q.nsec || x.iface - y.iface || x.k - y.k)
        .map((x) => x.q);
      expectPackets(merged, byTime, 'merged');
      const stamps = records(res.merged.out, 'merged').map((r) => [Number(r.timestamp.seconds), Number(r.timestamp.nanos)]);
      expect(stamps).toEqual(merged.map((q) => [q.sec, q.nsec]));

      // lo (Ethernet) and any (Linux cooked) cannot share a classic file, nor a pcap stream.
      for (const [args, line] of [
        [['--pcap-w', join(dir, 'bad.pcap')], /^tracecap: --pcap-w: a classic pcap stream holds one link type, and lo has link type 1 \(Ethernet\) while any has link type 113 \(Linux cooked\): put \{iface\} in the template/],
        [['--pcap-over-ip', '127.0.0.1:0'], /^tracecap: --pcap-over-ip: a classic pcap stream holds one link type, and lo has link type 1 \(Ethernet\) while any has link type 113/],
      ] as const) {
        const c = cli(a, ['-i', 'lo', '-i', 'any', ...args]);
        const { code } = await exited(c.child, 20_000);
        const lines = c.err().split('\n').filter(Boolean).filter((l) => !l.startsWith('tracecap: pcap over IP on '));
        expect(code, c.err()).toBe(2);
        expect(lines, c.err()).toHaveLength(1);
        expect(lines[0]).toMatch(line);
      }
      expect(readdirSync(dir).filter((n) => n.startsWith('bad') || n.startsWith('.'))).toEqual([]);
    } finally {
      a.destroy();
      b.destroy();
    }
  });

  it('-G 1 --gzip --move-to (SIGTERM mid-traffic), -C -W, pcapng -G 1 --gzip: whole files only, never seen partial, nothing .partial left, the files in order are tcpdump\'s packets', async () => {
    const ns = new Netns();
    try {
      const p = port++;
      const dir = join(tmp, 'rotate');
      const [tmpA, bucketA, dirB, dirC] = [join(dir, 'a'), join(shm ?? dir, 'bucket-a'), join(dir, 'b'), join(dir, 'c')];
      for (const d of [dir, dirB]) mkdirSync(d, { recursive: true });
      const refFile = join(dir, 'ref.pcap');
      const ref = nsTcpdump(ns, 'lo', refFile, `udp port ${p}`);
      const filter = ['udp', 'port', String(p)];
      const A = cli(ns, ['-i', 'lo', '--pcap-w', join(tmpA, 'p_%Y%m%d%H%M%S.pcap'), '-w', join(tmpA, 'r_%Y%m%d%H%M%S.json'), '-G', '1', '--gzip', '--move-to', bucketA, ...filter]);
      const B = cli(ns, ['-i', 'lo', '--engine', 'tcpdump', '--pcap-w', join(dirB, 'c_%H%M%S.pcap'), '-C', '0.02', '-W', '3', ...filter]);
      const C = cli(ns, ['-i', 'lo', '--pcap-w', join(dirC, 'g_%Y%m%d%H%M%S.pcapng'), '--pcap-format', 'pcapng', '-G', '1', '--gzip', ...filter]);
      await Promise.all([ref.ready, A.ready, B.ready, C.ready]);

      // A reader of the output directories: whatever it sees under a final name is whole.
      const seen = new Set<string>();
      const problems: string[] = [];
      let polling = true;
      const poll = (async () => {
        while (polling) {
          for (const d of [bucketA, dirC]) {
            let names: string[] = [];
            try { names = readdirSync(d); } catch { continue; }
            for (const n of names) {
              if (n.startsWith('.')) continue;
              if (!n.endsWith('.gz')) { problems.push(`${d}/${n}: not compressed`); continue; }
              try {
                const plain = gunzipSync(readFileSync(join(d, n)));
                if (n.endsWith('.pcap.gz')) readPcap(plain);
                else if (n.endsWith('.pcapng.gz')) readPcapng(plain);
                else records(plain.toString('utf8'), n);
                seen.add(`${d}/${n}`);
              } catch (e) { problems.push(`${d}/${n}: ${(e as Error).message}`); }
            }
          }
          await new Promise((r) => setTimeout(r, 20));
        }
      })();

      // Traffic over at least 3.5 s; A is stopped by SIGTERM while it still flows.
      const t0 = Date.now();
      let rounds = 0;
      let stoppedA: Promise<{ code: number | null; out: string; lines: string[] }> | null = null;
      while (rounds < 40 && (rounds < 4 || Date.now() - t0 < 3500)) {
        await traffic(ns, 'dns', p, 25);
        rounds++;
        if (!stoppedA && Date.now() - t0 > 2200) {
          A.child.kill('SIGTERM');
          stoppedA = exited(A.child, 30_000).then(({ code }) => ({ code, out: A.out().toString('utf8'), lines: A.err().split('\n').filter(Boolean) }));
        }
      }
      const total = rounds * 50;
      await until(() => count(B.out()) >= total && count(C.out()) >= total, 15_000);
      const [ra, rb, rc] = [await stoppedA!, await interrupt(B), await interrupt(C)];
      ref.child.kill('SIGINT');
      expect((await exited(ref.child, 10_000)).code).toBe(0);
      polling = false;
      await poll;
      expect(problems).toEqual([]);
      const refPackets = pcapPackets(refFile);
      expect(refPackets).toHaveLength(total);

      // A: everything moved (and compressed) into the bucket, nothing left behind, no hidden file.
      expect(ra.code, ra.lines.join(' | ')).toBe(0);
      const capturedA = summaryOf(ra.lines.slice(1))[0]!;
      expect(capturedA).toBeGreaterThan(0);
      expect(capturedA).toBeLessThan(total);
      expect(readdirSync(tmpA), 'left beside -w / --pcap-w').toEqual([]);
      expect(readdirSync(bucketA).filter((n) => n.startsWith('.')), 'hidden files in the bucket').toEqual([]);
      const pcapsA = written(bucketA, /^p_.*\.pcap\.gz$/);
      const jsonsA = written(bucketA, /^r_.*\.json\.gz$/);
      expect(pcapsA.length, 'files of -G 1').toBeGreaterThanOrEqual(2);
      expect(readdirSync(bucketA)).toHaveLength(pcapsA.length + jsonsA.length);
      expectPackets(pcapsA.flatMap((f) => readPcap(gunzipSync(readFileSync(f))).packets), refPackets.slice(0, capturedA), 'A: the packets before SIGTERM');
      expect(jsonsA.flatMap((f) => records(gunzipSync(readFileSync(f)).toString('utf8'), f))).toHaveLength(capturedA);
      expect(records(ra.out, 'A stdout')).toHaveLength(0); // -w took the records
      // Every file the reader saw is one of the final ones.
      for (const s of seen) if (s.startsWith(bucketA)) expect(readdirSync(bucketA)).toContain(s.slice(bucketA.length + 1));

      // B: -C 0.02 -W 3: the last three files, none past 20,000 bytes, the tail of the capture.
      expect(rb.code, rb.lines.join(' | ')).toBe(0);
      expect(summaryOf(rb.lines.slice(1))[0]).toBe(total);
      const filesB = written(dirB, /\.pcap$/);
      expect(readdirSync(dirB)).toHaveLength(3);
      expect(filesB).toHaveLength(3);
      const keptB = filesB.map((f) => { expect(statSync(f).size, f).toBeLessThanOrEqual(20_000); return readPcap(readFileSync(f)).packets; });
      const tail = keptB.flat();
      expect(tail.length, 'older files were deleted').toBeLessThan(total);
      expectPackets(tail, refPackets.slice(total - tail.length), 'B: the newest files');

      // C: compressed pcapng files, in order the whole capture.
      expect(rc.code, rc.lines.join(' | ')).toBe(0);
      const filesC = written(dirC, /\.pcapng\.gz$/);
      expect(readdirSync(dirC)).toHaveLength(filesC.length);
      expect(filesC.length).toBeGreaterThanOrEqual(2);
      const ngC = filesC.map((f) => readPcapng(gunzipSync(readFileSync(f))));
      for (const f of ngC) expect(f.ifaces.map((i) => i.name)).toEqual(['lo']);
      expectPackets(ngC.flatMap((f) => f.packets), refPackets, 'C');
      console.log(`rotation: A ${pcapsA.length}+${jsonsA.length} files (${capturedA} of ${total} packets), B kept the newest 3 (${tail.length} packets), C ${filesC.length} files; the reader saw ${seen.size} final files meanwhile`);
      if (!shm) console.warn('no tmpfs at /dev/shm: --move-to was a rename, not a copy');
    } finally {
      ns.destroy();
    }
  });

  it('--ring with --pcap-w: a trigger window is one capture file, tcpdump\'s packets (pcap with libpcap, pcapng with tcpdump); --pcap-over-ip streams every packet before any trigger', async () => {
    const ns = new Netns();
    try {
      const p = port++;
      const dir = join(tmp, 'ring');
      mkdirSync(dir, { recursive: true });
      const refFile = join(dir, 'ref.pcap');
      const ref = nsTcpdump(ns, 'lo', refFile, `udp port ${p}`);
      const ring = ['--ring', '30', '--after', '1', '--max-triggers', '1', ...ID_ARGS];
      const runs = [
        { format: 'pcap', run: cli(ns, ['-i', 'lo', '--engine', 'libpcap', ...ring, '--pcap-w', join(dir, 'w_%Y%m%d%H%M%S.pcap'), 'udp', 'port', String(p)]) },
        { format: 'pcapng', run: cli(ns, ['-i', 'lo', '--engine', 'tcpdump', ...ring, '--pcap-w', join(dir, 'w_%Y%m%d%H%M%S.pcapng'), '--pcap-format', 'pcapng', '--pcap-over-ip', '127.0.0.1:0', 'udp', 'port', String(p)]) },
      ];
      await Promise.all([ref.ready, ...runs.map((r) => r.run.ready)]);
      writeFileSync(join(dir, 'client.mjs'), POI_CLIENT);
      const streamFile = join(dir, 'stream.pcap');
      const poiPort = /^tracecap: pcap over IP on 127\.0\.0\.1:(\d+)$/m.exec(runs[1]!.run.err())![1]!;
      const client = ns.spawn(process.execPath, [join(dir, 'client.mjs'), '127.0.0.1', poiPort, streamFile]);
      await waitFor(client.stdout!, 'connected', 10_000);
      await traffic(ns, 'dns', p, 20);
      await until(() => { try { return pcapPackets(refFile).length >= 40; } catch { return false; } }, 15_000);
      await new Promise((r) => setTimeout(r, 1200)); // tcpdump's engine hands its block over within 1 s
      expect(readdirSync(dir).filter((n) => n.startsWith('w_')), 'nothing before the trigger').toEqual([]);
      // The stream is live: every packet already, no trigger needed.
      await until(() => { try { return pcapPackets(streamFile).length >= 40; } catch { return false; } }, 5_000);
      expectPackets(pcapPackets(streamFile), pcapPackets(refFile), 'the stream before the trigger');
      for (const r of runs) r.run.child.kill('SIGUSR1');
      const codes = await Promise.all(runs.map((r) => exited(r.run.child, 20_000)));
      ref.child.kill('SIGINT');
      expect((await exited(ref.child, 10_000)).code).toBe(0);
      const refBytes = readFileSync(refFile);
      const expected = translateFile(refFile, 'debug');
      for (const [i, r] of runs.entries()) {
        const lines = r.run.err().split('\n').filter((l) => l && !l.startsWith('tracecap: pcap over IP on'));
        expect(codes[i]!.code, lines.join(' | ')).toBe(0);
        expect(lines[2]).toMatch(/^tracecap: lo: window 1 closed: 40 packets written, next serial 40$/);
        expectSameRecords(r.run.out().toString('utf8'), expected, r.format);
        const files = readdirSync(dir).filter((n) => n.startsWith('w_') && n.endsWith(`.${r.format}`));
        expect(files, r.format).toHaveLength(1);
        const bytes = readFileSync(join(dir, files[0]!));
        if (r.format === 'pcap') expect(bytes.equals(refBytes), 'the window is tcpdump\'s file').toBe(true);
        else expectPackets(readPcapng(bytes).packets, readPcap(refBytes).packets, 'window pcapng');
      }
      expect((await exited(client, 10_000)).code).toBe(0);
      expect(readFileSync(streamFile).equals(refBytes), 'the stream is tcpdump\'s file').toBe(true);
    } finally {
      ns.destroy();
    }
  });

  it('--pcap-over-ip: a fast client\'s stream is the capture (the --pcap-w file to the byte); a stalled one is cut off in one line while the capture goes on; bind errors', async () => {
    const ns = new Netns();
    try {
      // Small socket buffers, so that the stalled client's kernel takes little and its queue fills.
      ns.run('sysctl', ['-q', '-w', 'net.ipv4.tcp_rmem=4096 16384 65536', 'net.ipv4.tcp_wmem=4096 16384 65536']);
      const p = port++;
      const dir = join(tmp, 'poi');
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'client.mjs'), POI_CLIENT);
      writeFileSync(join(dir, 'bulk.mjs'), BULK);
      const file = join(dir, 'all.pcap');
      const c = cli(ns, ['-i', 'lo', '--verbosity', 'info', '--pcap-over-ip', '127.0.0.1:0', '--pcap-w', file, 'tcp', 'port', String(p)]);
      await c.ready;
      const at = /^tracecap: pcap over IP on 127\.0\.0\.1:(\d+)$/m.exec(c.err());
      expect(at, c.err()).not.toBeNull();
      const poiPort = at![1]!;
      const streamFile = join(dir, 'stream.pcap');
      const fast = ns.spawn(process.execPath, [join(dir, 'client.mjs'), '127.0.0.1', poiPort, streamFile]);
      const slow = ns.spawn(process.execPath, [join(dir, 'client.mjs'), '127.0.0.1', poiPort]);
      await Promise.all([waitFor(fast.stdout!, 'connected', 10_000), waitFor(slow.stdout!, 'connected', 10_000)]);

      // The address is taken: a second one cannot listen (exit 2, one line); a bad one is a usage error.
      const busy = cli(ns, ['-i', 'lo', '--pcap-over-ip', `127.0.0.1:${poiPort}`]);
      expect((await exited(busy.child, 20_000)).code, busy.err()).toBe(2);
      expect(busy.err()).toBe(`tracecap: --pcap-over-ip 127.0.0.1:${poiPort}: cannot listen: the address is in use\n`);
      const bad = cli(ns, ['-i', 'lo', '--pcap-over-ip', 'nowhere']);
      expect((await exited(bad.child, 20_000)).code).toBe(1);
      expect(bad.err()).toMatch(/^tracecap: --pcap-over-ip needs ADDR:PORT \(IPv6 as \[ADDR\]:PORT\), not "nowhere"\nusage: tracecap/);

      // 24 MB through lo, far more than the stalled client's buffers and its 4 MiB queue.
      const bulk = async (mb: number) => {
        const t = ns.spawn(process.execPath, [join(dir, 'bulk.mjs'), String(p), String(mb)]);
        const e = collect(t);
        expect((await exited(t, 120_000)).code, e.err()).toBe(0);
        expect(Number(e.out().toString())).toBe(mb << 20);
      };
      await bulk(24);
      await until(() => c.err().includes('cut off'), 15_000);
      // The capture and the fast client go on.
      await bulk(2);
      await new Promise((r) => setTimeout(r, 1000));
      const r = await interrupt(c);
      expect((await exited(fast, 20_000)).code).toBe(0);
      expect(r.code, r.lines.join(' | ')).toBe(0);
      const cut = r.lines.filter((l) => l.includes('cut off'));
      expect(cut, r.lines.join(' | ')).toHaveLength(1);
      expect(cut[0]).toMatch(/^tracecap: pcap over IP: client 127\.0\.0\.1:\d+ cut off: more than 4194304 bytes waited for it \(it reads too slowly\)$/);
      const captured = summaryOf(r.lines.filter((l) => !l.includes('cut off') && !/pcap over IP on|listening on/.test(l)))[0]!;
      const stream = readFileSync(streamFile);
      const written = readFileSync(file);
      const packets = readPcap(written).packets;
      expect(packets.length).toBe(captured);
      expect(records(r.out, 'poi')).toHaveLength(captured);
      expect(captured).toBeGreaterThan(15_000);
      // Both transfers are there: the capture went on after the cut (a SYN to port p each).
      const syns = packets.filter((q) => q.data[23] === 6 && Buffer.from(q.data).readUInt16BE(36) === p && (q.data[47]! & 0x12) === 0x02);
      expect(syns).toHaveLength(2);
      expectPackets(readPcap(stream).packets, packets, 'the fast client\'s stream');
      expect(stream.equals(written), 'stream and file, byte for byte').toBe(true);
      console.log(`pcap over IP: ${captured} packets (${written.length} bytes) to the fast client; ${r.lines.at(-1)}`);
    } finally {
      ns.destroy();
    }
  });
});
