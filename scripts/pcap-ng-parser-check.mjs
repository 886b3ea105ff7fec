// The measurement behind the README's "Why pcap-ng-parser is not the reader": feeds a capture to
// the npm package pcap-ng-parser the way its README shows (a Node stream piped into it) and
// prints one JSON line: packets, interfaces, the fields of a packet event, events other than
// its documented ones (the blocks it drops) and any error, caught or uncaught.
//   mkdir -p /tmp/pngp && (cd /tmp/pngp && npm init -y >/dev/null && npm install --no-audit --no-fund pcap-ng-parser@1.0.0)
//   PNGP=/tmp/pngp node scripts/pcap-ng-parser-check.mjs FILE      (CHUNK=n: read in n-byte chunks)
// It is not a dependency of tracecap: nothing else here uses the package.
import fs from 'node:fs';
import { createRequire } from 'node:module';

const PCAPNGParser = createRequire(`${process.env.PNGP ?? '/tmp/pngp'}/`)('pcap-ng-parser');
const file = process.argv[2];
const r = { file, packets: 0, interfaces: 0, fields: new Set(), otherEvents: {}, errors: [] };
const report = (how) => { console.log(JSON.stringify({ ...r, fields: [...r.fields], how })); process.exit(0); };
process.on('uncaughtException', (e) => { r.errors.push(`UNCAUGHT ${e.constructor.name}: ${e.message}`); report('uncaught'); });
const p = new PCAPNGParser();
const emit = p.emit.bind(p);
const documented = ['data', 'interface', 'error', 'close', 'end', 'finish', 'pipe', 'unpipe', 'drain', 'prefinish', 'readable', 'resume', 'pause'];
p.emit = (ev, ...a) => { if (!documented.includes(ev)) r.otherEvents[ev] = (r.otherEvents[ev] ?? 0) + 1; return emit(ev, ...a); };
fs.createReadStream(file, process.env.CHUNK ? { highWaterMark: Number(process.env.CHUNK) } : {}).pipe(p)
  .on('data', (pkt) => { r.packets++; for (const [k, v] of Object.entries(pkt)) r.fields.add(`${k}:${Buffer.isBuffer(v) ? 'Buffer' : typeof v}`); })
  .on('interface', () => { r.interfaces++; })
  .on('error', (e) => { r.errors.push(`${e.constructor.name}: ${e.message}`); report('error-event'); })
  .on('close', () => setTimeout(() => report('close'), 50));
setTimeout(() => report('timeout-5s'), 5000);
