// Checks shared by the live-capture tests (runLive and the CLI): the summary line, record-by-
// record comparison, and a reference `tcpdump -w FILE` in a namespace.
import { expect } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { waitFor, type Netns } from './netns.js';

export const SUMMARY = /^tracecap: (\d+) packets? captured, (\d+) received by filter, (\d+) dropped by kernel, (\d+) dropped by interface$/;

/** Asserts that every stderr line is the summary line, once; returns its counters. */
export function summaryOf(lines: string[]): number[] {
  expect(lines).toHaveLength(1);
  const m = SUMMARY.exec(lines[0]!);
  expect(m, lines[0]).not.toBeNull();
  return m!.slice(1).map(Number);
}

export function expectSameRecords(actual: string, expected: string, what: string): void {
  const a = actual.split('\n');
  const e = expected.split('\n');
  // Line by line first: a whole-capture diff would be unreadable.
  for (let i = 0; i < Math.min(a.length, e.length); i++) if (a[i] !== e[i]) expect(a[i], `${what}: record ${i}`).toBe(e[i]);
  expect(a.length, `${what}: records`).toBe(e.length);
}

/** A plain `tcpdump -w FILE` in the namespace; `ready` once it listens. */
export function nsTcpdump(ns: Netns, dev: string, file: string, filter: string, extra: string[] = []): { child: ChildProcess; ready: Promise<void> } {
  // -Z root: the file is in a root-owned directory; tcpdump would drop to its own user first.
  const child = ns.spawn('tcpdump', ['-i', dev, '-n', '-U', '-Z', 'root', '-s', '262144', ...extra, '-w', file, filter]);
  return { child, ready: waitFor(child.stderr!, 'listening on', 15_000) };
}

/** The packets of a classic pcap file (as tcpdump writes it on this host: little-endian, microseconds). */
export function packetsOf(file: Uint8Array): { sec: number; nsec: number; len: number; data: Uint8Array }[] {
  const b = Buffer.from(file.buffer, file.byteOffset, file.length);
  expect(b.readUInt32LE(0)).toBe(0xa1b2c3d4);
  const out = [];
  for (let off = 24; off + 16 <= b.length;) {
    const cap = b.readUInt32LE(off + 8);
    out.push({ sec: b.readUInt32LE(off), nsec: b.readUInt32LE(off + 4) * 1000, len: b.readUInt32LE(off + 12), data: b.subarray(off + 16, off + 16 + cap) });
    off += 16 + cap;
  }
  return out;
}

/** UDP echo server (argv: address port); prints "up" once bound. */
export const ECHO = `
import dgram from 'node:dgram';
const [address, port] = process.argv.slice(2);
const s = dgram.createSocket('udp4');
s.on('message', (m, r) => s.send(m, r.port, r.address));
s.bind(Number(port), address, () => console.log('up'));
`;
/** Sends n datagrams alternately to two echo servers (argv: port n addrA addrB), 5 ms apart, awaiting each answer. */
export const PINGS = `
import dgram from 'node:dgram';
const [port, n, ...to] = process.argv.slice(2);
const c = dgram.createSocket('udp4');
for (let i = 0; i < Number(n); i++) {
  await new Promise((ok, fail) => {
    const t = setTimeout(() => fail(new Error('no answer from ' + to[i % 2])), 5000);
    c.once('message', () => { clearTimeout(t); ok(); });
    c.send('ping ' + i, Number(port), to[i % 2]);
  });
  await new Promise((r) => setTimeout(r, 5));
}
c.close();
`;
