// DNS over UDP port 53 against tshark: id, opcode, rcode, question names/types, and the A,
// AAAA, CNAME, NS, PTR, MX and TXT answer data, message by message.
import { describe, it, expect } from 'vitest';
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { createTranslator } from '../../src/index.js';

const wasm = new WebAssembly.Module(readFileSync('build/tracecap.wasm'));
const TCPDUMP = new URL('../../../shared/corpus/tcpdump/', import.meta.url).pathname;
const files = ['examples/dns.pcap', TCPDUMP + 'dns-badvers.pcap', TCPDUMP + 'dns-uri.pcap', TCPDUMP + 'dns-zlip-1.pcap', TCPDUMP + 'dns-zlip-2.pcap', TCPDUMP + 'dns-zlip-3.pcap'];
const hasTshark = (() => { try { execFileSync('tshark', ['-v']); return true; } catch { return false; } })();
const FIELDS = ['frame.number', 'udp.port', 'dns.id', 'dns.flags.opcode', 'dns.flags.rcode', 'dns.qry.name', 'dns.qry.type', 'dns.a', 'dns.aaaa', 'dns.cname', 'dns.ns', 'dns.ptr.domain_name', 'dns.mx.mail_exchange', 'dns.txt', '_ws.malformed'];

describe.skipIf(!hasTshark)('DNS against tshark', () => {
  for (const f of files) {
    it(f.replace(/.*\//, ''), async () => {
      expect(existsSync(f)).toBe(true);
      const t = await createTranslator(wasm, { verbosity: 'info' });
      const recs = new TextDecoder().decode(new Uint8Array([...t.push(readFileSync(f)), ...t.finish()])).split('\n').slice(0, -1).map((l) => JSON.parse(l));
      const rows = execFileSync('tshark', ['-r', f, '-n', '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', 'aggregator=|', ...FIELDS.flatMap((x) => ['-e', x])]).toString().split('\n').filter(Boolean).map((l) => l.split('\t'));
      expect(recs.length).toBe(rows.length);
      let compared = 0;
      rows.forEach((row, i) => {
        const v = Object.fromEntries(FIELDS.map((k, j) => [k, row[j] ?? '']));
        const r = recs[i];
        const on53 = v['udp.port']!.split('|').includes('53');
        if (!on53 || v['_ws.malformed']) return;
        if (!v['dns.id']) { expect(r.DNS, `#${i + 1}: tshark sees no DNS message`).toBeUndefined(); return; }
        if (!r.DNS) { expect.fail(`${f} #${i + 1}: tshark decodes DNS, we report ${JSON.stringify(r.err)}`); }
        compared++;
        const d = r.DNS;
        expect(d.id, `#${i + 1} id`).toBe(Number(v['dns.id']));
        const qnames = v['dns.qry.name'] ? v['dns.qry.name'].split('|').map((n) => (n === '<Root>' ? '' : n)) : [];
        expect((d.questions ?? []).map((q: any) => q.name), `#${i + 1} questions`).toEqual(qnames);
        const answers = d.answers ?? [];
        const pick = (key: string) => answers.filter((a: any) => key in a).map((a: any) => a[key]);
        const list = (field: string) => (v[field] ? v[field]!.split('|') : []);
        expect(pick('A'), `#${i + 1} A`).toEqual(list('dns.a'));
        expect(pick('AAAA'), `#${i + 1} AAAA`).toEqual(list('dns.aaaa'));
        expect(pick('CNAME'), `#${i + 1} CNAME`).toEqual(list('dns.cname'));
        expect(pick('MX').map((m: any) => m.name), `#${i + 1} MX`).toEqual(list('dns.mx.mail_exchange'));
        expect(pick('TXT').flat(), `#${i + 1} TXT`).toEqual(list('dns.txt'));
      });
      // dns-zlip-* carry empty UDP datagrams to port 53: neither tool finds a message there.
      if (!f.includes('zlip')) expect(compared).toBeGreaterThan(0);
    });
  }
});
