// The core's memory stays under its maximum (80 MiB; 96 MiB for a thread) whatever the input:
// every pool of the DEBUG analysis full at once, many more connections than the table holds
// (each with a request in flight), HTTP/2 connections holding HPACK tables, heads left
// incomplete. Running out loses context (and says so), never a record, never the instance.
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

// A packet from 10.0.0.2:80 back to connection i's client (the reverse of patch()).
function template2(payload: Uint8Array): Uint8Array {
  return B.ethernet({ type: B.ETH.IPV4, payload: B.ipv4({ src: '10.0.0.2', dst: '10.0.0.1', proto: 6, payload: B.tcp({ srcPort: 80, dstPort: 1, seq: 1, ack: 1, payload, src: '10.0.0.2', dst: '10.0.0.1' }) }) });
}
function patchBack(p: Uint8Array, i: number): Uint8Array {
  const q = p.slice();
  q[30] = 10; q[31] = (i >> 16) & 255; q[32] = (i >> 8) & 255; q[33] = i & 255; // destination address
  q[36] = 0x80 | ((i >> 8) & 0x7f); q[37] = i & 255; // destination port
  return q;
}

// Every pool of the DEBUG analysis full at once: 4096 HTTP/2 connections with header blocks
// both ways (HPACK tables: 2 each), 4 requests waiting on each (exchanges) and a DATA frame
// left incomplete (sample buffers); then HTTP/1 connections with incomplete heads (head
// buffers) until the connection table is full many times over.
function everyPool(): Uint8Array {
  const hf = (sid: number) => B.hex(`000011 01 04 ${sid.toString(16).padStart(8, '0')} 828684418cf1e3c2e5f23a6ba0ab90f4ff`);
  const client = template(B.bytes(B.ascii('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), B.hex('000000 04 00 00000000'), hf(1), hf(3), hf(5), hf(7), B.hex('0003e8 00 00 00000001'), new Uint8Array(100)));
  const server = template2(B.bytes(B.hex('000000 04 00 00000000'), B.hex('000001 01 04 00000001 88')));
  const h1 = template(B.ascii('GET /x HTTP/1.1\r\nHost: a\r\nX-Pad: ' + 'p'.repeat(500)));
  const packets: B.PcapPacket[] = [];
  const ts = (n: number) => ({ sec: 1700000000 + Math.floor(n / 1000), nsec: (n % 1000) * 1000 });
  for (let i = 0; i < 4096; i++) { packets.push({ data: patch(client, i), ts: ts(packets.length) }); packets.push({ data: patchBack(server, i), ts: ts(packets.length) }); }
  for (let i = 4096; i < 60000; i++) packets.push({ data: patch(h1, i), ts: ts(packets.length) });
  return B.pcap(packets, { nano: true });
}

describe('core memory bound', () => {
  it('every pool of the analysis full at once (connections, exchanges, head and sample buffers, HPACK tables) fits in the 80 MiB maximum', () => {
    const ex = core();
    const cap = everyPool();
    expect(feed(ex, cap)).toBe(4096 * 2 + 60000 - 4096);
    const used = (k: number) => ex.skipCount(k);
    const mib = ex.memoryUsed() / 1048576;
    console.log(`core memory with every pool full: ${mib.toFixed(1)} MiB used, ${(ex.memory.buffer.byteLength / 1048576).toFixed(1)} MiB of memory; no HPACK table ${used(6)}, no buffer ${used(2)}, requests reclaimed ${used(4)}, live connections evicted ${used(10)}`);
    // The pools really ran out (the refusals are counted), and memory stayed bounded.
    expect(used(6)).toBeGreaterThan(0);
    expect(used(2)).toBeGreaterThan(0);
    expect(used(4)).toBeGreaterThan(0);
    expect(used(10)).toBeGreaterThan(0);
    // 73.4 MiB measured with exchange timing's state (issue 24); headroom below the 80 MiB maximum.
    expect(mib).toBeLessThanOrEqual(76);
    expect(ex.memory.buffer.byteLength).toBeLessThanOrEqual(80 << 20);
  });

  it('the same in a parallel run\'s thread (shared memory, 3 output windows): within its 96 MiB maximum', () => {
    const ex = core(sharedWasm);
    ex.setWindows(3); ex.setMarks(1); ex.setIndexing(1); ex.setShard(0, 1);
    expect(feed(ex, everyPool())).toBe(4096 * 2 + 60000 - 4096);
    console.log(`shared core memory with every pool full: ${(ex.memoryUsed() / 1048576).toFixed(1)} MiB used`);
    expect(ex.memory.buffer.byteLength).toBeLessThanOrEqual(96 << 20);
  });

  it('a parallel run\'s thread (shared memory, 3 output windows, marks and the index on) holding every part stays under 80 MiB', () => {
    const ex = core(sharedWasm);
    expect(ex.memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    ex.setWindows(3); ex.setMarks(1); ex.setIndexing(1); ex.setShard(0, 1);
    expect(feed(ex, stress())).toBe(100000);
    console.log(`shared core memory after 100000 connections: ${(ex.memory.buffer.byteLength / 1048576).toFixed(1)} MiB`);
    expect(ex.memory.buffer.byteLength).toBeLessThanOrEqual(80 << 20);
  });

  it('100000 connections with unfinished HTTP/1 heads and HTTP/2 header blocks stay under 80 MiB', () => {
    const h1 = template(B.ascii('GET /x HTTP/1.1\r\nHost: a\r\nX-Cloud-Trace-Context: 0123456789abcdef0123456789abcdef/1;o=1\r\nX-Pad: ' + 'p'.repeat(500)));
    const h2 = template(B.bytes(B.ascii('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), B.hex('000010 01 00 00000001'), B.hex('828684418cf1e3c2e5f23a6ba0ab90f4ff')));
    const packets: B.PcapPacket[] = [];
    for (let i = 0; i < 100000; i++) packets.push({ data: patch(i % 3 === 0 ? h2 : h1, i), ts: { sec: 1700000000 + Math.floor(i / 1000), nsec: i % 1000 } });
    const cap = B.pcap(packets, { nano: true });
    const ex = core();
    const lines = feed(ex, cap);
    expect(lines).toBe(100000);
    console.log(`core memory after 100000 connections: ${(ex.memory.buffer.byteLength / 1048576).toFixed(1)} MiB`);
    expect(ex.memory.buffer.byteLength).toBeLessThanOrEqual(80 << 20);
  });
});
