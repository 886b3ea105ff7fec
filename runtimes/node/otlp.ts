// The CLI's span output (--format otlp, --otlp-endpoint): a Sink that takes the translator's
// NDJSON records, pairs their exchanges into spans (src/otlp.ts OtlpWriter) and writes the
// OTLP/JSON lines to the records' output instead of the records, and/or posts them to an OTLP/HTTP
// receiver (src/otlpexport.ts). The records come in capture order whatever the thread count, so
// the lines are the same bytes on every run.
import { OtlpRecordReader, OTLP_PENDING_EXCHANGES, type OtlpOptions } from '../../src/otlp.js';
import { OtlpExporter, exportSummary, type OtlpExporterOptions } from '../../src/otlpexport.js';
import type { Sink } from './output/index.js';

/** What the command line asked of the span output. */
export interface OtlpSpec {
  /** --format otlp: the lines replace the records on the output. */
  lines: boolean;
  /** --otlp-endpoint URL, or null. */
  endpoint: string | null;
  /** --otlp-batch: spans per line. */
  spansPerLine: number;
  /** --otlp-queue: batches waiting or in flight at once. */
  queueBatches: number;
}

/** The sink to hand the translator, and finish(): the last lines, the export's end; resolves to 2 when spans were not delivered, else 0. */
export interface OtlpOutput {
  sink: Sink;
  finish(): Promise<number>;
}

/** Wraps `out`: records in, spans out (and to the endpoint); `say` writes a line on standard error. */
export function otlpOutput(out: Sink, spec: OtlpSpec, options: OtlpOptions, say: (line: string) => void, exporterOptions: OtlpExporterOptions = {}): OtlpOutput {
  const exporter = spec.endpoint !== null ? new OtlpExporter(spec.endpoint, { maxBatches: spec.queueBatches, ...exporterOptions }) : null;
  const enc = new TextEncoder();
  let full = false;
  const reader = new OtlpRecordReader((line, spans) => {
    if (spec.lines) out.write(enc.encode(line + '\n'));
    if (exporter !== null && !exporter.offer(line, spans) && !full) {
      full = true; // said once as it happens; the total is in the summary at the end
      say(`tracecap: OTLP endpoint ${exporter.url}: the queue of ${spec.queueBatches} batches is full: dropping batches until it has room\n`);
    }
  }, { ...options, spansPerLine: spec.spansPerLine });
  let bytes = 0;
  const sink: Sink = {
    write(view) {
      bytes += view.byteLength;
      if (!spec.lines) out.write(view);
      reader.push(view);
    },
    flush() { out.flush(); },
    close() { out.close(); },
    get bytes() { return bytes; },
  };
  return {
    sink,
    async finish() {
      reader.end();
      const w = reader.stats();
      if (w.unreadable > 0) say(`tracecap: ${w.unreadable} records were not JSON and made no span\n`);
      if (w.early > 0) say(`tracecap: ${w.early} spans written before their exchange ended (more than ${OTLP_PENDING_EXCHANGES} exchanges were waiting)\n`);
      if (exporter === null) return 0;
      const s = await exporter.close();
      const line = exportSummary(exporter.url, s, spec.queueBatches);
      if (line !== null) { say(`tracecap: ${line}\n`); return 2; }
      return 0;
    },
  };
}
