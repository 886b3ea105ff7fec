// src/stream.ts against tshark's "Follow TCP Stream" (-z follow,tcp,raw,N) on the corpus
// captures and on built captures with retransmissions, overlaps, reordering and gaps; then the
// HTTP/1 splitter and body decoding (chunked, gzip, deflate, br through node:zlib).
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import { CaptureSelector } from '../../src/capsel.js';
import { decodeBody, dechunk, h2Data, reassemble, splitHttp, tcpSegment, Reassembler, MAX_FOLLOW_BYTES, MAX_FOLLOW_MESSAGES, MAX_HELD_SEGMENTS, UnsupportedCoding, type FollowPacket, type FollowedStream } from '../../src/stream.js';
import { nodeDecompress } from '../../runtimes/node/decompress.js';
import * as B from '../helpers/build.js';
import { Conversation } from '../helpers/conversation.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const HTTP = new URL('../../../shared/corpus/http/', import.meta.url).pathname;
const tmp = mkdtempSync(join(tmpdir(), 'stream-test-'));

/** Every packet of a capture file with its TCP segment (null: not TCP) and time. */
function readCapture(file: string): Array<FollowPacket | null> {
  const out: Array<FollowPacket | null> = [];
  const sel = new CaptureSelector('all', { packet: (p) => { const seg = tcpSegment(p.linktype, p.data); out.push(seg ? { seg: { ...seg, payload: seg.payload.slice() }, time: 0 } : null); } });
  sel.push(readFileSync(file));
  sel.finish();
  return out;
}

/** tshark's follow of every TCP stream: each direction's bytes (node 0 = the first packet's sender). */
function tsharkFollow(file: string): Array<{ node0: string; dirs: [string, string] }> {
  const streams = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.stream', '-Y', 'tcp'], { encoding: 'utf8' }).split('\n').filter(Boolean).map(Number);
  const n = streams.length ? Math.max(...streams) + 1 : 0;
  const args = ['-r', file, '-q'];
  for (let i = 0; i < n; i++) args.push('-z', `follow,tcp,raw,${i}`);
  const text = execFileSync('tshark', args, { encoding: 'utf8', maxBuffer: 256 << 20 });
  const out: Array<{ node0: string; dirs: [string, string] }> = [];
  for (const block of text.split(/^=+\n/m)) {
    if (!block.startsWith('Follow: tcp,raw')) continue;
    const index = Number(/^Filter: tcp\.stream eq (\d+)$/m.exec(block)![1]);
    const node0 = /^Node 0: (.*)$/m.exec(block)![1]!;
    const dirs: [string, string] = ['', ''];
    for (const line of block.split('\n').slice(4)) {
      if (/^[0-9a-f]+$/.test(line)) dirs[0] += line;
      else if (/^\t[0-9a-f]+$/.test(line)) dirs[1] += line.slice(1);
    }
    out[index] = { node0, dirs };
  }
  return out;
}

/** Our follow of tshark's stream i (its packets by tshark's tcp.stream numbers). */
function oursByStream(file: string): FollowedStream[] {
  const pkts = readCapture(file);
  const ids = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'tcp.stream'], { encoding: 'utf8' }).split('\n').slice(0, pkts.length);
  const groups = new Map<number, FollowPacket[]>();
  ids.forEach((id, i) => { if (id === '' || !pkts[i]) return; const g = groups.get(Number(id)) ?? []; g.push(pkts[i]!); groups.set(Number(id), g); });
  return [...groups.keys()].sort((a, b) => a - b).map((k) => reassemble(groups.get(k)!));
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** Our direction's bytes in tshark's node order, a gap as tshark's raw follow prints it ("[N bytes missing in capture file]" and a NUL). */
function dirsAsTshark(s: FollowedStream, node0: string): [string, string] {
  const bytesOf = (dir: 0 | 1) => s.chunks.filter((c) => c.dir === dir)
    .map((c) => (c.gap ? hex(Buffer.from(`[${c.end - c.start} bytes missing in capture file]\0`)) : hex(s.dirs[dir].bytes.subarray(c.start, c.end)))).join('');
  const swap = node0.replace(/^\[?(.*?)\]?:(\d+)$/, '$1:$2') !== s.client.replace(/^\[(.*)\]:(\d+)$/, '$1:$2');
  return swap ? [bytesOf(1), bytesOf(0)] : [bytesOf(0), bytesOf(1)];
}

describe.each([
  HTTP + 'h1-keepalive-mtu1500.pcap', HTTP + 'h1-keepalive-mtu1500.pcapng', HTTP + 'h1-keepalive-lo.pcap', HTTP + 'h1-resets-mtu1500.pcap',
  HTTP + 'h2c-any-sll2.pcap', HTTP + 'h2c-mtu1500.pcap', HTTP + 'tls-sni.pcap', ROOT + 'examples/http-keepalive.pcap',
])('reassemble on %s', (file) => {
  it("gives each direction's bytes as tshark's follow,tcp,raw does, stream by stream", () => {
    const theirs = tsharkFollow(file);
    const ours = oursByStream(file);
    expect(ours.length).toBe(theirs.length);
    expect(theirs.length).toBeGreaterThan(0);
    let bytes = 0;
    ours.forEach((s, i) => {
      const t = theirs[i]!;
      expect(dirsAsTshark(s, t.node0)).toEqual(t.dirs);
      bytes += t.dirs[0].length + t.dirs[1].length;
    });
    expect(bytes).toBeGreaterThan(0);
  });
});

/** A built capture's file and our follow of its one connection. */
function built(name: string, make: (c: Conversation) => void): { file: string; s: FollowedStream } {
  const packets: B.PcapPacket[] = [];
  make(new Conversation(packets));
  const file = join(tmp, name + '.pcap');
  writeFileSync(file, B.pcap(packets));
  const s = reassemble(readCapture(file).filter((p): p is FollowPacket => p !== null));
  return { file, s };
}
const text = (s: FollowedStream, dir: 0 | 1) => Buffer.from(s.dirs[dir].bytes).toString('latin1');

describe('reassemble on built captures', () => {
  it('keeps the first copy of retransmitted and overlapping bytes, as tshark does', () => {
    const { file, s } = built('retrans', (c) => {
      c.handshake(1);
      const seq = c.c.seq;
      c.send('GET /a HTTP/1.1\r\n', 1.01);
      c.sendAt('GET /a HTTP/1.1\r\n', seq, 1.2); // a plain retransmission
      c.sendAt('XXXXXXXXXXXXXXXXXHost: h\r\n\r\n', seq, 1.3); // overlaps with other bytes, then new ones
      c.c.seq = seq + 'GET /a HTTP/1.1\r\nHost: h\r\n\r\n'.length;
      c.reply('HTTP/1.1 204 No Content\r\n\r\n', 1.4);
    });
    expect(text(s, 0)).toBe('GET /a HTTP/1.1\r\nHost: h\r\n\r\n');
    expect(s.dirs[0].retransmitted).toBe(17 + 17);
    const t = tsharkFollow(file)[0]!;
    expect(dirsAsTshark(s, t.node0)).toEqual(t.dirs);
  });

  it('puts out-of-order segments in sequence order', () => {
    const { file, s } = built('ooo', (c) => {
      c.handshake(1);
      const seq = c.c.seq;
      c.sendAt('world', seq + 6, 1.01);
      c.sendAt('hello ', seq, 1.02);
      c.c.seq = seq + 11;
      c.reply('ok', 1.03);
    });
    expect(text(s, 0)).toBe('hello world');
    expect(s.dirs[0].missing).toBe(0);
    const t = tsharkFollow(file)[0]!;
    expect(dirsAsTshark(s, t.node0)).toEqual(t.dirs);
  });

  it('shows bytes the capture lacks as a gap, and keeps what comes after it', () => {
    const { file, s } = built('gap', (c) => {
      c.handshake(1);
      const seq = c.c.seq;
      c.sendAt('first ', seq, 1.01);
      c.sendAt('third', seq + 6 + 7, 1.02); // "second " never captured
      c.c.seq = seq + 18;
      c.reply('ok', 1.03);
    });
    expect(s.chunks.filter((x) => x.dir === 0).map((x) => [x.start, x.end, !!x.gap])).toEqual([[0, 6, false], [6, 13, true], [13, 18, false]]);
    expect(s.dirs[0].missing).toBe(7);
    expect(text(s, 0)).toBe('first \0\0\0\0\0\0\0third');
    const t = tsharkFollow(file)[0]!;
    expect(dirsAsTshark(s, t.node0)).toEqual(t.dirs);
  });

  it('keeps at most the limit per direction and says how much more there was', () => {
    const packets: B.PcapPacket[] = [];
    const c = new Conversation(packets);
    c.handshake(1);
    c.send('a'.repeat(100), 1.1); c.send('b'.repeat(100), 1.2);
    const file = join(tmp, 'limit.pcap');
    writeFileSync(file, B.pcap(packets));
    const s = reassemble(readCapture(file).filter((p): p is FollowPacket => p !== null), 150);
    expect([s.dirs[0].bytes.length, s.dirs[0].cut, s.dirs[0].total]).toEqual([150, 50, 200]);
    const m = splitHttp(s);
    expect(m.messages).toEqual([]);
  });

  it('reads Ethernet with VLAN tags, raw IP, SLL2 and IPv6 with extension headers, and nothing else', () => {
    const seg = B.tcp({ srcPort: 1, dstPort: 2, seq: 7, flags: 'PSH|ACK', payload: B.ascii('x'), src: '10.0.0.1', dst: '10.0.0.2' });
    const ip = B.ipv4({ src: '10.0.0.1', dst: '10.0.0.2', proto: 6, payload: seg });
    expect(tcpSegment(1, B.ethernet({ vlan: [{ id: 5 }], type: B.ETH.IPV4, payload: ip }))).toMatchObject({ src: '10.0.0.1', sport: 1, dport: 2, seq: 7 });
    expect(tcpSegment(101, ip)?.payload).toEqual(B.ascii('x'));
    expect(tcpSegment(276, B.sll2({ protocol: B.ETH.IPV4, payload: ip }))?.dst).toBe('10.0.0.2');
    const seg6 = B.tcp({ srcPort: 1, dstPort: 2, seq: 7, flags: 'ACK', payload: B.ascii('y'), src: '2001:db8::1', dst: '2001:db8::2' });
    expect(tcpSegment(229, B.ipv6({ src: '2001:db8::1', dst: '2001:db8::2', payload: seg6 }))).toMatchObject({ src: '2001:db8::1', dst: '2001:db8::2' });
    // RFC 5952 §4.2.3: the longest run of zero groups is the one shortened.
    const seg7 = B.tcp({ srcPort: 1, dstPort: 2, seq: 7, flags: 'ACK', payload: B.ascii('y'), src: '2001:0:0:1::1', dst: '::1' });
    expect(tcpSegment(229, B.ipv6({ src: '2001:0:0:1:0:0:0:1', dst: '::1', payload: seg7 }))).toMatchObject({ src: '2001:0:0:1::1', dst: '::1' });
    expect(tcpSegment(1, B.ethernet({ type: B.ETH.ARP, payload: new Uint8Array(28) }))).toBeNull();
    expect(tcpSegment(1, ip.subarray(0, 10))).toBeNull();
    expect(tcpSegment(9999, ip)).toBeNull();
  });
});

// ---- HTTP/1 ----------------------------------------------------------------------------------

function exchange(reqs: string[], resps: Array<string | Uint8Array>, close = false): FollowedStream {
  const packets: B.PcapPacket[] = [];
  const c = new Conversation(packets);
  c.handshake(1);
  reqs.forEach((r, i) => { c.send(r, 1.1 + i / 10); const x = resps[i]; if (x !== undefined) c.reply(x, 1.15 + i / 10); });
  if (close) c.serverFin(3);
  const file = join(tmp, 'http.pcap');
  writeFileSync(file, B.pcap(packets));
  return reassemble(readCapture(file).filter((p): p is FollowPacket => p !== null));
}
const cat = (...p: Array<string | Uint8Array>) => Buffer.concat(p.map((x) => (typeof x === 'string' ? Buffer.from(x, 'latin1') : Buffer.from(x))));

describe('splitHttp and decodeBody', () => {
  it('frames bodies by Content-Length, chunked, HEAD, 204 and close, and decodes gzip inside chunked', async () => {
    const gz = gzipSync(Buffer.from('hello gzip '.repeat(20)));
    const chunked = cat('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Encoding: gzip\r\n\r\n', gz.length.toString(16), '\r\n', gz, '\r\n0\r\nX-Trailer: 1\r\n\r\n');
    const s = exchange(
      ['POST /p HTTP/1.1\r\nContent-Length: 3\r\n\r\nabc', 'GET /c HTTP/1.1\r\n\r\n', 'HEAD /h HTTP/1.1\r\n\r\n', 'DELETE /d HTTP/1.1\r\n\r\n', 'GET /close HTTP/1.1\r\n\r\n'],
      ['HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok', chunked, 'HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n', 'HTTP/1.1 204 No Content\r\n\r\n', 'HTTP/1.0 200 OK\r\n\r\nuntil close'],
      true,
    );
    const { messages, stopped } = splitHttp(s);
    expect(stopped).toEqual([null, null]);
    expect(messages.map((m) => [m.dir, m.line, m.framing, m.complete])).toEqual([
      [0, 'POST /p HTTP/1.1', 'length', true], [1, 'HTTP/1.1 201 Created', 'length', true],
      [0, 'GET /c HTTP/1.1', 'none', true], [1, 'HTTP/1.1 200 OK', 'chunked', true],
      [0, 'HEAD /h HTTP/1.1', 'none', true], [1, 'HTTP/1.1 200 OK', 'none', true],
      [0, 'DELETE /d HTTP/1.1', 'none', true], [1, 'HTTP/1.1 204 No Content', 'none', true],
      [0, 'GET /close HTTP/1.1', 'none', true], [1, 'HTTP/1.0 200 OK', 'close', true],
    ]);
    const body = (i: number) => decodeBody(s, messages[i]!, nodeDecompress);
    expect(Buffer.from((await body(0)).data!).toString()).toBe('abc');
    const c = await body(3);
    expect(c.codings).toEqual(['gzip']);
    expect(Buffer.from(c.data!).toString()).toBe('hello gzip '.repeat(20));
    expect(Buffer.from((await body(9)).data!).toString()).toBe('until close');
  });

  it('decodes deflate (zlib and raw) and br, and says why when it cannot', async () => {
    const bodies = [deflateSync(Buffer.from('zlib deflate')), deflateRawSync(Buffer.from('raw deflate')), brotliCompressSync(Buffer.from('brotli'))];
    const enc = ['deflate', 'deflate', 'br'];
    const s = exchange(
      ['GET /1 HTTP/1.1\r\n\r\n', 'GET /2 HTTP/1.1\r\n\r\n', 'GET /3 HTTP/1.1\r\n\r\n', 'GET /4 HTTP/1.1\r\n\r\n', 'GET /5 HTTP/1.1\r\n\r\n'],
      [...bodies.map((b, i) => cat(`HTTP/1.1 200 OK\r\nContent-Encoding: ${enc[i]}\r\nContent-Length: ${b.length}\r\n\r\n`, b)),
        'HTTP/1.1 200 OK\r\nContent-Encoding: zstd\r\nContent-Length: 1\r\n\r\nz', 'HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope'],
    );
    const resp = splitHttp(s).messages.filter((m) => m.dir === 1);
    const got = await Promise.all(resp.map((m) => decodeBody(s, m, nodeDecompress)));
    expect(got.slice(0, 3).map((b) => Buffer.from(b.data!).toString())).toEqual(['zlib deflate', 'raw deflate', 'brotli']);
    expect(got[3]).toMatchObject({ data: null, note: 'content coding zstd is not decoded' });
    expect(got[4]!.data).toBeNull();
    expect(got[4]!.note).toMatch(/^gzip body could not be decoded: /);
    const noBr = async () => { throw new UnsupportedCoding('br is not decoded here'); };
    expect(await decodeBody(s, resp[2]!, noBr)).toMatchObject({ data: null, note: 'br is not decoded here' });
  });

  it('stops at a gap inside a body, saying where, and at bytes that are not HTTP', () => {
    const packets: B.PcapPacket[] = [];
    const c = new Conversation(packets);
    c.handshake(1);
    c.send('GET / HTTP/1.1\r\n\r\n', 1.1);
    const seq = c.s.seq;
    c.replyAt('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nab', seq, 1.2);
    c.replyAt('ghij', seq + 45, 1.3); // "cdef" never captured
    c.s.seq = seq + 49;
    c.send('\x16\x03\x01 not http\r\n\r\n', 1.4);
    const file = join(tmp, 'httpgap.pcap');
    writeFileSync(file, B.pcap(packets));
    const s = reassemble(readCapture(file).filter((p): p is FollowPacket => p !== null));
    const r = splitHttp(s);
    const resp = r.messages.find((m) => m.dir === 1)!;
    expect([resp.complete, resp.error]).toEqual([false, 'a gap of 4 bytes at byte 41']);
    expect(r.stopped[0]).toBe('bytes at 18 are not an HTTP/1 message');
  });

  it('dechunks and rejects malformed chunked bodies', () => {
    expect(Buffer.from(dechunk(Buffer.from('3;x=y\r\nabc\r\n2\r\nde\r\n0\r\n\r\n'))!).toString()).toBe('abcde');
    expect(dechunk(Buffer.from('zz\r\nabc'))).toBeNull();
    expect(dechunk(Buffer.from('9\r\nabc'))).toBeNull();
  });
});

describe('reassembly limits', () => {
  const seg = (seq: number, text: string, src = '10.0.0.1', sport = 1000): FollowPacket => ({ seg: { src, dst: '10.0.0.2', sport, dport: 80, seq, flags: 0x18, payload: Buffer.from(text) }, time: 0 });

  it(`declares the oldest hole a gap once more than MAX_HELD_SEGMENTS segments wait behind it, keeping every byte after it`, () => {
    // Byte 1 comes late, after `held` segments past it: within the limit it fills the hole; past
    // it the hole was declared a gap already, and the late byte is a retransmission.
    const run = (held: number) => {
      const r = new Reassembler();
      r.add(seg(100, 'a').seg, 0);
      for (let i = 0; i < held; i++) r.add(seg(102 + i, 'b').seg, 0);
      r.add(seg(101, 'Z').seg, 0);
      return r.finish();
    };
    const within = run(MAX_HELD_SEGMENTS);
    expect(within.chunks.map((c) => [c.start, c.end, !!c.gap])).toEqual([[0, 2 + MAX_HELD_SEGMENTS, false]]);
    expect(Buffer.from(within.dirs[0].bytes.subarray(0, 3)).toString()).toBe('aZb');
    const past = run(MAX_HELD_SEGMENTS + 1);
    expect(past.chunks.map((c) => [c.start, c.end, !!c.gap])).toEqual([[0, 1, false], [1, 2, true], [2, 3 + MAX_HELD_SEGMENTS, false]]);
    expect([past.dirs[0].missing, past.dirs[0].retransmitted]).toEqual([1, 1]);
  });

  it('keeps at most MAX_FOLLOW_BYTES by default, and says how many more there were', () => {
    const big = 'x'.repeat(1 << 20);
    const pk: FollowPacket[] = [];
    for (let i = 0; i < 9; i++) pk.push(seg(1 + i * big.length, big));
    const s = reassemble(pk);
    expect([s.dirs[0].bytes.length, s.dirs[0].cut, s.dirs[0].total]).toEqual([MAX_FOLLOW_BYTES, 9 * big.length - MAX_FOLLOW_BYTES, 9 * big.length]);
  });

  it(`stops splitting a direction after MAX_FOLLOW_MESSAGES messages, counting the rest`, () => {
    const req = 'GET / HTTP/1.1\r\n\r\n';
    const s = reassemble([seg(1, req.repeat(MAX_FOLLOW_MESSAGES + 3))]);
    const r = splitHttp(s);
    expect(r.messages.length).toBe(MAX_FOLLOW_MESSAGES);
    expect(r.more).toEqual([1, 0]);
  });

  it('reads a sequence number wrapping past 2^32', () => {
    const s = reassemble([seg(0xfffffffe, 'ab'), seg(0, 'cd')]);
    expect(Buffer.from(s.dirs[0].bytes).toString()).toBe('abcd');
  });
});

describe('h2Data on the h2c corpus', () => {
  it.each([[HTTP + 'h2c-mtu1500.pcap', 28092], [HTTP + 'h2c-any-sll2.pcap', 28082]])("gives each stream's DATA both ways as the records count them, equal to their samples: %s", (file, port) => {
    const recs = execFileSync(process.execPath, [ROOT + 'bin/tracecap.js', file], { encoding: 'utf8', maxBuffer: 256 << 20 }).split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const byFlow = new Map<string, Map<number, { len: [number, number]; sample: [string, string]; whole: [boolean, boolean] }>>();
    for (const r of recs) for (const st of Object.values(r.HTTP?.streams ?? {}) as any[]) for (const f of st.frames) {
      if (!f.body?.length || Number(st.id) === 0) continue;
      const dir = Number(r.L4.dst) === port ? 0 : 1;
      const m = byFlow.get(r.flow) ?? new Map(); byFlow.set(r.flow, m);
      const x = m.get(Number(st.id)) ?? { len: [0, 0], sample: ['', ''], whole: [true, true] }; m.set(Number(st.id), x);
      x.len[dir] += Number(f.body.length[0]);
      if (typeof f.body.data === 'string' && Buffer.byteLength(f.body.data) === Number(f.body.length[0])) x.sample[dir] += f.body.data; else x.whole[dir] = false;
    }
    const ours = oursByStream(file).filter((s) => s.dirs[0].bytes.length > 0);
    let compared = 0, samples = 0;
    for (const s of ours) {
      const d = h2Data(s);
      expect(d.stopped).toEqual([null, null]);
      // The connection: the one whose streams' sizes the records give.
      const m = [...byFlow.values()].find((m) => [...m.keys()].every((id) => d.streams.has(id)) && m.size === d.streams.size);
      expect(m).toBeDefined();
      for (const [id, x] of m!) {
        const got = d.streams.get(id)!;
        expect([got[0].length, got[1].length]).toEqual(x.len);
        for (const dir of [0, 1] as const) if (x.whole[dir] && x.len[dir]) { expect(Buffer.from(got[dir]).toString()).toBe(x.sample[dir]); samples++; }
        compared++;
      }
    }
    expect(compared).toBeGreaterThan(5);
    expect(samples).toBeGreaterThan(3);
  });
});
