// The core's shards in process (Translator.setShard + setMarkSink, assembly/record/shard.ts):
// N translators each read the whole capture and write only their own records; merged by serial,
// the records must be exactly the bytes of one plain translator (test/golden/identity.json), with
// the same capture error — for every capture of the corpus, at INFO and DEBUG, 2, 3 and 4 shards
// (8 on a sample), each shard pushed its own random chunking. Then the same under pressure
// (maxFlows, maxHeadBytes: connection eviction, pool exhaustion) and with filters (BPF, software).
// (The record limit is not a shard's option: the coordinator applies it, test/src/parallel.test.ts.)
//
// Chunkings come from a seeded PRNG: a failure names its seed; replay it with
//   TRACECAP_SHARD_SEED=<base> npx vitest run test/src/shard.test.ts
// (the per-case seed is derived from the base seed, the capture, the verbosity and the count).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TranslatorOptions } from '../../src/translator.js';
import { parseBpfDdd } from '../../src/index.js';
import { coreModule, REPO, SHARED } from '../diff/support.js';
import { allCaptures, digestOf, firstDifference, identityKey, prng, sharded, single, type Run } from '../helpers/shards.js';
import { spawnSync } from 'node:child_process';

const BASE_SEED = Number(process.env.TRACECAP_SHARD_SEED ?? 20261202);
const IDENTITY: Record<string, string> = JSON.parse(readFileSync(join(REPO, 'test/golden/identity.json'), 'utf8'));
const captures = allCaptures();
const BIG = /corpus\/bench\//;
const files = new Map<string, Uint8Array>();
const load = (p: string) => { let d = files.get(p); if (!d) files.set(p, d = new Uint8Array(readFileSync(p))); return d; };

// A per-case seed from the base seed and the case's name (FNV-1a).
function seedOf(name: string): number {
  let h = 0x811c9dc5 ^ BASE_SEED;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

interface Case { file: string; options: TranslatorOptions; counts: number[]; label: string; want?: string }

// Compares each case's merged shards against the reference (identity.json's digest when given,
// else a plain translator) and returns one line per failure, with everything needed to replay it.
async function check(cases: Case[]): Promise<string[]> {
  const module = await coreModule();
  const failures: string[] = [];
  for (const c of cases) {
    const data = load(c.file);
    let ref: Run | null = null;
    const reference = () => (ref ??= single(module, data, c.options));
    for (const count of c.counts) {
      const name = `${c.label} threads=${count}`;
      const seed = seedOf(name);
      const got = sharded(module, data, c.options, count, prng(seed));
      const where = `${name} (case seed ${seed}, base seed ${BASE_SEED})`;
      if (got.markProblems.length) failures.push(`${where}: marks: ${got.markProblems.slice(0, 3).join('; ')}`);
      if (new Set(got.errors).size > 1) failures.push(`${where}: shards disagree on the capture error: ${JSON.stringify(got.errors)}`);
      const want = c.want;
      if (want !== undefined && digestOf(got) === want && got.error === null) continue;
      const r = reference();
      if (want !== undefined && digestOf(r) !== want) failures.push(`${c.label}: the plain translator no longer matches identity.json (${digestOf(r)} vs ${want})`);
      if (digestOf(got) !== digestOf(r)) {
        failures.push(`${where}: merged shards differ from one translator (${got.records} vs ${r.records} records, error ${JSON.stringify(got.error)} vs ${JSON.stringify(r.error)}): ${firstDifference(r.bytes, got.bytes)}`);
      } else if (got.error !== r.error) {
        failures.push(`${where}: capture error ${JSON.stringify(got.error)}, one translator: ${JSON.stringify(r.error)}`);
      }
    }
  }
  return failures;
}

const report = (failures: string[]) => `${failures.length} failures:\n${failures.slice(0, 20).join('\n')}`;

describe('in-process shards merged by serial = one translator, every capture', () => {
  it('finds the corpus', () => {
    expect(captures.length).toBeGreaterThan(400);
    expect(existsSync(join(SHARED, 'corpus/bench'))).toBe(true);
  });
  for (const verbosity of ['info', 'debug'] as const) {
    it(`${verbosity}: 2, 3 and 4 shards (8 on a sample; bench captures: two of 2, 3, 4, 8; at INFO captures under 4 KB: one)`, async () => {
      const cases: Case[] = captures.map((file, i) => {
        const key = `${identityKey(file)} ${verbosity}`;
        // The bench captures (25 MB of the corpus's 32) get two counts each, to keep the run short.
        // A capture under 4096 bytes has fewer than 256 packets (a record takes at least 16 bytes):
        // at INFO all its records are in serial block 0, i.e. shard 0's for any count, so one
        // count (in turn 2, 3, 4, 8) checks it; at DEBUG its TCP connections fall by part, so 2, 3, 4.
        const small = statSync(file).size < 4096;
        const counts = BIG.test(file) ? (verbosity === 'info' ? [3, 8] : [2, 4])
          : small && verbosity === 'info' ? [[2, 3, 4, 8][i % 4]!]
          : (small ? i % 8 === 0 : i % 2 === 0) || /corpus\/http\//.test(file) ? [2, 3, 4, 8] : [2, 3, 4];
        return { file, options: { verbosity }, counts, label: key, want: IDENTITY[key] };
      });
      const failures = await check(cases);
      expect(failures, report(failures)).toEqual([]);
    }, 300_000);
  }
});

const HTTP = [...captures.filter((f) => /corpus\/http\//.test(f)), ...captures.filter((f) => f.startsWith(join(REPO, 'test/captures')))];

describe('in-process shards under pressure: connection eviction and pool exhaustion', () => {
  const bench = captures.filter((f) => BIG.test(f));
  const api = bench.find((f) => f.includes('api-'))!, h2c = bench.find((f) => f.includes('h2c-'))!;
  const pressures: [TranslatorOptions, number[], [string, number[]][]][] = [
    // options, counts on the HTTP captures, counts on bench captures (which are large)
    [{ maxFlows: 16, maxHeadBytes: 256 }, [2, 3, 4], [[api, [3]], [h2c, [2]]]],
    [{ maxFlows: 64 }, [2, 3, 4], [[api, [2]]]],
    [{ maxFlows: 1 }, [3], []],
  ];
  for (const verbosity of ['info', 'debug'] as const) {
    for (const [pressure, counts, big] of pressures) {
      it(`${verbosity}, ${JSON.stringify(pressure)}: HTTP captures ${counts.join(', ')} shards; ${big.map(([f, c]) => `${basename(f)} ${c}`).join(', ') || 'no bench capture'}`, async () => {
        const label = (file: string) => `${identityKey(file)} ${verbosity} ${JSON.stringify(pressure)}`;
        const cases: Case[] = [
          ...HTTP.map((file) => ({ file, options: { verbosity, ...pressure }, counts, label: label(file) })),
          ...big.map(([file, c]) => ({ file, options: { verbosity, ...pressure }, counts: c, label: label(file) })),
        ];
        const failures = await check(cases);
        expect(failures, report(failures)).toEqual([]);
      }, 300_000);
    }
  }
});

// tcpdump -y EN10MB -ddd 'tcp port 28091 or tcp port 8080 or udp' (link type 1): a fixture, so the test needs no tcpdump.
const BPF_EXPR = 'tcp port 28091 or tcp port 8080 or udp';
const BPF_PROGRAM = `28
40 0 0 12
21 0 11 34525
48 0 0 20
21 0 5 6
40 0 0 54
21 20 0 28091
21 19 0 8080
40 0 0 56
21 17 15 28091
21 16 0 17
21 0 16 44
48 0 0 54
21 13 14 17
21 0 13 2048
48 0 0 23
21 0 9 6
40 0 0 20
69 9 0 8191
177 0 0 14
72 0 0 14
21 5 0 28091
21 4 0 8080
72 0 0 16
21 2 0 28091
21 1 2 8080
21 0 1 17
6 0 0 262144
6 0 0 0
`;

describe('in-process shards with filters', () => {
  const http = HTTP;
  it('the BPF fixture is what tcpdump compiles (when tcpdump is here)', () => {
    const r = spawnSync('tcpdump', ['-y', 'EN10MB', '-ddd', BPF_EXPR], { encoding: 'utf8' });
    if (r.status !== 0) return;
    expect(parseBpfDdd(r.stdout)).toEqual(parseBpfDdd(BPF_PROGRAM));
  });
  const bpf = [{ linktype: 1, program: parseBpfDdd(BPF_PROGRAM) }];
  const filtered: [string, TranslatorOptions][] = [
    [`bpf ${BPF_EXPR}`, { bpf }],
    ['bpf + maxFlows 16', { bpf, maxFlows: 16 }],
    ['ports 28091, 8080, 28093', { filters: { ports: [28091, 8080, 28093] } }],
    ['denyPorts 28092, 18104', { filters: { denyPorts: [28092, 18104] } }],
    ['tcpFlags SYN FIN RST + maxFlows 16', { filters: { tcpFlags: ['SYN', 'FIN', 'RST'] }, maxFlows: 16 }],
    ['l4 udp', { filters: { l4: ['udp'] } }],
  ];
  for (const verbosity of ['info', 'debug'] as const) {
    it(`${verbosity}: ${filtered.map(([n]) => n).join('; ')} — HTTP captures, 2 and 4 or 3 and 5 shards`, async () => {
      const cases = filtered.flatMap(([name, options], oi) => http.map((file, fi) => ({ file, options: { verbosity, ...options }, counts: (oi + fi) % 2 ? [2, 4] : [3, 5], label: `${basename(file)} ${verbosity} ${name}` })));
      const failures = await check(cases);
      expect(failures, report(failures)).toEqual([]);
      // The filters do filter: over these captures the program keeps some records and drops others.
      const module = await coreModule();
      let all = 0, kept = 0;
      for (const f of http) { all += single(module, load(f), { verbosity }).records; kept += single(module, load(f), { verbosity, bpf }).records; }
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(all);
    }, 300_000);
  }
});
