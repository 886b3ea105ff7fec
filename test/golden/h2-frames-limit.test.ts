// HTTP/2 frames described per segment (MAX_FRAMES, README "Limits"): a segment with more frames
// shows the first 512 in arrival order, and says how many it does not show.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTranslator } from '../../src/index.js';
import * as B from '../helpers/build.js';
import { Conversation } from '../helpers/conversation.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));

async function records(p: B.PcapPacket[]): Promise<any[]> {
  const t = await createTranslator(wasm, { verbosity: 'debug' });
  const out = B.bytes(t.push(B.pcap(p, { nano: true })), t.finish());
  expect(t.error).toBeNull();
  return new TextDecoder().decode(out).split('\n').slice(0, -1).map((l) => JSON.parse(l));
}

// n PING frames (RFC 9113 §6.7: 8 bytes of opaque data on stream 0), the i-th carrying i.
function pings(n: number): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < n; i++) parts.push(B.hex('000008 06 00 00000000'), B.u32be(0), B.u32be(i));
  return B.bytes(...parts);
}

describe('HTTP/2 frames per segment', () => {
  for (const n of [512, 600]) {
    it(`${n} frames in one segment: the first ${Math.min(n, 512)} are shown, in order${n > 512 ? ', the rest counted' : ''}`, async () => {
      const p: B.PcapPacket[] = [];
      const c = new Conversation(p);
      c.handshake(100);
      const at = c.send(B.bytes(B.ascii('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n'), B.hex('000000 04 00 00000000'), pings(n)), 100.01);
      const r = (await records(p))[at];
      const frames = r.HTTP.streams['0'].frames;
      expect(frames.length).toBe(Math.min(n + 1, 512));
      expect(frames[0].type).toBe('settings');
      expect(frames.slice(1).every((f: any) => f.type === 'ping')).toBe(true);
      expect(r.HTTP.frames_not_shown ?? 0).toBe(Math.max(0, n + 1 - 512));
    });
  }
});
