// The I/O floor: a Node process that only reads a classic pcap file and walks its record
// headers (no decoding, no output). Prints the packet count.
import { openSync, readSync, closeSync } from 'node:fs';

const fd = openSync(process.argv[2], 'r');
const buf = Buffer.alloc(1 << 20);
let have = 0, off = 24, packets = 0, first = true, big = false;
for (;;) {
  if (have < buf.length) {
    const n = readSync(fd, buf, have, buf.length - have, null);
    if (n === 0 && have - off < 16) break;
    have += n;
  }
  if (first) {
    const magic = buf.readUInt32LE(0);
    big = magic === 0xd4c3b2a1 || magic === 0x4d3cb2a1;
    if (!big && magic !== 0xa1b2c3d4 && magic !== 0xa1b23c4d) { console.error(`walk: ${process.argv[2]} is not a classic pcap file`); process.exit(2); }
    first = false;
  }
  while (have - off >= 16) {
    const cap = big ? buf.readUInt32BE(off + 8) : buf.readUInt32LE(off + 8);
    if (cap > 262144) { console.error(`walk: bad record length ${cap}`); process.exit(2); }
    if (have - off < 16 + cap) break;
    off += 16 + cap; packets++;
  }
  buf.copy(buf, 0, off, have); have -= off; off = 0;
  if (have === buf.length) break;
}
closeSync(fd);
console.log(packets);
