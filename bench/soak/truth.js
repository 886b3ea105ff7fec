// Reading the soak ground truth (F.truth.ndjson, written by gen.js) as a stream: a synchronous
// line iterator over the file in 4 MiB reads, so memory does not grow with the capture.
import { openSync, readSync, closeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

/** The path of the ground truth that belongs to a capture. */
export function truthPath(pcap) { return pcap.replace(/\.pcap$/, '') + '.truth.ndjson'; }

/** Iterates the parsed lines of an NDJSON file, one at a time. */
export function* readLines(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(4 << 20);
  const dec = new StringDecoder('utf8');
  let carry = '';
  try {
    for (;;) {
      const n = readSync(fd, buf, 0, buf.length, null);
      if (n === 0) break;
      const text = carry + dec.write(buf.subarray(0, n));
      let start = 0, nl;
      while ((nl = text.indexOf('\n', start)) >= 0) {
        if (nl > start) yield JSON.parse(text.slice(start, nl));
        start = nl + 1;
      }
      carry = text.slice(start);
    }
    if (carry.trim()) yield JSON.parse(carry);
  } finally { closeSync(fd); }
}
