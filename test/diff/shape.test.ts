// JSON shape of every record of every capture in ../shared/corpus/http/, at DEBUG and INFO:
// the output is valid UTF-8 (fatal TextDecoder), one JSON value per `\n`-terminated line, keys
// in bytewise UTF-8 order at every object level (Go encoding/json sorts map keys; reference
// spec §2.1), no duplicate keys, `message` present, and `pcap.num` = the line index (serial 0 is
// the first packet; spec §3.2). Key order is read from the text itself (support.scanObjects),
// because JSON.parse re-orders integer-like keys such as h2 stream ids.
//
// Run: npm run build && npx vitest run test/diff

import { readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SHARED, compareUtf8, filesUnder, randomChunks, scanObjects, seedOf, translate } from './support.js';

const FILES = filesUnder(join(SHARED, 'corpus/http'), ['.pcap', '.pcapng']);

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Spec §6.1 step 6: an h2c segment holding only the client preface yields a record without
 * `message` (upstream returns before setting it). That is the only allowed exception.
 */
function prefaceOnly(rec: any): boolean {
  return rec?.HTTP?.preface === true && rec.HTTP.proto === 'h2c' && rec.HTTP.streams === undefined;
}

describe.each(FILES.map((f) => [basename(f), f] as const))('%s', (name, file) => {
  for (const verbosity of ['debug', 'info'] as const) {
    it(`every ${verbosity.toUpperCase()} record: valid UTF-8, parses, sorted unique keys, message, pcap.num = line index`, async () => {
      const t = await translate(new Uint8Array(readFileSync(file)), verbosity);
      expect(t.error).toBeNull();
      // Valid UTF-8 as a whole (throws on any invalid sequence).
      const text = new TextDecoder('utf-8', { fatal: true }).decode(t.bytes);
      expect(text.endsWith('\n'), 'output ends with a newline').toBe(true);
      const ls = text.slice(0, -1).split('\n');
      const problems: string[] = [];
      ls.forEach((line, i) => {
        const at = `${name} line ${i} (${verbosity})`;
        let rec: any;
        try { rec = JSON.parse(line); } catch (e) { problems.push(`${at}: JSON.parse: ${(e as Error).message}`); return; }
        if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) { problems.push(`${at}: not an object`); return; }
        for (const { path, keys } of scanObjects(line)) {
          for (let k = 1; k < keys.length; k++) {
            const c = compareUtf8(keys[k - 1]!, keys[k]!);
            if (c >= 0) problems.push(`${at} ${path}: key ${JSON.stringify(keys[k])} ${c === 0 ? 'is duplicated' : `comes after ${JSON.stringify(keys[k - 1])}`}`);
          }
        }
        if (typeof rec.message !== 'string' && !(verbosity === 'debug' && prefaceOnly(rec))) problems.push(`${at}: no message`);
        if (rec.pcap?.num !== String(i)) problems.push(`${at}: pcap.num ${JSON.stringify(rec.pcap?.num)}, expected "${i}"`);
      });
      if (problems.length) expect.fail(`${problems.length} problem(s); first 20:\n  ${problems.slice(0, 20).join('\n  ')}`);
    });
  }

  it('random chunk sizes give byte-identical DEBUG output (streaming across large records)', async () => {
    const data = new Uint8Array(readFileSync(file));
    const whole = await translate(data, 'debug');
    const chunked = await translate(data, 'debug', randomChunks(seedOf(name)));
    expect(chunked.error).toEqual(whole.error);
    expect(Buffer.from(chunked.bytes).equals(Buffer.from(whole.bytes))).toBe(true);
  });
});

describe('key-order scanner (self-check)', () => {
  it('reads keys in text order, including integer-like keys', () => {
    expect(scanObjects('{"b":1,"a":{"3":[{"x":"}\\""}],"11":null}}').map((o) => [o.path, o.keys])).toEqual([
      ['$', ['b', 'a']], ['$.a', ['3', '11']], ['$.a.3[0]', ['x']],
    ]);
    expect(compareUtf8('L7', 'flow')).toBeLessThan(0);
    expect(compareUtf8('logging.googleapis.com/labels', 'logging.googleapis.com/operation')).toBeLessThan(0);
    expect(compareUtf8('\u00e9', '\uffff')).toBeLessThan(0);
    expect(() => scanObjects('{"a":1,}')).toThrow();
  });
});
