// Every limit of the core, in one place. Each is documented in the README ("Limits").
// The host sizes nothing: it asks the core for its windows (see index.ts).

/** Bytes of the input window: the host copies capture bytes here; a block may straddle chunks. */
export const IN_CAP: i32 = 4 << 20;
/** Largest pcapng block accepted (a block larger than this is reported as corrupt). */
export const MAX_BLOCK: i32 = 2 << 20;
/** Largest captured packet accepted (Wireshark's WTAP_MAX_PACKET_SIZE_STANDARD). */
export const MAX_PACKET: i32 = 262144;
/** Bytes of the output window the core renders NDJSON into. */
export const OUT_CAP: i32 = 8 << 20;
/** Output windows a host may ask for (index.ts setWindows), each OUT_CAP bytes, allocated when asked for. */
export const OUT_WINDOWS: i32 = 4;
/**
 * Free output space required before a packet is rendered; no record can be larger. Worst case:
 * every captured byte escaped to 6 bytes (1.5 MiB for MAX_PACKET) plus the DNS names that
 * compression pointers expand to 255 bytes each, escaped (1530 bytes): 64 questions and
 * 3 × 64 records of up to 3 names each (an UPDATE's sections; SOA has 3), 640 names ≈ 0.95 MiB,
 * for each of the two DNS messages a record may show (the packet's or the one its ICMP error
 * quotes, and a tunnel's inner packet's): ≈ 3.4 MiB in all.
 */
export const RECORD_RESERVE: i32 = 4 << 20;
/** Bytes of the analysis' scratch buffers for a record's HTTP object and its HTTP/2 frame fragments. */
export const SCRATCH_CAP: i32 = 1 << 20;
/** HTTP/2 frames of one packet described for the renderers (facts/h2.ts); later ones are not shown. */
export const MAX_FRAMES: i32 = 512;
/** Bytes of one packet's HTTP/2 facts: decoded header fields, and frame payload bytes kept from reused buffers (facts/h2.ts). */
export const H2_FACTS_BYTES: i32 = 1 << 20;
/** Exchange timings one packet's record can show (facts/timing.ts): HTTP/2 streams ending in one segment beyond it have none. */
export const MAX_TIMINGS: i32 = 64;
/** HTTP/2 streams listed per packet (in the message and the `includes` list); more are not listed. */
export const MAX_STREAMS_LISTED: i32 = 64;
/** Largest HPACK dynamic table size (RFC 7541 §4.2, §6.3) accepted in a size update; SETTINGS_HEADER_TABLE_SIZE may exceed 4096. */
export const HPACK_MAX_TABLE_SIZE: i32 = 1 << 20;
/** HPACK fields decoded per header block; one more is a fatal TOO_MANY_FIELDS. */
export const HPACK_MAX_FIELDS: i32 = 512;
/** Record index entries (record/entry.ts) held until the host drains them with the output. */
export const IDX_CAP: i32 = 8192;
/** pcapng Interface Description Blocks remembered per section. */
export const MAX_INTERFACES: i32 = 1024;
/** Bytes of an interface name (pcapng if_name) kept; longer names are cut at a character boundary. */
export const MAX_IFNAME: i32 = 64;
/**
 * Bytes of a merged capture's file name kept (the `file` key, from src/merge.ts's source
 * blocks; NAME_MAX of Linux and macOS); longer names are cut at a character boundary.
 */
export const MAX_FILE_NAME: i32 = 255;
/** Bytes of each string option (project, log name, id, interface name). */
export const MAX_OPTION: i32 = 1024;
/** Interface addresses remembered for `local`. */
export const MAX_ADDRS: i32 = 64;
/** OS interfaces in the table that attributes packets captured on `any` (reference §3.3). */
export const MAX_OS_IFACES: i32 = 64;
/** Addresses per OS interface in that table (distinct ones; a repeated address is not counted). */
export const MAX_OS_IFACE_ADDRS: i32 = 16;
/** Bytes of an OS interface name (Linux allows 15; longer names are refused, not cut). */
export const MAX_OS_IFNAME: i32 = 64;
/** 802.1Q/802.1ad tags walked in one frame. */
export const MAX_VLAN_TAGS: i32 = 8;
/**
 * Link-level encapsulations walked in one frame (PPPoE, PPP, MPLS, LLC/SNAP, PBB, an inner
 * Ethernet frame, VN-Tag, E-Tag, NSH, FabricPath, and the link type's own: radiotap, 802.11,
 * FDDI, Cisco HDLC, NFLOG); one more is an `err` entry and the network layer is not decoded.
 */
export const LINK_ENCAP_DEPTH: i32 = 8;
/** IPv6 extension headers walked before giving up on finding the transport. */
export const MAX_IPV6_EXT: i32 = 16;
/**
 * DNS questions and resource records remembered and rendered per section (of the packet's message
 * and, in their own tables, of the message an ICMP error quotes); the rest are counted, not rendered.
 */
export const MAX_DNS_RECORDS: i32 = 64;
/** DNS compression pointers followed in one name (names are bounded anyway by RFC 1035's 255 bytes). */
export const MAX_DNS_POINTERS: i32 = 32;

// ---- stateful analysis (DEBUG verbosity, TCP) --------------------------------------------

/**
 * Parts the connection state is split into, by a hash of the connection's interface, addresses
 * and ports (flow/part.ts). Each part has its own equal share of every pool below (connections,
 * exchanges, head buffers, HPACK tables) and its own least-recently-seen order, and nothing in
 * one part depends on another: a translator holding some of the parts (one thread of a
 * parallel run) writes exactly the records one holding all of them would. The most threads a
 * parallel run can use; a power of two.
 */
export const CONN_PARTS: i32 = 8;
/** Consecutive packets one thread of a parallel run takes when no connection state ties a packet to a part (INFO, and packets other than TCP at DEBUG). */
export const SHARD_BLOCK: i32 = 256;
/** Record marks (serial, length) held until the host drains them with the output (record/shard.ts). */
export const MARK_CAP: i32 = 16384;
/** TCP connections tracked at once (MAX_FLOWS / CONN_PARTS per part); beyond a part's share its least recently seen one is evicted. */
export const MAX_FLOWS: i32 = 24576;
/** Idle time after which a connection's state is dropped (pcap-sidecar's 600 s reaper), ns. */
export const FLOW_IDLE_NS: i64 = 600_000_000_000;
/** Time after the first FIN/RST with nothing pending when trace context is dropped (10 s), ns. */
export const UNTRACK_NS: i64 = 10_000_000_000;
/**
 * Time after an ended connection's last packet (FIN both ways, or a RST) when its resources
 * (exchanges, buffers, HPACK tables) return to their pools and only a tombstone of it stays in
 * the table, the first slot taken when the part is full (10 s, as UNTRACK_NS), ns.
 */
export const RELEASE_NS: i64 = 10_000_000_000;
/**
 * Idle time after which a live connection may lose a pooled resource (a head or frame buffer,
 * an HPACK table) to another connection of its part when that pool is empty; ended connections
 * lose theirs first, whatever their idle time (60 s), ns.
 */
export const RECLAIM_IDLE_NS: i64 = 60_000_000_000;
/**
 * Request/response exchanges held at once (waiting for their response, or finished and kept for
 * the packets that follow), an equal share per connection part. When a part's share is empty its
 * oldest finished exchange is reused; a waiting one only when none is finished.
 */
export const MAX_EXCHANGES: i32 = 16384;
/** Finished exchanges a connection keeps for the ACKs and retransmissions that follow them; exchanges still waiting are always kept. */
export const FLOW_EXCHANGES: i32 = 32;
/**
 * Finished exchanges of a part looked at, oldest first, for one to reuse that is not its
 * connection's last: a connection idle for minutes keeps its last exchange for the late ACK or
 * FIN that names it, while older ones go (flow/conn.ts takeSlot).
 */
export const RECLAIM_SCAN: i32 = 64;
/** Bytes of a request URL (Host + request-target) kept for HTTP.request.url. */
export const MAX_URL: i32 = 256;
/** Bytes of a request method kept. */
export const MAX_METHOD: i32 = 24;
/** Largest HTTP/1 message head (request/status line + headers) reassembled, bytes. */
export const MAX_HEAD: i32 = 16384;
/** Head/header-block buffers (MAX_HEAD + HEAD_EXTRA bytes each), an equal share for each connection part. */
export const HEAD_BUFFERS: i32 = 512;
/**
 * Bytes after MAX_HEAD in a head buffer: header lines beyond the head limit are still read, and
 * those that frame the body or carry the trace (Content-Length, Transfer-Encoding, Host,
 * traceparent, X-Cloud-Trace-Context) are kept here so pairing, framing and trace stay right.
 */
export const HEAD_EXTRA: i32 = 1024;
/** Longest header line beyond the head limit that is still read for framing and trace (a longer one cannot hold a valid value of those fields). */
export const HEAD_OVER_LINE: i32 = 512;
/**
 * Sample buffers (SAMPLE_BYTES each), an equal share for each connection part: a frame that
 * straddles segments and is only sampled (HTTP/2 DATA: the record shows its first 509 bytes) or
 * is small keeps its first bytes in one, so bulk data never holds a head buffer.
 */
export const SAMPLE_BUFFERS: i32 = 2048;
export const SAMPLE_BYTES: i32 = 528;
/** Header fields per message rendered. */
export const MAX_HEADERS: i32 = 128;
/**
 * HPACK dynamic tables (one per HTTP/2 connection direction that sends headers), an equal share
 * for each connection part (256 each: 128 HTTP/2 connections per part at once), and the bytes of
 * names and values each stores: 4096, the default table size (RFC 9113 §6.5.2), holds every entry
 * of a default-size table; entries of a larger table beyond it decode as unknown (hpack.ts).
 */
export const HPACK_TABLES: i32 = 2048;
export const HPACK_TABLE_BYTES: i32 = 4096;

// ---- rendering caches (speed only: a miss renders the text again, the output is the same) --

/** Entries of each per-connection text cache (record/render.ts TextCache); a power of two. */
export const TEXT_CACHE_SLOTS: i32 = 256;
/** Entries of the cache of 64-bit decimal texts (flow ids, endpoint hashes; 24 bytes each). */
export const DEC_CACHE_SLOTS: i32 = 1024;
/** Entries of the L2-block cache (MAC pairs repeat less than connections do). */
export const L2_CACHE_SLOTS: i32 = 64;
/** Longest cached text per cache, bytes: flow/iface/local/labels/operation run, L3 endpoints, L4 endpoints, message addresses, L2 block. */
export const TAIL_TEXT_MAX: i32 = 512;
export const L3_EP_TEXT_MAX: i32 = 256;
export const L4_EP_TEXT_MAX: i32 = 160;
export const MSG_TEXT_MAX: i32 = 128;
export const L2_TEXT_MAX: i32 = 128;
/** Spare bytes at the end of every buffer the JSON writer renders into: a short constant
 *  fragment is written with one 16-byte store, which may run up to 15 bytes past its end. */
export const WRITE_SLACK: i32 = 16;
/** Bytes per option/interface-only span (five escaped options or names of 6 KiB at most, plus framing). */
export const SPAN_CAP: i32 = 40 << 10;
/** Bytes of the two spans rendered per OS interface (its `iface` object, at most 16 addresses of
 *  41 bytes and a 64-byte name escaped to 384, and its message prefix): about 1.5 KiB at most. */
export const OS_SPAN_CAP: i32 = 2 << 10;

// ---- packet filters (assembly/filter/) ---------------------------------------------------

/** Instructions of one classic BPF program (Linux BPF_MAXINSNS, the kernel's own cap). */
export const BPF_MAXINSNS: i32 = 4096;
/** Link types that can each have their own BPF program (the same expression compiles differently per link type). */
export const BPF_PROGRAMS: i32 = 16;
/** Scratch memory words of the BPF machine (BPF_MEMWORDS in bpf(4) and Linux filter.h). */
export const BPF_MEMWORDS: i32 = 16;
/** Networks (CIDR prefixes, IPv4 and IPv6 together) of the software network filter. */
export const MAX_FILTER_NETS: i32 = 256;
/** Denied sockets of the software socket filter. */
export const MAX_DENY_SOCKETS: i32 = 256;

// ---- IP reassembly (assembly/ip/reassembly.ts) -------------------------------------------

/** IP datagrams being reassembled at once, IPv4 and IPv6 together (discarded IPv6 ones' tombstones included); when full, the oldest is evicted. */
export const FRAG_DATAGRAMS: i32 = 256;
/** Largest reassembled payload (the bytes after the IP header(s)), the 16-bit length fields' bound (RFC 791 §3.1, RFC 8200 §4.5). */
export const FRAG_DATAGRAM_BYTES: i32 = 65535;
/** Bytes of the pool holding every datagram's received fragments, in FRAG_CHUNK_BYTES chunks; when empty, the oldest datagram is evicted. */
export const FRAG_BYTES_TOTAL: i32 = 2 << 20;
/** Bytes of one chunk of that pool: a datagram's bytes sit in chunks by offset, so none needs a contiguous 64 KiB while held. */
export const FRAG_CHUNK_BYTES: i32 = 2048;
/** Capture time after a datagram's first fragment when its reassembly is abandoned: RFC 8200 §4.5's 60 s, also RFC 1122 §3.3.2's lower bound for IPv4, ns. */
export const FRAG_TIMEOUT_NS: i64 = 60_000_000_000;
/** Separate byte ranges (so holes, RFC 815) one datagram may be held in at once; a fragment that would make one more drops the datagram. */
export const FRAG_HOLES: i32 = 64;
/** Encapsulations walked into per packet (tunnels in tunnels); the packet inside the last one is the inner packet. */
export const TUNNEL_DEPTH: i32 = 4;
/** MPLS label stack entries decoded (RFC 3032); a deeper stack is an `err` entry and its payload is not followed. */
export const MAX_MPLS_LABELS: i32 = 8;
/** GTP-U extension headers walked (3GPP TS 29.281 §5.2; each is at least 4 bytes, so this only bounds the work). */
export const MAX_GTPU_EXTENSIONS: i32 = 16;
