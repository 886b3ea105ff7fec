// ICMP errors name the connection they are about: the quoted TCP or UDP header's ports, in the
// embedded header object (`ICMP.IPv4.L4`, `ICMP.IPv6.L4`), as tshark decodes the quoted packet.
import { describe, it, expect } from 'vitest';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { createTranslator } from '../../src/index.js';
import * as B from '../helpers/build.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));

async function records(cap: Uint8Array): Promise<any[]> {
  const t = await createTranslator(wasm, { verbosity: 'debug' });
  const out = B.bytes(t.push(cap), t.finish());
  expect(t.error).toBeNull();
  return new TextDecoder().decode(out).split('\n').slice(0, -1).map((l) => JSON.parse(l));
}

function tshark(cap: Uint8Array, fields: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'tracecap-icmp-'));
  try {
    writeFileSync(join(dir, 'c.pcap'), cap);
    return execFileSync('tshark', ['-r', join(dir, 'c.pcap'), '-T', 'fields', '-E', 'occurrence=l', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8' }).trim().split('\t');
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

describe('the quoted packet of ICMP errors', () => {
  it('a port unreachable about a DNS query (IPv4) names its ports, as tshark', async () => {
    const query = B.ipv4({ src: '10.0.0.9', dst: '10.0.0.53', proto: 17, payload: B.udp({ srcPort: 41000, dstPort: 53, payload: B.dns({ questions: [{ name: 'a.example.', type: 'A' }] }), src: '10.0.0.9', dst: '10.0.0.53' }) });
    const err = B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ src: '10.0.0.53', dst: '10.0.0.9', proto: 1, payload: B.icmp4({ type: 3, code: 3, rest: new Uint8Array(4), payload: query }) }) });
    const cap = B.pcap([{ ts: { sec: 1, nsec: 0 }, data: err }], { nano: true });
    const [r] = await records(cap);
    const [sp, dp] = tshark(cap, ['udp.srcport', 'udp.dstport']);
    expect(r.ICMP.IPv4.L4).toEqual({ dst: Number(dp), src: Number(sp) });
    expect(r.ICMP.IPv4.dst).toBe('10.0.0.53');
  });

  it('a time exceeded about a TCP segment (IPv6) names its ports; one quoting only 2 bytes of it has none', async () => {
    const seg = B.tcp({ srcPort: 50000, dstPort: 443, seq: 1, flags: 'SYN', src: 'fd00::9', dst: 'fd00::1' });
    const quoted = B.ipv6({ src: 'fd00::9', dst: 'fd00::1', nextHeader: 6, payload: seg });
    const mk = (q: Uint8Array) => B.ethernet({ type: B.ETH.IPV6, payload: B.ipv6({ src: 'fd00::fe', dst: 'fd00::9', nextHeader: 58, payload: B.icmp6({ type: 3, code: 0, rest: new Uint8Array(4), payload: q, src: 'fd00::fe', dst: 'fd00::9' }) }) });
    const cap = B.pcap([{ ts: { sec: 1, nsec: 0 }, data: mk(quoted) }, { ts: { sec: 1, nsec: 1 }, data: mk(quoted.subarray(0, 42)) }], { nano: true });
    const [a, b] = await records(cap);
    const [sp, dp] = tshark(B.pcap([{ ts: { sec: 1, nsec: 0 }, data: mk(quoted) }], { nano: true }), ['tcp.srcport', 'tcp.dstport']);
    expect(a.ICMP.IPv6.L4).toEqual({ dst: Number(dp), src: Number(sp) });
    expect(b.ICMP.IPv6.L4).toBeUndefined();
  });
});
