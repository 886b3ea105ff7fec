// Reports the size of the built core, raw and gzipped (the build prints it).
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

// tracecap-shared.wasm is the same core with shared memory, for the threads of a parallel run;
// tracecap-wasi.wasm the WASI command (assembly/wasi.ts).
for (const name of ['tracecap.wasm', 'tracecap-shared.wasm', 'tracecap-wasi.wasm', 'tracecap-snap.wasm']) {
  const bytes = readFileSync(new URL(`../build/${name}`, import.meta.url));
  const gz = gzipSync(bytes, { level: 9 }).length;
  console.log(`build/${name}: ${bytes.length} bytes (${(bytes.length / 1024).toFixed(1)} KiB), gzip ${gz} bytes`);
}
