// TCP Fast Open (RFC 7413 §3): a request carried on the SYN is the stream's first bytes, after
// the SYN's own sequence number — none of it is taken for a retransmission. Found on
// suricata-verify's tcp-fastopen-01 and Zeek's tcp/payload-syn.pcap (the request lost its "G").
import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTranslator } from '../../src/index.js';
import * as B from '../helpers/build.js';
import { Conversation } from '../helpers/conversation.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const TP = 'traceparent: 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

async function records(p: B.PcapPacket[]): Promise<any[]> {
  const t = await createTranslator(wasm, { verbosity: 'debug', project: 'p' });
  const out = B.bytes(t.push(B.pcap(p, { nano: true })), t.finish());
  expect(t.error).toBeNull();
  return new TextDecoder().decode(out).split('\n').slice(0, -1).map((l) => JSON.parse(l));
}

describe('TCP Fast Open', () => {
  for (const v6 of [false, true]) {
    it(`a request on the SYN is parsed whole and its response paired with it${v6 ? ' (IPv6)' : ''}`, async () => {
      const p: B.PcapPacket[] = [];
      const c = new Conversation(p, v6 ? { client: 'fd00::1', server: 'fd00::2' } : {});
      const syn = c.fastOpen(`GET /tfo HTTP/1.1\r\nHost: a\r\n${TP}\r\n\r\n`, 100);
      const rs = c.reply('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok', 100.01);
      const second = c.send('GET /next HTTP/1.1\r\nHost: a\r\n\r\n', 100.02);
      const recs = await records(p);
      expect(recs[syn].HTTP.method).toBe('GET');
      expect(recs[syn].HTTP.url).toBe('/tfo');
      expect(recs[rs].HTTP.code).toBe(200);
      expect(recs[rs].HTTP.request.url).toBe('a/tfo');
      expect(recs[rs]['logging.googleapis.com/trace']).toBe('projects/p/traces/4bf92f3577b34da6a3ce929d0e0e4736');
      expect(recs[second].HTTP.url).toBe('/next');
    });
  }
});
