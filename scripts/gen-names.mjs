#!/usr/bin/env node
// gen-names.mjs: generates the static name tables of the wasm core (assembly/names/*_data.ts)
// and the spec fixture (test/core/names/ports.fixture.ts) from the plain data files in
// scripts/data/names/, whose facts come from gopacket v1.1.19 (see the headers of those files).
//
//   node scripts/gen-names.mjs                 write the generated files
//   node scripts/gen-names.mjs --check         exit 1 if any generated file is out of date
//   node scripts/gen-names.mjs --extract-ports <gopacket>/layers/iana_ports.go
//                                              rewrite scripts/data/names/iana-ports.tsv from
//                                              gopacket's source, then write the generated files
//
// Node 20, ESM, no dependencies. Output is a pure function of the data files: running it twice
// gives identical files.

import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(dirname(fileURLToPath(import.meta.url)), "..");
const DATA = join(ROOT, "scripts/data/names");
const PORTS_TSV = join(DATA, "iana-ports.tsv");
const ENUMS_TSV = join(DATA, "enums.tsv");
const OUT_PORTS = join(ROOT, "assembly/names/ports_data.ts");
const OUT_ENUMS = join(ROOT, "assembly/names/enums_data.ts");
const OUT_FIXTURE = join(ROOT, "test/core/names/ports.fixture.ts");

/** Kind codes in PORT_KINDS (2 bits per entry). */
const KIND_SAME = 0, KIND_TCP = 1, KIND_UDP = 2, KIND_BOTH = 3;

const rel = (p) => relative(ROOT, p).split("\\").join("/");

function fail(msg) {
  console.error(`gen-names: ${msg}`);
  process.exit(1);
}

/** Checks that a name can be stored as a length-prefixed ASCII string. */
function checkName(name, where) {
  if (name.length < 1 || name.length > 255) fail(`${where}: name length ${name.length} not in 1..255`);
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) fail(`${where}: name has a byte outside printable ASCII: ${JSON.stringify(name)}`);
  }
}

/** Data lines of a TSV file (comments and blank lines dropped), with 1-based line numbers. */
function tsvRows(path) {
  const rows = [];
  readFileSync(path, "utf8").split("\n").forEach((line, i) => {
    if (line.endsWith("\r")) line = line.slice(0, -1);
    if (line === "" || line.startsWith("#")) return;
    rows.push({ cols: line.split("\t"), where: `${rel(path)}:${i + 1}` });
  });
  return rows;
}

/** Header comment lines ("# ...") of a TSV file, without the "# ". */
function tsvHeader(path) {
  const out = [];
  for (const line of readFileSync(path, "utf8").split("\n")) {
    if (!line.startsWith("#")) break;
    out.push(line.replace(/^# ?/, ""));
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// --extract-ports: gopacket layers/iana_ports.go -> iana-ports.tsv

function extractPorts(goFile) {
  const src = readFileSync(goFile, "utf8");
  const generatedAt = (src.match(/^\/\/ Generated at (.*)$/m) || [, "unknown date"])[1].trim();
  const fetchedFrom = (src.match(/^\/\/ Fetched from "(.*)"$/m) || [, "unknown source"])[1];
  const rows = [];
  let proto = null;
  for (const line of src.split("\n")) {
    const start = line.match(/^var (tcp|udp|sctp)PortNames = map\[\w+\]string\{$/);
    if (start) { proto = start[1] === "sctp" ? "skip" : start[1]; continue; }
    if (line === "}") { proto = null; continue; }
    if (!proto || proto === "skip") continue;
    const m = line.match(/^\t(\d+):\s+"((?:[^"\\]|\\.)*)",$/);
    if (!m) fail(`${goFile}: unexpected line in ${proto}PortNames: ${JSON.stringify(line)}`);
    rows.push([Number(m[1]), proto, JSON.parse(`"${m[2]}"`)]);
  }
  rows.sort((a, b) => a[0] - b[0] || (a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  const tcp = rows.filter((r) => r[1] === "tcp").length;
  const head = [
    "# TCP and UDP service names that gopacket v1.1.19 (github.com/google/gopacket, tag v1.1.19)",
    "# prints for TCPPort / UDPPort: the maps tcpPortNames and udpPortNames in layers/iana_ports.go.",
    `# That file says: "Generated at ${generatedAt}", fetched from ${fetchedFrom}.`,
    `# ${tcp} tcp rows, ${rows.length - tcp} udp rows. SCTP names are not included.`,
    "# Columns (tab-separated): port, proto (tcp|udp), name. Sorted by port, then proto.",
    "# Rewritten by: node scripts/gen-names.mjs --extract-ports <gopacket>/layers/iana_ports.go",
  ];
  const body = rows.map((r) => r.join("\t"));
  writeFileSync(PORTS_TSV, head.concat(body).join("\n") + "\n");
  console.log(`gen-names: wrote ${rel(PORTS_TSV)} (${rows.length} rows)`);
}

// ---------------------------------------------------------------------------------------------
// Reading the data files

function readPorts() {
  const tcp = new Map(), udp = new Map();
  for (const { cols, where } of tsvRows(PORTS_TSV)) {
    if (cols.length !== 3) fail(`${where}: expected 3 tab-separated columns`);
    const [p, proto, name] = cols;
    if (!/^\d+$/.test(p) || Number(p) > 65535) fail(`${where}: bad port ${JSON.stringify(p)}`);
    const map = proto === "tcp" ? tcp : proto === "udp" ? udp : fail(`${where}: bad proto ${JSON.stringify(proto)}`);
    if (map.has(Number(p))) fail(`${where}: duplicate ${proto} port ${p}`);
    checkName(name, where);
    map.set(Number(p), name);
  }
  return { tcp, udp };
}

function parseInt16(s, where) {
  const v = /^0x[0-9a-f]+$/i.test(s) ? parseInt(s, 16) : /^\d+$/.test(s) ? Number(s) : NaN;
  if (!(v >= 0 && v <= 0xffff)) fail(`${where}: bad key ${JSON.stringify(s)}`);
  return v;
}

function readEnums() {
  /** table name -> { entries: Map<key, name>, dflt: string | null, code: boolean | null (type/code keys) } */
  const tables = new Map();
  for (const { cols, where } of tsvRows(ENUMS_TSV)) {
    if (cols.length !== 3) fail(`${where}: expected 3 tab-separated columns`);
    const [table, keyText, nameJson] = cols;
    if (!/^[a-z][a-z0-9]*$/.test(table)) fail(`${where}: bad table name ${JSON.stringify(table)}`);
    let name;
    try { name = JSON.parse(nameJson); } catch { fail(`${where}: name is not a JSON string`); }
    if (typeof name !== "string") fail(`${where}: name is not a JSON string`);
    checkName(name, where);
    if (!tables.has(table)) tables.set(table, { entries: new Map(), dflt: null, code: null });
    const t = tables.get(table);
    if (keyText === "*") {
      if (t.dflt !== null) fail(`${where}: second default for ${table}`);
      t.dflt = name;
      continue;
    }
    // A table's keys are either all plain values or all "type/code" pairs.
    const isCode = keyText.includes("/");
    if (t.code === null) t.code = isCode;
    else if (t.code !== isCode) fail(`${where}: ${table} mixes type/code keys with plain keys`);
    let key;
    if (isCode) {
      const m = keyText.match(/^(\d+)\/(\d+)$/);
      if (!m || Number(m[1]) > 255 || Number(m[2]) > 255) fail(`${where}: ${table} key must be type/code, each 0..255`);
      key = (Number(m[1]) << 8) | Number(m[2]);
    } else {
      key = parseInt16(keyText, where);
    }
    if (t.entries.has(key)) fail(`${where}: duplicate key ${keyText} in ${table}`);
    t.entries.set(key, name);
  }
  return tables;
}

// ---------------------------------------------------------------------------------------------
// Emitting

const bytesOf = (name) => [name.length, ...Array.from(name, (c) => c.charCodeAt(0))];

/** Lines of comma-separated numbers, `perLine` to a line, each line indented. */
function numberLines(values, perLine, fmt = String) {
  const out = [];
  for (let i = 0; i < values.length; i += perLine) out.push("  " + values.slice(i, i + perLine).map(fmt).join(", ") + ",");
  return out;
}

const hex4 = (v) => "0x" + v.toString(16).padStart(4, "0");

function genPorts({ tcp, udp }, sourceHead) {
  const ports = [...new Set([...tcp.keys(), ...udp.keys()])].sort((a, b) => a - b);
  const kinds = [];
  const names = []; // one entry per port: the bytes laid down for it
  const lines = [];
  let offset = 0;
  ports.forEach((p) => {
    const t = tcp.get(p), u = udp.get(p);
    let kind, bytes, note;
    if (t !== undefined && u !== undefined && t === u) { kind = KIND_SAME; bytes = bytesOf(t); note = `${p} ${t}`; }
    else if (t !== undefined && u !== undefined) { kind = KIND_BOTH; bytes = [...bytesOf(t), ...bytesOf(u)]; note = `${p} tcp ${t}, udp ${u}`; }
    else if (t !== undefined) { kind = KIND_TCP; bytes = bytesOf(t); note = `${p} tcp ${t}`; }
    else { kind = KIND_UDP; bytes = bytesOf(u); note = `${p} udp ${u}`; }
    kinds.push(kind);
    names.push(bytes);
    lines.push(`  ${bytes.join(",")}, // ${note}`);
    offset += bytes.length;
  });
  const kindBytes = [];
  for (let i = 0; i < kinds.length; i += 4) {
    let b = 0;
    for (let j = 0; j < 4 && i + j < kinds.length; j++) b |= kinds[i + j] << (2 * j);
    kindBytes.push(b);
  }
  const count = (k) => kinds.filter((x) => x === k).length;
  const out = [
    "// GENERATED by scripts/gen-names.mjs from scripts/data/names/iana-ports.tsv; do not edit.",
    "// IANA TCP/UDP service names as printed by gopacket v1.1.19 (layers/iana_ports.go: tcpPortNames,",
    "// udpPortNames). About the data file:",
    ...sourceHead.map((l) => "//   " + l),
    "//",
    "// Layout: PORTS is the sorted union of every port named for TCP or UDP. Entry i has a 2-bit kind",
    "// in PORT_KINDS (4 per byte, entry 4k in the low bits) and its names in PORT_NAMES, laid down in",
    "// entry order as length-prefixed ASCII: one name for kinds SAME / TCP_ONLY / UDP_ONLY, the TCP name",
    "// then the UDP name for kind BOTH. The core indexes them at start-up (assembly/names/ports.ts).",
    `// ${ports.length} ports: ${count(KIND_SAME)} same name, ${count(KIND_BOTH)} different TCP/UDP names, ` +
      `${count(KIND_TCP)} TCP only, ${count(KIND_UDP)} UDP only; ${offset} name bytes.`,
    "",
    "/** Number of entries in PORTS. */",
    `export const PORT_COUNT: i32 = ${ports.length};`,
    "/** Kind: TCP and UDP share the entry's one name. */",
    `export const PORT_KIND_SAME: u32 = ${KIND_SAME};`,
    "/** Kind: only TCP has a name. */",
    `export const PORT_KIND_TCP_ONLY: u32 = ${KIND_TCP};`,
    "/** Kind: only UDP has a name. */",
    `export const PORT_KIND_UDP_ONLY: u32 = ${KIND_UDP};`,
    "/** Kind: TCP and UDP have different names (TCP's first). */",
    `export const PORT_KIND_BOTH: u32 = ${KIND_BOTH};`,
    "",
    "/** Sorted u16 ports that have a TCP or a UDP name. */",
    "export const PORTS: usize = memory.data<u16>([",
    ...numberLines(ports, 16),
    "]);",
    "",
    "/** 2-bit kind of each PORTS entry, four entries to a byte, lowest bits first. */",
    "export const PORT_KINDS: usize = memory.data<u8>([",
    ...numberLines(kindBytes, 24),
    "]);",
    "",
    "/** Length-prefixed ASCII names in entry order, one line per port. */",
    "export const PORT_NAMES: usize = memory.data<u8>([",
    ...lines,
    "]);",
    "",
  ];
  return { text: out.join("\n"), ports };
}

function genEnums(tables, sourceHead) {
  // One deduplicated blob of length-prefixed names shared by every table.
  const blob = [];
  const offsets = new Map();
  const blobLines = [];
  const offsetOf = (name) => {
    if (!offsets.has(name)) {
      offsets.set(name, blob.length);
      const b = bytesOf(name);
      blobLines.push(`  ${b.join(",")}, // ${blob.length}: ${JSON.stringify(name)}`);
      blob.push(...b);
    }
    return offsets.get(name);
  };
  const tableBlocks = [];
  for (const [table, t] of [...tables].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))) {
    const up = table.toUpperCase();
    const keys = [...t.entries.keys()].sort((a, b) => a - b);
    const pairs = [];
    const comments = [];
    for (const k of keys) {
      const name = t.entries.get(k);
      pairs.push(k, offsetOf(name));
      const shown = t.code ? `${k >> 8}/${k & 255}` : String(k);
      comments.push(`  ${hex4(k)}, ${offsetOf(name)}, // ${shown} ${JSON.stringify(name)}`);
    }
    const block = [
      `/** ${table}: (u16 key, u16 ENUM_NAMES offset) pairs sorted by key${t.code ? "; key = type << 8 | code" : ""}. */`,
      `export const ${up}_TABLE: usize = memory.data<u16>([`,
      ...comments,
      "]);",
      `/** Number of pairs in ${up}_TABLE. */`,
      `export const ${up}_COUNT: i32 = ${keys.length};`,
    ];
    if (t.dflt !== null) {
      block.push(`/** ENUM_NAMES offset of ${JSON.stringify(t.dflt)}, the ${table} name for any other value. */`);
      block.push(`export const ${up}_DEFAULT: u32 = ${offsetOf(t.dflt)};`);
    }
    tableBlocks.push(block.join("\n"));
  }
  if (blob.length > 0xffff) fail("enum name bytes no longer fit u16 offsets");
  const out = [
    "// GENERATED by scripts/gen-names.mjs from scripts/data/names/enums.tsv; do not edit.",
    "// Enum names as printed by gopacket v1.1.19. About the data file:",
    ...sourceHead.map((l) => "//   " + l),
    "",
    `/** Length-prefixed ASCII names used by the tables below, deduplicated (${blob.length} bytes). */`,
    "export const ENUM_NAMES: usize = memory.data<u8>([",
    ...blobLines,
    "]);",
    "",
    tableBlocks.join("\n\n"),
    "",
  ];
  return out.join("\n");
}

/** FNV-1a (32-bit) over every named port p in 0..65535: p & 255, p >> 8, name length, name bytes. */
function digest(map) {
  let h = 0x811c9dc5;
  const feed = (b) => { h = Math.imul(h ^ b, 0x01000193) >>> 0; };
  for (const p of [...map.keys()].sort((a, b) => a - b)) {
    feed(p & 255); feed(p >> 8);
    for (const b of bytesOf(map.get(p))) feed(b);
  }
  return h >>> 0;
}

/** Deterministic pseudo-random sample (mulberry32) of `n` distinct ports of `map`, sorted. */
function samplePorts(map, n, seed) {
  const ports = [...map.keys()].sort((a, b) => a - b);
  let s = seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const picked = new Set();
  while (picked.size < Math.min(n, ports.length)) picked.add(ports[Math.floor(rand() * ports.length)]);
  return [...picked].sort((a, b) => a - b);
}

function genFixture({ tcp, udp }) {
  const sample = (label, map, seed) => {
    const ports = samplePorts(map, 12, seed);
    return [
      `/** ${label} ports picked pseudo-randomly (fixed seed) from the data file. */`,
      `export const ${label}_SAMPLE_PORTS: StaticArray<u32> = [${ports.join(", ")}];`,
      `/** The ${label} names the data file gives those ports. */`,
      `export const ${label}_SAMPLE_NAMES: StaticArray<string> = [${ports.map((p) => JSON.stringify(map.get(p))).join(", ")}];`,
    ];
  };
  const maxLen = (map) => Math.max(...[...map.values()].map((n) => n.length));
  return [
    "// GENERATED by scripts/gen-names.mjs from scripts/data/names/iana-ports.tsv; do not edit.",
    "// Expectations for test/core/names/index.spec.ts, computed straight from the data file (not from",
    "// the packed tables), so the specs check the packed tables against it.",
    "",
    "/** Number of ports the data file names for TCP. */",
    `export const TCP_NAMED: i32 = ${tcp.size};`,
    "/** Number of ports the data file names for UDP. */",
    `export const UDP_NAMED: i32 = ${udp.size};`,
    "/** Longest TCP name in bytes. */",
    `export const TCP_MAX_LEN: i32 = ${maxLen(tcp)};`,
    "/** Longest UDP name in bytes. */",
    `export const UDP_MAX_LEN: i32 = ${maxLen(udp)};`,
    "/** FNV-1a over all TCP (port lo, port hi, length, name bytes) in port order. */",
    `export const TCP_DIGEST: u32 = 0x${digest(tcp).toString(16).padStart(8, "0")};`,
    "/** FNV-1a over all UDP (port lo, port hi, length, name bytes) in port order. */",
    `export const UDP_DIGEST: u32 = 0x${digest(udp).toString(16).padStart(8, "0")};`,
    "",
    ...sample("TCP", tcp, 0x7c0ffee1),
    ...sample("UDP", udp, 0x0bad5eed),
    "",
  ].join("\n");
}

// ---------------------------------------------------------------------------------------------

function main(argv) {
  let check = false;
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--check") check = true;
    else if (argv[i] === "--extract-ports") {
      const goFile = argv[++i];
      if (!goFile || !existsSync(goFile)) fail("--extract-ports needs the path of gopacket's layers/iana_ports.go");
      extractPorts(goFile);
    } else fail(`unknown argument ${argv[i]} (use --check or --extract-ports <iana_ports.go>)`);
  }
  const ports = readPorts();
  const outputs = [
    [OUT_PORTS, genPorts(ports, tsvHeader(PORTS_TSV)).text],
    [OUT_ENUMS, genEnums(readEnums(), tsvHeader(ENUMS_TSV))],
    [OUT_FIXTURE, genFixture(ports)],
  ];
  let stale = 0;
  for (const [path, text] of outputs) {
    const old = existsSync(path) ? readFileSync(path, "utf8") : null;
    if (old === text) continue;
    if (check) { console.error(`gen-names: ${rel(path)} is out of date`); stale++; }
    else { writeFileSync(path, text); console.log(`gen-names: wrote ${rel(path)}`); }
  }
  if (stale) process.exit(1);
  if (check) console.log("gen-names: generated files are up to date");
}

main(process.argv.slice(2));
