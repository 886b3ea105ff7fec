// BPF on files against tcpdump: for every capture of the shared HTTP corpus and a dozen
// expressions, tracecap must keep exactly the packets `tcpdump -r FILE EXPR` keeps, and each
// record must carry its packet's number in the file.
//
// The oracle for the numbers: tcpdump -w writes the packets it keeps; both that file and the
// original are dumped with `tcpdump -tt -nn -S -xx` (timestamp + every byte; -S as relative TCP
// sequence numbers depend on the packets printed before), and the kept
// packets are matched, in order, to the original's. Identical packets cannot be told apart,
// but the filter treats them alike, so the in-order match is exact.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTranslator } from '../../src/index.js';
import { compileBpf, captureLinkTypes, BpfCompileError } from '../../runtimes/node/bpf.js';
import { coreModule, SHARED } from './support.js';

const CORPUS = join(SHARED, 'corpus/http');
const FILES = readdirSync(CORPUS).filter((f) => /\.pcapn?g?$/.test(f)).sort();
const tmp = mkdtempSync(join(tmpdir(), 'tracecap-bpf-diff-'));

const EXPRESSIONS = [
  'tcp port 80', 'udp', 'host 127.0.0.1', 'tcp[tcpflags] & tcp-syn != 0', 'ip6', 'portrange 8000-9000',
  'less 100', 'greater 1000', 'not tcp', 'vlan', 'tcp and (port 18080 or port 53)', 'ether proto 0x0806 or ether broadcast',
  'tcp port 28081 and tcp[((tcp[12:1] & 0xf0) >> 2):4] = 0x47455420', 'ip[8] = 64 and len >= 200 and len <= 1400',
  'icmp or arp or (udp and src portrange 28080-28090)', 'ether src host 00:00:00:00:00:00',
  'udp[10] & 0x80 != 0', 'src port 28086 or dst port 28081', 'greater 90',
];

// One text block per packet: the timestamp line and its hex dump.
function dump(file: string): string[] {
  const r = spawnSync('tcpdump', ['-r', file, '-tt', '-nn', '-S', '-xx'], { encoding: 'utf8', maxBuffer: 256 << 20 });
  expect(r.status, r.stderr).toBe(0);
  const blocks: string[] = [];
  for (const line of r.stdout.split('\n')) {
    if (line === '') continue;
    if (!line.startsWith('\t')) blocks.push(line); else blocks[blocks.length - 1] += `\n${line}`;
  }
  return blocks;
}

// tcpdump's verdict: the 0-based numbers of the packets it keeps, or its error.
function oracle(file: string, all: string[], expr: string): number[] | string {
  const out = join(tmp, 'kept.pcap');
  const r = spawnSync('tcpdump', ['-r', file, '-w', out, expr], { encoding: 'utf8' });
  if (r.status !== 0) return r.stderr.trim().split('\n').at(-1)!;
  const nums: number[] = [];
  let i = 0;
  for (const block of dump(out)) {
    while (i < all.length && all[i] !== block) i++;
    expect(i, `kept packet not found in ${file}`).toBeLessThan(all.length);
    nums.push(i++);
  }
  return nums;
}

async function records(data: Uint8Array, options: Parameters<typeof createTranslator>[1]): Promise<string[]> {
  const t = await createTranslator(await coreModule(), options);
  const text = new TextDecoder().decode(t.push(data)) + new TextDecoder().decode(t.finish());
  expect(t.error).toBeNull();
  return text.split('\n').filter((l) => l !== '');
}
const num = (line: string) => Number(JSON.parse(line).pcap.num);

describe('BPF filter expressions equal tcpdump -r FILE EXPR', () => {
  for (const name of FILES) {
    it(name, async () => {
      const file = join(CORPUS, name);
      const data = readFileSync(file);
      const all = dump(file);
      const unfiltered = await records(data, { verbosity: 'info' });
      expect(unfiltered.length).toBe(all.length);
      let nonTrivial = 0;
      for (const expr of EXPRESSIONS) {
        const want = oracle(file, all, expr);
        if (typeof want === 'string') {
          // libpcap refuses it for this link type: so does compileBpf, with tcpdump's words.
          expect(() => compileBpf(expr, captureLinkTypes(file)!), expr).toThrow(BpfCompileError);
          continue;
        }
        const got = await records(data, { verbosity: 'info', bpf: compileBpf(expr, captureLinkTypes(file)!) });
        expect(got.map(num), `${name}: ${expr}`).toEqual(want);
        // At INFO a record depends only on its packet: the kept records are the unfiltered ones.
        expect(got, `${name}: ${expr}`).toEqual(want.map((n) => unfiltered[n]));
        if (want.length > 0 && want.length < all.length) nonTrivial++;
      }
      // The expressions really split each capture (a filter that keeps all or nothing proves little).
      expect(nonTrivial).toBeGreaterThanOrEqual(4);
    });
  }
});
