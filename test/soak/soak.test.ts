// Soak: long captures with churn against their ground truth (bench/soak/: gen.js writes a
// capture and what every record must show, check.js translates it at DEBUG and compares).
//
// - CI soak: a `mix` capture of 10,000 connections over 2 hours of capture time, about 200 open
//   at once (within the README's Limits); zero wrong, zero missing, nothing skipped but
//   `head_too_large` (the generator's heads over 16 KiB), every tenth of the connections as
//   right as the first, the same bytes (SHA-256) from 1 and 2 threads, and Translator.skipped
//   counting exactly what the records say was skipped. It fails on a core that loses context on
//   long captures (the defects the soak was written to catch).
// - Per mix: a few hundred connections with the rare features made common, so every feature
//   of the generator appears and the checker counts every item type of the mix.
// Needs the build (npm run build:wasm && npm run build:ts, and scripts/build-runtimes.mjs for
// the threads). Run alone: npx vitest run test/soak
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
// @ts-expect-error plain JavaScript modules without declarations
import { generate } from '../../bench/soak/gen.js';
// @ts-expect-error plain JavaScript modules without declarations
import { check, formatReport, rightRate, total, skipDisagreements, TYPES } from '../../bench/soak/check.js';

type Cell = { right: number; skipped: Record<string, number>; wrong: number; missing: number };
type Report = { ok: boolean; sha256: string; records: number; packets: number; mixes: Record<string, Record<string, Cell>>; tenths: Record<string, Cell>[];
  translatorSkipped: Record<string, number> | null; recordSkipped: Record<string, number> };

let dir = '';
beforeAll(() => { dir = mkdtempSync(join(tmpdir(), 'tracecap-soak-')); });
afterAll(() => { if (dir) rmSync(dir, { recursive: true, force: true }); });

/** Every skip reason counted anywhere in the report. */
function skipReasons(r: Report): Set<string> {
  const s = new Set<string>();
  for (const types of Object.values(r.mixes)) for (const c of Object.values(types)) for (const k of Object.keys(c.skipped)) s.add(k);
  return s;
}

describe('soak: 10,000 connections over 2 hours (mix, about 200 open at once)', () => {
  let one: Report;
  beforeAll(async () => {
    const out = join(dir, 'ci.pcap');
    generate({ mix: 'mix', connections: 10_000, hours: 2, concurrency: 200, seed: 'ci', out });
    one = await check({ pcap: out, threads: 1 });
    console.log(formatReport(one));
  }, 300_000);

  it('gives every record the analysis the README describes: nothing wrong or missing', () => {
    expect(one.records).toBe(one.packets);
    const bad = Object.entries(one.mixes).flatMap(([mix, types]) => Object.entries(types)
      .filter(([, c]) => c.wrong || c.missing).map(([type, c]) => `${mix} ${type}: ${c.wrong} wrong, ${c.missing} missing`));
    expect(bad).toEqual([]);
  });

  it('skips only heads over 16 KiB (head_too_large), which the generator made on purpose', () => {
    expect([...skipReasons(one)].filter((r) => r !== 'head_too_large')).toEqual([]);
  });

  it('counts in Translator.skipped exactly what the records say was skipped (headTooLarge: the heads with head_too_large)', () => {
    expect(one.translatorSkipped).not.toBeNull();
    expect(skipDisagreements(one)).toEqual([]);
    expect(one.translatorSkipped!.headTooLarge).toBe(one.recordSkipped.head_too_large ?? 0);
  });

  it('decodes the last tenth of the connections as well as the first', () => {
    for (const type of TYPES as string[]) {
      const first = one.tenths[0]![type] ? rightRate(one.tenths[0]![type]) : null;
      if (first === null) continue;
      one.tenths.forEach((t, i) => { if (t[type]) expect(rightRate(t[type]), `${type}, tenth ${i + 1}`).toBe(first); });
    }
  });

  it('writes the same bytes with 2 threads as with 1', async () => {
    const two: Report = await check({ pcap: join(dir, 'ci.pcap'), threads: 2 });
    expect(two.sha256).toBe(one.sha256);
    expect(two.translatorSkipped).toEqual(one.translatorSkipped);
  }, 300_000);
});

describe('soak under pools far smaller than the README\'s: what runs out is said and counted, nothing is wrong', () => {
  // 3,000 connections, 300 open at once, against pools of 256 exchanges, 16 head and sample
  // buffers and 32 HPACK tables (the README's are 16384, 512, 2048, 2048): requests are
  // reclaimed while they wait, header blocks find no table. The records say so (skipped,
  // hpack); the packets of an exchange whose context was lost carry no trace — never another's.
  let r: Report & { missingWhat: Record<string, number>; translatorSkipped: Record<string, number>; recordSkipped: Record<string, number> };
  beforeAll(async () => {
    const out = join(dir, 'pressure.pcap');
    generate({ mix: 'mix', connections: 3000, hours: 0.5, concurrency: 300, seed: 'pressure', out });
    r = await check({ pcap: out, threads: 1, pools: { exchanges: 256, headBuffers: 16, sampleBuffers: 16, hpackTables: 32 } });
  }, 300_000);

  it('nothing is wrong; what is missing is only traces of packets whose exchange lost its context', () => {
    const wrong = Object.entries(r.mixes).flatMap(([mix, types]) => Object.entries(types).filter(([, c]) => c.wrong).map(([t, c]) => `${mix} ${t}: ${c.wrong} wrong`));
    expect(wrong).toEqual([]);
    expect(Object.keys(r.missingWhat).filter((w) => w !== 'trace')).toEqual([]);
  });

  it('the pools really ran out, and the translator counted at least what the records say', () => {
    expect(r.translatorSkipped.requestReclaimed).toBeGreaterThan(0);
    expect(r.translatorSkipped.noHpackTable).toBeGreaterThan(0);
    expect(r.recordSkipped.no_hpack_table).toBe(r.translatorSkipped.noHpackTable);
    expect(r.recordSkipped.request_reclaimed ?? 0).toBeLessThanOrEqual(r.translatorSkipped.requestReclaimed);
    expect(r.recordSkipped.head_too_large).toBe(r.translatorSkipped.headTooLarge);
  });
});

// Feature probabilities raised so that a few hundred connections show every feature at least once.
const COMMON = { http10: 0.1, pipeline: 0.3, reset: 0.1, abandon: 0.1, expect100: 0.5, bigHead: 0.03, slow: 0.05, idle: 0.05,
  reuse: 0.3, h2Big: 0.2, h2ResetMidFrame: 0.15, h2Wide: 0.15, tlsSplit: 0.5, shortFirst: 0.2, straggler: 0.5, deepPipeline: 0.03 };

/** What each mix must exercise (features the generator reports) and the item types the checker must count. */
const MIXES: Record<string, { connections: number; features: string[]; types: string[] }> = {
  h1: {
    connections: 300,
    features: ['h1.GET', 'h1.POST', 'h1.PUT', 'h1.DELETE', 'h1.HEAD', 'h1.204', 'h1.304', 'h1.pipelined', 'h1.chunked_request',
      'h1.chunked_response', 'h1.expect_100', 'h1.slow_response', 'h1.idle_minutes', 'h1.big_request_head', 'h1.big_response_head',
      'h1.port_reuse', 'h1.reset', 'h1.abandoned', 'h1.abandoned_waiting', 'h1.http10_close', 'h1.late_ack', 'h1.close',
      'h1.short_first_segment', 'h1.late_after_reset', 'h1.deep_pipeline'],
    types: ['h1.request', 'h1.response', 'h1.segment'],
  },
  h2: {
    connections: 120,
    features: ['h2.continuation', 'h2.trailers', 'h2.rst_stream', 'h2.ping', 'h2.big_block', 'h2.over_32_streams', 'h2.long_lived',
      'h2.reset_in_frame', 'h2.abandoned', 'h2.goaway_close', 'h2.split_preface'],
    types: ['h2.headers', 'h2.frame', 'h2.segment'],
  },
  tls: {
    connections: 200,
    features: ['tls.1.2', 'tls.1.3', 'tls.grease', 'tls.split_hello', 'tls.short_first_segment', 'tls.reset', 'tls.abandoned', 'tls.close'],
    types: ['tls.client_hello', 'tls.server_hello', 'tls.segment'],
  },
  dns: {
    connections: 300,
    features: ['dns.A', 'dns.AAAA', 'dns.CNAME', 'dns.cname_chain', 'dns.NS', 'dns.MX', 'dns.SOA', 'dns.SRV', 'dns.PTR', 'dns.TXT'],
    types: ['dns.answer'],
  },
};

describe('soak: each mix exercises every feature and every item type', () => {
  for (const [mix, want] of Object.entries(MIXES)) {
    it(mix, async () => {
      const out = join(dir, `${mix}.pcap`);
      const g = generate({ mix, connections: want.connections, hours: 0.2, concurrency: 20, seed: mix, features: COMMON, out });
      expect(want.features.filter((f) => !g.features[f])).toEqual([]);
      const r: Report = await check({ pcap: out, threads: 1 });
      expect(r.records).toBe(g.packets);
      for (const type of want.types) {
        const t = total({ [type]: r.mixes[mix]?.[type] ?? { right: 0, skipped: {}, wrong: 0, missing: 0 } });
        expect(t.right + t.wrong + t.missing + t.skipped, type).toBeGreaterThan(0);
      }
    }, 60_000);
  }

  it('is deterministic for a seed', () => {
    const hash = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');
    const a = join(dir, 'a.pcap'), b = join(dir, 'b.pcap');
    generate({ mix: 'mix', connections: 200, hours: 0.1, concurrency: 20, seed: 3, out: a });
    generate({ mix: 'mix', connections: 200, hours: 0.1, concurrency: 20, seed: 3, out: b });
    expect(hash(a)).toBe(hash(b));
    expect(hash(join(dir, 'a.truth.ndjson'))).toBe(hash(join(dir, 'b.truth.ndjson')));
  });
});
