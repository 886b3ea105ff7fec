/** @module tracecap/node output — sinks for the translator's NDJSON: file descriptors and rotating -w files. */
export { createFdSink, fdKind, reopenBlocking, OutputError, RING_BYTES, THREAD_AFTER_BYTES, type Sink, type FdSinkOptions, type FdKind } from './sink.js';
export { openFileOutput, repeatName, REPEAT_DIGITS, parseRotateSecs, parseRotateMegabytes, parseMaxFiles, TemplateError, BYTES_PER_MB, MAX_REMEMBERED_NAMES, type FileOutput, type FileOutputOptions } from './rotate.js';
export { compileTemplate, checkTimeZone, STRFTIME_FIELDS, type Template } from './strftime.js';
