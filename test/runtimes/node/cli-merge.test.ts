// Several capture files as one capture (issue 23), as a user runs it: `tracecap a b c` gives the
// records `tracecap` gives for mergecap's merge of the same files (`mergecap -w - a b c`), but for
// each record's `file`, at INFO and DEBUG: rotated parts of one capture, pcap and pcapng parts,
// different link types, µs and ns files, per-node captures with interleaved times. Also -r, a
// directory and a pattern; threads; a damaged file.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { readPcap, writePcap } from '../../helpers/pcap-records.js';
import * as B from '../../helpers/build.js';

const BIN = 'bin/tracecap.js';
const HTTP = new URL('../../../../shared/corpus/http/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'tracecap-merge-'));
const at = (...p: string[]) => join(tmp, ...p);

function run(args: string[], cwd?: string) {
  const r = spawnSync(process.execPath, [join(process.cwd(), BIN), ...args], { cwd, maxBuffer: 256 << 20 });
  return { code: r.status, out: r.stdout.toString('utf8'), err: r.stderr.toString('utf8') };
}
function tool(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr}`);
}
const records = (out: string) => out.split('\n').filter((l) => l).map((l) => JSON.parse(l));
const withoutFile = (r: any) => { const { file, ...rest } = r; void file; return rest; };

/** `tracecap` on the files vs `tracecap` on mergecap's merge of them: the same records but for `file`. */
function sameAsMergecap(files: string[], verbosity: 'info' | 'debug'): any[] {
  const merged = at(`mergecap-${files.map((f) => basename(f)).join('+')}.pcapng`);
  tool('mergecap', ['-w', merged, ...files]);
  const ours = run(['--verbosity', verbosity, ...files]);
  const theirs = run(['--verbosity', verbosity, merged]);
  expect(ours.err).toBe('');
  expect(ours.code).toBe(0);
  const got = records(ours.out);
  expect(got.length).toBeGreaterThan(0);
  expect(got.map(withoutFile)).toEqual(records(theirs.out));
  return got;
}

/** Time stamps (ns) that two different files share: mergecap orders those the other way round. */
function crossTies(files: string[]): number {
  const seen = new Map<bigint, number>();
  let ties = 0;
  files.forEach((f, k) => {
    for (const r of records(run(['--verbosity', 'info', f]).out)) {
      const t = BigInt(r.timestamp.seconds) * 1_000_000_000n + BigInt(r.timestamp.nanos);
      const other = seen.get(t);
      if (other !== undefined && other !== k) ties++;
      seen.set(t, k);
    }
  });
  return ties;
}

const original = HTTP + 'h1-keepalive-mtu1500.pcap';
const parts = ['part1.pcap', 'part2.pcap', 'part3.pcap'].map((p) => at(p));

beforeAll(() => {
  // Rotated parts of one capture, cut at packets 8 and 300 (no two packets across a cut share a
  // time stamp); the POST of frame 8 is answered in frame 9, in the next part.
  tool('editcap', ['-F', 'pcap', '-r', original, parts[0]!, '1-8']);
  tool('editcap', ['-F', 'pcap', '-r', original, parts[1]!, '9-300']);
  tool('editcap', ['-F', 'pcap', '-r', original, parts[2]!, '301-690']);
  // The same parts, the middle one as pcapng, one in nanoseconds.
  tool('editcap', ['-F', 'pcapng', parts[1]!, at('part2.pcapng')]);
  tool('editcap', ['-F', 'nsecpcap', parts[2]!, at('part3-ns.pcap')]);
  // Three nodes' captures of other traffic over the same 60 ms: each shifted to start at the same
  // instant plus a few µs, so that their packets interleave.
  const start = 1_800_000_000;
  ['h1-resets-mtu1500.pcap', 'tls-sni.pcap', 'dns-udp.pcap'].forEach((f, k) => {
    const { linktype, packets } = readPcap(readFileSync(HTTP + f));
    const t0 = BigInt(packets[0]!.sec) * 1_000_000_000n + BigInt(packets[0]!.nsec);
    const shifted = packets.map((p) => {
      const t = BigInt(p.sec) * 1_000_000_000n + BigInt(p.nsec) - t0 + BigInt(start) * 1_000_000_000n + BigInt(k * 3_007);
      return { ...p, sec: Number(t / 1_000_000_000n), nsec: Number(t % 1_000_000_000n) };
    });
    writeFileSync(at(`node${k}.pcap`), writePcap(linktype, shifted));
  });
});

describe('tracecap FILE FILE …: the records of mergecap\'s merge, each naming its file', () => {
  for (const verbosity of ['info', 'debug'] as const) {
    it(`rotated parts of one capture (${verbosity}): also the records of the capture itself`, () => {
      expect(crossTies(parts)).toBe(0);
      const got = sameAsMergecap(parts, verbosity);
      expect(got.map(withoutFile)).toEqual(records(run(['--verbosity', verbosity, original]).out));
      expect(got.map((r) => r.file)).toEqual([...Array(8).fill('part1.pcap'), ...Array(292).fill('part2.pcap'), ...Array(390).fill('part3.pcap')]);
    });
    it(`pcap and pcapng parts, µs and ns (${verbosity})`, () => {
      const files = [parts[0]!, at('part2.pcapng'), at('part3-ns.pcap')];
      expect(crossTies(files)).toBe(0);
      const got = sameAsMergecap(files, verbosity);
      if (verbosity === 'debug') {
        // The ns file's interface is unlike the others, so not all files have the same ones:
        // every file's interface is its own (mergecap's "all" falls back to "none").
        expect([...new Set(got.map((r) => `${r.file} ${r.iface.index}`))]).toEqual(['part1.pcap 0', 'part2.pcapng 1', 'part3-ns.pcap 2']);
        // Without the ns file, the pcap and the pcapng part are one interface.
        expect([...new Set(sameAsMergecap(files.slice(0, 2), verbosity).map((r) => `${r.file} ${r.iface.index}`))]).toEqual(['part1.pcap 0', 'part2.pcapng 0']);
      }
    });
    it(`different link types: the interfaces one after another (${verbosity})`, () => {
      const files = [HTTP + 'h2c-any-sll2.pcap', HTTP + 'dns-udp.pcap', HTTP + 'h1-keepalive-lo.pcap'];
      expect(crossTies(files)).toBe(0);
      const got = sameAsMergecap(files, verbosity);
      expect(got).toHaveLength(33 + 30 + 86);
    });
    it(`three nodes' captures with interleaved time stamps (${verbosity})`, () => {
      const files = [0, 1, 2].map((k) => at(`node${k}.pcap`));
      expect(crossTies(files)).toBe(0);
      const got = sameAsMergecap(files, verbosity);
      // Interleaved: the file changes many times.
      const switches = got.filter((r, i) => i > 0 && r.file !== got[i - 1].file).length;
      expect(switches).toBeGreaterThan(20);
      expect(got.map((r) => r.pcap.num)).toEqual(got.map((_, i) => String(i)));
    });
  }
  it('an HTTP exchange cut by the rotation is still paired, with its trace, at DEBUG', () => {
    const got = records(run(parts).out);
    const req = got[7], resp = got[8];
    expect([req.file, resp.file]).toEqual(['part1.pcap', 'part2.pcap']);
    expect(req.HTTP.method).toBe('POST');
    expect(resp.HTTP.request.method).toBe('POST');
    expect(resp.HTTP.status).toMatch(/^200/);
    expect(resp['logging.googleapis.com/trace']).toBe(req['logging.googleapis.com/trace']);
    expect(req['logging.googleapis.com/trace']).toMatch(/^projects\/\/traces\/[0-9a-f]{32}$/);
    // One connection: one flow and one interface across the parts.
    expect(new Set(got.map((r) => r.flow)).size).toBe(1);
  });
  it('parts cut where two packets share a time stamp: the capture\'s own order (mergecap swaps them)', () => {
    tool('editcap', ['-F', 'pcap', '-c', '400', original, at('rot.pcap')]);
    const rot = spawnSync('sh', ['-c', `ls ${at('rot_*.pcap')}`], { encoding: 'utf8' }).stdout.split('\n').filter((l) => l);
    expect(rot).toHaveLength(2);
    expect(crossTies(rot)).toBeGreaterThan(0);
    expect(records(run(rot).out).map(withoutFile)).toEqual(records(run([original]).out));
  });
});

describe('tracecap: the ways to name several files', () => {
  let ref = '';
  beforeAll(() => {
    mkdirSync(at('dir'));
    for (const p of parts) copyFileSync(p, at('dir', basename(p)));
    // Not captures: left out of the directory's files.
    writeFileSync(at('dir', 'notes.txt'), 'not a capture\n');
    writeFileSync(at('dir', 'part4.pcap.partial'), new Uint8Array(0));
    ref = run(parts).out;
  });
  it('-r FILE -r FILE, a directory, a quoted pattern and the files give the same bytes', () => {
    expect(ref.length).toBeGreaterThan(0);
    expect(run(parts.flatMap((p) => ['-r', p])).out).toBe(ref);
    expect(run([at('dir')]).out).toBe(ref);
    expect(run(['-r', at('dir')]).out).toBe(ref);
    expect(run([at('dir', 'part*.pcap')]).out).toBe(ref);
    expect(run(['part[1-3].pcap'], tmp).out).toBe(ref);
  });
  it('the expression starts at the first word that names no capture; with -r every word is the expression', () => {
    const tcp = run([...parts, 'tcp', 'port', '28091']);
    expect(tcp.code).toBe(0);
    expect(tcp.out).toBe(ref);
    const none = run([...parts, 'udp']);
    expect(none.code).toBe(0);
    expect(none.out).toBe('');
    const r = run(['-r', parts[0]!, '-r', parts[1]!, 'tcp', 'port', '28091']);
    expect(records(r.out)).toHaveLength(300);
  });
  it('a file name that names no capture is taken for the expression, and the error says so', () => {
    const missing = at('missing.pcap');
    expect(run([parts[0]!, missing])).toMatchObject({ code: 2, out: '', err: `tracecap: bad filter "${missing}": syntax error (${missing} names no capture file here)\n` });
    expect(run([parts[0]!, 'port', 'eighty']).err).not.toMatch(/names no capture file/);
  });
  it('--threads 2 gives the bytes of one thread', () => {
    const files = [...parts, at('node0.pcap'), at('node1.pcap'), at('node2.pcap')];
    for (const v of ['info', 'debug']) {
      const one = run(['--threads', '1', '--verbosity', v, ...files]);
      const two = run(['--threads', '2', '--verbosity', v, ...files]);
      expect(one.code).toBe(0);
      expect(two.code).toBe(0);
      expect(records(one.out)).toHaveLength(690 + 96 + 73 + 30);
      expect(two.out).toBe(one.out);
    }
  });
  it('-c N stops the merged capture after N records', () => {
    expect(records(run(['-c', '10', ...parts]).out).map((r) => r.file)).toEqual([...Array(8).fill('part1.pcap'), 'part2.pcap', 'part2.pcap']);
  });
  it('a directory without captures and a pattern that matches nothing: one line, exit 2', () => {
    mkdirSync(at('empty'));
    writeFileSync(at('empty', 'x.txt'), 'x');
    expect(run([at('empty')])).toMatchObject({ code: 2, out: '', err: `tracecap: ${at('empty')}: no pcap or pcapng files in this directory\n` });
    expect(run(['-r', parts[0]!, '-r', at('nope*.pcap')])).toMatchObject({ code: 2, err: `tracecap: ${at('nope*.pcap')}: no such file\n` });
    expect(run(['-r', parts[0]!, '-r', '-'])).toMatchObject({ code: 1, err: expect.stringContaining('standard input (-) cannot be merged with files') });
  });
});

describe('tracecap: a damaged file among several', () => {
  it('a second file cut short: its records before the cut, the other files to their end, one line naming it with offset and packet, exit 2', () => {
    const part2 = readFileSync(parts[1]!);
    // part2's records: 24-byte header, then 16 + captured bytes each; cut inside its 101st.
    const { packets } = readPcap(part2);
    let off = 24;
    for (let i = 0; i < 100; i++) off += 16 + packets[i]!.data.length;
    const cut = at('part2-cut.pcap');
    writeFileSync(cut, part2.subarray(0, off + 30));
    for (const threads of ['1', '2']) {
      const r = run(['--threads', threads, parts[0]!, cut, parts[2]!]);
      expect(r.code).toBe(2);
      expect(r.err).toBe(`tracecap: ${cut}: capture is truncated: it ends inside a record at byte offset ${off} (packet 101)\n`);
      const got = records(r.out);
      expect(got.map((x) => x.file)).toEqual([...Array(8).fill('part1.pcap'), ...Array(100).fill('part2-cut.pcap'), ...Array(390).fill('part3.pcap')]);
      // The same records the whole capture has for those packets (the analysis goes on over the gap).
      const whole = records(run([original]).out);
      expect(got.slice(0, 108).map(withoutFile).map((x) => x.timestamp)).toEqual(whole.slice(0, 108).map((x) => x.timestamp));
    }
    // The message is the one the file alone gives.
    expect(run([cut]).err).toBe(`tracecap: ${cut}: capture is truncated: it ends inside a record at byte offset ${off} (packet 101)\n`);
  });
  it('a file that is no capture: the others are merged, one line for it, exit 2', () => {
    const junk = at('junk.pcap');
    writeFileSync(junk, B.ascii('this is not a capture at all'));
    const r = run(['-r', parts[0]!, '-r', junk, '-r', parts[1]!]);
    expect(r.code).toBe(2);
    expect(r.err).toBe(`tracecap: ${junk}: not a pcap or pcapng capture (unknown magic number) at byte offset 0 (packet 1)\n`);
    expect(records(r.out)).toHaveLength(300);
  });
});
