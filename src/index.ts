/**
 * @module tracecap — runtime-agnostic API: packet captures (pcap, pcapng) in, Cloud Logging
 * NDJSON out, compatible with pcap-sidecar's records. Works the same in Node, browsers and
 * Cloudflare Workers; hand it the core's wasm bytes or compiled module.
 */
export { Translator, createTranslator, createTranslatorSync, type TranslatorOptions, type OsInterface, type CoreSource, type Checkpoint } from './translator.js';
export { CaptureError, ErrCode } from './errors.js';
export { type SkipCounts, SKIP_KINDS, skipSummary, addSkips, noSkips } from './skips.js';
export { parseIp } from './ip.js';
export { ENTRY_BYTES, Entry, EntryNet, NO_PART, decodeEntry, type IndexEntry } from './entry.js';
export { CaptureMerger, MAX_MERGE_FILES, type MergeFile, type MergeFailure } from './merge.js';
export { parseBpfDdd, type BpfInsn, type BpfProgram, type SoftwareFilters } from './filter.js';
export {
  pcapFileHeader, writePcapRecord, writePcapRecordHeader, pcapRecordLength, pcapngHeader, pcapngSectionHeader, pcapngInterfaceBlock,
  writePcapngPacket, pcapngPacketLength, PCAP_MAGIC_USEC, PCAP_MAGIC_NSEC, PCAP_GLOBAL_HEADER_LEN, PCAP_RECORD_HEADER_LEN,
  type PacketRecord, type TsResolution, type PcapngInterface,
} from './pcapfile.js';
export { ExchangeBuilder, MAX_OPEN_PER_CONNECTION, MAX_CONNECTIONS, type Exchange, type ExchangeSink, type HttpPacket } from './exchanges.js';
export { httpPacket, exchangeTiming, type ExchangeTiming } from './exchanges.js';
export {
  OtlpWriter, OtlpRecordReader, toOtlp, exchangeSpan, tracesDataLine, traceContext, parseTraceparent, parseCloudTraceContext, OTLP_SPANS_PER_LINE, OTLP_PENDING_EXCHANGES,
  type OtlpOptions, type OtlpSpan, type OtlpWriterStats,
} from './otlp.js';
export { OtlpExporter, tracesUrl, exportSummary, OTLP_QUEUE_BATCHES, OTLP_QUEUE_BYTES, OTLP_MAX_ATTEMPTS, type OtlpExporterOptions, type OtlpExportStats } from './otlpexport.js';
export {
  Reassembler, reassemble, tcpSegment, splitHttp, decodeBody, dechunk, h2Data, MAX_FOLLOW_BYTES, MAX_HELD_SEGMENTS, MAX_FOLLOW_MESSAGES,
  type TcpSegment, type FollowPacket, type FollowedStream, type HttpMessage, type DecodedBody, type Decompressor, type H2Data,
} from './stream.js';
export { CaptureSelector, CaptureWalkError, MAX_CAPTURE_BLOCK, type SelectedPacket, type SelectorSink } from './capsel.js';
