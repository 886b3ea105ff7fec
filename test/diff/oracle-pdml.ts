// A small reader for tshark's PDML output (`tshark -T pdml`), used by the trace oracle
// (trace-oracle.test.ts). PDML is regular XML written by tshark: <packet> elements holding
// <proto> and <field> elements with name/show/showname/value/pos/size attributes. Not a test
// file itself (vitest only picks up *.test.ts).

/** One <proto> or <field> element of a PDML packet. */
export interface PNode {
  tag: 'proto' | 'field';
  name: string;
  show: string;
  showname: string;
  /** The raw bytes as hex (tshark's `value` attribute), or '' when absent. */
  value: string;
  pos: number;
  size: number;
  children: PNode[];
}

/** One <packet>: its frame number and its top-level protocol elements, in order. */
export interface PPacket {
  num: number;
  protos: PNode[];
}

const ENTITY: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);/g, (m, e: string) => {
    if (e.startsWith('#x')) return String.fromCodePoint(parseInt(e.slice(2), 16));
    if (e.startsWith('#')) return String.fromCodePoint(parseInt(e.slice(1), 10));
    return ENTITY[e] ?? m;
  });
}

function attrs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([\w.:-]+)="([^"]*)"/g;
  for (let m = re.exec(text); m; m = re.exec(text)) out[m[1]!] = unescapeXml(m[2]!);
  return out;
}

/** Parses tshark's PDML text into packets. Throws on unbalanced elements. */
export function parsePdml(xml: string): PPacket[] {
  const packets: PPacket[] = [];
  const stack: PNode[] = [];
  let packet: PPacket | null = null;
  const re = /<(\/?)(packet|proto|field|pdml)\b((?:\s+[\w.:-]+="[^"]*")*)\s*(\/?)>/g;
  for (let m = re.exec(xml); m; m = re.exec(xml)) {
    const [, close, tag, attrText, selfClose] = m;
    if (tag === 'pdml') continue;
    if (tag === 'packet') {
      if (close) {
        if (!packet || stack.length) throw new Error('PDML: unbalanced </packet>');
        const numField = findFirst(packet.protos, 'frame.number');
        packet.num = numField ? Number(numField.show) : NaN;
        packets.push(packet);
        packet = null;
      } else packet = { num: NaN, protos: [] };
      continue;
    }
    if (!packet) throw new Error(`PDML: <${tag}> outside a packet`);
    if (close) {
      const top = stack.pop();
      if (!top || top.tag !== tag) throw new Error(`PDML: unbalanced </${tag}>`);
      continue;
    }
    const a = attrs(attrText ?? '');
    const node: PNode = {
      tag: tag as 'proto' | 'field',
      name: a.name ?? '',
      show: a.show ?? '',
      showname: a.showname ?? '',
      value: a.value ?? '',
      pos: Number(a.pos ?? 0),
      size: Number(a.size ?? 0),
      children: [],
    };
    if (stack.length) stack[stack.length - 1]!.children.push(node);
    else packet.protos.push(node);
    if (!selfClose) stack.push(node);
  }
  if (packet || stack.length) throw new Error('PDML: truncated document');
  return packets;
}

/** Depth-first search: the first node named `name` under `nodes` (including them). */
export function findFirst(nodes: PNode[], name: string): PNode | undefined {
  for (const n of nodes) {
    if (n.name === name) return n;
    const c = findFirst(n.children, name);
    if (c) return c;
  }
  return undefined;
}

/** Depth-first search: every node named `name` under `nodes` (including them), in document order. */
export function findAll(nodes: PNode[], name: string, out: PNode[] = []): PNode[] {
  for (const n of nodes) {
    if (n.name === name) out.push(n);
    findAll(n.children, name, out);
  }
  return out;
}

/** Decodes a PDML `value` attribute (hex) to a latin1 string (one char per byte). */
export function hexText(hex: string): string {
  return Buffer.from(hex, 'hex').toString('latin1');
}
