// The PCAP-over-IP server in one process: its address forms, a fresh global header for every
// client then whole records, a client that reads too slowly cut off at its queue bound (one
// line) while the others get every packet, churn of clients connecting and leaving at any
// moment, the client limit, bind errors, and the close that hands over what is queued.
import { describe, it, expect } from 'vitest';
import * as net from 'node:net';
import { readFileSync } from 'node:fs';
import {
  listenPcapOverIp, parseListenAddress, PcapOverIpError, PCAP_OVER_IP_CLIENT_BYTES, type PcapOverIpServer,
} from '../../../../runtimes/node/output/pcapoverip.js';
import { readPcap, type PcapPacket } from '../../../helpers/pcap-records.js';

const HTTP = new URL('../../../../../shared/corpus/http/', import.meta.url).pathname;
const { linktype, packets } = readPcap(readFileSync(HTTP + 'h1-keepalive-mtu1500.pcap'));
const turn = () => new Promise<void>((r) => setImmediate(r));
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** A client that collects the stream; `ended` resolves with its bytes once the server closes it. */
function client(port: number, o: { paused?: boolean } = {}) {
  const s = net.connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  if (o.paused) s.pause(); else s.on('data', (b) => chunks.push(b));
  const connected = new Promise<void>((r) => s.once('connect', () => r()));
  const ended = new Promise<Buffer>((r) => s.once('close', () => r(Buffer.concat(chunks))));
  s.on('error', () => {});
  return { s, connected, ended, bytes: () => Buffer.concat(chunks) };
}

async function server(o: { clientBytes?: number; maxClients?: number; closeMs?: number } = {}) {
  const lines: string[] = [];
  const srv = await listenPcapOverIp({ host: '127.0.0.1', port: 0, say: (l) => lines.push(l), ...o });
  return { srv, lines, port: Number(srv.address.split(':').pop()) };
}

/** Writes packets [from, to) a few per event-loop turn, as a capture delivers them. */
async function feed(srv: PcapOverIpServer, from: number, to: number, perTurn = 7): Promise<void> {
  for (let i = from; i < to; i++) {
    srv.write(packets[i]!);
    if (i % perTurn === 0) await turn();
  }
  await turn();
}

const usOf = (p: PcapPacket) => ({ sec: p.sec, nsec: Math.floor(p.nsec / 1000) * 1000, len: p.len, data: Buffer.from(p.data) });
function expectStream(bytes: Buffer, want: PcapPacket[], what: string): void {
  const got = readPcap(bytes);
  expect(got.linktype, what).toBe(linktype);
  expect(bytes.readUInt32LE(0), what).toBe(0xa1b2c3d4);
  expect(got.packets.length, what).toBe(want.length);
  // Thousands of packets: compare plainly, and let expect() show the first that differs.
  const same = (p: PcapPacket, q: PcapPacket) => p.sec === q.sec && p.nsec === q.nsec && p.len === q.len && Buffer.from(p.data).equals(Buffer.from(q.data));
  const bad = got.packets.findIndex((p, i) => !same(p, usOf(want[i]!)));
  if (bad >= 0) expect({ ...got.packets[bad]!, data: Buffer.from(got.packets[bad]!.data) }, `${what}: packet ${bad}`).toEqual(usOf(want[bad]!));
}

describe('PCAP-over-IP', () => {
  it('ADDR:PORT forms; bad ones are one-line RangeErrors', () => {
    expect(parseListenAddress('127.0.0.1:57012')).toEqual({ host: '127.0.0.1', port: 57012 });
    expect(parseListenAddress('[::1]:0')).toEqual({ host: '::1', port: 0 });
    expect(parseListenAddress('0.0.0.0:1')).toEqual({ host: '0.0.0.0', port: 1 });
    expect(parseListenAddress('localhost:9')).toEqual({ host: 'localhost', port: 9 });
    for (const bad of ['57012', ':57012', '::1:5', '127.0.0.1:', '127.0.0.1:x', 'a:70000', '[::1]57']) {
      expect(() => parseListenAddress(bad), bad).toThrow(RangeError);
    }
    expect(() => parseListenAddress('h:70000')).toThrow('--pcap-over-ip: port 70000 is above 65535');
  });

  it('a client gets a global header then every packet from when it connected; one connected before start() gets the header then', async () => {
    const { srv, lines, port } = await server();
    try {
      const early = client(port);
      await early.connected;
      await sleep(20);
      srv.write(packets[0]!); // before start(): nobody gets it
      srv.start(linktype, 262144, 'us');
      await feed(srv, 0, 100);
      const late = client(port);
      await late.connected;
      await sleep(20);
      await feed(srv, 100, packets.length);
      await srv.close();
      expectStream(await early.ended, packets, 'early');
      expectStream(await late.ended, packets.slice(100), 'late');
      expect(lines).toEqual([]);
      expect(srv.stats()).toEqual({ accepted: 2, cut: 0, refused: 0 });
    } finally { await srv.close(); }
  });

  it('a client that does not read is cut off at its queue bound, in one line; the fast one gets everything and writing never waits', async () => {
    const clientBytes = 1 << 20;
    const { srv, lines, port } = await server({ clientBytes });
    try {
      srv.start(linktype, 262144, 'us');
      const fast = client(port);
      const slow = client(port, { paused: true });
      await Promise.all([fast.connected, slow.connected]);
      await sleep(20);
      // The corpus (843 KB) once per turn, until the slow client, which reads nothing, has been
      // cut off (its kernel buffers hold a few MB), then 3 rounds more; the fast client reads
      // each round before the next.
      const roundBytes = packets.reduce((n, p) => n + 16 + p.data.length, 0);
      let rounds = 0, after = 0, longest = 0;
      while (rounds < 100 && after < 3) {
        const t0 = performance.now();
        for (const p of packets) srv.write(p);
        longest = Math.max(longest, performance.now() - t0);
        rounds++;
        if (srv.stats().cut) after++;
        const want = 24 + rounds * roundBytes;
        for (let i = 0; i < 500 && fast.bytes().length < want; i++) await sleep(2);
      }
      expect(srv.stats().cut, `after ${rounds} rounds`).toBe(1);
      await srv.close();
      const got = await fast.ended;
      expectStream(got, Array.from({ length: rounds }, () => packets).flat(), 'fast');
      console.log(`slow client cut after ${rounds - 3} rounds of ${roundBytes} bytes; longest round ${longest.toFixed(1)} ms`);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^tracecap: pcap over IP: client 127\\.0\\.0\\.1:\\d+ cut off: more than ${clientBytes} bytes waited for it \\(it reads too slowly\\)\\n$`));
      expect(srv.stats().cut).toBe(1);
      // What the slow client reads of what its kernel buffers hold is the stream's beginning.
      // (The rest trickles in: the closed socket's zero-window probes back off.)
      const partial: Buffer[] = [];
      slow.s.on('data', (b) => partial.push(b));
      slow.s.resume();
      await sleep(300);
      slow.s.destroy();
      const head = Buffer.concat(partial);
      expect(head.length).toBeGreaterThan(24);
      expect(head.length).toBeLessThan(got.length);
      expect(got.subarray(0, head.length).equals(head)).toBe(true);
      expect(longest, 'longest write of one round (ms)').toBeLessThan(500);
    } finally { await srv.close(); }
  });

  it('churn: clients connecting and leaving (reset, end) at any moment never disturb the stream of one that stays', async () => {
    const { srv, lines, port } = await server();
    try {
      srv.start(linktype, 262144, 'us');
      const stayer = client(port);
      await stayer.connected;
      await sleep(20);
      const comers: ReturnType<typeof client>[] = [];
      const gone: ReturnType<typeof client>[] = [];
      for (let i = 0; i < packets.length; i++) {
        srv.write(packets[i]!);
        if (i % 5 === 0) comers.push(client(port));
        // Some leave, so that at most 20 are connected (the limit is 32).
        if ((i % 7 === 0 && comers.length) || comers.length > 20) {
          const c = comers.splice(i % comers.length, 1)[0]!;
          if (i % 2) c.s.resetAndDestroy(); else c.s.end();
          gone.push(c);
        }
        if (i % 3 === 0) await turn();
      }
      await sleep(50);
      await srv.close();
      expectStream(await stayer.ended, packets, 'stayer');
      for (const c of comers) {
        // What a client that stayed to the end got is a header and whole records.
        const b = await c.ended;
        if (b.length) expect(() => readPcap(b)).not.toThrow();
      }
      await Promise.all(gone.map((c) => c.ended));
      expect(lines).toEqual([]);
      expect(srv.clients).toBe(0);
      expect(srv.stats().accepted).toBe(comers.length + gone.length + 1);
    } finally { await srv.close(); }
  });

  it('more clients than the limit: the extra one is refused in one line', async () => {
    const { srv, lines, port } = await server({ maxClients: 2 });
    try {
      srv.start(linktype, 262144, 'us');
      const a = client(port), b = client(port);
      await Promise.all([a.connected, b.connected]);
      await sleep(20);
      const c = client(port);
      expect((await c.ended).length).toBe(0);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^tracecap: pcap over IP: client 127\.0\.0\.1:\d+ refused: 2 clients are connected already\n$/);
      expect(srv.stats()).toEqual({ accepted: 2, cut: 0, refused: 1 });
    } finally { await srv.close(); }
  });

  it('bind errors: one line naming the address; a non-loopback address is said to be reachable', async () => {
    const { srv, port } = await server();
    try {
      await expect(listenPcapOverIp({ host: '127.0.0.1', port, say: () => {} })).rejects.toThrow(new PcapOverIpError(`--pcap-over-ip 127.0.0.1:${port}: cannot listen: the address is in use`));
      await expect(listenPcapOverIp({ host: '192.0.2.1', port: 0, say: () => {} })).rejects.toThrow('--pcap-over-ip 192.0.2.1:0: cannot listen: no such address on this machine');
      const lines: string[] = [];
      const open = await listenPcapOverIp({ host: '0.0.0.0', port: 0, say: (l) => lines.push(l) });
      expect(lines).toEqual([`tracecap: pcap over IP on ${open.address} is reachable from other machines: every packet captured goes to whoever connects\n`]);
      await open.close();
    } finally { await srv.close(); }
  });

  it('close(): a client that never reads is cut after the grace; close resolves', async () => {
    const { srv, port } = await server({ closeMs: 200, clientBytes: 16 * PCAP_OVER_IP_CLIENT_BYTES });
    srv.start(linktype, 262144, 'us');
    const slow = client(port, { paused: true });
    await slow.connected;
    await sleep(20);
    for (let r = 0; r < 10; r++) { for (const p of packets) srv.write(p); await turn(); }
    expect(srv.clients).toBe(1); // more than the kernel takes is waiting for it
    const t0 = Date.now();
    await srv.close();
    expect(Date.now() - t0).toBeLessThan(2000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(150);
    slow.s.destroy();
  });
});
