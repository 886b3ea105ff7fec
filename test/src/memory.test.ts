// The core's memory stays under 64 MiB whatever the input: many more connections than the
// table holds (each with a request in flight), HTTP/2 connections holding HPACK tables, and
// heads left incomplete. Eviction loses context, never a record.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import * as B from '../helpers/build.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
// The threads of a parallel run use the same core with shared memory and three output windows.
const sharedWasm = new WebAssembly.Module(readFileSync('build/tracecap-shared.wasm'));

function core(module = wasm) {
  const inst = new WebAssembly.Instance(module, { env: { abort() { throw new Error('core aborted'); } } });
  return inst.exports as any;
}

function feed(ex: any, data: Uint8Array): number {
  let lines = 0;
  const drain = () => { lines += new Uint8Array(ex.memory.buffer, ex.outPtr(), ex.outLen()).reduce((n: number, c: number) => n + (c === 10 ? 1 : 0), 0); ex.outReset(); };
  for (let off = 0; off < data.length;) {
    const n = Math.min(ex.inCap(), data.length - off);
    new Uint8Array(ex.memory.buffer, ex.inPtr(), n).set(data.subarray(off, off + n));
    off += n;
    let st = ex.push(n);
    while (st === 1) { drain(); st = ex.resume(); }
    expect(st).toBe(0);
    drain();
  }
  expect(ex.finish()).toBe(0);
  drain();
  return lines;
}

// One template packet per kind; ports and addresses are patched in place for speed.
function template(payload: Uint8Array): Uint8Array {
  return B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, payload: B.tcp({ srcPort: 1, dstPort: 80, seq: 1, ack: 1, payload, src: '10.0.0.1', dst: '10.0.0.2' }) }) });
}
function patch(p: Uint8Array, i: number): Uint8Array {
  const q = p.slice();
  q[28] = 10; q[29] = (i >> 16) & 255; q[30] = (i >> 8) & 255; q[31] = i & 255; // source address
  q[34] = 0x80 | ((i >> 8) & 0x7f); q[35] = i & 255; // source port
  return q;
}

function stress(): Uint8Array {
  const h1 = template(B.ascii('GET /x HTTP/1.1\r\nHost: a\r\nX-Cloud-Trace-Context: 0123456789abcdef0123456789abcdef/1;o=1\r\nX-Pad: ' + 'p'.repeat(500)));
  const h2 = template(B.bytes(B.ascii('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), B.hex('000010 01 00 00000001'), B.hex('828684418cf1e3c2e5f23a6ba0ab90f4ff')));
  const packets: B.PcapPacket[] = [];
  for (let i = 0; i < 100000; i++) packets.push({ data: patch(i % 3 === 0 ? h2 : h1, i), ts: { sec: 1700000000 + Math.floor(i / 1000), nsec: i % 1000 } });
  return B.pcap(packets, { nano: true });
}

describe('core memory bound', () => {
  it('a parallel run\'s thread (shared memory, 3 output windows, marks and the index on) holding every part stays under 80 MiB', () => {
    const ex = core(sharedWasm);
    expect(ex.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    ex.setWindows(3); ex.setMarks(1); ex.setIndexing(1); ex.setShard(0, 1);
    expect(feed(ex, stress())).toBe(100000);
    console.log(`shared core memory after 100000 connections: ${(ex.memory.buffer.byteLength / 1048576).toFixed(1)} MiB`);
    expect(ex.memory.buffer.byteLength).toBeLessThanOrEqual(80 << 20);
  });

  it('100000 connections with unfinished HTTP/1 heads and HTTP/2 header blocks stay under 64 MiB', () => {
    const h1 = template(B.ascii('GET /x HTTP/1.1\r\nHost: a\r\nX-Cloud-Trace-Context: 0123456789abcdef0123456789abcdef/1;o=1\r\nX-Pad: ' + 'p'.repeat(500)));
    const h2 = template(B.bytes(B.ascii('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), B.hex('000010 01 00 00000001'), B.hex('828684418cf1e3c2e5f23a6ba0ab90f4ff')));
    const packets: B.PcapPacket[] = [];
    for (let i = 0; i < 100000; i++) packets.push({ data: patch(i % 3 === 0 ? h2 : h1, i), ts: { sec: 1700000000 + Math.floor(i / 1000), nsec: i % 1000 } });
    const cap = B.pcap(packets, { nano: true });
    const ex = core();
    const lines = feed(ex, cap);
    expect(lines).toBe(100000);
    console.log(`core memory after 100000 connections: ${(ex.memory.buffer.byteLength / 1048576).toFixed(1)} MiB`);
    expect(ex.memory.buffer.byteLength).toBeLessThanOrEqual(64 << 20);
  });
});
