// Decode quality of a capture at DEBUG: did tracecap decode every HTTP message head in it, or
// would a speed figure on it time work that was skipped? bench/run.js runs it on every capture
// before timing it at DEBUG. One in-process pass: createTranslator (dist/src/index.js, so
// `npm run build` first) at DEBUG, the file streamed in 1 MiB chunks, and only the records with
// an "HTTP" object parsed. What it checks:
//   - every HTTP/2 header block (a HEADERS frame with END_HEADERS, or the CONTINUATION that ends
//     one): kind "request" with a :method header, or kind "response" with :status, or kind
//     "trailers" on a stream whose response headers came before, and no unknown_headers (fields
//     that referred to HPACK entries the decoder did not hold). Anything else is "not decoded"
//     (the core out of HPACK tables writes kind "trailers" with headers {} for every block);
//   - no other HTTP/2 frame has unknown_headers > 0 either;
//   - with a ground truth (bench/gen.js's <capture>.truth: the packet number and kind of every
//     message head the generator wrote), each HTTP/1 request and response head has an HTTP object
//     of its kind on its packet, and each HTTP/2 one a decoded block of its kind. Without one
//     (the corpus captures), the HTTP/1 heads found are counted only;
//   - the capture reads to its end without an error.
//
//   import { checkDecode, formatDecodeCheck } from './decode-check.js';
//   const r = await checkDecode('x.pcap', { truth: readTruth('x.pcap.truth') });   // r.complete
//   node bench/decode-check.js <capture> [--truth <file>]   prints the counts; exit 0 complete,
//                                                           1 not, 2 bad usage
import { openSync, readSync, closeSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join, basename } from 'node:path';
import { readTruth } from './gen.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const CHUNK = 1 << 20;
const HTTP_KEY = Buffer.from('"HTTP":{');
const KIND_NAMES = ['HTTP/1 request', 'HTTP/1 response', 'HTTP/2 request', 'HTTP/2 response'];
const END_STREAM = 1, END_HEADERS = 4;

let modulePromise = null;
/** The core, compiled once per process. */
function coreModule() {
  const wasm = join(root, 'build', 'tracecap.wasm');
  if (!existsSync(wasm)) throw new Error(`${wasm} is missing: run npm run build first`);
  return (modulePromise ??= WebAssembly.compile(readFileSync(wasm)));
}

/**
 * The checks on records, one at a time (checkDecode feeds it; tests can too).
 * truth: the generator's ground truth ({ entries }, from readTruth), or null; examples: how many
 * bad examples to keep. After finish(), result() is { packets, error, h2: { blocks, requests,
 * responses, trailers, notDecoded, unknownHeaders }, h1: { requests, responses }, truth: null |
 * { expected: [4], missing: [4] } (by kind: HTTP/1 request, response, HTTP/2 request, response),
 * examples: [{ packet, what }], complete }. Packets are pcap.num (0-based: Wireshark's frame
 * number minus one).
 */
export class DecodeChecker {
  constructor({ truth = null, examples = 5 } = {}) {
    this.truth = truth; this.max = examples;
    this.r = {
      packets: 0, error: null,
      h2: { blocks: 0, requests: 0, responses: 0, trailers: 0, notDecoded: 0, unknownHeaders: 0 },
      h1: { requests: 0, responses: 0 },
      truth: null, examples: [], complete: false,
    };
    // Kinds found per packet (bit 1 << kind), when there is a truth to match them with.
    this.found = truth ? new Uint8Array(1 << 16) : null;
    // HTTP/2 streams whose response headers were seen: "flow/stream" -> the responder's address.
    this.answered = new Map();
  }

  #bad(packet, what) { if (this.r.examples.length < this.max) this.r.examples.push({ packet, what }); }

  #mark(packet, kind) {
    if (!this.found) return;
    if (packet >= this.found.length) { const f = new Uint8Array(Math.max(this.found.length * 2, packet + 1)); f.set(this.found); this.found = f; }
    this.found[packet] |= 1 << kind;
  }

  /** One record that has an HTTP object (the others need not be passed). */
  record(rec) {
    const h = rec.HTTP, packet = Number(rec.pcap.num), r = this.r;
    if (h.streams) {
      const from = `${rec.L3?.src} ${rec.L4?.src}`;
      for (const [id, s] of Object.entries(h.streams)) {
        const key = `${rec.flow}/${id}`;
        for (const f of s.frames) {
          const flags = Number(f.flags?.dec ?? 0), unknown = f.unknown_headers > 0;
          if (unknown) r.h2.unknownHeaders++;
          const block = (f.raw.startsWith('HEADERS') || f.raw.startsWith('CONTINUATION')) && (flags & END_HEADERS) !== 0;
          if (block) {
            r.h2.blocks++;
            const hd = f.headers ?? {};
            let kind = -1;
            if (f.kind === 'request' && hd[':method']) { kind = 2; this.answered.delete(key); }
            else if (f.kind === 'response' && hd[':status']) { kind = 3; this.answered.set(key, from); }
            else if (f.kind === 'trailers' && this.answered.get(key) === from) { kind = 4; this.answered.delete(key); }
            if (kind >= 0 && !unknown) {
              if (kind === 2) r.h2.requests++; else if (kind === 3) r.h2.responses++; else r.h2.trailers++;
              if (kind < 4) this.#mark(packet, kind);
            } else {
              r.h2.notDecoded++;
              this.#bad(packet, `stream ${id}: ${f.raw}: ` + (kind >= 0 ? `kind ${f.kind}, unknown_headers ${f.unknown_headers}` :
                `kind ${f.kind ?? '(none)'}, headers ${JSON.stringify(hd).slice(0, 80)}${f.kind === 'trailers' ? ' (trailers before any response on the stream)' : ''}`));
            }
          } else if (unknown) this.#bad(packet, `stream ${id}: ${f.raw}: unknown_headers ${f.unknown_headers}`);
          // The responder's END_STREAM: no trailers can follow.
          if ((flags & END_STREAM) !== 0 && this.answered.get(key) === from) this.answered.delete(key);
        }
      }
    } else if (/^HTTP\/1/.test(h.proto ?? '')) {
      if (h.kind === 'request') { r.h1.requests++; this.#mark(packet, 0); }
      else if (h.kind === 'response') { r.h1.responses++; this.#mark(packet, 1); }
    }
  }

  /** After the last record: the packets read and the capture's error (null: none). */
  finish(packets, error = null) {
    const r = this.r;
    r.packets = packets;
    if (error) { r.error = error; this.#bad(packets, `capture error: ${error}`); }
    if (this.truth) {
      // Heads without their object; a packet already shown above is not shown twice.
      const expected = [0, 0, 0, 0], missing = [0, 0, 0, 0], more = [];
      const shown = new Set(r.examples.map((e) => e.packet));
      for (const e of this.truth.entries) {
        const packet = Math.floor(e / 4), kind = e % 4;
        expected[kind]++;
        if (packet < this.found.length && (this.found[packet] & (1 << kind))) continue;
        missing[kind]++;
        if (more.length < this.max && !shown.has(packet)) more.push({ packet, what: `${KIND_NAMES[kind]} written by the generator: no decoded ${kind < 2 ? 'HTTP object' : 'header block'} of that kind` });
      }
      r.truth = { expected, missing };
      r.examples = [...r.examples, ...more].sort((a, b) => a.packet - b.packet).slice(0, this.max);
    }
    r.complete = !r.error && r.h2.notDecoded === 0 && r.h2.unknownHeaders === 0 && (!r.truth || r.truth.missing.every((m) => m === 0));
    return r;
  }
}

/**
 * Checks that `file` decodes completely at DEBUG (see the file header): one pass of the core,
 * in-process. options: { truth, examples } as DecodeChecker's. Returns its result with the
 * file's name and the seconds the pass took.
 */
export async function checkDecode(file, options = {}) {
  const { createTranslator } = await import(pathToFileURL(join(root, 'dist', 'src', 'index.js')).href);
  const t0 = process.hrtime.bigint();
  const tr = await createTranslator(await coreModule(), { verbosity: 'debug' });
  const check = new DecodeChecker(options);
  // Parses the records of `out` (whole NDJSON lines) that have an HTTP object.
  const scan = (out) => {
    for (let pos = 0, i; (i = out.indexOf(HTTP_KEY, pos)) >= 0;) {
      const start = out.lastIndexOf(10, i) + 1;
      let end = out.indexOf(10, i);
      if (end < 0) end = out.length;
      check.record(JSON.parse(out.toString('utf8', start, end)));
      pos = end + 1;
    }
  };
  // push() returns whole records; a cut line is carried over all the same.
  let rest = Buffer.alloc(0);
  const take = (bytes) => {
    if (!bytes.length) return;
    let out = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    if (rest.length) out = Buffer.concat([rest, out]);
    const last = out.lastIndexOf(10);
    rest = Buffer.from(out.subarray(last + 1));
    scan(out.subarray(0, last + 1));
  };
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(CHUNK);
    for (let n; (n = readSync(fd, buf, 0, CHUNK, null)) > 0 && !tr.error;) take(tr.push(buf.subarray(0, n)));
    take(tr.finish());
    if (rest.length) scan(rest);
  } finally { closeSync(fd); }
  const r = check.finish(tr.packets, tr.error ? String(tr.error.message ?? tr.error) : null);
  return { file: basename(file), ...r, seconds: Number(process.hrtime.bigint() - t0) / 1e9 };
}

const fmt = (n) => n.toLocaleString('en-US');

/** One line of counts for a result of checkDecode, and the bad examples indented under it. */
export function formatDecodeCheck(r) {
  const h2 = r.h2, parts = [];
  parts.push(`HTTP/2 header blocks: ${fmt(h2.blocks)} checked, ${fmt(h2.blocks - h2.notDecoded)} decoded (${fmt(h2.requests)} requests, ${fmt(h2.responses)} responses, ${fmt(h2.trailers)} trailers), ${fmt(h2.notDecoded)} not decoded; frames with unknown_headers > 0: ${fmt(h2.unknownHeaders)}`);
  if (r.truth) {
    const [q1, s1, q2, s2] = r.truth.expected, m = r.truth.missing;
    parts.push(`heads the generator wrote: HTTP/1 ${fmt(q1)} requests, ${fmt(s1)} responses, HTTP/2 ${fmt(q2)} requests, ${fmt(s2)} responses; without their decoded object: ${m.every((x) => x === 0) ? 'none' : m.map((x, k) => `${fmt(x)} ${KIND_NAMES[k]}s`).filter((x) => !x.startsWith('0 ')).join(', ')}`);
  } else parts.push(`HTTP/1 heads found: ${fmt(r.h1.requests)} requests, ${fmt(r.h1.responses)} responses (no ground truth for this capture)`);
  if (r.error) parts.push(`capture error: ${r.error}`);
  const head = `${r.file} (${fmt(r.packets)} packets, checked in ${r.seconds.toFixed(1)} s): ${r.complete ? 'complete' : '**NOT fully decoded**'}. ${parts.join('; ')}.`;
  return [head, ...r.examples.map((e) => `  - packet #${e.packet}: ${e.what}`)].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const USAGE = 'Usage: node bench/decode-check.js <capture> [--truth <file>]   (default truth: <capture>.truth when it exists)\n';
  if (args.includes('--help') || args.includes('-h')) { process.stdout.write(USAGE); process.exit(0); }
  const ti = args.indexOf('--truth');
  const truthFile = ti >= 0 ? args[ti + 1] : null;
  const files = ti < 0 ? args : args.filter((a, i) => i !== ti && i !== ti + 1);
  if (files.length !== 1 || (ti >= 0 && !truthFile) || files[0].startsWith('-')) { process.stderr.write(USAGE); process.exit(2); }
  const tf = truthFile ?? `${files[0]}.truth`;
  const truth = readTruth(tf);
  if (truthFile && !truth) { process.stderr.write(`decode-check: ${truthFile} is not a truth file of bench/gen.js\n`); process.exit(2); }
  const r = await checkDecode(files[0], { truth });
  console.log(formatDecodeCheck(r));
  process.exit(r.complete ? 0 : 1);
}
