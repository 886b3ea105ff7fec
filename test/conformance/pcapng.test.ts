// pcapng reader conformance: every capture of the pcapng-test-generator corpus
// (../shared/corpus/pcapng-conformance/output_{le,be}/**/testNNN.pcapng), translated at DEBUG
// verbosity and checked against three oracles:
//   1. the corpus' own testNNN.txt (block counts written by the generator),
//   2. tshark (frame count, frame.time_epoch, frame.len / frame.cap_len, interface id and name),
//   3. a minimal independent pcapng block walker below (which block and which IDB each packet
//      came from), used where tshark 4.0 is known to be wrong or silent; each such case is
//      listed in DEVIATIONS with its reason.
// Also: feeding the file in 1-byte chunks and in random chunk sizes must give byte-identical output.
//
// Run: npm run build && npx vitest run test/conformance

import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { HAS_TSHARK, SHARED, filesUnder, lines, pool, randomChunks, runTshark, seedOf, translate, type Translation } from '../diff/support.js';

const CORPUS = join(SHARED, 'corpus/pcapng-conformance');
const FILES = [...filesUnder(join(CORPUS, 'output_le'), ['.pcapng']), ...filesUnder(join(CORPUS, 'output_be'), ['.pcapng'])];
const rel = (f: string) => relative(CORPUS, f);

/**
 * Where an oracle is known to disagree with the pcapng specification, and what the test does
 * instead of trusting it. These are documented, not silently skipped: each branch below that
 * uses one of them also asserts the exact shape of the disagreement.
 */
const DEVIATIONS = {
  customBlocks:
    'tshark 4.0 turns every Custom Block (CB 0x00000BAD / DCB 0x40000BAD) into a frame of its own ' +
    '("PCAPNG Custom Block", field frame.cb_pen, no frame.interface_id). A CB is not a packet ' +
    '(pcapng §4.8), so those frames are removed from tshark\'s count, and the number removed must ' +
    'equal the CB + DCB count of the .txt.',
  spbNoTimestamp:
    'A Simple Packet Block has no timestamp (pcapng §4.4); tshark leaves frame.time_epoch unset. ' +
    'tracecap reports the Unix epoch (seconds 0, nanos 0, meta.timestamp 1970-01-01T00:00:00Z) for ' +
    'SPB packets. Checked against the block walker: an unset tshark timestamp must be an SPB.',
  multiSectionIfaceName:
    'Interface ids are local to a section (pcapng §4.1/§4.2: the IDBs of a new SHB start again at 0). ' +
    'tshark 4.0.17 reports frame.interface_id section-locally but resolves frame.interface_name ' +
    'against the file-wide list of IDBs by that local id, so packets of the 2nd and later sections ' +
    'show the name of an IDB of an earlier section (e.g. test201 packet 2: tshark "eth0", the ' +
    'section\'s IDB 0 is "silly ethernet interface 2"). For those packets the name is checked ' +
    'against the block walker, and tshark\'s name must be that of the file-wide IDB at the local id.',
} as const;

// ─────────────────────────── oracle 1: the .txt ───────────────────────────

function blockCounts(txt: string): Record<string, number> {
  const m = /Block counts:\n((?:\s+\w+: \d+\n?)+)/.exec(txt);
  if (!m) throw new Error('no "Block counts:" section');
  const out: Record<string, number> = {};
  for (const [, k, v] of m[1]!.matchAll(/(\w+): (\d+)/g)) out[k!] = Number(v);
  return out;
}

// ─────────────────────────── oracle 3: block walker ───────────────────────────

interface Idb { linkType: number; snaplen: number; name: string | null; globalIndex: number }
interface PacketBlock { type: 'EPB' | 'SPB' | 'PB'; offset: number; section: number; iface: number; idb: Idb }
interface Walk { packets: PacketBlock[]; customBlocks: number; idbs: Idb[]; sections: number }

/** Minimal pcapng walker (independent of the core): block types, sections, IDB names. */
function walkPcapng(buf: Uint8Array): Walk {
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const packets: PacketBlock[] = [];
  const idbs: Idb[] = [];
  let section: Idb[] = [];
  let sections = 0;
  let customBlocks = 0;
  let le = true;
  const u16 = (o: number) => dv.getUint16(o, le);
  const u32 = (o: number) => dv.getUint32(o, le);
  for (let p = 0; p + 12 <= buf.length; ) {
    if (dv.getUint32(p, true) === 0x0a0d0d0a) {
      const bom = dv.getUint32(p + 8, true);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else throw new Error(`bad byte-order magic at ${p}`);
      section = [];
      sections++;
    }
    const type = u32(p), len = u32(p + 4), body = p + 8;
    if (len < 12 || len % 4 || p + len > buf.length || u32(p + len - 4) !== len) throw new Error(`bad block at ${p}`);
    if (type === 1) {
      let name: string | null = null;
      for (let o = body + 8; o + 4 <= p + len - 4; ) {
        const code = u16(o), olen = u16(o + 2);
        if (code === 0) break;
        if (code === 2) {
          let v = buf.subarray(o + 4, o + 4 + olen);
          while (v.length && v[v.length - 1] === 0) v = v.subarray(0, -1);
          name = new TextDecoder().decode(v);
        }
        o += 4 + ((olen + 3) & ~3);
      }
      const idb: Idb = { linkType: u16(body), snaplen: u32(body + 4), name, globalIndex: idbs.length };
      section.push(idb);
      idbs.push(idb);
    } else if (type === 6 || type === 2 || type === 3) {
      const iface = type === 6 ? u32(body) : type === 2 ? u16(body) : 0;
      const idb = section[iface];
      if (!idb) throw new Error(`packet block at ${p} names unknown interface ${iface}`);
      packets.push({ type: type === 6 ? 'EPB' : type === 2 ? 'PB' : 'SPB', offset: p, section: sections, iface, idb });
    } else if (type === 0x00000bad || type === 0x40000bad) customBlocks++;
    p += len;
  }
  return { packets, customBlocks, idbs, sections };
}

// ─────────────────────────── oracle 2: tshark ───────────────────────────

interface Frame {
  number: number; cbPen?: string; section?: string; ifaceId?: string; ifaceName?: string;
  timeEpoch?: string; len?: string; capLen?: string;
}

const TSHARK_FIELDS = ['frame.number', 'frame.cb_pen', 'frame.section_number', 'frame.interface_id', 'frame.interface_name',
  'frame.time_epoch', 'frame.len', 'frame.cap_len'];

async function tsharkFrames(file: string): Promise<Frame[]> {
  // -T json keeps control characters of if_name intact (test102 names an interface "silly!\r\nethernet interface 2").
  const out = await runTshark(['-r', file, '-n', '-T', 'json', ...TSHARK_FIELDS.flatMap((f) => ['-e', f])]);
  const docs = JSON.parse(out) as Array<{ _source: { layers: Record<string, string[]> } }>;
  return docs.map((d) => {
    const l = d._source.layers;
    const one = (k: string) => l[k]?.[0];
    return {
      number: Number(one('frame.number')), cbPen: one('frame.cb_pen'), section: one('frame.section_number'),
      ifaceId: one('frame.interface_id'), ifaceName: one('frame.interface_name'), timeEpoch: one('frame.time_epoch'),
      len: one('frame.len'), capLen: one('frame.cap_len'),
    };
  });
}

// ─────────────────────────── helpers ───────────────────────────

/** Go time.Time.Format(time.RFC3339Nano) in UTC. */
function rfc3339Nano(seconds: number, nanos: number): string {
  const base = new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '');
  const frac = nanos ? '.' + String(nanos).padStart(9, '0').replace(/0+$/, '') : '';
  return `${base}${frac}Z`;
}

/** Our timestamp as tshark prints frame.time_epoch: seconds, a dot, 9-digit nanoseconds. */
const epochText = (r: Rec) => `${r.timestamp.seconds}.${String(r.timestamp.nanos).padStart(9, '0')}`;

interface Rec {
  timestamp: { seconds: number; nanos: number };
  meta: { len: number; cap_len: number; timestamp: string };
  iface: { index: number; name: string };
  pcap: { num: string };
}

interface Case {
  file: string; name: string; data: Uint8Array; txt: Record<string, number>; walk: Walk;
  frames: Frame[] | Error; whole: Translation; records: Rec[];
}

const cases = new Map<string, Case>();
/** How often each documented deviation was met (reported at the end; guards against a vacuous pass). */
const met = { spbNoTimestamp: 0, multiSectionIfaceName: 0, customBlockFrames: 0, timestampsCompared: 0, namesCompared: 0 };

beforeAll(async () => {
  if (!HAS_TSHARK) throw new Error('tshark is not installed (Debian package tshark)');
  await pool(FILES, 4, async (file) => {
    const data = new Uint8Array(readFileSync(file));
    const txt = blockCounts(readFileSync(file.replace(/\.pcapng$/, '.txt'), 'utf8'));
    const frames = await tsharkFrames(file).catch((e: Error) => e);
    const whole = await translate(data, 'debug');
    const records = lines(whole.bytes).map((l) => JSON.parse(l) as Rec);
    cases.set(file, { file, name: rel(file), data, txt, walk: walkPcapng(data), frames, whole, records });
  });
});

/** tshark's packet frames (custom-block frames removed, see DEVIATIONS.customBlocks). */
function packetFrames(c: Case): Frame[] {
  if (c.frames instanceof Error) throw new Error(`tshark could not read ${c.name} (no documented reason): ${c.frames.message}`);
  return c.frames.filter((f) => f.cbPen === undefined);
}

/** Collects mismatches and fails with the first 20. */
function report(name: string, problems: string[]): void {
  if (problems.length) {
    expect.fail(`${name}: ${problems.length} mismatch(es)\n  ${problems.slice(0, 20).join('\n  ')}${problems.length > 20 ? '\n  …' : ''}`);
  }
}

it('finds the corpus (48 files: 24 little-endian, 24 big-endian)', () => {
  expect(FILES.length).toBe(48);
  expect(FILES.filter((f) => rel(f).startsWith('output_be/')).length).toBe(24);
});

describe.each(FILES.map((f) => [rel(f), f] as const))('%s', (_name, file) => {
  const get = () => cases.get(file)!;

  it('reads the whole file without a capture error', () => {
    expect(get().whole.error).toBeNull();
  });

  it('record count = packet blocks of the .txt (EPB+SPB+PB) = block walker = tshark packet frames', () => {
    const c = get();
    const expected = (c.txt.EPB ?? 0) + (c.txt.SPB ?? 0) + (c.txt.PB ?? 0);
    expect(c.walk.packets.length, 'block walker vs .txt').toBe(expected);
    expect(c.records.length, 'tracecap records vs .txt').toBe(expected);
    const frames = packetFrames(c);
    expect(frames.length, 'tshark packet frames vs .txt').toBe(expected);
    // DEVIATIONS.customBlocks: tshark's raw count is packets + custom blocks; say so exactly.
    const cbFrames = (c.frames as Frame[]).length - frames.length;
    met.customBlockFrames += cbFrames;
    expect(cbFrames, `tshark frames that are custom blocks (${DEVIATIONS.customBlocks})`).toBe((c.txt.CB ?? 0) + (c.txt.DCB ?? 0));
    expect(c.walk.customBlocks).toBe((c.txt.CB ?? 0) + (c.txt.DCB ?? 0));
    c.records.forEach((r, i) => expect(r.pcap.num).toBe(String(i)));
  });

  it('timestamp.seconds/nanos = tshark frame.time_epoch (and meta.timestamp is its RFC3339Nano)', () => {
    const c = get();
    const frames = packetFrames(c);
    const problems: string[] = [];
    c.records.forEach((r, i) => {
      const f = frames[i], blk = c.walk.packets[i];
      if (!f || !blk) return; // count mismatch is reported by the count test
      const where = `packet ${i + 1} (tshark frame ${f.number}, ${blk.type} at byte ${blk.offset})`;
      if (f.timeEpoch === undefined) {
        // DEVIATIONS.spbNoTimestamp
        met.spbNoTimestamp++;
        if (blk.type !== 'SPB') problems.push(`${where}: tshark has no timestamp but the block is not an SPB`);
        else if (r.timestamp.seconds !== 0 || r.timestamp.nanos !== 0) problems.push(`${where}: SPB timestamp expected 0.000000000, got ${epochText(r)}`);
      } else if ((met.timestampsCompared++, epochText(r) !== f.timeEpoch)) {
        problems.push(`${where}: timestamp expected ${f.timeEpoch} (tshark), got ${epochText(r)}`);
      }
      const iso = rfc3339Nano(r.timestamp.seconds, r.timestamp.nanos);
      if (r.meta.timestamp !== iso) problems.push(`${where}: meta.timestamp expected ${iso}, got ${r.meta.timestamp}`);
    });
    report(c.name, problems);
  });

  it('meta.len / meta.cap_len = tshark frame.len / frame.cap_len', () => {
    const c = get();
    const frames = packetFrames(c);
    const problems: string[] = [];
    c.records.forEach((r, i) => {
      const f = frames[i];
      if (!f) return;
      if (String(r.meta.len) !== f.len) problems.push(`packet ${i + 1}: meta.len expected ${f.len}, got ${r.meta.len}`);
      if (String(r.meta.cap_len) !== f.capLen) problems.push(`packet ${i + 1}: meta.cap_len expected ${f.capLen}, got ${r.meta.cap_len}`);
    });
    report(c.name, problems);
  });

  it('iface.index = tshark frame.interface_id; iface.name = the IDB if_name', () => {
    const c = get();
    const frames = packetFrames(c);
    const problems: string[] = [];
    c.records.forEach((r, i) => {
      const f = frames[i], blk = c.walk.packets[i];
      if (!f || !blk) return;
      const where = `packet ${i + 1} (section ${blk.section}, interface ${blk.iface})`;
      if (String(r.iface.index) !== f.ifaceId) problems.push(`${where}: iface.index expected ${f.ifaceId} (tshark), got ${r.iface.index}`);
      if (String(blk.iface) !== f.ifaceId) problems.push(`${where}: tshark frame.interface_id ${f.ifaceId} differs from the block's interface`);
      if (blk.idb.name === null) return; // no if_name: nothing to compare the name with
      met.namesCompared++;
      if (r.iface.name !== blk.idb.name) problems.push(`${where}: iface.name expected ${JSON.stringify(blk.idb.name)} (IDB if_name), got ${JSON.stringify(r.iface.name)}`);
      if (f.ifaceName === r.iface.name) return;
      if (blk.section > 1) {
        // DEVIATIONS.multiSectionIfaceName: tshark names the file-wide IDB at the local id.
        met.multiSectionIfaceName++;
        const wrong = c.walk.idbs[blk.iface]?.name ?? undefined;
        if (f.ifaceName !== wrong) problems.push(`${where}: tshark name ${JSON.stringify(f.ifaceName)} is neither ours nor the documented tshark deviation ${JSON.stringify(wrong)}`);
      } else {
        problems.push(`${where}: iface.name expected ${JSON.stringify(f.ifaceName)} (tshark), got ${JSON.stringify(r.iface.name)}`);
      }
    });
    report(c.name, problems);
  });

  it('1-byte chunks give byte-identical output', async () => {
    const c = get();
    const t = await translate(c.data, 'debug', () => 1);
    expect(t.error).toEqual(c.whole.error);
    expect(Buffer.from(t.bytes).equals(Buffer.from(c.whole.bytes))).toBe(true);
  });

  it('random chunk sizes give byte-identical output', async () => {
    const c = get();
    for (let run = 0; run < 5; run++) {
      const t = await translate(c.data, 'debug', randomChunks(seedOf(`${c.name}#${run}`)));
      expect(t.error, `run ${run}`).toEqual(c.whole.error);
      expect(Buffer.from(t.bytes).equals(Buffer.from(c.whole.bytes)), `run ${run}`).toBe(true);
    }
  });
});

it('exercised every oracle and documented deviation (not a vacuous pass)', () => {
  console.log(`pcapng conformance: ${JSON.stringify(met)}`);
  expect(met.timestampsCompared).toBeGreaterThan(50);
  expect(met.namesCompared).toBeGreaterThan(50);
  expect(met.spbNoTimestamp).toBeGreaterThan(0);
  expect(met.multiSectionIfaceName).toBeGreaterThan(0);
  expect(met.customBlockFrames).toBeGreaterThan(0);
});
