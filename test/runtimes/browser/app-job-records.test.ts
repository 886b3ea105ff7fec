// The app's index entries read from a job's NDJSON records (runtimes/browser/app/job-records.ts
// indexRecords) against the entries the core writes for the same records (src/entry.ts): every
// field the app reads is equal, on every corpus HTTP capture at DEBUG and INFO and on the
// tcpdump corpus (ARP, IPv6, ICMP, damaged and odd link types) at DEBUG; the Worker's error
// line after a damaged capture's records is told apart from them.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createTranslator, decodeEntry, ENTRY_BYTES, type TranslatorOptions } from '../../../src/index.js';
import { indexRecords } from '../../../runtimes/browser/app/job-records.js';
import { coreModule, SHARED } from '../../diff/support.js';

const HTTP = join(SHARED, 'corpus', 'http');
const TCPDUMP = join(SHARED, 'corpus', 'tcpdump');
const http = readdirSync(HTTP).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();
const tcpdump = readdirSync(TCPDUMP).filter((f) => /\.(pcap|pcapng)$/.test(f)).sort();

async function translate(data: Uint8Array, options: TranslatorOptions) {
  const t = await createTranslator(await coreModule(), options);
  const entries: Uint8Array[] = [];
  t.setIndexSink((view, count) => { entries.push(view.slice(0, count * ENTRY_BYTES)); });
  const out: Uint8Array[] = [];
  out.push(t.push(data).slice());
  out.push(t.finish().slice());
  return { ndjson: new Uint8Array(Buffer.concat(out)), entries: new Uint8Array(Buffer.concat(entries)), error: t.error };
}

/** The fields of an entry the app reads (packets.ts PacketIndex.add, worker.ts), decoded. */
function appFields(entries: Uint8Array, i: number, debug: boolean) {
  const e = decodeEntry(entries, i);
  return {
    recordLength: e.recordLength, http: e.http, trace: e.trace, message: e.message, timing: e.timing, serial: e.serial, seconds: e.seconds, nanos: e.nanos,
    // At INFO the records carry no lengths.
    capLen: debug ? e.capLen : 0, origLen: debug ? e.origLen : 0,
    net: e.net, proto: e.proto, tcpFlags: e.tcpFlags, error: e.error, flow: e.flow, src: [...e.src], dst: [...e.dst], sport: e.sport, dport: e.dport,
  };
}

/** IPv6 extension header numbers (IANA): a record's L3 proto.num when the packet has them. */
const IPV6_EXTENSIONS = [0, 43, 44, 50, 51, 60, 135, 139, 140, 253, 254];
/** Records whose protocol past IPv6 extension headers the record could not tell. */
const unknown: string[] = [];
/** Where record i of a batch starts within it (the record lengths before it). */
function lineAt(entries: Uint8Array, i: number): number {
  let at = 0;
  for (let k = 0; k < i; k++) at += decodeEntry(entries, k).recordLength;
  return at;
}

async function compare(file: string, verbosity: 'debug' | 'info'): Promise<number> {
  const data = new Uint8Array(readFileSync(file));
  const core = await translate(data, { verbosity });
  const n = core.entries.length / ENTRY_BYTES;
  // In slices cut anywhere between lines, as the stream gives them.
  const cuts = [0];
  for (let at = 0, k = 0; at < core.ndjson.length; k++) { at = core.ndjson.indexOf(10, at + 1 + (k * 7919) % 4000) + 1; if (at <= 0) break; cuts.push(at); }
  if (cuts[cuts.length - 1] !== core.ndjson.length) cuts.push(core.ndjson.length);
  let pos = 0;
  for (let c = 1; c < cuts.length; c++) {
    const r = indexRecords(core.ndjson, cuts[c - 1]!, cuts[c]!);
    expect(r.error).toBeNull();
    expect(r.bytes).toBe(cuts[c]! - cuts[c - 1]!);
    for (let i = 0; i < r.count; i++, pos++) {
      const got = appFields(r.entries, i, verbosity === 'debug'), want = appFields(core.entries, pos, verbosity === 'debug');
      // The one field a record may not tell: the protocol past IPv6 extension headers when
      // nothing after them is decoded (L3's proto.num names the first extension header).
      if (got.proto !== want.proto) {
        const line = JSON.parse(new TextDecoder().decode(core.ndjson.subarray(cuts[c - 1]! + lineAt(r.entries, i), cuts[c - 1]! + lineAt(r.entries, i + 1))));
        expect(got.net, `${file} record ${pos}`).toBe(6);
        expect(IPV6_EXTENSIONS, `${file} record ${pos}`).toContain(line.L3.proto.num);
        expect(line.L4 ?? line.ICMP, `${file} record ${pos}`).toBeUndefined();
        expect(got.proto).toBe(line.L3.proto.num);
        got.proto = want.proto;
        unknown.push(`${file}#${pos}`);
      }
      expect(got, `${file} record ${pos}`).toEqual(want);
    }
  }
  expect(pos).toBe(n);
  return n;
}

describe('index entries from a job\'s records equal the core\'s', () => {
  for (const f of http) {
    for (const v of ['debug', 'info'] as const) it(`${f} ${v}`, async () => { expect(await compare(join(HTTP, f), v)).toBeGreaterThan(0); });
  }
  it('the tcpdump corpus at DEBUG (ARP, IPv6, ICMP, other links, damaged files)', async () => {
    let records = 0;
    for (const f of tcpdump) records += await compare(join(TCPDUMP, f), 'debug');
    expect(records).toBeGreaterThan(1000);
    // Rare: a handful of records in 449 captures.
    expect(unknown.length, unknown.join(' ')).toBeLessThan(records / 100);
  }, 120_000);

  it('the Worker\'s error line after a damaged capture\'s records ends them and is reported', () => {
    const lines = '{"message":"a","pcap":{"num":"0"},"timestamp":{"nanos":5,"seconds":7}}\n{"message":"b","pcap":{"num":"1"},"timestamp":{"nanos":0,"seconds":8}}\n';
    const error = { code: 'TRUNCATED', message: 'truncated packet record at byte offset 99 (packet 3)', offset: 99, packets: 2 };
    const text = new TextEncoder().encode(`${lines}${JSON.stringify({ severity: 'ERROR', tracecap_error: error })}\n`);
    const r = indexRecords(text, 0, text.length);
    expect(r.count).toBe(2);
    expect(r.bytes).toBe(new TextEncoder().encode(lines).length);
    expect(r.error).toEqual(error);
    expect(decodeEntry(r.entries, 1)).toMatchObject({ serial: 1, seconds: 8, recordLength: new TextEncoder().encode(lines.split('\n')[1]!).length + 1, message: [12, 1] });
  });
});
