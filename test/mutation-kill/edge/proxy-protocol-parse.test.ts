/**
 * parseProxyHeader() (src/proxy-protocol/parse.ts) at its edges: the 107-byte v1 limit from
 * both sides, failing at the first byte that cannot become a valid line (and not before), the
 * v1 fields, the v2 IPv6 destination, and each TLV's bounds and subtypes. Results are compared
 * whole (toStrictEqual): a field the parser did not read is absent, not `undefined`.
 */
import { describe, expect, it } from 'vitest';
import { type ParseOptions, type ParseResult, parseProxyHeader } from '../../../src/proxy-protocol/parse.js';
import { sslTlv, tlv, v2 } from '../../proxy-protocol/headers.js';

const ALL: ParseOptions = { v1: true, v2: true, maxV2Length: 4096 };

function parse(bytes: Buffer | string, options = ALL): ParseResult {
  return parseProxyHeader(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, options);
}

const incomplete = { state: 'incomplete' };
const bad = (problem: string) => ({ state: 'invalid', problem });

describe('parseProxyHeader() › nothing yet, or a version switched off', () => {
  it('waits when no byte has arrived', () => {
    expect(parse(Buffer.alloc(0))).toStrictEqual(incomplete);
  });

  it('tells a switched-off version from bytes that are no header at all', () => {
    const v1Off = { ...ALL, v1: false };
    const v2Off = { ...ALL, v2: false };
    expect(parse('PROXY TCP4', v1Off)).toStrictEqual(bad('version-not-accepted'));
    expect(parse('PRX', v1Off)).toStrictEqual(bad('not-proxy-protocol'));
    expect(parse('\r\n\r\n\0', v2Off)).toStrictEqual(bad('version-not-accepted'));
    expect(parse('\r\n\r\nX', v2Off)).toStrictEqual(bad('not-proxy-protocol'));
  });
});

describe('parseProxyHeader() › version 1, the 107-byte limit', () => {
  // "PROXY UNKNOWN " is 14 bytes.
  it('says too long at exactly 107 bytes without a CR', () => {
    expect(parse(`PROXY UNKNOWN ${'a'.repeat(93)}`)).toStrictEqual(bad('v1-too-long'));
    expect(parse(`PROXY UNKNOWN ${'a'.repeat(92)}`)).toStrictEqual(incomplete);
  });

  it('says too long when the 108th byte is an LF: the line ended long before', () => {
    expect(parse(`PROXY UNKNOWN ${'a'.repeat(93)}\n`)).toStrictEqual(bad('v1-too-long'));
    expect(parse(`PROXY UNKNOWN ${'a'.repeat(93)}\r\n`)).toStrictEqual(bad('v1-too-long'));
  });

  it('says too long when a CR arrives as the 107th byte, and waits for an LF after a 106th', () => {
    expect(parse(`PROXY UNKNOWN ${'a'.repeat(92)}\r`)).toStrictEqual(bad('v1-too-long'));
    expect(parse(`PROXY UNKNOWN ${'a'.repeat(91)}\r`)).toStrictEqual(incomplete);
    const longest = parse(`PROXY UNKNOWN ${'a'.repeat(91)}\r\nGET`);
    expect(longest.state === 'complete' && longest.length).toBe(107);
  });
});

describe('parseProxyHeader() › version 1, before the CRLF', () => {
  it.each([
    'PROXY ',
    'PROXY T',
    'PROXY TCP',
    'PROXY U',
    'PROXY UNK',
    'PROXY UNKNOW',
    'PROXY UNKNOWN',
    'PROXY UNKNOWN ',
    'PROXY UNKNOWN anything at all, even \x01',
    'PROXY TCP4 ',
    'PROXY TCP6 ',
    'PROXY TCP4 0.9.',
    'PROXY TCP6 2001:DB8:abcd:EF09::',
    'PROXY TCP4 1.2.3.4 5.6.7.8 1 2',
  ])('waits on %j', (text) => {
    expect(parse(text)).toStrictEqual(incomplete);
  });

  it.each([
    ['a word that is no protocol', 'PROXY XYZWABC'],
    ['UNKNOWN glued to a letter', 'PROXY UNKNOWNX'],
    ['UNKNOWN and a lone LF', 'PROXY UNKNOWN foo\nbar'],
    ['TCP4 and a lone LF', 'PROXY TCP4 1.2.3.4\n'],
    ['two spaces after TCP4', 'PROXY TCP4  '],
    ['a fifth space: four fields are all there is', 'PROXY TCP4 1 2 3 4 '],
    ['a sixth space', 'PROXY TCP4 1 2 3 4 5 '],
    ['a slash', 'PROXY TCP4 1.2.3.4/'],
    ['a hex letter past f', 'PROXY TCP6 ::g'],
    ['an upper-case hex letter past F', 'PROXY TCP6 ::G'],
    ['a letter before a', 'PROXY TCP6 ::`'],
    ['a character before 0', 'PROXY TCP4 /'],
    ['a character after 9', 'PROXY TCP4 1;'],
  ])('refuses %s at once', (_name, text) => {
    expect(parse(text)).toStrictEqual(bad('v1-syntax'));
  });
});

describe('parseProxyHeader() › version 1, the fields', () => {
  it('reads 0.0.0.0 and port 0', () => {
    expect(parse('PROXY TCP4 0.0.0.0 0.0.0.0 0 0\r\n')).toStrictEqual({
      state: 'complete',
      length: 32,
      header: {
        version: 1,
        local: false,
        sourceAddress: '0.0.0.0',
        sourcePort: 0,
        destinationAddress: '0.0.0.0',
        destinationPort: 0,
      },
    });
  });

  it('refuses an empty port as syntax, not as port 0', () => {
    expect(parse('PROXY TCP4 1.2.3.4 5.6.7.8 1 \r\n')).toStrictEqual(bad('v1-syntax'));
  });

  it.each([
    ['a bad source port', 'PROXY TCP4 1.2.3.4 5.6.7.8 65536 80\r\n'],
    ['a bad destination port', 'PROXY TCP4 1.2.3.4 5.6.7.8 80 65536\r\n'],
    ['a letter in a port', 'PROXY TCP4 1.2.3.4 5.6.7.8 8a 80\r\n'],
    ['a colon in a port', 'PROXY TCP4 1.2.3.4 5.6.7.8 80 1:\r\n'],
    ['a slash in a port', 'PROXY TCP4 1.2.3.4 5.6.7.8 80 1/\r\n'],
  ])('refuses %s', (_name, line) => {
    expect(parse(line)).toStrictEqual(bad('v1-port'));
  });

  it('reads every digit in a port', () => {
    const result = parse('PROXY TCP4 1.2.3.4 5.6.7.8 12345 6789\r\n');
    expect(
      result.state === 'complete' && [result.header.sourcePort, result.header.destinationPort],
    ).toStrictEqual([12345, 6789]);
  });

  it('reads the highest port', () => {
    const result = parse('PROXY TCP6 ::1 ::2 65535 1\r\n');
    expect(result.state === 'complete' && result.header).toStrictEqual({
      version: 1,
      local: false,
      sourceAddress: '::1',
      sourcePort: 65535,
      destinationAddress: '::2',
      destinationPort: 1,
    });
  });
});

/** A complete v2 TCP4 header's result with `extra` fields. */
function withTlvs(tlvs: Buffer[]): ParseResult {
  return parse(v2('198.51.100.7', '10.0.0.1', 1, 2, { tlvs }));
}

function headerOf(result: ParseResult): unknown {
  if (result.state !== 'complete') return result;
  const { version, local, sourceAddress, sourcePort, destinationAddress, destinationPort, ...extra } =
    result.header;
  expect({ version, local, sourceAddress, sourcePort, destinationAddress, destinationPort }).toStrictEqual({
    version: 2,
    local: false,
    sourceAddress: '198.51.100.7',
    sourcePort: 1,
    destinationAddress: '10.0.0.1',
    destinationPort: 2,
  });
  return extra;
}

describe('parseProxyHeader() › version 2 addresses', () => {
  it('reads both IPv6 addresses and both ports', () => {
    const result = parse(v2('2001:db8::7', '2001:db8:1::2', 40000, 443));
    expect(result).toStrictEqual({
      state: 'complete',
      length: 52,
      header: {
        version: 2,
        local: false,
        sourceAddress: '2001:db8::7',
        sourcePort: 40000,
        destinationAddress: '2001:db8:1::2',
        destinationPort: 443,
      },
    });
  });
});

describe('parseProxyHeader() › version 2 TLV strings', () => {
  it('takes printable ASCII from space to tilde', () => {
    expect(headerOf(withTlvs([tlv(0x02, 'a b~')]))).toStrictEqual({ authority: 'a b~' });
  });

  it.each([
    ['empty', ''],
    ['a DEL', 'ab\x7f'],
    ['a control character', 'ab\x1f'],
    ['a byte above ASCII', 'ab\x80'],
  ])('leaves out an authority that is %s', (_name, value) => {
    expect(headerOf(withTlvs([tlv(0x02, value)]))).toStrictEqual({});
  });

  it('takes an authority of 255 bytes, not 256', () => {
    expect(headerOf(withTlvs([tlv(0x02, 'a'.repeat(255))]))).toStrictEqual({ authority: 'a'.repeat(255) });
    expect(headerOf(withTlvs([tlv(0x02, 'a'.repeat(256))]))).toStrictEqual({});
  });

  it('takes a unique id of 128 bytes, refuses 129, and leaves out one that is not printable', () => {
    expect(headerOf(withTlvs([tlv(0x05, 'u'.repeat(128))]))).toStrictEqual({ uniqueId: 'u'.repeat(128) });
    expect(withTlvs([tlv(0x05, 'u'.repeat(129))])).toStrictEqual(bad('v2-tlv'));
    expect(headerOf(withTlvs([tlv(0x05, Buffer.from([0x00, 0x01]))]))).toStrictEqual({});
  });
});

describe('parseProxyHeader() › version 2 cloud TLVs', () => {
  it('reads the AWS VPC endpoint id only from subtype 1, and only when printable', () => {
    const id = Buffer.from('vpce-0abc');
    expect(headerOf(withTlvs([tlv(0xea, Buffer.concat([Buffer.from([0x01]), id]))]))).toStrictEqual({
      awsVpceId: 'vpce-0abc',
    });
    expect(headerOf(withTlvs([tlv(0xea, Buffer.concat([Buffer.from([0x02]), id]))]))).toStrictEqual({});
    expect(headerOf(withTlvs([tlv(0xea, Buffer.from([0x01, 0x00]))]))).toStrictEqual({});
    expect(headerOf(withTlvs([tlv(0xea, Buffer.alloc(0))]))).toStrictEqual({});
  });

  it('reads the Azure LinkID only from subtype 1, which must be 5 bytes', () => {
    expect(headerOf(withTlvs([tlv(0xee, Buffer.from([0x01, 0x01, 0x00, 0x00, 0x80]))]))).toStrictEqual({
      azureLinkId: 0x80000001,
    });
    expect(headerOf(withTlvs([tlv(0xee, Buffer.from([0x02, 0x01, 0x02]))]))).toStrictEqual({});
    expect(withTlvs([tlv(0xee, Buffer.from([0x01]))])).toStrictEqual(bad('v2-tlv'));
    expect(withTlvs([tlv(0xee, Buffer.from([0x01, 1, 2, 3]))])).toStrictEqual(bad('v2-tlv'));
    expect(headerOf(withTlvs([tlv(0xee, Buffer.alloc(0))]))).toStrictEqual({});
    // An empty Azure TLV followed by one whose type byte is 0x01 (ALPN): no subtype to read.
    expect(headerOf(withTlvs([tlv(0xee, Buffer.alloc(0)), tlv(0x01, 'h2')]))).toStrictEqual({});
  });

  it('refuses a repeated GCP connection id, as every reported type', () => {
    const gcp = tlv(0xe0, Buffer.from([0, 0, 0, 0, 0, 0, 0, 9]));
    expect(headerOf(withTlvs([gcp]))).toStrictEqual({ gcpPscConnectionId: '9' });
    expect(withTlvs([gcp, gcp])).toStrictEqual(bad('v2-tlv'));
    const azure = tlv(0xee, Buffer.from([0x01, 1, 0, 0, 0]));
    expect(withTlvs([azure, azure])).toStrictEqual(bad('v2-tlv'));
    const noop = tlv(0x04, Buffer.alloc(2));
    expect(headerOf(withTlvs([noop, noop, gcp]))).toStrictEqual({ gcpPscConnectionId: '9' });
  });
});

describe('parseProxyHeader() › version 2 SSL TLV', () => {
  it('reads a bare SSL TLV of 5 bytes, every flag off and verification failed', () => {
    expect(headerOf(withTlvs([sslTlv(0x00, 1, [])]))).toStrictEqual({
      ssl: { tls: false, certificateOnConnection: false, certificateOnSession: false, verified: false },
    });
  });

  it('reads each client flag on its own', () => {
    const flags = (client: number) => (headerOf(withTlvs([sslTlv(client, 0, [])])) as { ssl: unknown }).ssl;
    expect(flags(0x01)).toStrictEqual({
      tls: true,
      certificateOnConnection: false,
      certificateOnSession: false,
      verified: true,
    });
    expect(flags(0x02)).toStrictEqual({
      tls: false,
      certificateOnConnection: true,
      certificateOnSession: false,
      verified: true,
    });
    expect(flags(0x04)).toStrictEqual({
      tls: false,
      certificateOnConnection: false,
      certificateOnSession: true,
      verified: true,
    });
  });

  it('refuses an SSL TLV shorter than 5 bytes', () => {
    expect(withTlvs([tlv(0x20, Buffer.from([1, 0, 0, 0]))])).toStrictEqual(bad('v2-tlv'));
  });

  it('leaves out unknown and unprintable sub-TLVs', () => {
    expect(
      headerOf(withTlvs([sslTlv(0x01, 0, [tlv(0x25, 'EC256'), tlv(0x26, 'x25519'), tlv(0x21, 'TLS\x01')])])),
    ).toStrictEqual({
      ssl: {
        tls: true,
        certificateOnConnection: false,
        certificateOnSession: false,
        verified: true,
        keyAlgorithm: 'EC256',
      },
    });
    expect(headerOf(withTlvs([sslTlv(0x01, 0, [tlv(0x23, '')])]))).toStrictEqual({
      ssl: { tls: true, certificateOnConnection: false, certificateOnSession: false, verified: true },
    });
  });
});
