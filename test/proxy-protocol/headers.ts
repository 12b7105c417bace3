/**
 * Builders for PROXY protocol headers in tests: v1 lines and v2 binary headers with TLVs and
 * an optional CRC32C. Written from haproxy/doc/proxy-protocol.txt, independently of the parser.
 */
import { isIPv4 } from 'node:net';
import { crc32c } from '../../src/proxy-protocol/crc32c.js';

export const V2_SIGNATURE = Buffer.from([
  0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a,
]);

export function v1(source: string, destination: string, sourcePort: number, destinationPort: number): Buffer {
  const family = isIPv4(source) ? 'TCP4' : 'TCP6';
  return Buffer.from(
    `PROXY ${family} ${source} ${destination} ${sourcePort} ${destinationPort}\r\n`,
    'latin1',
  );
}

export interface Tlv {
  type: number;
  value: Buffer | string;
}

function ipBytes(address: string): Buffer {
  if (isIPv4(address)) return Buffer.from(address.split('.').map(Number));
  // expand :: and write 8 big-endian words
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const h = head ? head.split(':') : [];
  const t = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const words = [...h, ...Array(8 - h.length - t.length).fill('0'), ...t].map((w) => Number.parseInt(w, 16));
  const out = Buffer.alloc(16);
  for (let i = 0; i < 8; i++) out.writeUInt16BE(words[i]!, i * 2);
  return out;
}

export function tlv(type: number, value: Buffer | string): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'latin1') : value;
  const head = Buffer.alloc(3);
  head[0] = type;
  head.writeUInt16BE(bytes.length, 1);
  return Buffer.concat([head, bytes]);
}

export interface V2Options {
  command?: number /* 0 LOCAL, 1 PROXY */;
  version?: number;
  family?: number /* overrides the family byte */;
  tlvs?: Buffer[];
  crc?: boolean | 'wrong';
  /** Overrides the len field. */
  len?: number;
  addressBlock?: Buffer;
}

export function v2(
  source: string | undefined,
  destination: string | undefined,
  sourcePort = 0,
  destinationPort = 0,
  options: V2Options = {},
): Buffer {
  const command = options.command ?? (source === undefined ? 0 : 1);
  let family = 0x00;
  let block: Buffer = Buffer.alloc(0);
  if (source !== undefined && destination !== undefined) {
    const four = isIPv4(source);
    family = four ? 0x11 : 0x21;
    const ports = Buffer.alloc(4);
    ports.writeUInt16BE(sourcePort, 0);
    ports.writeUInt16BE(destinationPort, 2);
    block = Buffer.concat([ipBytes(source), ipBytes(destination), ports]);
  }
  if (options.addressBlock !== undefined) block = options.addressBlock;
  if (options.family !== undefined) family = options.family;
  const tlvs = [...(options.tlvs ?? [])];
  let crcAt = -1;
  if (options.crc) {
    crcAt = 16 + block.length + tlvs.reduce((n, t) => n + t.length, 0) + 3;
    tlvs.push(tlv(0x03, Buffer.alloc(4)));
  }
  const body = Buffer.concat([block, ...tlvs]);
  const fixed = Buffer.alloc(4);
  fixed[0] = ((options.version ?? 2) << 4) | command;
  fixed[1] = family;
  fixed.writeUInt16BE(options.len ?? body.length, 2);
  const header = Buffer.concat([V2_SIGNATURE, fixed, body]);
  if (crcAt >= 0) {
    const sum = crc32c(header);
    header.writeUInt32BE(options.crc === 'wrong' ? (sum ^ 1) >>> 0 : sum, crcAt);
  }
  return header;
}

/** PP2_TYPE_SSL: client flags, verify, sub-TLVs. */
export function sslTlv(client: number, verify: number, subs: Buffer[]): Buffer {
  const head = Buffer.alloc(5);
  head[0] = client;
  head.writeUInt32BE(verify, 1);
  return tlv(0x20, Buffer.concat([head, ...subs]));
}
