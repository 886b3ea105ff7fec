/**
 * Error codes shared with the core (assembly/errors.ts). test/host/errors.test.ts checks that
 * this table and the core's reason texts agree.
 */
export const ErrCode = {
  OK: 0,
  OUTPUT_FULL: 1,
  NOT_A_CAPTURE: 10,
  TRUNCATED: 11,
  BAD_VERSION: 12,
  PACKET_TOO_LARGE: 13,
  BAD_BLOCK_LENGTH: 14,
  BLOCK_TOO_LARGE: 15,
  BLOCK_LENGTH_MISMATCH: 16,
  BAD_BYTE_ORDER: 17,
  UNKNOWN_INTERFACE: 18,
  TOO_MANY_INTERFACES: 19,
  BAD_BLOCK: 20,
  BAD_SNAPLEN: 21,
  EMPTY: 22,
  BPF_LENGTH: 30,
  BPF_OPCODE: 31,
  BPF_JUMP: 32,
  BPF_MEMORY: 33,
  BPF_DIVISION: 34,
  BPF_SHIFT: 35,
  BPF_NO_RETURN: 36,
  BPF_TABLE_FULL: 37,
} as const;

/** Name of a core error code. */
export type ErrCodeName = keyof typeof ErrCode;

/** The capture is not a capture, or is damaged: records before the damage were delivered. */
export class CaptureError extends Error {
  /** Numeric code (see ErrCode). */
  readonly code: number;
  /** Symbolic code, e.g. "TRUNCATED". */
  readonly codeName: string;
  /** Byte offset of the damaged record or block in the input. */
  readonly offset: number;
  /** Number of packets read before the damage. */
  readonly packets: number;
  /** The core's reason text. */
  readonly reason: string;

  constructor(code: number, reason: string, offset: number, packets: number) {
    // An empty input has no place to point at; everything else names the damaged record.
    super(code === ErrCode.EMPTY ? reason : `${reason} at byte offset ${offset} (packet ${packets + 1})`);
    this.name = 'CaptureError';
    this.code = code;
    this.codeName = (Object.keys(ErrCode) as ErrCodeName[]).find((k) => ErrCode[k] === code) ?? 'UNKNOWN';
    this.offset = offset;
    this.packets = packets;
    this.reason = reason;
  }
}
