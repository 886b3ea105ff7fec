// JA4 (FoxIO JA4.md) of a generated ClientHello, computed from the fields the generator chose.
// The same rules as the independent implementation in test/diff/ja4.test.ts (ja4FromFields),
// written here in plain JavaScript for the soak checker.
import { createHash } from 'node:crypto';

const isGrease = (v) => (v & 0x0f0f) === 0x0a0a && (v >> 8) === (v & 0xff);
const hex4 = (v) => v.toString(16).padStart(4, '0');
const hash12 = (s) => createHash('sha256').update(s).digest('hex').slice(0, 12);
const two = (n) => String(Math.min(n, 99)).padStart(2, '0');
const VERSIONS = { 0x0304: '13', 0x0303: '12', 0x0302: '11', 0x0301: '10', 0x0300: 's3', 0x0002: 's2', 0xfeff: 'd1', 0xfefd: 'd2', 0xfefc: 'd3' };
const alnum = (c) => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

/** JA4 of a hello { ciphers, exts, sigAlgs, versionCodes, legacy, alpn } over TCP ("t"). */
export function ja4(h) {
  const ciphers = h.ciphers.filter((v) => !isGrease(v));
  const exts = h.exts.filter((v) => !isGrease(v));
  const vers = h.versionCodes.filter((v) => !isGrease(v));
  const version = exts.includes(43) && vers.length > 0 ? Math.max(...vers) : h.legacy;
  let alpn = '00';
  const first = Buffer.from(h.alpn[0] ?? '', 'latin1');
  if (first.length > 0) {
    const f = first[0], l = first[first.length - 1];
    alpn = alnum(f) && alnum(l) ? String.fromCharCode(f, l) : f.toString(16).padStart(2, '0')[0] + l.toString(16).padStart(2, '0')[1];
  }
  const b = ciphers.length ? hash12([...ciphers].sort((x, y) => x - y).map(hex4).join(',')) : '000000000000';
  const sorted = exts.filter((e) => e !== 0x0000 && e !== 0x0010).sort((x, y) => x - y).map(hex4).join(',');
  const sigs = h.sigAlgs.filter((v) => !isGrease(v)).map(hex4).join(',');
  const c = sorted ? hash12(sigs ? `${sorted}_${sigs}` : sorted) : '000000000000';
  return `t${VERSIONS[version] ?? '00'}${exts.includes(0) ? 'd' : 'i'}${two(ciphers.length)}${two(exts.length)}${alpn}_${b}_${c}`;
}
