/** @module tracecap/node output — sinks for the translator's NDJSON: file descriptors and rotating -w files; packet files, their finishing (--gzip, --move-to) and PCAP-over-IP. */
export { createFdSink, fdKind, reopenBlocking, OutputError, RING_BYTES, THREAD_AFTER_BYTES, type Sink, type FdSinkOptions, type FdKind } from './sink.js';
export { openFileOutput, repeatName, REPEAT_DIGITS, parseRotateSecs, parseRotateMegabytes, parseMaxFiles, TemplateError, BYTES_PER_MB, MAX_REMEMBERED_NAMES, type FileOutput, type FileOutputOptions, type FileFinisher } from './rotate.js';
export { compileTemplate, checkTimeZone, STRFTIME_FIELDS, type Template } from './strftime.js';
export { createFinisher, MOVE_ATTEMPTS, MOVE_RETRY_MS, FINISH_QUEUE_MAX, GZIP_LEVEL, type Finisher, type FinisherOptions } from './finish.js';
export {
  openPacketFiles, checkPacketTemplate, commonLinktype, perInterface, interfaceTemplate, LinkTypeError, IFACE_PLACEHOLDERS,
  type PacketFiles, type PacketFilesOptions, type PacketFormat, type PacketSource,
} from './packets.js';
export {
  listenPcapOverIp, parseListenAddress, PcapOverIpError, PCAP_OVER_IP_CLIENT_BYTES, PCAP_OVER_IP_MAX_CLIENTS, PCAP_OVER_IP_TURN_BYTES, PCAP_OVER_IP_CLOSE_MS,
  type PcapOverIpServer, type PcapOverIpOptions, type ListenAddress,
} from './pcapoverip.js';
