// The record index (src/entry.ts, assembly/record/entry.ts): every entry against its record
// and the capture file, on every corpus HTTP capture, INFO and DEBUG; the NDJSON is the same
// bytes with the index on; entries do not depend on how the input is chunked.
import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTranslator, decodeEntry, ENTRY_BYTES, EntryNet, NO_PART, parseIp, type TranslatorOptions } from '../../src/index.js';
import { coreModule, SHARED } from '../diff/support.js';

const CORPUS = join(SHARED, 'corpus/http');
const files = readdirSync(CORPUS).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();

async function translate(data: Uint8Array, options: TranslatorOptions, chunk: number, index: boolean) {
  const t = await createTranslator(await coreModule(), options);
  const entries: Uint8Array[] = [];
  if (index) t.setIndexSink((view, count) => { expect(view.length).toBe(count * ENTRY_BYTES); entries.push(view.slice()); });
  const out: Uint8Array[] = [];
  for (let o = 0; o < data.length; o += chunk) out.push(t.push(data.subarray(o, o + chunk)));
  out.push(t.finish());
  expect(t.error).toBeNull();
  return { ndjson: Buffer.concat(out), entries: Buffer.concat(entries) };
}


describe('record index', () => {
  for (const file of files) {
    for (const verbosity of ['info', 'debug'] as const) {
      it(`${file} ${verbosity}: one entry per record, equal to the record and the file`, async () => {
        const data = new Uint8Array(readFileSync(join(CORPUS, file)));
        const plain = await translate(data, { verbosity }, 1 << 20, false);
        const withIndex = await translate(data, { verbosity }, 1 << 20, true);
        expect(Buffer.compare(withIndex.ndjson, plain.ndjson)).toBe(0);
        const lines = plain.ndjson.toString('utf8').split('\n').slice(0, -1);
        expect(withIndex.entries.length).toBe(lines.length * ENTRY_BYTES);
        let at = 0;
        let traces = 0, https = 0, timings = 0;
        for (let i = 0; i < lines.length; i++) {
          const e = decodeEntry(withIndex.entries, i);
          const line = plain.ndjson.subarray(at, at + e.recordLength);
          expect(line[line.length - 1]).toBe(10);
          const r = JSON.parse(line.toString('utf8'));
          expect(line.toString('utf8').slice(0, -1)).toBe(lines[i]);
          at += e.recordLength;
          expect(e.serial).toBe(Number(r.pcap.num));
          expect([e.seconds, e.nanos]).toEqual([r.timestamp.seconds, r.timestamp.nanos]);
          if (r.meta?.cap_len !== undefined) expect([e.capLen, e.origLen]).toEqual([r.meta.cap_len, r.meta.len]);
          expect(e.error).toBe(r.severity === 'ERROR');
          if (r.flow !== undefined) expect(e.flow.toString()).toBe(r.flow);
          if (r.L3) {
            expect(e.net).toBe(r.L3.v === 6 ? EntryNet.IPV6 : EntryNet.IPV4);
            expect(e.proto).toBe(r.L3.proto?.num ?? r.L3.proto);
            expect(Buffer.from(e.src)).toEqual(Buffer.from(parseIp(r.L3.src)!));
            expect(Buffer.from(e.dst)).toEqual(Buffer.from(parseIp(r.L3.dst)!));
          }
          if (r.L4 && (r.L3?.proto?.name === 'TCP' || r.L3?.proto?.name === 'UDP')) expect([e.sport, e.dport]).toEqual([Number(r.L4.src), Number(r.L4.dst)]);
          if (r.L4?.flags?.dec !== undefined) expect(e.tcpFlags).toBe(Number(r.L4.flags.dec) & 0xff);
          if (e.http) { https++; expect(JSON.parse(line.subarray(e.http[0], e.http[0] + e.http[1]).toString('utf8'))).toEqual(r.HTTP); }
          else expect(r.HTTP).toBeUndefined();
          const trace = r['logging.googleapis.com/trace'];
          if (e.trace) { traces++; expect(line.subarray(e.trace[0], e.trace[0] + e.trace[1]).toString('utf8')).toBe(trace); }
          else expect(trace).toBeUndefined();
          // The message's text, JSON-escaped as in the line.
          if (e.message) expect(JSON.parse(`"${line.subarray(e.message[0], e.message[0] + e.message[1]).toString('utf8')}"`)).toBe(r.message);
          else expect(r.message).toBeUndefined();
          // The exchange timing's object (README "Exchange timing").
          if (e.timing) { timings++; expect(JSON.parse(line.subarray(e.timing[0], e.timing[0] + e.timing[1]).toString('utf8'))).toEqual(r.timing); }
          else expect(r.timing).toBeUndefined();
          // A connection part exactly for TCP packets analysed at DEBUG.
          expect(e.part === NO_PART).toBe(!(verbosity === 'debug' && r.L3?.proto?.name === 'TCP' && r.L4 !== undefined));
          if (e.part !== NO_PART) expect(e.part).toBeLessThan(8);
        }
        expect(at).toBe(plain.ndjson.length);
        // HTTP/2 records carry their traces inside HTTP (per stream), HTTP/1 ones at top level.
        if (verbosity === 'debug' && file.startsWith('h')) { expect(https).toBeGreaterThan(0); expect(timings).toBeGreaterThan(0); if (file.startsWith('h1')) expect(traces).toBeGreaterThan(0); }
      });
    }
  }

  it('file offsets point at the packet bytes (classic pcap walked by hand; pcapng against the same packets in pcap)', async () => {
    const pcap = new Uint8Array(readFileSync(join(CORPUS, 'h1-keepalive-mtu1500.pcap')));
    const ng = new Uint8Array(readFileSync(join(CORPUS, 'h1-keepalive-mtu1500.pcapng')));
    const a = await translate(pcap, { verbosity: 'info' }, 1 << 20, true);
    const b = await translate(ng, { verbosity: 'info' }, 1 << 20, true);
    const n = a.entries.length / ENTRY_BYTES;
    expect(b.entries.length / ENTRY_BYTES).toBe(n);
    const dv = new DataView(pcap.buffer, pcap.byteOffset);
    let off = 24;
    for (let i = 0; i < n; i++) {
      const ea = decodeEntry(a.entries, i), eb = decodeEntry(b.entries, i);
      const capLen = dv.getUint32(off + 8, true);
      expect(ea.fileOffset).toBe(off + 16);
      expect(ea.capLen).toBe(capLen);
      expect(Buffer.from(ng.subarray(eb.fileOffset, eb.fileOffset + eb.capLen))).toEqual(Buffer.from(pcap.subarray(ea.fileOffset, ea.fileOffset + ea.capLen)));
      off += 16 + capLen;
    }
    expect(off).toBe(pcap.length);
  });

  it('entries do not depend on the chunking', async () => {
    const data = new Uint8Array(readFileSync(join(CORPUS, 'h2c-mtu1500.pcap')));
    const whole = await translate(data, {}, 1 << 20, true);
    for (const chunk of [1, 7, 1500, 65536]) {
      const part = await translate(data, {}, chunk, true);
      expect(Buffer.compare(part.entries, whole.entries)).toBe(0);
      expect(Buffer.compare(part.ndjson, whole.ndjson)).toBe(0);
    }
  });
});
