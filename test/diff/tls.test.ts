// TLS at DEBUG against tshark: every ClientHello record names the SNI tshark sees, every
// record tshark lists starting in a segment is summarised there, and no TLS segment carries
// a decode error (pcap-sidecar reports one for most bulk HTTPS segments).
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createTranslator } from '../../src/index.js';

const FILE = new URL('../../../shared/corpus/http/tls-sni.pcap', import.meta.url).pathname;

describe('TLS summaries', () => {
  it('tls-sni.pcap: SNI, record counts and no decode errors', async () => {
    const t = await createTranslator(readFileSync('build/tracecap.wasm'), {});
    const text = new TextDecoder().decode(new Uint8Array([...t.push(readFileSync(FILE)), ...t.finish()]));
    const recs = text.split('\n').slice(0, -1).map((l) => JSON.parse(l));
    const rows = execFileSync('tshark', ['-r', FILE, '-o', 'tls.desegment_ssl_records:FALSE', '-o', 'tcp.desegment_tcp_streams:FALSE', '-d', 'tcp.port==28085,tls',
      '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'frame.number', '-e', 'tls.handshake.extensions_server_name', '-e', 'tls.record.length'])
      .toString().split('\n').filter(Boolean).map((l) => l.split('\t'));
    expect(recs.length).toBe(rows.length);
    let hellos = 0, records = 0;
    rows.forEach((row, i) => {
      const [, sni, lengths] = row;
      const r = recs[i];
      expect(r.err, `frame ${i + 1}`).toBeUndefined();
      if (sni) { hellos++; expect(r.TLS.client_hello.sni, `frame ${i + 1}`).toBe(sni); expect(r.TLS.client_hello.ja4).toMatch(/^t1[0-3]d\d{4}[0-9a-z]{2}_[0-9a-f]{12}_[0-9a-f]{12}$/); }
      const n = lengths ? lengths.split(',').length : 0;
      const ours = r.TLS ? ['alert', 'app_data', 'change_cipher_spec', 'handshake'].reduce((s, k) => s + (r.TLS[k]?.length ?? 0), 0) : 0;
      expect(ours, `frame ${i + 1} records`).toBe(n);
      if (r.TLS) expect(['alert', 'app_data', 'change_cipher_spec', 'handshake'].flatMap((k) => (r.TLS[k] ?? []).map((x: any) => x.length)).sort((a: number, b: number) => a - b)).toEqual(lengths.split(',').map(Number).sort((a, b) => a - b));
      records += n;
    });
    expect(hellos).toBeGreaterThan(0);
    expect(records).toBeGreaterThan(hellos);
  });
});
