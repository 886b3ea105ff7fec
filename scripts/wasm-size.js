// Reports the size of the built core, raw and gzipped (the build prints it).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const bytes = readFileSync(new URL('../build/tracecap.wasm', import.meta.url));
const gz = gzipSync(bytes, { level: 9 }).length;
console.log(`build/tracecap.wasm: ${bytes.length} bytes (${(bytes.length / 1024).toFixed(1)} KiB), gzip ${gz} bytes`);
