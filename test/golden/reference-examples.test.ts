// The worked records of the reference (pcap-cli-behaviour.md §12), rebuilt packet by packet.
// The lock-latency `ll` is never emitted, and spanId is 16 hex digits (pcap-sidecar copies
// X-Cloud-Trace-Context's decimal span); everything else must match field for field, in key order.
import { describe, it, expect, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { createTranslator } from '../../src/index.js';
import * as B from '../helpers/build.js';

const CLIENT = '10.0.0.1', SERVER = '10.0.0.2';
const CMAC = '42:01:0a:00:00:01', SMAC = '42:01:0a:00:00:02';
const ID = 'cli/6f1c1b1e-0000-4000-8000-000000000001';
const LOG = 'log/cli/6f1c1b1e-0000-4000-8000-000000000001';
const opts = { ifaceName: 'eth0', ifaceIndex: 2, ifaceAddrs: [SERVER], id: ID, logName: LOG, project: 'my-project' };

const req = 'GET /api/v1/items?id=7 HTTP/1.1\r\nHost: example.com\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\nX-Cloud-Trace-Context: 105445aa7843bc8bf206b12000100000/1;o=1\r\n\r\n';
const res = 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{"ok":true}';
const h2 = B.bytes(B.hex('000055 01 05 00000001'), B.hex('828684410b6578616d706c652e636f6d400b7472616365706172656e7437'),
  B.ascii('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'));

function tcpPkt(o: { src: string; dst: string; smac: string; dmac: string; id: number; ipx: number; sp: number; dp: number; seq: number; ack: number;
  flags: string; win: number; tx: number; options?: B.TcpOption[]; payload?: Uint8Array }): Uint8Array {
  return B.ethernet({ src: o.smac, dst: o.dmac, type: B.ETH.IPV4, payload: B.ipv4({ src: o.src, dst: o.dst, id: o.id, ttl: 64, flags: 'DF', xsum: o.ipx, proto: 6,
    payload: B.tcp({ srcPort: o.sp, dstPort: o.dp, seq: o.seq, ack: o.ack, flags: o.flags, window: o.win, xsum: o.tx, options: o.options, payload: o.payload }) }) });
}

const filler = B.ethernet({ src: CMAC, dst: SMAC, type: 0x88b5, payload: new Uint8Array(46) });
const packets: B.PcapPacket[] = [];
const at = (i: number, data: Uint8Array, sec: number, nsec: number) => { packets[i] = { data, ts: { sec, nsec } }; };
for (let i = 0; i < 13; i++) at(i, filler, 1699999999, i);
// §12.1 SYN
at(1, tcpPkt({ src: CLIENT, dst: SERVER, smac: CMAC, dmac: SMAC, id: 54321, ipx: 4660, sp: 51234, dp: 8080, seq: 1000, ack: 0, flags: 'SYN', win: 64240, tx: 43981,
  options: [B.tcpOpt.mss(1460), B.tcpOpt.sackPermitted(), B.tcpOpt.timestamps(12345, 0), B.tcpOpt.nop(), B.tcpOpt.wscale(7)] }), 1700000000, 123456789);
// §12.7 ICMP echo request
at(3, B.ethernet({ src: CMAC, dst: SMAC, type: B.ETH.IPV4, payload: B.ipv4({ src: CLIENT, dst: SERVER, proto: 1, id: 1, payload: B.icmp4({ type: 8, id: 7, seq: 1 }) }) }), 1700000000, 150000000);
// §12.3 request
at(4, tcpPkt({ src: CLIENT, dst: SERVER, smac: CMAC, dmac: SMAC, id: 54323, ipx: 4662, sp: 51234, dp: 8080, seq: 1001, ack: 5001, flags: 'PSH|ACK', win: 502, tx: 4097, payload: B.ascii(req) }), 1700000000, 200000000);
// §12.7 ARP request
at(5, B.ethernet({ src: CMAC, dst: 'ff:ff:ff:ff:ff:ff', type: B.ETH.ARP, payload: B.arp({ op: 1, senderMac: CMAC, senderIp: CLIENT, targetMac: '00:00:00:00:00:00', targetIp: SERVER }) }), 1700000000, 210000000);
// §12.4 response
at(6, tcpPkt({ src: SERVER, dst: CLIENT, smac: SMAC, dmac: CMAC, id: 11111, ipx: 4663, sp: 8080, dp: 51234, seq: 5001, ack: 1155, flags: 'PSH|ACK', win: 509, tx: 4098, payload: B.ascii(res) }), 1700000000, 250000000);
// §12.7 LLDP (no L3)
at(8, B.ethernet({ src: CMAC, dst: '01:80:c2:00:00:0e', type: 0x88cc, payload: B.hex('0207 04 42010a000001 0403 05 6574 0602 0078 0000') }), 1700000000, 300000000);
// §12.5 h2c HEADERS
at(9, tcpPkt({ src: CLIENT, dst: SERVER, smac: CMAC, dmac: SMAC, id: 54330, ipx: 4670, sp: 51240, dp: 8080, seq: 2001, ack: 7001, flags: 'PSH|ACK', win: 502, tx: 4099, payload: h2 }), 1700000001, 0);
// §12.6 DNS query
at(12, B.ethernet({ src: SMAC, dst: CMAC, type: B.ETH.IPV4, payload: B.ipv4({ src: SERVER, dst: '10.0.0.53', proto: 17, id: 777, ttl: 64, xsum: 4444,
  payload: B.udp({ srcPort: 41234, dstPort: 53, xsum: 5555, payload: B.dns({ id: 0x1234, questions: [{ name: 'example.com', type: 1 }] }) }) }) }), 1700000002, 5000);
const capture = B.pcap(packets, { nano: true });

async function run(verbosity: 'info' | 'debug'): Promise<string[]> {
  const t = await createTranslator(readFileSync('build/tracecap.wasm'), { ...opts, verbosity });
  const text = new TextDecoder().decode(B.bytes(t.push(capture), t.finish()));
  expect(t.error).toBeNull();
  return text.split('\n').slice(0, -1);
}

const LABELS_DEBUG = { 'run.googleapis.com/pcap/id': ID, 'run.googleapis.com/pcap/iface': 'eth0', 'run.googleapis.com/pcap/name': LOG, 'run.googleapis.com/tool': 'pcap-sidecar' };
const IFACE = { addrs: [SERVER], index: 2, name: 'eth0' };
const FLAGS_PA = { bin: '0b11000', dec: 24, hex: '0x18', map: { ACK: true, CWR: false, ECE: false, FIN: false, NS: false, PSH: true, RST: false, SYN: false, URG: false }, str: 'PSH|ACK' };
const EP_L3 = (s: string, d: string) => ({ bwd: `${d}->${s}`, dst: d, fwd: `${s}->${d}`, hash: '14350091309489783760', src: s });

/** The reference's §12.3, §12.4, §12.5 DEBUG records (without ll; spanId in hex). */
const TRACE_A = { 'logging.googleapis.com/spanId': '0000000000000001', 'logging.googleapis.com/trace': 'projects/my-project/traces/105445aa7843bc8bf206b12000100000', 'logging.googleapis.com/trace_sampled': true };
const debugExpected: Record<number, object> = {
  4: {
    HTTP: { body: { length: ['0', '0'] }, fragmented: false, headers: { Accept: ['*/*'], 'User-Agent': ['curl/8.5.0'], 'X-Cloud-Trace-Context': ['105445aa7843bc8bf206b12000100000/1;o=1'] }, kind: 'request', method: 'GET', proto: 'HTTP/1.1', raw: req, size: 154, url: '/api/v1/items?id=7' },
    L2: { dst: SMAC, src: CMAC, type: 'IPv4' },
    L3: { dst: SERVER, endpoints: EP_L3(CLIENT, SERVER), flags: ['DF'], flow: '14334266727035557591', foff: 0, id: 54323, ihl: 5, len: 194, proto: { name: 'TCP', num: 6 }, src: CLIENT, tos: 0, ttl: 64, v: 4, xsum: 4662 },
    L4: { ack: 5001, dproto: 'http-alt', dst: 8080, endpoints: { bwd: '8080->51234', dst: '8080', fwd: '51234->8080', hash: '3096553725741740663', src: '51234' }, flags: FLAGS_PA, flow: '12312258855519140514', len: '154', off: 5, opts: [], seq: 1001, src: 51234, urg: 0, win: 502, xsum: 4097 },
    L7: { body: ['<EMPTY>'], headers: ['Host: example.com', 'User-Agent: curl/8.5.0', 'Accept: */*', 'X-Cloud-Trace-Context: 105445aa7843bc8bf206b12000100000/1;o=1'], preface: 'GET /api/v1/items?id=7 HTTP/1.1', proto: 'HTTP' },
    flow: '12523862877769233555', iface: IFACE, local: false,
    'logging.googleapis.com/labels': LABELS_DEBUG,
    'logging.googleapis.com/operation': { id: `${ID}/iface/eth0/flow/tcp:12523862877769233555`, producer: LOG },
    ...TRACE_A,
    message: '#4 | @2/eth0 | flow:12523862877769233555 | TCP | 10.0.0.1:51234 > 10.0.0.2:8080 | [PSH|ACK] | len/seq/ack:154/1001/5001 | HTTP/1.1 GET /api/v1/items?id=7',
    meta: { cap_len: 208, flow: '12161960014018917983', len: 208, timestamp: '2023-11-14T22:13:20.2Z', trunc: false },
    pcap: { ctx: LOG, id: ID, num: '4' }, timestamp: { nanos: 200000000, seconds: 1700000000 },
  },
  6: {
    HTTP: { body: { data: '{"ok":true}', length: ['11', '11'] }, code: 200, fragmented: false, headers: { 'Content-Length': ['11'], 'Content-Type': ['application/json'] }, kind: 'response', proto: 'HTTP/1.1', raw: res,
      request: { latency: 50, method: 'GET', timestamp: '2023-11-14T22:13:20.2Z', url: 'example.com/api/v1/items?id=7' }, size: 82, status: '200 OK' },
    L2: { dst: CMAC, src: SMAC, type: 'IPv4' },
    L3: { dst: CLIENT, endpoints: EP_L3(SERVER, CLIENT), flags: ['DF'], flow: '14334266727035557591', foff: 0, id: 11111, ihl: 5, len: 122, proto: { name: 'TCP', num: 6 }, src: SERVER, tos: 0, ttl: 64, v: 4, xsum: 4663 },
    L4: { ack: 1155, dst: 51234, endpoints: { bwd: '51234->8080', dst: '51234', fwd: '8080->51234', hash: '3096553725741740663', src: '8080' }, flags: FLAGS_PA, flow: '12312258855519140514', len: '82', off: 5, opts: [], seq: 5001, sproto: 'http-alt', src: 8080, urg: 0, win: 509, xsum: 4098 },
    L7: { body: ['{"ok":true}'], headers: ['Content-Type: application/json', 'Content-Length: 11'], preface: 'HTTP/1.1 200 OK', proto: 'HTTP' },
    flow: '12523862877769233555', iface: IFACE, local: true,
    'logging.googleapis.com/labels': LABELS_DEBUG,
    'logging.googleapis.com/operation': { id: `${ID}/iface/eth0/flow/tcp:12523862877769233555`, producer: LOG },
    ...TRACE_A,
    message: '#6 | @2/eth0 | flow:12523862877769233555 | TCP | 10.0.0.2:8080 > 10.0.0.1:51234 | [PSH|ACK] | len/seq/ack:82/5001/1155 | HTTP/1.1 200 OK',
    meta: { cap_len: 136, flow: '12161960014018917983', len: 136, timestamp: '2023-11-14T22:13:20.25Z', trunc: false },
    pcap: { ctx: LOG, id: ID, num: '6' }, timestamp: { nanos: 250000000, seconds: 1700000000 },
    // The exchange ends here (issue 24, a key pcap-sidecar does not have): the SYN at .123456789 s (no SYN/ACK in this capture), the request at .2 s (record #4), the response 50 ms later (this record).
    timing: { bytes: { request: 154, response: 82 }, connect: { syn: '2023-11-14T22:13:20.123456789Z' }, out_of_order: { client: 0, server: 0 }, request_end_ns: 0, request_num: 4,
      response_end_ns: 50000000, response_num: 6, response_start_ns: 50000000, retransmissions: { client: 0, server: 0 }, start: '2023-11-14T22:13:20.2Z', zero_windows: { client: 0, server: 0 } },
  },
  9: {
    HTTP: { includes: '[1]', proto: 'h2c', size: 94, streams: { 1: { frames: [{ flags: { bin: '0b101', dec: '5', hex: '0x5' },
      headers: { ':authority': ['example.com'], ':method': ['GET'], ':path': ['/'], ':scheme': ['http'], Traceparent: ['00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'] },
      kind: 'request', len: 85, 'logging.googleapis.com/spanId': '00f067aa0ba902b7', 'logging.googleapis.com/trace': 'projects/my-project/traces/4bf92f3577b34da6a3ce929d0e0e4736',
      'logging.googleapis.com/trace_sampled': true, raw: 'HEADERS flags=END_STREAM|END_HEADERS stream=1 len=85', type: 'headers' }], id: 1 } } },
    L2: { dst: SMAC, src: CMAC, type: 'IPv4' },
    L3: { dst: SERVER, endpoints: EP_L3(CLIENT, SERVER), flags: ['DF'], flow: '14334266727035557591', foff: 0, id: 54330, ihl: 5, len: 134, proto: { name: 'TCP', num: 6 }, src: CLIENT, tos: 0, ttl: 64, v: 4, xsum: 4670 },
    L4: { ack: 7001, dproto: 'http-alt', dst: 8080, endpoints: { bwd: '8080->51240', dst: '8080', fwd: '51240->8080', hash: '3106110680812258425', src: '51240' }, flags: FLAGS_PA, flow: '12312252258449371248', len: '94', off: 5, opts: [], seq: 2001, src: 51240, urg: 0, win: 502, xsum: 4099 },
    flow: '10834674622612263877', iface: IFACE, local: false,
    'logging.googleapis.com/labels': LABELS_DEBUG,
    'logging.googleapis.com/operation': { id: `${ID}/iface/eth0/flow/tcp:10834674622612263877`, producer: LOG },
    message: '#9 | @2/eth0 | flow:10834674622612263877 | TCP | 10.0.0.1:51240 > 10.0.0.2:8080 | [PSH|ACK] | len/seq/ack:94/2001/7001 | h2c | streams:[1] | req:[1] | res:[] | data:[]',
    meta: { cap_len: 148, flow: '12161960014018917983', len: 148, timestamp: '2023-11-14T22:13:21Z', trunc: false },
    pcap: { ctx: LOG, id: ID, num: '9' }, timestamp: { nanos: 0, seconds: 1700000001 },
  },
};

/** The INFO form of a DEBUG record, by the reference's lists of DEBUG-only fields (§2.2, §2.3). */
function infoOf(r: any): any {
  const o = structuredClone(r);
  delete o.iface; delete o.HTTP; delete o.L7; delete o.timing;
  for (const k of Object.keys(o)) if (k.startsWith('logging.googleapis.com/') && !k.endsWith('labels') && !k.endsWith('operation')) delete o[k];
  o.message = o.message.replace(/ \| (HTTP\/1\.1|h2c) .*$/, '');
  o['logging.googleapis.com/labels'] = { 'run.googleapis.com/tool': 'pcap-sidecar' };
  o.pcap = { num: o.pcap.num };
  o.meta = { flow: o.meta.flow, trunc: o.meta.trunc };
  delete o.L3.endpoints; delete o.L3.flags; delete o.L3.proto.name;
  delete o.L4.endpoints; delete o.L4.sproto; delete o.L4.dproto;
  o.L4.flags = { dec: o.L4.flags.dec, str: o.L4.flags.str };
  return o;
}

/** Keys in the order they appear, at every level (JSON.parse keeps insertion order). */
function keyOrder(v: any, path = ''): string[] {
  if (v === null || typeof v !== 'object') return [];
  if (Array.isArray(v)) return v.flatMap((x, i) => keyOrder(x, `${path}[${i}]`));
  return Object.keys(v).flatMap((k) => [`${path}.${k}`, ...keyOrder(v[k], `${path}.${k}`)]);
}

describe('reference §12 examples', () => {
  let info: string[], debug: string[];
  beforeAll(async () => { info = await run('info'); debug = await run('debug'); });

  it('renders one record per packet', () => {
    expect(info).toHaveLength(13);
    expect(debug).toHaveLength(13);
  });

  it('§12.1 TCP SYN at INFO: the exact line', () => {
    expect(info[1]).toBe('{"L2":{"dst":"42:01:0a:00:00:02","src":"42:01:0a:00:00:01","type":"IPv4"},"L3":{"dst":"10.0.0.2","flow":"14334266727035557591","foff":0,"id":54321,"ihl":5,"len":60,"proto":{"num":6},"src":"10.0.0.1","tos":0,"ttl":64,"v":4,"xsum":4660},"L4":{"ack":0,"dst":8080,"flags":{"dec":2,"str":"SYN"},"flow":"12312258855519140514","len":"0","off":10,"opts":[{"MSS":["1460","0x05b4"]},"SACKPermitted",{"Timestamps":["0x00003039"]},"NOP",{"WindowScale":[]}],"seq":1000,"src":51234,"urg":0,"win":64240,"xsum":43981,"xwin":"8222720"},"flow":"12523862877769233555","local":false,"logging.googleapis.com/labels":{"run.googleapis.com/tool":"pcap-sidecar"},"logging.googleapis.com/operation":{"first":true,"id":"cli/6f1c1b1e-0000-4000-8000-000000000001/iface/eth0/flow/tcp:12523862877769233555","producer":"log/cli/6f1c1b1e-0000-4000-8000-000000000001"},"message":"#1 | @2/eth0 | flow:12523862877769233555 | TCP | 10.0.0.1:51234 \\u003e 10.0.0.2:8080 | [SYN] | len/seq/ack:0/1000/0","meta":{"flow":"12161960014018917983","trunc":false},"pcap":{"num":"1"},"timestamp":{"nanos":123456789,"seconds":1700000000}}');
  });

  it('§12.2 the same SYN at DEBUG (without ll)', () => {
    const expected = '{"L2":{"dst":"42:01:0a:00:00:02","src":"42:01:0a:00:00:01","type":"IPv4"},"L3":{"dst":"10.0.0.2","endpoints":{"bwd":"10.0.0.2-\\u003e10.0.0.1","dst":"10.0.0.2","fwd":"10.0.0.1-\\u003e10.0.0.2","hash":"14350091309489783760","src":"10.0.0.1"},"flags":["DF"],"flow":"14334266727035557591","foff":0,"id":54321,"ihl":5,"len":60,"proto":{"name":"TCP","num":6},"src":"10.0.0.1","tos":0,"ttl":64,"v":4,"xsum":4660},"L4":{"ack":0,"dproto":"http-alt","dst":8080,"endpoints":{"bwd":"8080-\\u003e51234","dst":"8080","fwd":"51234-\\u003e8080","hash":"3096553725741740663","src":"51234"},"flags":{"bin":"0b10","dec":2,"hex":"0x2","map":{"ACK":false,"CWR":false,"ECE":false,"FIN":false,"NS":false,"PSH":false,"RST":false,"SYN":true,"URG":false},"str":"SYN"},"flow":"12312258855519140514","len":"0","off":10,"opts":[{"MSS":["1460","0x05b4"]},"SACKPermitted",{"Timestamps":["12345","0","0x00003039"]},"NOP",{"WindowScale":[{"dec":7,"hex":"0x07","scale":"128","win":"8222720"}]}],"seq":1000,"src":51234,"urg":0,"win":64240,"xsum":43981,"xwin":"8222720"},"flow":"12523862877769233555","iface":{"addrs":["10.0.0.2"],"index":2,"name":"eth0"},"local":false,"logging.googleapis.com/labels":{"run.googleapis.com/pcap/id":"cli/6f1c1b1e-0000-4000-8000-000000000001","run.googleapis.com/pcap/iface":"eth0","run.googleapis.com/pcap/name":"log/cli/6f1c1b1e-0000-4000-8000-000000000001","run.googleapis.com/tool":"pcap-sidecar"},"logging.googleapis.com/operation":{"first":true,"id":"cli/6f1c1b1e-0000-4000-8000-000000000001/iface/eth0/flow/tcp:12523862877769233555","producer":"log/cli/6f1c1b1e-0000-4000-8000-000000000001"},"message":"#1 | @2/eth0 | flow:12523862877769233555 | TCP | 10.0.0.1:51234 \\u003e 10.0.0.2:8080 | [SYN] | len/seq/ack:0/1000/0","meta":{"cap_len":74,"flow":"12161960014018917983","len":74,"timestamp":"2023-11-14T22:13:20.123456789Z","trunc":false},"pcap":{"ctx":"log/cli/6f1c1b1e-0000-4000-8000-000000000001","id":"cli/6f1c1b1e-0000-4000-8000-000000000001","num":"1"},"timestamp":{"nanos":123456789,"seconds":1700000000}}';
    expect(debug[1]).toBe(expected);
  });

  for (const n of [4, 6, 9]) {
    it(`§12 packet #${n} at DEBUG and INFO, field for field and in key order`, () => {
      const want = debugExpected[n]!;
      const gotDebug = JSON.parse(debug[n]!);
      expect(gotDebug).toEqual(want);
      expect(keyOrder(gotDebug)).toEqual(keyOrder(want));
      const gotInfo = JSON.parse(info[n]!);
      expect(gotInfo).toEqual(infoOf(want));
      expect(keyOrder(gotInfo)).toEqual(keyOrder(infoOf(want)));
    });
  }

  it('§12.6 UDP DNS query at INFO: the exact line', () => {
    expect(info[12]).toBe('{"DNS":{"id":4660,"op":"Query","questions":[{"class":"IN","name":"example.com","type":"A"}],"response_code":"No Error"},"L2":{"dst":"42:01:0a:00:00:01","src":"42:01:0a:00:00:02","type":"IPv4"},"L3":{"dst":"10.0.0.53","flow":"12218489886055069893","foff":0,"id":777,"ihl":5,"len":57,"proto":{"num":17},"src":"10.0.0.2","tos":0,"ttl":64,"v":4,"xsum":4444},"L4":{"dproto":"domain","dst":53,"endpoints":{"bwd":"53-\\u003e41234","dst":"53","fwd":"41234-\\u003e53","hash":"16852852653276374279","src":"41234"},"flow":"12252898421747016996","len":37,"size":29,"src":41234,"xsum":5555},"flow":"16621176272643113354","local":false,"logging.googleapis.com/labels":{"run.googleapis.com/tool":"pcap-sidecar"},"logging.googleapis.com/operation":{"id":"cli/6f1c1b1e-0000-4000-8000-000000000001/iface/eth0/flow/udp:16621176272643113354","producer":"log/cli/6f1c1b1e-0000-4000-8000-000000000001"},"message":"#12 | @2/eth0 | flow:16621176272643113354 | UDP | 10.0.0.2:41234 \\u003e 10.0.0.53:53","meta":{"flow":"12161960014018917983","trunc":false},"pcap":{"num":"12"},"timestamp":{"nanos":5000,"seconds":1700000002}}');
  });

  it('§12.7 ICMP echo request', () => {
    const r = JSON.parse(info[3]!);
    expect(r.flow).toBe('2623050195996050178');
    expect(r.message).toBe('#3 | @2/eth0 | flow:2623050195996050178 | ICMPv4 | 10.0.0.1 > 10.0.0.2 | EchoRequest');
    expect(r['logging.googleapis.com/operation'].id).toBe(`${ID}/iface/eth0/flow/icmp:2623050195996050178`);
    expect(r.ICMP).toEqual({ code: 0, id: 7, msg: 'EchoRequest', seq: 1, type: 8, xsum: r.ICMP.xsum });
    expect(Object.keys(r.ICMP)).toEqual(['code', 'id', 'msg', 'seq', 'type', 'xsum']);
    expect(r).not.toHaveProperty('local');
  });

  it('§12.7 ARP', () => {
    const r = JSON.parse(info[5]!);
    expect(r.ARP.flow).toBe('14334262328989044747');
    expect(r.flow).toBe('9668660044930257441');
    expect(r.message).toBe('#5 | @2/eth0 | flow:9668660044930257441 | ARP | 10.0.0.1 > 10.0.0.2');
    expect(r['logging.googleapis.com/operation'].id).toBe(`${ID}/iface/eth0/flow/arp:9668660044930257441`);
    expect(r.ARP).toEqual({ dst: { IP: SERVER, MAC: '00:00:00:00:00:00' }, flow: '14334262328989044747', op: 1, src: { IP: CLIENT, MAC: CMAC } });
  });

  it('§12.7 a frame without L3 (LLDP): no flow, l2 operation; no error for an untranslated layer (documented difference)', () => {
    const r = JSON.parse(info[8]!);
    expect(r.message).toBe('#8 | @2/eth0');
    expect(r).not.toHaveProperty('flow');
    expect(r['logging.googleapis.com/operation'].id).toBe(`${ID}/iface/eth0/flow/l2:12161960014018917983`);
    expect(r.L2.type).toBe('LinkLayerDiscovery');
    expect(r).not.toHaveProperty('err');
    expect(r).not.toHaveProperty('severity');
  });

  it('serial 0 has no operation.first, serial 1 has first:true', () => {
    expect(JSON.parse(info[0]!)['logging.googleapis.com/operation']).not.toHaveProperty('first');
    expect(JSON.parse(info[1]!)['logging.googleapis.com/operation'].first).toBe(true);
    expect(JSON.parse(info[2]!)['logging.googleapis.com/operation']).not.toHaveProperty('first');
  });
});
