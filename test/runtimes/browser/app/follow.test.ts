// follow.ts in Node (Blob and the same code the worker runs, node:zlib as the decompressor):
// one connection followed from the file's bytes by the offsets of its packets, as tshark
// follows it, and a wrong offset said as such.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { CaptureSelector } from '../../../../src/capsel.js';
import { follow, harBodiesOf, walkSelected, MAX_HAR_STREAM_BYTES, type PickedPacket } from '../../../../runtimes/browser/app/follow.js';
import { ExchangeBuilder } from '../../../../src/exchanges.js';
import { packets as httpPackets, records } from './corpus.js';
import { nodeDecompress } from '../../../../runtimes/node/decompress.js';

const FILE = new URL('../../../../../shared/corpus/http/h1-keepalive-mtu1500.pcap', import.meta.url).pathname;
const tshark = (...a: string[]) => execFileSync('tshark', a, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'ignore'] });

describe('follow', () => {
  const bytes = new Uint8Array(readFileSync(FILE));
  const packets: PickedPacket[] = [];
  const sel = new CaptureSelector('all', { packet: (p) => { packets.push({ off: p.offset, num: packets.length, time: 0 }); } });
  sel.push(bytes); sel.finish();

  it("reassembles stream 0 from the file's bytes as tshark follows it, with its HTTP messages", async () => {
    const nums = tshark('-r', FILE, '-Y', 'tcp.stream eq 0', '-T', 'fields', '-e', 'frame.number').split('\n').filter(Boolean).map((n) => Number(n) - 1);
    const f = await follow(new Blob([bytes]), '1', nums.map((n) => packets[n]!), nodeDecompress, () => false);
    expect(f.packets).toBe(nums.length);
    const raw = tshark('-r', FILE, '-q', '-z', 'follow,tcp,raw,0');
    const dirs = ['', ''];
    for (const line of raw.split('\n')) { if (/^[0-9a-f]+$/.test(line)) dirs[0] += line; else if (/^\t[0-9a-f]+$/.test(line)) dirs[1] += line.slice(1); }
    expect([Buffer.from(f.dirs[0]!.bytes).toString('hex'), Buffer.from(f.dirs[1]!.bytes).toString('hex')]).toEqual(dirs);
    const http = tshark('-r', FILE, '-Y', 'tcp.stream eq 0 && (http.request || http.response)', '-T', 'fields', '-e', 'frame.number').split('\n').filter(Boolean).length;
    expect(f.messages.length).toBe(http);
    expect(f.messages.every((m) => m.complete && m.body !== null)).toBe(true);
    expect(f.http2).toBe(false);
  });

  it('says which offset no packet starts at', async () => {
    await expect(walkSelected(new Blob([bytes]), [{ off: packets[3]!.off + 1, num: 3, time: 0 }], {}, () => false)).rejects.toThrow(`no packet starts at byte ${packets[3]!.off + 1} of the capture`);
  });
});

/** A capture's bytes, records, exchanges (ExchangeBuilder) and its packets with their flows (what the worker picks for harBodiesOf). */
function harInput(file: string) {
  const bytes = new Uint8Array(readFileSync(file));
  const recs = records(file);
  const b = new ExchangeBuilder();
  for (const p of httpPackets(recs)) b.add(p);
  const flowOf = new Map(recs.map((r) => [Number(r.pcap.num), r.flow as string | undefined]));
  const picked = () => {
    const out: Array<PickedPacket & { flow: string }> = [];
    let n = 0; // the packet's pcap.num: its position in the file
    const sel = new CaptureSelector('all', { packet: (p) => { const f = flowOf.get(n); if (f) out.push({ off: p.offset, num: n, time: 0, flow: f }); n++; } });
    sel.push(bytes); sel.finish();
    return out;
  };
  return { bytes, recs, list: b.exchanges(), picked };
}

describe('harBodiesOf', () => {
  const { bytes, list, picked } = harInput(FILE);
  const tsharkBodies = (filter: string) => tshark('-r', FILE, '-Y', filter, '-T', 'fields', '-e', 'http.file_data').split('\n').filter((l) => l !== '').sort();

  it("gives each exchange its bodies, as tshark's http.file_data", async () => {
    const { bodies, note } = await harBodiesOf(new Blob([bytes]), list, picked(), nodeDecompress, () => false);
    expect(note).toBeNull();
    const text = (d: Uint8Array | null | undefined) => (d ? Buffer.from(d).toString('latin1') : undefined);
    const resp = list.map((e) => text(bodies.get(e.id)?.response?.data)).filter((t): t is string => t !== undefined && t !== '').sort();
    expect(resp).toEqual(tsharkBodies('http.response'));
    const req = list.map((e) => text(bodies.get(e.id)?.request?.data)).filter((t): t is string => t !== undefined && t !== '').sort();
    expect(req).toEqual(tsharkBodies('http.request && http.file_data'));
  });

  it('reassembles at most the budget (MAX_HAR_STREAM_BYTES), saying which bodies it cut', async () => {
    expect(MAX_HAR_STREAM_BYTES).toBe(64 << 20);
    const { bodies, note } = await harBodiesOf(new Blob([bytes]), list, picked(), nodeDecompress, () => false, 20_000);
    expect(note).toMatch(/^bodies of \d+ connection\(s\) are missing or cut: the export reassembles at most 20000 bytes of streams \(MAX_HAR_STREAM_BYTES\)$/);
    const cutNotes = [...bodies.values()].flatMap((x) => [x.request, x.response]).filter((x) => x?.note?.includes('MAX_HAR_STREAM_BYTES'));
    expect(cutNotes.length).toBeGreaterThan(0);
    const kept = [...bodies.values()].flatMap((x) => [x.request, x.response]).filter((x) => x?.data);
    expect(kept.reduce((n, x) => n + x!.rawSize, 0)).toBeLessThanOrEqual(20_000);
  });
});

describe('harBodiesOf on h2c', () => {
  it("gives each HTTP/2 exchange its stream's DATA both ways, as the records' samples", async () => {
    const { bytes, recs, list, picked } = harInput(new URL('../../../../../shared/corpus/http/h2c-mtu1500.pcap', import.meta.url).pathname);
    const { bodies } = await harBodiesOf(new Blob([bytes]), list, picked(), nodeDecompress, () => false);
    // The records' DATA of each stream, per direction (samples whole when the frame is small).
    const want = new Map<string, { text: [string, string]; len: [number, number]; whole: [boolean, boolean] }>();
    const empty = () => ({ text: ['', ''] as [string, string], len: [0, 0] as [number, number], whole: [true, true] as [boolean, boolean] });
    for (const r of recs) for (const st of Object.values(r.HTTP?.streams ?? {}) as any[]) for (const f of st.frames) {
      if (!f.body?.length || !st.id) continue;
      const k = `${r.flow}/${st.id}`;
      const w = want.get(k) ?? empty(); want.set(k, w);
      const dir = Number(r.L4.dst) === 28092 ? 0 : 1;
      w.len[dir] += Number(f.body.length[0]);
      if (typeof f.body.data === 'string' && Buffer.byteLength(f.body.data) === Number(f.body.length[0])) w.text[dir] += f.body.data; else w.whole[dir] = false;
    }
    let compared = 0;
    const text = (x: { data: Uint8Array | null } | undefined) => (x?.data ? Buffer.from(x.data).toString() : '');
    for (const e of list) {
      if (e.stream === undefined) continue;
      const w = want.get(`${e.flow}/${e.stream}`) ?? empty();
      const got = bodies.get(e.id);
      for (const dir of [0, 1] as const) {
        const b = dir === 0 ? got?.request : got?.response;
        expect(b?.rawSize ?? 0).toBe(w.len[dir]);
        if (w.whole[dir]) { expect(text(b)).toBe(w.text[dir]); if (w.len[dir]) compared++; }
      }
    }
    expect(compared).toBeGreaterThan(3);
  });
});
