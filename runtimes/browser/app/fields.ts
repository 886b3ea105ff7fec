/**
 * @module tracecap/browser/app/fields — every field path tracecap's core writes in a record, at
 * INFO and DEBUG, with a one-line description: the filter's catalog (query.ts refuses paths it
 * does not know), field-name completion, and "did you mean" suggestions. Pure TypeScript.
 *
 * Read from the renderers (assembly/json/*.ts, assembly/record/render.ts, assembly/http/
 * h2exchange.ts, assembly/trace/pick.ts) and README "Output"; test/runtimes/browser/app/
 * fields.test.ts translates every corpus capture and checks that every path of every record is
 * here, and that every key the renderers spell is. A `*` segment stands for one dynamic key (an
 * HTTP header name, an HTTP/2 stream id, a SETTINGS id, a TCP option name); numeric segments
 * index arrays (`L4.opts.0`), and `*` does too. Keys may contain dots
 * (`logging.googleapis.com/trace`): a path's segments are matched key by key, longest key first,
 * as query.ts resolves them.
 *
 * Normalized fields (NORMALIZED): HTTP/1 writes `HTTP.method`, `HTTP.code`, `HTTP.url`, headers
 * and trace keys at the top of the record, HTTP/2 inside each frame of `HTTP.streams.<id>.frames`;
 * a normalized path reads both places, so a filter treats HTTP/1, HTTP/2 and gRPC alike.
 */

/** What a field's values are (`address`: an IP address as the core writes it, for CIDR). */
export type FieldType = 'text' | 'number' | 'numtext' | 'bool' | 'address' | 'object' | 'mixed';

/** One field of the catalog. */
export interface Field {
  /** The dotted path; a `*` segment stands for one dynamic key. */
  readonly path: string;
  /** What its values are (`numtext`: a number written as a string, such as `pcap.num`). */
  readonly type: FieldType;
  /** Whether the value is an array of such values (a numeric segment indexes it). */
  readonly array: boolean;
  /** Whether only DEBUG records have it. */
  readonly debug: boolean;
  /** Whether it reads HTTP/2 frames too (NORMALIZED). */
  readonly normalized: boolean;
  /** One line for the completion list and the help. */
  readonly doc: string;
}

/** The most field names completeFields() returns. */
export const MAX_COMPLETIONS = 60;
/** The most paths collectFields() keeps in one set (distinct header names are unbounded). */
export const MAX_PRESENT_FIELDS = 4000;
/** The most suggestions an unknown field's error names. */
export const MAX_SUGGESTIONS = 3;

// path, type (s text, n number, ns numtext, b bool, ip address, o object, x mixed; [] array),
// D when only DEBUG records have it (else -), description. Parents come before their children.
const TABLE = `
pcap                      o      -  packet numbering
pcap.num                  ns     -  packet number in the capture, from 0
pcap.id                   s      D  context id (--id)
pcap.ctx                  s      D  log name (--log-name)
meta                      o      -  capture metadata
meta.flow                 ns     -  hash of the capture interface index
meta.trunc                b      -  the packet was cut by the snap length
meta.len                  n      D  length on the wire
meta.cap_len              n      D  captured length
meta.timestamp            s      D  capture time, RFC 3339 UTC
timestamp                 o      -  capture time
timestamp.seconds         n      -  capture time: Unix seconds
timestamp.nanos           n      -  capture time: nanoseconds
logging.googleapis.com/labels  o  -  Cloud Logging labels
logging.googleapis.com/labels.run.googleapis.com/tool  s  -  always "pcap-sidecar"
logging.googleapis.com/labels.run.googleapis.com/pcap/id  s  D  context id
logging.googleapis.com/labels.run.googleapis.com/pcap/iface  s  D  capture interface name
logging.googleapis.com/labels.run.googleapis.com/pcap/name  s  D  log name
logging.googleapis.com/operation  o  -  Cloud Logging operation: one per flow
logging.googleapis.com/operation.id  s  -  <id>/iface/<name>/flow/<kind>:<flow>
logging.googleapis.com/operation.producer  s  -  log name
logging.googleapis.com/operation.first  b  -  set on packet 1
logging.googleapis.com/trace  s  D  trace of the exchange: projects/<project>/traces/<id> (HTTP/1 and HTTP/2)
logging.googleapis.com/spanId  s  D  span id, 16 hex digits (HTTP/1 and HTTP/2)
logging.googleapis.com/trace_sampled  b  D  the trace is sampled (HTTP/1 and HTTP/2)
message                   s      -  one-line summary of the packet
severity                  s      -  ERROR when a layer could not be decoded (absent: DEFAULT)
err                       o[]    -  layers that could not be decoded whole
err.layer                 s      -  layer name (Ethernet, IPv4, TCP, DNS…)
err.msg                   s      -  why it could not be decoded
file                      s      -  base name of the packet's file, when several files are one capture
flow                      ns     -  conversation id (interface, addresses and ports)
fragment                  o      -  an IP fragment: the datagram it belongs to and what reassembly made of it
fragment.datagram         n      -  record number of the datagram's first fragment seen
fragment.fragments        n      -  fragments of the datagram, on the one that completes it
fragment.length           n      -  bytes of the reassembled datagram (after the IP header)
fragment.more             b      -  more fragments follow (MF / M)
fragment.offset           n      -  byte offset of this fragment in the datagram
fragment.state            s      -  held, reassembled, duplicate, overlap_…, too_large, no_room, invalid…
local                     b      -  the source is an --iface-addr on a non-ephemeral port
iface                     o      D  capture interface (on any: the OS interface of the packet)
iface.index               n      D  interface index
iface.name                s      D  interface name
iface.addrs               ip[]   D  interface addresses
L2                        o      -  link layer: Ethernet header, link-level encapsulations
L2.src                    s      -  source MAC (Ethernet, FDDI, 802.11)
L2.dst                    s      -  destination MAC (Ethernet, FDDI, 802.11)
L2.type                   s      -  EtherType name (IPv4, IPv6, ARP…)
L2.vlan                   n[]    -  VLAN ids, outermost first
L2.encap                  o[]    -  link-level encapsulations, outermost first (PPPoE, MPLS, 802.11…)
L2.encap.type             s      -  pppoe, ppp, mpls, llc_snap, pbb, ethernet, nsh, cmd, chdlc, nflog, 802.11…
L2.encap.session          n      -  PPPoE session id
L2.encap.protocol         s      -  PPP or Cisco HDLC protocol, hex (0x0021)
L2.encap.labels           n[]    -  MPLS labels, outermost first
L2.encap.isid             n      -  PBB service instance id (I-SID)
L2.encap.spi              n      -  NSH service path id
L2.encap.si               n      -  NSH service index
L2.encap.sgt              n      -  Cisco MetaData security group tag (TrustSec)
L2.encap.dst              s      -  inner Ethernet frame's destination MAC
L2.encap.src              s      -  inner Ethernet frame's source MAC
L2.encap.protected        b      -  802.11 body encrypted (not decoded)
ARP                       o      -  ARP message
ARP.op                    n      -  operation (1 request, 2 reply)
ARP.src                   o      -  sender
ARP.src.IP                ip     -  sender protocol address
ARP.src.MAC               s      -  sender hardware address
ARP.dst                   o      -  target
ARP.dst.IP                ip     -  target protocol address
ARP.dst.MAC               s      -  target hardware address
ARP.flow                  ns     -  ARP conversation id
L3                        o      -  IPv4 or IPv6 header
L3.v                      n      -  IP version, 4 or 6
L3.src                    ip     -  source address
L3.dst                    ip     -  destination address
L3.len                    n      -  IPv4 total length, IPv6 payload length
L3.ttl                    n      -  TTL or hop limit
L3.proto                  o      -  next protocol
L3.proto.num              n      -  protocol number (6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6)
L3.proto.name             s      D  protocol name (TCP, UDP…)
L3.flow                   ns     -  hash of the two addresses
L3.id                     n      -  IPv4 identification
L3.ihl                    n      -  IPv4 header length, 32-bit words
L3.tos                    n      -  IPv4 type of service
L3.foff                   n      -  IPv4 fragment offset
L3.xsum                   n      -  IPv4 header checksum
L3.flags                  s[]    D  IPv4 flags: DF, MF, Evil
L3.opts                   o[]    -  IPv4 options
L3.opts.type              n      -  option type
L3.opts.data              s      -  option bytes
L3.cls                    n      -  IPv6 traffic class
L3.lbl                    n      -  IPv6 flow label
L3.endpoints              o      D  both addresses, either way
L3.endpoints.src          ip     D  source address
L3.endpoints.dst          ip     D  destination address
L3.endpoints.fwd          s      D  "src->dst"
L3.endpoints.bwd          s      D  "dst->src"
L3.endpoints.hash         ns     D  hash of the two addresses, either way
L4                        o      -  TCP or UDP header
L4.src                    n      -  source port
L4.dst                    n      -  destination port
L4.sproto                 s      -  source port's service name (TCP: DEBUG)
L4.dproto                 s      -  destination port's service name (TCP: DEBUG)
L4.len                    x      -  TCP: payload bytes (a string); UDP: length field
L4.size                   n      -  UDP payload bytes
L4.flow                   ns     -  hash of the two ports
L4.xsum                   n      -  checksum
L4.endpoints              o      -  both ports, either way (TCP: DEBUG)
L4.endpoints.src          ns     -  source port
L4.endpoints.dst          ns     -  destination port
L4.endpoints.fwd          s      -  "sport->dport"
L4.endpoints.bwd          s      -  "dport->sport"
L4.endpoints.hash         ns     -  hash of the two ports, either way
L4.seq                    n      -  TCP sequence number
L4.ack                    n      -  TCP acknowledgment number
L4.off                    n      -  TCP data offset, 32-bit words
L4.win                    n      -  TCP window field
L4.xwin                   ns     -  TCP window scaled by the WindowScale option
L4.urg                    n      -  TCP urgent pointer
L4.flags                  o      -  TCP flags: str and dec (DEBUG adds bin, hex, map)
L4.flags.str              s      -  set flags joined by | (SYN|ACK)
L4.flags.dec              n      -  flag byte
L4.flags.bin              s      D  flag byte in binary
L4.flags.hex              s      D  flag byte in hex
L4.flags.map              o      D  each flag, true or false
L4.flags.map.FIN          b      D  FIN set
L4.flags.map.SYN          b      D  SYN set
L4.flags.map.RST          b      D  RST set
L4.flags.map.PSH          b      D  PSH set
L4.flags.map.ACK          b      D  ACK set
L4.flags.map.URG          b      D  URG set
L4.flags.map.ECE          b      D  ECE set
L4.flags.map.CWR          b      D  CWR set
L4.flags.map.NS           b      D  NS set
L4.opts                   x[]    -  TCP options: a name, or {name: values}
L4.opts.MSS               s[]    -  maximum segment size, and its hex
L4.opts.WindowScale       x[]    -  window scale: its hex, decoded at DEBUG
L4.opts.WindowScale.dec   n      D  shift count
L4.opts.WindowScale.hex   s      D  shift count in hex
L4.opts.WindowScale.scale  ns    D  multiplier
L4.opts.WindowScale.win   ns     D  this segment's window, scaled
L4.opts.Timestamps        s[]    -  TSval and TSecr (DEBUG), and the hex
L4.opts.SACK              s[]    -  SACK blocks, hex
L4.opts.*                 s[]    -  another option's bytes, hex
ICMP                      o      -  ICMPv4 or ICMPv6 message
ICMP.type                 n      -  type
ICMP.code                 n      -  code
ICMP.msg                  s      -  type and code by name
ICMP.xsum                 n      -  checksum
ICMP.id                   n      -  echo identifier
ICMP.seq                  n      -  echo sequence number
ICMP.tgt                  ip     -  redirect target
ICMP.dst                  ip     -  ICMPv6 redirect destination
ICMP.IPv4                 o      -  IPv4 header an error quotes
ICMP.IPv4.src             ip     -  its source
ICMP.IPv4.dst             ip     -  its destination
ICMP.IPv4.id              n      -  its identification
ICMP.IPv4.proto           n      -  its protocol number
ICMP.IPv4.ttl             n      -  its TTL
ICMP.IPv4.xsum            n      -  its checksum
ICMP.IPv6                 o      -  IPv6 header an error quotes
ICMP.IPv6.src             ip     -  its source
ICMP.IPv6.dst             ip     -  its destination
ICMP.IPv6.dsf             n      -  its DSCP
ICMP.IPv6.ecn             n      -  its ECN bits
ICMP.IPv6.lbl             n      -  its flow label
ICMP.IPv6.proto           x      D  its next header (TCP, UDP or a number)
ICMP.IPv6.ttl             n      -  its hop limit
ICMP.IPv6.v               n      -  its version
DNS                       o      -  DNS message (UDP port 53)
DNS.id                    n      -  transaction id
DNS.op                    s      -  opcode (Query…)
DNS.response_code         s      -  response code (No Error, Non-Existent Domain…)
DNS.questions             o[]    -  questions
DNS.questions.name        s      -  name asked
DNS.questions.type        s      -  type asked (A, AAAA…)
DNS.questions.class       s      -  class (IN)
DNS.questions_count       n      D  questions in the header
DNS.answers               o[]    -  answers
DNS.answers.name          s      -  owner name
DNS.answers.type          s      -  record type
DNS.answers.class         s      -  class
DNS.answers.ttl           n      -  TTL, seconds
DNS.answers.A             ip     -  IPv4 address
DNS.answers.AAAA          ip     -  IPv6 address
DNS.answers.CNAME         s      -  canonical name
DNS.answers.NS            s      -  name server
DNS.answers.PTR           s      -  pointer
DNS.answers.MX            o      -  mail exchange
DNS.answers.MX.name       s      -  exchange host
DNS.answers.MX.preference  n     -  preference
DNS.answers.SOA           o      -  start of authority
DNS.answers.SOA.mname     s      -  primary name server
DNS.answers.SOA.rname     s      -  responsible mailbox
DNS.answers.SOA.serial    n      -  serial
DNS.answers.SOA.refresh   n      -  refresh, seconds
DNS.answers.SOA.retry     n      -  retry, seconds
DNS.answers.SOA.expire    n      -  expire, seconds
DNS.answers.SRV           o      -  service
DNS.answers.SRV.name      s      -  target host
DNS.answers.SRV.port      n      -  port
DNS.answers.SRV.priority  n      -  priority
DNS.answers.SRV.weight    n      -  weight
DNS.answers.URI           o      -  URI record
DNS.answers.URI.target    s      -  the URI
DNS.answers.URI.priority  n      -  priority
DNS.answers.URI.weight    n      -  weight
DNS.answers.TXT           s[]    -  text strings
DNS.answers.OPT           o[]    -  EDNS options
DNS.answers.OPT.code      s      -  option code
DNS.answers.OPT.data      s      -  option data
DNS.answers.TSIG          o      -  transaction signature (RFC 8945)
DNS.answers.TSIG.algorithm  s    -  algorithm name (hmac-sha256…)
DNS.answers.TSIG.time_signed  n  -  time signed, Unix seconds
DNS.answers.TSIG.fudge    n      -  seconds of clock difference allowed
DNS.answers.TSIG.mac      s      -  MAC, hex
DNS.answers.TSIG.mac_size  n     -  MAC length, bytes
DNS.answers.TSIG.original_id  n  -  id of the message signed
DNS.answers.TSIG.error    n      -  TSIG error (16 BADSIG, 17 BADKEY, 18 BADTIME…)
DNS.answers.TSIG.other_len  n    -  other data length
DNS.answers.TSIG.other_data  s   -  other data, hex (BADTIME: the server's time)
DNS.answers_count         n      D  answers in the header
DNS.zone                  o[]    -  UPDATE: the zone (the question section)
DNS.zone.name             s      -  zone name
DNS.zone.type             s      -  type (SOA)
DNS.zone.class            s      -  class
DNS.zone_count            n      D  UPDATE: zones in the header
DNS.prerequisites_count   n      D  UPDATE: prerequisites in the header
DNS.updates_count         n      D  UPDATE: updates in the header
DNS.additional_count      n      D  UPDATE: additional records in the header
HTTP                      o      D  HTTP/1 head or HTTP/2 frames
HTTP.proto                s      D  HTTP/1.1, HTTP/1.0, or h2c for HTTP/2
HTTP.kind                 s      D  request, response or trailers (HTTP/1 and HTTP/2)
HTTP.method               s      D  request method (HTTP/1 and HTTP/2)
HTTP.url                  s      D  request target, HTTP/2 :path (HTTP/1 and HTTP/2)
HTTP.code                 n      D  response status code (HTTP/1 and HTTP/2)
HTTP.status               s      D  HTTP/1 status line's code and reason (200 OK)
HTTP.headers              o      D  header fields (HTTP/1 and HTTP/2)
HTTP.headers.*            s[]    D  a header's values, by canonical name (HTTP/1 and HTTP/2)
HTTP.body                 o      D  body bytes in this packet (HTTP/1 and HTTP/2)
HTTP.body.data            s      D  the whole body, when here and up to 512 bytes
HTTP.body.sample          s      D  the body's first 509 bytes
HTTP.body.length          ns[]   D  bytes here, and declared
HTTP.grpc                 o      D  gRPC keys of HTTP/2 frames
HTTP.grpc.method          s      D  gRPC method (/package.Service/Method)
HTTP.grpc.status          n      D  grpc-status of the trailers
HTTP.grpc.message         s      D  grpc-message of the trailers
HTTP.fragmented           b      D  HTTP/1 body continues in later packets
HTTP.raw                  s      D  HTTP/1 head and body text, first 512 bytes
HTTP.size                 n      D  payload bytes of the packet
HTTP.skipped              s      D  what the analysis gave up on this head
HTTP.request              o      D  the request an HTTP/1 response answers
HTTP.request.method       s      D  its method
HTTP.request.url          s      D  its host and target
HTTP.request.timestamp    s      D  its time
HTTP.request.latency      n      D  milliseconds from it to this response
HTTP.request.skipped      s      D  what the analysis gave up on it
HTTP.preface              b      D  the HTTP/2 connection preface is in this packet
HTTP.includes             s      D  HTTP/2 streams in this packet, "[1,3]"
HTTP.frames_not_shown     n      D  HTTP/2 frames of this packet the record does not describe (past 512)
HTTP.streams              o      D  HTTP/2 frames by stream id
HTTP.streams.*            o      D  one stream
HTTP.streams.*.id         n      D  stream id
HTTP.streams.*.frames     o[]    D  the stream's frames in this packet
HTTP.streams.*.frames.type  s    D  frame type (headers, data, settings…)
HTTP.streams.*.frames.raw  s     D  frame summary (HEADERS flags=END_HEADERS stream=1 len=82)
HTTP.streams.*.frames.len  n     D  frame payload length
HTTP.streams.*.frames.flags  o   D  frame flags
HTTP.streams.*.frames.flags.bin  s  D  in binary
HTTP.streams.*.frames.flags.dec  ns  D  as a number
HTTP.streams.*.frames.flags.hex  s  D  in hex
HTTP.streams.*.frames.kind  s    D  request, response or trailers
HTTP.streams.*.frames.headers  o  D  decoded header fields
HTTP.streams.*.frames.headers.*  s[]  D  a field's values (:method, :path, :status…)
HTTP.streams.*.frames.body  o    D  DATA payload
HTTP.streams.*.frames.body.data  s  D  the whole payload, up to 512 bytes
HTTP.streams.*.frames.body.sample  s  D  the payload's first 509 bytes
HTTP.streams.*.frames.body.length  ns[]  D  bytes here, and declared
HTTP.streams.*.frames.settings  o  D  SETTINGS by id
HTTP.streams.*.frames.settings.*  ns  D  one setting's value
HTTP.streams.*.frames.ack  b     D  SETTINGS or PING acknowledgment
HTTP.streams.*.frames.grpc  o    D  gRPC keys
HTTP.streams.*.frames.grpc.method  s  D  gRPC method
HTTP.streams.*.frames.grpc.status  n  D  grpc-status
HTTP.streams.*.frames.grpc.message  s  D  grpc-message
HTTP.streams.*.frames.hpack  s   D  why some fields are unknown (joined, desynchronised, evicted)
HTTP.streams.*.frames.unknown_headers  n  D  fields HPACK could not resolve
HTTP.streams.*.frames.skipped  s  D  what the analysis gave up on this block
HTTP.streams.*.frames.logging.googleapis.com/trace  s  D  the stream's trace
HTTP.streams.*.frames.logging.googleapis.com/spanId  s  D  the stream's span id
HTTP.streams.*.frames.logging.googleapis.com/trace_sampled  b  D  the stream's trace is sampled
L7                        o      D  payload no parser claimed, or HTTP/1 lines
L7.proto                  s      D  HTTP for HTTP/1 lines
L7.preface                s      D  HTTP/1 first line
L7.headers                s[]    D  HTTP/1 header lines
L7.body                   s[]    D  HTTP/1 body lines
L7.length                 n      D  payload bytes
L7.content                s      D  payload text, up to 128 bytes
L7.sample                 s      D  payload's first 125 bytes
TLS                       o      D  TLS records starting in this packet
TLS.handshake             o[]    D  handshake records
TLS.handshake.content_type  s    D  content type
TLS.handshake.length      n      D  record length
TLS.handshake.version     s      D  record version
TLS.alert                 o[]    D  alert records
TLS.alert.content_type    s      D  content type
TLS.alert.length          n      D  record length
TLS.alert.version         s      D  record version
TLS.app_data              o[]    D  application data records
TLS.app_data.content_type  s     D  content type
TLS.app_data.length       n      D  record length
TLS.app_data.version      s      D  record version
TLS.change_cipher_spec    o[]    D  change cipher spec records
TLS.change_cipher_spec.content_type  s  D  content type
TLS.change_cipher_spec.length  n  D  record length
TLS.change_cipher_spec.message  s  D  "Change Cipher Spec Message"
TLS.change_cipher_spec.version  s  D  record version
TLS.client_hello          o      D  ClientHello
TLS.client_hello.sni      s      D  server name (SNI)
TLS.client_hello.alpn     s[]    D  protocols offered (ALPN)
TLS.client_hello.versions  s[]   D  versions offered
TLS.client_hello.ja4      s      D  JA4 fingerprint
TLS.server_hello          o      D  ServerHello
TLS.server_hello.alpn     s[]    D  protocol chosen (ALPN)
TLS.server_hello.cipher   s      D  cipher suite chosen, hex
TLS.server_hello.version  s      D  version chosen
TLS.skipped               s      D  why the hello could not be kept
`;

/**
 * HTTP/2 keeps per frame what HTTP/1 writes per record: each normalized path (and every path
 * below it) also reads the frame path, with the same rest (`HTTP.headers.Te` reads
 * `HTTP.streams.*.frames.headers.Te`). `HTTP.proto` needs none: both write it.
 */
export const NORMALIZED: ReadonlyArray<readonly [path: string, frames: string]> = [
  ['HTTP.method', 'HTTP.streams.*.frames.headers.:method'],
  ['HTTP.code', 'HTTP.streams.*.frames.headers.:status'],
  ['HTTP.url', 'HTTP.streams.*.frames.headers.:path'],
  ['HTTP.kind', 'HTTP.streams.*.frames.kind'],
  ['HTTP.headers', 'HTTP.streams.*.frames.headers'],
  ['HTTP.body', 'HTTP.streams.*.frames.body'],
  ['HTTP.grpc', 'HTTP.streams.*.frames.grpc'],
  ['logging.googleapis.com/trace', 'HTTP.streams.*.frames.logging.googleapis.com/trace'],
  ['logging.googleapis.com/spanId', 'HTTP.streams.*.frames.logging.googleapis.com/spanId'],
  ['logging.googleapis.com/trace_sampled', 'HTTP.streams.*.frames.logging.googleapis.com/trace_sampled'],
];

/**
 * Wireshark display-filter names (and a few words people type) with the tracecap fields they
 * mean, for "did you mean" and completion. Lower case.
 */
export const ALIASES: Readonly<Record<string, readonly string[]>> = {
  'frame.number': ['pcap.num'], 'frame.len': ['meta.len'], 'frame.cap_len': ['meta.cap_len'],
  'frame.time': ['meta.timestamp'], 'frame.time_epoch': ['timestamp.seconds'],
  'eth.src': ['L2.src'], 'eth.dst': ['L2.dst'], 'eth.addr': ['L2.dst', 'L2.src'], 'eth.type': ['L2.type'], 'vlan.id': ['L2.vlan'],
  'wlan.da': ['L2.dst'], 'wlan.sa': ['L2.src'], 'pppoe.session_id': ['L2.encap.session'], 'ppp.protocol': ['L2.encap.protocol'],
  'mpls.label': ['L2.encap.labels'], 'ieee8021ah.isid': ['L2.encap.isid'], 'nsh.spi': ['L2.encap.spi'], 'nsh.si': ['L2.encap.si'], 'cmd.sgt': ['L2.encap.sgt', 'tunnel.encap.sgt'],
  'arp.opcode': ['ARP.op'], 'arp.src.proto_ipv4': ['ARP.src.IP'], 'arp.dst.proto_ipv4': ['ARP.dst.IP'],
  'arp.src.hw_mac': ['ARP.src.MAC'], 'arp.dst.hw_mac': ['ARP.dst.MAC'],
  'ip.src': ['L3.src'], 'ip.dst': ['L3.dst'], 'ip.addr': ['L3.dst', 'L3.src'], 'ip.ttl': ['L3.ttl'], 'ip.proto': ['L3.proto.num'],
  'ip.len': ['L3.len'], 'ip.id': ['L3.id'], 'ip.flags': ['L3.flags'], 'ip.version': ['L3.v'], 'ip.dsfield': ['L3.tos'],
  'ipv6.src': ['L3.src'], 'ipv6.dst': ['L3.dst'], 'ipv6.addr': ['L3.dst', 'L3.src'], 'ipv6.hlim': ['L3.ttl'],
  'ipv6.nxt': ['L3.proto.num'], 'ipv6.flow': ['L3.lbl'], 'ipv6.plen': ['L3.len'],
  'tcp.port': ['L4.dst', 'L4.src'], 'tcp.srcport': ['L4.src'], 'tcp.dstport': ['L4.dst'], 'tcp.flags': ['L4.flags'],
  'tcp.flags.str': ['L4.flags.str'], 'tcp.flags.fin': ['L4.flags.map.FIN'], 'tcp.flags.syn': ['L4.flags.map.SYN'],
  'tcp.flags.reset': ['L4.flags.map.RST'], 'tcp.flags.push': ['L4.flags.map.PSH'], 'tcp.flags.ack': ['L4.flags.map.ACK'],
  'tcp.flags.urg': ['L4.flags.map.URG'], 'tcp.seq': ['L4.seq'], 'tcp.seq_raw': ['L4.seq'], 'tcp.ack': ['L4.ack'],
  'tcp.ack_raw': ['L4.ack'], 'tcp.len': ['L4.len'], 'tcp.window_size': ['L4.xwin'], 'tcp.window_size_value': ['L4.win'],
  'tcp.stream': ['flow'], 'tcp.options.mss_val': ['L4.opts.MSS'], 'tcp.checksum': ['L4.xsum'],
  'udp.port': ['L4.dst', 'L4.src'], 'udp.srcport': ['L4.src'], 'udp.dstport': ['L4.dst'], 'udp.length': ['L4.len'],
  'udp.stream': ['flow'], 'udp.checksum': ['L4.xsum'],
  'icmp.type': ['ICMP.type'], 'icmp.code': ['ICMP.code'], 'icmpv6.type': ['ICMP.type'], 'icmpv6.code': ['ICMP.code'],
  'icmp.ident': ['ICMP.id'], 'icmp.seq': ['ICMP.seq'],
  'dns.id': ['DNS.id'], 'dns.qry.name': ['DNS.questions.name'], 'dns.qry.type': ['DNS.questions.type'],
  'dns.resp.name': ['DNS.answers.name'], 'dns.resp.type': ['DNS.answers.type'], 'dns.resp.ttl': ['DNS.answers.ttl'],
  'dns.a': ['DNS.answers.A'], 'dns.aaaa': ['DNS.answers.AAAA'], 'dns.cname': ['DNS.answers.CNAME'],
  'dns.ptr.domain_name': ['DNS.answers.PTR'], 'dns.flags.rcode': ['DNS.response_code'], 'dns.flags.opcode': ['DNS.op'],
  'http.request.method': ['HTTP.method'], 'http.request.uri': ['HTTP.url'], 'http.request.full_uri': ['HTTP.url'],
  'http.request.version': ['HTTP.proto'], 'http.response.code': ['HTTP.code'], 'http.response.phrase': ['HTTP.status'],
  'http.response.version': ['HTTP.proto'], 'http.status': ['HTTP.code'], 'http.user_agent': ['HTTP.headers.User-Agent'],
  'http.content_type': ['HTTP.headers.Content-Type'], 'http.content_length': ['HTTP.headers.Content-Length'],
  'http.time': ['HTTP.request.latency'], 'http.request': ['HTTP.method'], 'http.response': ['HTTP.code'],
  'http2.streamid': ['HTTP.streams.*.id'], 'http2.type': ['HTTP.streams.*.frames.type'],
  'http2.headers.method': ['HTTP.method'], 'http2.headers.path': ['HTTP.url'], 'http2.headers.status': ['HTTP.code'],
  'grpc.status': ['HTTP.grpc.status'], 'grpc.method': ['HTTP.grpc.method'], 'grpc.message': ['HTTP.grpc.message'],
  'tls.handshake.extensions_server_name': ['TLS.client_hello.sni'], 'tls.handshake.ja4': ['TLS.client_hello.ja4'],
  'tls.handshake.ciphersuite': ['TLS.server_hello.cipher'], 'tls.record.version': ['TLS.handshake.version'],
  'tls.handshake.extensions_alpn_str': ['TLS.client_hello.alpn'], 'tls.sni': ['TLS.client_hello.sni'],
  trace: ['logging.googleapis.com/trace'], 'trace.id': ['logging.googleapis.com/trace'], span: ['logging.googleapis.com/spanId'],
  spanid: ['logging.googleapis.com/spanId'], traceparent: ['HTTP.headers.Traceparent'],
};

/** Words that name a protocol in Wireshark: a dotted word starting with one is meant as a field. */
const PROTOCOL_WORDS: ReadonlySet<string> = new Set(
  Object.keys(ALIASES).filter((k) => k.includes('.')).map((k) => k.slice(0, k.indexOf('.'))).concat(['sll', 'udp', 'tls', 'http2', 'ipv6']),
);

/** Values worth offering after an operator, by field (the UI's completion of values). */
export const FIELD_VALUES: Readonly<Record<string, readonly string[]>> = {
  severity: ['DEFAULT', 'DEBUG', 'INFO', 'NOTICE', 'WARNING', 'ERROR', 'CRITICAL', 'ALERT', 'EMERGENCY'],
  'L4.flags': ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'],
  'L4.flags.str': ['SYN', 'SYN|ACK', 'ACK', 'PSH|ACK', 'FIN|ACK', 'RST', 'RST|ACK'],
  'L3.flags': ['DF', 'MF'],
  'L3.proto.name': ['TCP', 'UDP', 'ICMP', 'IPv6-ICMP'],
  'L2.type': ['IPv4', 'IPv6', 'ARP'],
  'HTTP.method': ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'],
  'HTTP.kind': ['request', 'response', 'trailers'],
  'HTTP.proto': ['HTTP/1.1', 'HTTP/1.0', 'h2c'],
  'DNS.questions.type': ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'SOA', 'SRV', 'TXT'],
  'DNS.answers.type': ['A', 'AAAA', 'CNAME', 'MX', 'NS', 'PTR', 'SOA', 'SRV', 'TXT'],
};

// ───────────────────────────── the catalog ─────────────────────────────

const TYPES: Readonly<Record<string, FieldType>> = { s: 'text', n: 'number', ns: 'numtext', b: 'bool', ip: 'address', o: 'object', x: 'mixed' };

function normalizedPath(path: string): boolean {
  return NORMALIZED.some(([p]) => path === p || path.startsWith(p + '.'));
}

function parseTable(text: string): Field[] {
  const out: Field[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\S+)\s+(\w+)(\[\])?\s+([D-])\s+(.+)$/.exec(line.trim());
    if (!m) continue;
    const [, path = '', code = '', array, debug, doc = ''] = m;
    const type = TYPES[code];
    // A typo in the table would silently drop a field: fail at load instead, where a test sees it.
    if (!type) throw new Error(`fields.ts: unknown type "${code}" for ${path}`);
    out.push(Object.freeze({ path, type, array: array !== undefined, debug: debug === 'D', normalized: normalizedPath(path), doc }));
  }
  return out;
}

/** Every field, parents before children, in the order the help lists them. */
// A tunnel's inner packet has the layers a record has, under tunnel.inner (README "Output").
const TUNNEL_TABLE = `
timing                    o      D  exchange timing, on the record where an exchange, HTTP/2 stream or TLS handshake ends
timing.start              s      D  the request's first byte (TLS: the ClientHello's), RFC 3339
timing.request_end_ns     n      D  ns from start to the request's last byte
timing.response_start_ns  n      D  ns from start to the response's first byte (time to first byte)
timing.response_end_ns    n      D  ns from start to the response's last byte
timing.tls_ns             n      D  ns from the ClientHello to the client's first application data
timing.bytes              o      D  bytes of the request and response
timing.bytes.request      n      D  request bytes (HTTP/1 head and body; HTTP/2 HEADERS, CONTINUATION, DATA payloads)
timing.bytes.response     n      D  response bytes (HTTP/1 head and body; HTTP/2 frame payloads)
timing.connect            o      D  the connection's handshake (its first exchange only)
timing.connect.syn        s      D  the SYN's time, RFC 3339
timing.connect.syn_ack_ns  n     D  ns from the SYN to the SYN/ACK
timing.connect.ack_ns     n      D  ns from the SYN to the client's ACK
timing.retransmissions    o      D  retransmitted segments during the exchange
timing.retransmissions.client  n  D  sent by the client
timing.retransmissions.server  n  D  sent by the server
timing.out_of_order       o      D  out-of-order segments during the exchange
timing.out_of_order.client  n    D  sent by the client
timing.out_of_order.server  n    D  sent by the server
timing.zero_windows       o      D  segments advertising a zero window during the exchange
timing.zero_windows.client  n    D  sent by the client
timing.zero_windows.server  n    D  sent by the server
timing.reset              s      D  who reset: client or server (the connection), stream (an HTTP/2 RST_STREAM)
timing.reset_code         s      D  an RST_STREAM's error code (RFC 9113 §7 name, else hex)
timing.request_num        n      D  pcap.num of the record with the request head
timing.response_num       n      D  pcap.num of the record with the final response head
timing.stream             n      D  the HTTP/2 stream id (in timing.streams)
timing.more               o[]    D  further HTTP/1 exchanges that ended in this segment, each as timing
timing.more_not_timed     n      D  exchanges that ended here beyond MAX_TIMINGS (no timing shown)
timing.streams            o[]    D  HTTP/2 streams that ended in this segment, each as timing with stream
timing.streams_not_timed  n      D  streams that ended here beyond MAX_TIMINGS (no timing shown)
tunnel                    o      -  the packet's tunnels: encapsulations, then the inner packet
tunnel.encap              o[]    -  each encapsulation, outermost first
tunnel.encap.type         s      -  vxlan, geneve, gre, erspan, cmd, gtpu, teredo, ipip, mpls_in_udp…
tunnel.encap.vni          n      -  VXLAN / Geneve network identifier
tunnel.encap.key          n      -  GRE key
tunnel.encap.teid         n      -  GTP-U tunnel endpoint identifier
tunnel.encap.session      n      -  ERSPAN session id
tunnel.encap.label        n      -  MPLS top label
tunnel.encap.sgt          n      -  Cisco MetaData security group tag (GRE 0x8909)
tunnel.inner              o      -  the innermost packet's layers (as the record's own)
`;
const INNER_LAYERS = /^(L2|L3|L4|ICMP|DNS|err)(\.|$)/;

// Each of timing.more and timing.streams is a timing object of its own (README "Exchange timing").
const TIMING_LISTS = /^timing\.(more|streams)(_not_timed)?$/;

function withTunnel(fields: Field[]): Field[] {
  const inner = fields.filter((f) => INNER_LAYERS.test(f.path)).map((f) => ({ ...f, path: `tunnel.inner.${f.path}`, normalized: false }));
  const table = parseTable(TUNNEL_TABLE);
  const timing = table.filter((f) => f.path.startsWith('timing.') && !TIMING_LISTS.test(f.path));
  const lists = ['more', 'streams'].flatMap((l) => timing.map((f) => ({ ...f, path: `timing.${l}.${f.path.slice(7)}`, normalized: false })));
  return [...fields, ...table, ...lists, ...inner];
}

// An UPDATE's prerequisites, updates and additional records are records as answers are (README "Output").
const UPDATE_SECTIONS: [string, string][] = [['prerequisites', 'UPDATE: prerequisites'], ['updates', 'UPDATE: updates'], ['additional', 'UPDATE: additional records']];

function withUpdate(fields: Field[]): Field[] {
  const answers = fields.filter((f) => f.path.startsWith('DNS.answers.'));
  const at = fields.findIndex((f) => f.path === 'DNS.zone_count') + 1;
  const sections = UPDATE_SECTIONS.flatMap(([key, doc]) => [
    { ...fields.find((f) => f.path === 'DNS.answers')!, path: `DNS.${key}`, doc },
    ...answers.map((f) => ({ ...f, path: f.path.replace('DNS.answers.', `DNS.${key}.`) })),
  ]);
  return [...fields.slice(0, at), ...sections, ...fields.slice(at)];
}

// What an ICMP error's embedded header object holds of the packet it quotes (README "Output"),
// under ICMP.IPv4 and ICMP.IPv6; its DNS object is the record's.
const QUOTE_TABLE = `
L4                        o      -  the TCP or UDP header it quotes, as far as quoted
L4.src                    n      -  quoted source port
L4.dst                    n      -  quoted destination port
L4.seq                    n      -  quoted TCP sequence number
L4.ack                    n      -  quoted TCP acknowledgment number
L4.off                    n      -  quoted TCP data offset, 32-bit words
L4.flags                  o      -  quoted TCP flags
L4.flags.dec              n      -  bitmask (FIN 1, SYN 2, RST 4, PSH 8, ACK 16…)
L4.flags.str              s      -  names joined by | (SYN|ACK)
L4.win                    n      -  quoted TCP window
L4.urg                    n      -  quoted TCP urgent pointer
L4.len                    n      -  quoted UDP length
L4.xsum                   n      -  quoted checksum
HTTP                      o      -  HTTP/1 start line it quotes
HTTP.kind                 s      -  request or response
HTTP.method               s      -  request method
HTTP.url                  s      -  request target
HTTP.proto                s      -  HTTP/1.1, HTTP/1.0
HTTP.code                 n      -  status code
HTTP.status               s      -  status code and reason (404 Not Found)
err                       o[]    -  quoted messages cut short or malformed
err.layer                 s      -  DNS or HTTP
err.msg                   s      -  why the quoted message stops
`;

function withQuote(fields: Field[]): Field[] {
  const quote = parseTable(QUOTE_TABLE);
  const dns = fields.filter((f) => f.path === 'DNS' || f.path.startsWith('DNS.'));
  const out: Field[] = [];
  for (const f of fields) {
    out.push(f);
    for (const v of ['IPv4', 'IPv6']) {
      if (f.path !== `ICMP.${v}`) continue;
      out.push(...quote.map((q) => ({ ...q, path: `ICMP.${v}.${q.path}` })));
      out.push(...dns.map((d) => ({ ...d, path: `ICMP.${v}.${d.path}`, doc: d.path === 'DNS' ? 'DNS message it quotes, as far as quoted' : d.doc })));
    }
  }
  return out;
}

export const FIELDS: readonly Field[] = Object.freeze(withTunnel(withQuote(withUpdate(parseTable(TABLE)))));

interface Node {
  field: Field | undefined;
  /** Literal keys (some contain dots), by their first dot-separated segment. */
  byFirst: Map<string, string[]>;
  byFirstLower: Map<string, string[]>;
  children: Map<string, Node>;
  /** The `*` child: one dynamic key. */
  any: Node | undefined;
}

function node(): Node {
  return { field: undefined, byFirst: new Map(), byFirstLower: new Map(), children: new Map(), any: undefined };
}

// Keys with dots in them, which a path names whole: a table path splits at the dots outside them.
const DOTTED_KEYS = ['logging.googleapis.com/labels', 'logging.googleapis.com/operation', 'logging.googleapis.com/trace_sampled',
  'logging.googleapis.com/trace', 'logging.googleapis.com/spanId', 'run.googleapis.com/pcap/id', 'run.googleapis.com/pcap/iface',
  'run.googleapis.com/pcap/name', 'run.googleapis.com/tool'];

/** A table path's keys: split at dots, except inside the dotted keys above. */
export function keysOf(path: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < path.length) {
    const k = DOTTED_KEYS.find((d) => path.startsWith(d, i) && (i + d.length === path.length || path[i + d.length] === '.'));
    const end = k ? i + k.length : path.indexOf('.', i) < 0 ? path.length : path.indexOf('.', i);
    out.push(path.slice(i, end));
    i = end + 1;
  }
  return out;
}

function addKey(parent: Node, key: string): Node {
  if (key === '*') return (parent.any ??= node());
  let child = parent.children.get(key);
  if (child) return child;
  child = node();
  parent.children.set(key, child);
  const first = key.split('.')[0] as string;
  for (const [map, k] of [[parent.byFirst, first], [parent.byFirstLower, first.toLowerCase()]] as const) {
    const list = map.get(k) ?? [];
    list.push(key);
    // Longest key first: the greedy rule of query.ts's resolution.
    list.sort((a, b) => b.length - a.length);
    map.set(k, list);
  }
  return child;
}

const ROOT: Node = node();
for (const f of FIELDS) {
  let n = ROOT;
  for (const k of keysOf(f.path)) n = addKey(n, k);
  n.field = f;
}

/** The record's top-level keys. */
export const TOP_LEVEL_KEYS: ReadonlySet<string> = new Set(ROOT.children.keys());

const INDEX = /^\d+$/;

/**
 * Matches segs[i..] below n; pushes the canonical spelling of each key onto `out`. With `ci`,
 * literal keys match in any case. Returns the node reached, undefined when none.
 */
function match(n: Node, segs: readonly string[], i: number, ci: boolean, out: string[]): Node | undefined {
  if (i === segs.length) return n.field ? n : undefined;
  const seg = segs[i] as string;
  const keys = ci ? n.byFirstLower.get(seg.toLowerCase()) : n.byFirst.get(seg);
  for (const key of keys ?? []) {
    const dots = key.split('.').length - 1;
    if (i + dots >= segs.length) continue;
    const typed = dots === 0 ? seg : segs.slice(i, i + dots + 1).join('.');
    if (ci ? typed.toLowerCase() !== key.toLowerCase() : typed !== key) continue;
    out.push(key);
    const r = match(n.children.get(key) as Node, segs, i + dots + 1, ci, out);
    if (r) return r;
    out.pop();
  }
  // An index (or `*`) into an array value stays at the same field.
  if (n.field?.array && (INDEX.test(seg) || seg === '*')) {
    out.push(seg);
    const r = match(n, segs, i + 1, ci, out);
    if (r) return r;
    out.pop();
  }
  if (n.any) {
    // A dynamic key that ends a path may itself contain dots (a header named X.Y): try each
    // length. One with fields below (a stream id) is one segment.
    const last = n.any.children.size === 0 && !n.any.any ? segs.length : i + 1;
    for (let j = i + 1; j <= last; j++) {
      out.push(segs.slice(i, j).join('.'));
      const r = match(n.any, segs, j, ci, out);
      if (r) return r;
      out.pop();
    }
  }
  return undefined;
}

/** The catalog field a path names (indices and dynamic keys filled in), or undefined. */
export function fieldInfo(path: string): Field | undefined {
  if (path === '') return undefined;
  return match(ROOT, path.split('.'), 0, false, [])?.field;
}

/** Whether the core can write this path in a record, or it is a normalized field. */
export function isKnownField(path: string): boolean {
  return fieldInfo(path) !== undefined;
}

/** The path as the catalog spells it when it matches in another case (`http.code` → `HTTP.code`). */
export function canonicalField(path: string): string | undefined {
  if (path === '') return undefined;
  const out: string[] = [];
  return match(ROOT, path.split('.'), 0, true, out) ? out.join('.') : undefined;
}

/**
 * The raw paths a path reads: itself, and for a normalized path also the HTTP/2 frame path
 * (NORMALIZED). A record may have either; a comparison holds when any of their values does.
 */
export function fieldSources(path: string): readonly string[] {
  for (const [p, frames] of NORMALIZED) {
    if (path === p) return [path, frames];
    if (path.startsWith(p) && path.charCodeAt(p.length) === 0x2e) return [path, frames + path.slice(p.length)];
  }
  return [path];
}

/**
 * Whether a word alone or before an operator is meant as a field though the catalog does not
 * know it: it has a dot and starts with a record key or a Wireshark protocol, in any case
 * (`tcp.port`, `http.code`, `L4.nope`). Other words (`example.com`) are free text.
 */
export function looksLikeField(word: string): boolean {
  const dot = word.indexOf('.');
  if (dot <= 0) return false;
  const lower = word.toLowerCase();
  if (PROTOCOL_WORDS.has(lower.slice(0, dot))) return true;
  for (const k of TOP_LEVEL_KEYS) {
    const kl = k.toLowerCase();
    if (lower.startsWith(kl) && (lower.length === kl.length || lower[kl.length] === '.')) return true;
  }
  return lower.startsWith('logging.googleapis.com/');
}

// ───────────────────────────── suggestions ─────────────────────────────

/** Levenshtein distance, giving up (returning max + 1) once it exceeds max. */
function distance(a: string, b: string, max: number): number {
  if (Math.abs(a.length - b.length) > max) return max + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min((prev[j] as number) + 1, (row[j - 1] as number) + 1, (prev[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
      row.push(v);
      if (v < best) best = v;
    }
    if (best > max) return max + 1;
    prev = row;
  }
  return prev[b.length] as number;
}

function lastKey(path: string): string {
  const keys = keysOf(path);
  return (keys[keys.length - 1] as string).toLowerCase();
}

/**
 * Catalog names close to an unknown path, best first: the same name in another case, the
 * tracecap fields a Wireshark name means, fields with the same last key, then by edit distance.
 */
export function suggestFields(path: string, max = MAX_SUGGESTIONS): string[] {
  const out: string[] = [];
  const add = (p: string): void => { if (out.length < max && !out.includes(p)) out.push(p); };
  const canon = canonicalField(path);
  if (canon !== undefined) add(canon);
  const lower = path.toLowerCase();
  for (const p of ALIASES[lower] ?? []) add(p);
  if (out.length > 0) return out;
  // Fields named by their last key alone (`trace`, `sni`), the shortest path first.
  const last = lastKey(path);
  const named = FIELDS.filter((f) => !f.path.includes('*') && lastKey(f.path) === last).sort((a, b) => a.path.length - b.path.length);
  for (const f of named) add(f.path);
  if (out.length > 0) return out;
  const limit = Math.max(1, Math.floor(lower.length / 4));
  const near = FIELDS.map((f) => ({ p: f.path, d: distance(lower, f.path.toLowerCase(), limit) })).filter((x) => x.d <= limit);
  near.sort((a, b) => a.d - b.d);
  for (const x of near) add(x.p);
  return out;
}

// ───────────────────────────── completion ─────────────────────────────

/** One field name to offer while typing. */
export interface FieldCompletion {
  /** What the list shows: the name, or its pattern (`HTTP.headers.*`). */
  label: string;
  /** What replaces the typed word: the name, cut before a `*` the user still has to type. */
  insert: string;
  /** The field's description. */
  doc: string;
  /** Whether the capture has it (it was in `present`). */
  present: boolean;
}

/**
 * The completion of `typed` against a catalog pattern, in the catalog's spelling, cut before any
 * `*` still ahead; undefined when typed cannot begin the pattern. A typed segment where the
 * pattern has `*` is taken as the dynamic key.
 */
function completePattern(pattern: string, typed: string): string | undefined {
  let out = '';
  let i = 0;
  let j = 0;
  while (j < typed.length) {
    if (i >= pattern.length) return undefined;
    if (pattern[i] === '*' && (i === 0 || pattern[i - 1] === '.')) {
      const dot = typed.indexOf('.', j);
      const end = dot < 0 ? typed.length : dot;
      out += typed.slice(j, end);
      j = end;
      i++;
      continue;
    }
    if ((pattern[i] as string).toLowerCase() !== (typed[j] as string).toLowerCase()) return undefined;
    out += pattern[i];
    i++;
    j++;
  }
  const star = pattern.indexOf('*', i);
  return out + (star < 0 ? pattern.slice(i) : pattern.slice(i, star));
}

/**
 * Field names that complete `typed` (any case), at most MAX_COMPLETIONS: first the names in
 * `present` (the capture's own, from collectFields), then the catalog's, shallower names first.
 */
export function completeFields(typed: string, present?: ReadonlySet<string>): FieldCompletion[] {
  const out: FieldCompletion[] = [];
  const seen = new Set<string>();
  const lower = typed.toLowerCase();
  if (present) {
    const mine = [...present].filter((p) => p.toLowerCase().startsWith(lower) && p !== typed);
    const order = (p: string): number => { const f = fieldInfo(p); return f ? FIELDS.indexOf(f) : FIELDS.length; };
    mine.sort((a, b) => keysOf(a).length - keysOf(b).length || order(a) - order(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const p of mine) {
      if (out.length >= MAX_COMPLETIONS) return out;
      seen.add(p);
      out.push({ label: p, insert: p, doc: fieldInfo(p)?.doc ?? '', present: true });
    }
  }
  const catalog = FIELDS.map((f) => ({ f, insert: completePattern(f.path, typed) }))
    // A pattern whose `*` is next stays though it adds nothing: its label says what to type.
    .filter((x): x is { f: Field; insert: string } => x.insert !== undefined && (x.insert !== typed || x.f.path.toLowerCase() === `${lower}*`))
    .sort((a, b) => keysOf(a.f.path).length - keysOf(b.f.path).length);
  for (const { f, insert } of catalog) {
    if (out.length >= MAX_COMPLETIONS) break;
    if (seen.has(insert)) continue;
    seen.add(insert);
    out.push({ label: f.path, insert, doc: f.doc, present: false });
  }
  return out;
}

// ───────────────────────────── fields of a capture ─────────────────────────────

const FRAMES = 'HTTP.streams.*.frames';

/**
 * Adds to `into` every path of a parsed record the catalog knows (array indices dropped, HTTP/2
 * stream ids as `*`), and the normalized names its HTTP/2 frames answer (`HTTP.method` for a
 * frame's `:method`): the `present` set of completeFields() and complete(). Stops adding at
 * MAX_PRESENT_FIELDS paths.
 */
export function collectFields(record: unknown, into: Set<string>): void {
  collectBelow(record, ROOT, '', into);
}

function collectBelow(value: unknown, n: Node, path: string, into: Set<string>): void {
  if (Array.isArray(value)) {
    for (const v of value) collectBelow(v, n, path, into);
    return;
  }
  if (value === null || typeof value !== 'object') return;
  for (const key of Object.keys(value)) {
    if (into.size >= MAX_PRESENT_FIELDS) return;
    const literal = n.children.get(key);
    const child = literal ?? n.any;
    if (!child) continue;
    // Stream ids are many and say nothing of the field: one `*` for them all.
    const seg = !literal && INDEX.test(key) ? '*' : key;
    const p = path === '' ? seg : `${path}.${seg}`;
    if (!into.has(p)) {
      into.add(p);
      if (p.startsWith(FRAMES)) for (const [norm, frames] of NORMALIZED) {
        if (p === frames || (p.startsWith(frames) && p.charCodeAt(frames.length) === 0x2e)) into.add(norm + p.slice(frames.length));
      }
    }
    collectBelow((value as Record<string, unknown>)[key], child, p, into);
  }
}
