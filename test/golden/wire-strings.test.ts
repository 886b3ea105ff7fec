// Every string from the wire reaches a record escaped (Go's escaping, invalid UTF-8 replaced):
// an HTTP/1 head whose version is not "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3) is no head at all
// (as Go's ParseHTTPVersion says), and whatever bytes a record shows, each line is valid JSON.
// Found by mutating suricata-verify's from_base64-02 capture: `GET / HTTP/1."` broke the line.
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTranslator } from '../../src/index.js';
import * as B from '../helpers/build.js';
import { Conversation } from '../helpers/conversation.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));

async function lines(p: B.PcapPacket[]): Promise<string[]> {
  const t = await createTranslator(wasm, { verbosity: 'debug' });
  const out = B.bytes(t.push(B.pcap(p, { nano: true })), t.finish());
  expect(t.error).toBeNull();
  return new TextDecoder().decode(out).split('\n').slice(0, -1);
}

// Request and status lines with every odd byte where the version's digits belong.
const ODD = ['"', '\\', '\x01', '\x7f', '\xff', 'x', ' '];

describe('wire strings in HTTP/1 heads', () => {
  for (const c of ODD) {
    const shown = JSON.stringify(c);
    it(`a request line ending "HTTP/1.${shown}" and a status line "HTTP/${shown}.1" give valid JSON and no HTTP object`, async () => {
      const p: B.PcapPacket[] = [];
      const conv = new Conversation(p);
      conv.handshake(100);
      const bytes = (s: string) => Uint8Array.from(s, (ch) => ch.charCodeAt(0));
      const rq = conv.send(bytes(`GET / HTTP/1.${c}\r\nHost: a\r\n\r\n`), 100.01);
      const rs = conv.reply(bytes(`HTTP/${c}.1 200 OK\r\nContent-Length: 0\r\n\r\n`), 100.02);
      const out = await lines(p);
      const recs = out.map((l) => JSON.parse(l)); // throws on an invalid line
      expect(recs[rq].HTTP).toBeUndefined();
      expect(recs[rs].HTTP).toBeUndefined();
      // Not HTTP/1 after all, so the bytes are shown as any other payload: L7 and the size.
      const rqLen = `GET / HTTP/1.${c}\r\nHost: a\r\n\r\n`.length, rsLen = `HTTP/${c}.1 200 OK\r\nContent-Length: 0\r\n\r\n`.length;
      expect([recs[rq].L7?.length, recs[rs].L7?.length]).toEqual([rqLen, rsLen]);
      expect(recs[rq].message.endsWith(` | size:${rqLen}`)).toBe(true);
    });
  }

  it('versions with digits stay heads: an HTTP/1.0 request and its response', async () => {
    const p: B.PcapPacket[] = [];
    const conv = new Conversation(p);
    conv.handshake(100);
    const rq = conv.send('GET /x HTTP/1.0\r\nHost: a\r\n\r\n', 100.01);
    const rs = conv.reply('HTTP/1.0 204 No Content\r\n\r\n', 100.02);
    const recs = (await lines(p)).map((l) => JSON.parse(l));
    expect(recs[rq].HTTP.proto).toBe('HTTP/1.0');
    expect(recs[rs].HTTP.proto).toBe('HTTP/1.0');
    expect(recs[rs].HTTP.code).toBe(204);
  });
});
