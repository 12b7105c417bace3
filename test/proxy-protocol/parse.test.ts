/**
 * parseProxyHeader(): the vectors of haproxy/doc/proxy-protocol.txt and every malformed form
 * we could think of, as tables. Each row also runs one byte at a time, to show the parser
 * says `incomplete` (never `complete` early, never `invalid` late) on every prefix.
 */
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/proxy-protocol/crc32c.js';
import { type ParseOptions, type ParseResult, parseProxyHeader } from '../../src/proxy-protocol/parse.js';
import { sslTlv, tlv, V2_SIGNATURE, v1, v2 } from './headers.js';

const ALL: ParseOptions = { v1: true, v2: true, maxV2Length: 4096 };
const REQUEST = Buffer.from('GET / HTTP/1.1\r\nHost: a\r\n\r\n');

function parse(bytes: Buffer | string, options = ALL): ParseResult {
  return parseProxyHeader(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : bytes, options);
}

/** Feeds every prefix of `bytes`; returns the first result that is not `incomplete`. */
function byteByByte(bytes: Buffer, options = ALL): { result: ParseResult; at: number } {
  for (let n = 1; n <= bytes.length; n++) {
    const result = parseProxyHeader(bytes.subarray(0, n), options);
    if (result.state !== 'incomplete') return { result, at: n };
  }
  return { result: { state: 'incomplete' }, at: bytes.length };
}

describe('crc32c()', () => {
  it.each([
    ['123456789', 0xe3069283], // the CRC catalogue's check value for CRC-32C
    ['', 0],
  ])('crc32c(%j) = %i', (text, sum) => {
    expect(crc32c(Buffer.from(text))).toBe(sum);
  });
  it('matches RFC 3720 B.4: 32 bytes of zeros, of 0xff, ascending', () => {
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
  });
});

describe('parseProxyHeader() › version 1, valid', () => {
  const cases: Array<{
    name: string;
    line: string;
    source?: string;
    sport?: number;
    dest?: string;
    dport?: number;
  }> = [
    {
      name: 'the example line of §2.1',
      line: 'PROXY TCP4 192.168.0.1 192.168.0.11 56324 443\r\n',
      source: '192.168.0.1',
      sport: 56324,
      dest: '192.168.0.11',
      dport: 443,
    },
    {
      name: 'the longest TCP4 line (56 bytes)',
      line: 'PROXY TCP4 255.255.255.255 255.255.255.255 65535 65535\r\n',
      source: '255.255.255.255',
      sport: 65535,
      dest: '255.255.255.255',
      dport: 65535,
    },
    {
      name: 'the longest TCP6 line (104 bytes)',
      line: `PROXY TCP6 ${'ffff:'.repeat(7)}ffff ${'ffff:'.repeat(7)}ffff 65535 65535\r\n`,
      source: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      sport: 65535,
      dest: 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff',
      dport: 65535,
    },
    {
      name: 'TCP6 in upper case, output canonical',
      line: 'PROXY TCP6 2001:DB8::0001 2001:db8::2 0 1\r\n',
      source: '2001:db8::1',
      sport: 0,
      dest: '2001:db8::2',
      dport: 1,
    },
    {
      name: 'TCP6 with an IPv4-mapped source (as inet_ntop writes it) becomes IPv4',
      line: 'PROXY TCP6 ::ffff:198.51.100.7 ::ffff:10.0.0.1 40000 80\r\n',
      source: '198.51.100.7',
      sport: 40000,
      dest: '10.0.0.1',
      dport: 80,
    },
    {
      name: 'port 0',
      line: 'PROXY TCP4 1.2.3.4 5.6.7.8 0 0\r\n',
      source: '1.2.3.4',
      sport: 0,
      dest: '5.6.7.8',
      dport: 0,
    },
  ];
  for (const c of cases) {
    it(`accepts ${c.name}`, () => {
      const bytes = Buffer.concat([Buffer.from(c.line, 'latin1'), REQUEST]);
      const result = parse(bytes);
      expect(result).toEqual({
        state: 'complete',
        length: c.line.length,
        header: {
          version: 1,
          local: false,
          sourceAddress: c.source,
          sourcePort: c.sport,
          destinationAddress: c.dest,
          destinationPort: c.dport,
        },
      });
      expect(byteByByte(bytes)).toEqual({ result, at: c.line.length });
    });
  }

  it.each([
    ['PROXY UNKNOWN\r\n', 15],
    [`PROXY UNKNOWN ${'ffff:'.repeat(7)}ffff ${'ffff:'.repeat(7)}ffff 65535 65535\r\n`, 107],
    ['PROXY UNKNOWN whatever the sender wants \x01\xff\r\n', 44],
  ])('accepts UNKNOWN and keeps the socket addresses: %j', (line, length) => {
    const result = parse(Buffer.concat([Buffer.from(line, 'latin1'), REQUEST]));
    expect(result.state === 'complete' && result.length).toBe(length);
    expect(result.state === 'complete' && result.header.local).toBe(true);
  });
});

describe('parseProxyHeader() › version 1, invalid', () => {
  const cases: Array<[string, string, string]> = [
    ['a plain HTTP request', 'GET / HTTP/1.1\r\n', 'not-proxy-protocol'],
    ['lower-case proxy', 'proxy TCP4 1.2.3.4 5.6.7.8 1 2\r\n', 'not-proxy-protocol'],
    ['PROXY without a space', 'PROXYTCP4 1.2.3.4 5.6.7.8 1 2\r\n', 'not-proxy-protocol'],
    ['two spaces after PROXY', 'PROXY  TCP4 1.2.3.4 5.6.7.8 1 2\r\n', 'v1-syntax'],
    ['two spaces between addresses', 'PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n', 'v1-syntax'],
    ['a trailing space', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2 \r\n', 'v1-syntax'],
    ['a tab', 'PROXY TCP4 1.2.3.4\t5.6.7.8 1 2\r\n', 'v1-syntax'],
    ['an unknown protocol', 'PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n', 'v1-syntax'],
    ['lower-case tcp4', 'PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n', 'v1-syntax'],
    ['UNKNOWN glued to text', 'PROXY UNKNOWNX\r\n', 'v1-syntax'],
    ['a missing port', 'PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n', 'v1-syntax'],
    ['an extra field', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n', 'v1-syntax'],
    ['LF only', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n', 'v1-syntax'],
    ['CR only, then data', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\rGET', 'v1-syntax'],
    ['LF CR', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\n\r', 'v1-syntax'],
    ['an IPv6 address in TCP4', 'PROXY TCP4 2001:db8::1 5.6.7.8 1 2\r\n', 'v1-address'],
    ['an IPv4 address in TCP6', 'PROXY TCP6 1.2.3.4 2001:db8::1 1 2\r\n', 'v1-address'],
    ['mixed families', 'PROXY TCP6 2001:db8::1 5.6.7.8 1 2\r\n', 'v1-address'],
    ['a leading zero in an octet', 'PROXY TCP4 01.2.3.4 5.6.7.8 1 2\r\n', 'v1-address'],
    ['an octet over 255', 'PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n', 'v1-address'],
    ['a short dotted form', 'PROXY TCP4 127.1 5.6.7.8 1 2\r\n', 'v1-address'],
    ['a hex octet', 'PROXY TCP4 0x7f.0.0.1 5.6.7.8 1 2\r\n', 'v1-address'],
    ['an IPv6 zone id', 'PROXY TCP6 fe80::1%eth0 fe80::2 1 2\r\n', 'v1-address'],
    ['a bracketed IPv6', 'PROXY TCP6 [2001:db8::1] 2001:db8::2 1 2\r\n', 'v1-address'],
    ['two :: in IPv6', 'PROXY TCP6 2001::db8::1 2001:db8::2 1 2\r\n', 'v1-address'],
    ['a hostname', 'PROXY TCP4 example.com 5.6.7.8 1 2\r\n', 'v1-address'],
    ['a leading zero in a port', 'PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n', 'v1-port'],
    ['port 00', 'PROXY TCP4 1.2.3.4 5.6.7.8 00 2\r\n', 'v1-port'],
    ['port 65536', 'PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n', 'v1-port'],
    ['a signed port', 'PROXY TCP4 1.2.3.4 5.6.7.8 +1 2\r\n', 'v1-port'],
    ['a six-digit port', 'PROXY TCP4 1.2.3.4 5.6.7.8 100000 2\r\n', 'v1-port'],
    ['a hex-digit port', 'PROXY TCP4 1.2.3.4 5.6.7.8 1a 2\r\n', 'v1-port'],
    ['a 108-byte UNKNOWN line', `PROXY UNKNOWN ${'x'.repeat(92)}\r\n`, 'v1-too-long'],
    ['107 bytes with no CRLF', `PROXY UNKNOWN ${'x'.repeat(93)}`, 'v1-too-long'],
    [
      'a second header is not read: TCP4 then garbage fine, but garbage first',
      'XPROXY TCP4',
      'not-proxy-protocol',
    ],
  ];
  for (const [name, line, problem] of cases) {
    it(`refuses ${name} (${problem})`, () => {
      const bytes = Buffer.concat([Buffer.from(line, 'latin1'), REQUEST]);
      expect(parse(bytes)).toEqual({ state: 'invalid', problem });
      // One byte at a time it fails too, never later than the whole line.
      const { result, at } = byteByByte(bytes);
      expect(result.state).toBe('invalid');
      expect(at).toBeLessThanOrEqual(Math.min(line.length + 1, 108));
    });
  }

  it('checks 108 bytes: 107 is the most a valid line may use', () => {
    const ok = `PROXY UNKNOWN ${'x'.repeat(91)}\r\n`;
    expect(ok.length).toBe(107);
    expect(parse(ok).state).toBe('complete');
    expect(parse(`PROXY UNKNOWN ${'x'.repeat(92)}\r\n`)).toEqual({
      state: 'invalid',
      problem: 'v1-too-long',
    });
  });

  it('fails at the first wrong byte, before a CRLF arrives', () => {
    expect(parse('PROXY TCP4 1.2.3.4 5.6.7.8 1 2x')).toEqual({ state: 'invalid', problem: 'v1-syntax' });
    expect(parse('PROXY TCP4 1.2.3.4  ')).toEqual({ state: 'invalid', problem: 'v1-syntax' });
    expect(parse('PROXY TCP5')).toEqual({ state: 'invalid', problem: 'v1-syntax' });
    expect(parse('PROXY TCP4 1.2.3.4 5.6.7.8 1 2')).toEqual({ state: 'incomplete' });
  });

  it('reads only the header: the request after it is not looked at', () => {
    const line = 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\r\n';
    const result = parse(
      Buffer.concat([Buffer.from(line), Buffer.from('PROXY TCP4 6.6.6.6 5.6.7.8 1 2\r\n')]),
    );
    expect(result.state === 'complete' && result.length).toBe(line.length);
    expect(result.state === 'complete' && result.header.sourceAddress).toBe('1.2.3.4');
  });
});

describe('parseProxyHeader() › version 2, valid', () => {
  it('reads TCP over IPv4', () => {
    const header = v2('198.51.100.7', '10.0.0.1', 40000, 443);
    expect(header.length).toBe(28);
    const result = parse(Buffer.concat([header, REQUEST]));
    expect(result).toEqual({
      state: 'complete',
      length: 28,
      header: {
        version: 2,
        local: false,
        sourceAddress: '198.51.100.7',
        sourcePort: 40000,
        destinationAddress: '10.0.0.1',
        destinationPort: 443,
      },
    });
    expect(byteByByte(Buffer.concat([header, REQUEST]))).toEqual({ result, at: 28 });
  });

  it('reads TCP over IPv6, canonical, IPv4-mapped as IPv4', () => {
    const six = parse(v2('2001:db8:0:0:0:0:0:5', '2001:db8::1', 1, 2));
    expect(six.state === 'complete' && six.header.sourceAddress).toBe('2001:db8::5');
    const mapped = parse(v2('::ffff:c633:6407', '::1', 1, 2));
    expect(mapped.state === 'complete' && mapped.header.sourceAddress).toBe('198.51.100.7');
  });

  it('treats LOCAL as the socket speaking for itself, and still skips len bytes', () => {
    const local = v2(undefined, undefined, 0, 0, { command: 0 });
    expect(parse(local)).toMatchObject({ state: 'complete', length: 16, header: { local: true } });
    const withBlock = v2('1.2.3.4', '5.6.7.8', 1, 2, { command: 0 });
    expect(parse(withBlock)).toMatchObject({
      state: 'complete',
      length: 28,
      header: { local: true, sourceAddress: undefined },
    });
  });

  it.each([
    ['UNSPEC', 0x00, Buffer.alloc(0)],
    ['UDP over IPv4', 0x12, Buffer.alloc(12, 1)],
    ['UDP over IPv6', 0x22, Buffer.alloc(36, 1)],
    ['UNIX stream', 0x31, Buffer.alloc(216, 0x61)],
    ['UNIX datagram', 0x32, Buffer.alloc(216, 0x61)],
  ])('falls back to the socket addresses for PROXY over %s', (_name, family, block) => {
    const result = parse(v2(undefined, undefined, 0, 0, { command: 1, family, addressBlock: block }));
    expect(result).toMatchObject({ state: 'complete', length: 16 + block.length, header: { local: true } });
  });

  it('reads the TLVs: authority, unique id, SSL, AWS, Azure, GCP; skips NOOP, ALPN, NETNS and unknown ones', () => {
    const azure = Buffer.from([0x01, 0x78, 0x56, 0x34, 0x12]);
    const gcp = Buffer.from([0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02]);
    const header = v2('198.51.100.7', '10.0.0.1', 1, 443, {
      tlvs: [
        tlv(0x01, 'h2'),
        tlv(0x02, 'www.example.com'),
        tlv(0x04, Buffer.alloc(7)),
        tlv(0x05, 'ABCD-1234'),
        sslTlv(0x07, 0, [
          tlv(0x21, 'TLSv1.3'),
          tlv(0x23, 'TLS_AES_256_GCM_SHA384'),
          tlv(0x22, 'client.example'),
          tlv(0x24, 'RSA-SHA256'),
          tlv(0x25, 'RSA2048'),
        ]),
        tlv(0x30, 'netns'),
        tlv(0xea, Buffer.concat([Buffer.from([0x01]), Buffer.from('vpce-0123456789abcdef0')])),
        tlv(0xee, azure),
        tlv(0xe0, gcp),
        tlv(0xf0, 'experimental'),
      ],
      crc: true,
    });
    const result = parse(Buffer.concat([header, REQUEST]));
    expect(result.state === 'complete' && result.length).toBe(header.length);
    expect(result.state === 'complete' && result.header).toEqual({
      version: 2,
      local: false,
      sourceAddress: '198.51.100.7',
      sourcePort: 1,
      destinationAddress: '10.0.0.1',
      destinationPort: 443,
      authority: 'www.example.com',
      uniqueId: 'ABCD-1234',
      ssl: {
        tls: true,
        certificateOnConnection: true,
        certificateOnSession: true,
        verified: true,
        version: 'TLSv1.3',
        cipher: 'TLS_AES_256_GCM_SHA384',
        commonName: 'client.example',
        signatureAlgorithm: 'RSA-SHA256',
        keyAlgorithm: 'RSA2048',
      },
      awsVpceId: 'vpce-0123456789abcdef0',
      azureLinkId: 0x12345678,
      gcpPscConnectionId: String(2 ** 32 + 2),
    });
  });

  it('leaves out TLV strings that are not printable ASCII instead of passing them on', () => {
    const result = parse(
      v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [tlv(0x02, 'evil\r\nx'), tlv(0x05, Buffer.from([0, 1, 2]))] }),
    );
    expect(result.state).toBe('complete');
    expect(result.state === 'complete' && result.header.authority).toBeUndefined();
    expect(result.state === 'complete' && result.header.uniqueId).toBeUndefined();
  });

  it('accepts len up to maxV2Length', () => {
    const header = v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [tlv(0x04, Buffer.alloc(4096 - 12 - 3))] });
    expect(parse(header).state).toBe('complete');
  });
});

describe('parseProxyHeader() › version 2, invalid', () => {
  const good = v2('198.51.100.7', '10.0.0.1', 40000, 443);
  const cases: Array<[string, Buffer, string]> = [
    [
      'a signature with one wrong byte',
      Buffer.concat([
        Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x55]),
        good.subarray(11),
      ]),
      'not-proxy-protocol',
    ],
    ['version 1 in the binary format', v2('1.2.3.4', '5.6.7.8', 1, 2, { version: 1 }), 'v2-version'],
    ['version 3', v2('1.2.3.4', '5.6.7.8', 1, 2, { version: 3 }), 'v2-version'],
    ['command 2', v2('1.2.3.4', '5.6.7.8', 1, 2, { command: 2 }), 'v2-command'],
    ['command 0xF', v2('1.2.3.4', '5.6.7.8', 1, 2, { command: 15 }), 'v2-command'],
    ['family 0x41', v2('1.2.3.4', '5.6.7.8', 1, 2, { family: 0x41 }), 'v2-family'],
    ['transport 0x13', v2('1.2.3.4', '5.6.7.8', 1, 2, { family: 0x13 }), 'v2-family'],
    ['family 0x01 (UNSPEC over STREAM)', v2('1.2.3.4', '5.6.7.8', 1, 2, { family: 0x01 }), 'v2-family'],
    [
      'len over maxV2Length',
      v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [tlv(0x04, Buffer.alloc(4096 - 12 - 2))] }),
      'v2-too-long',
    ],
    ['len 65535 announced', v2('1.2.3.4', '5.6.7.8', 1, 2, { len: 65535 }), 'v2-too-long'],
    [
      'TCP4 with len shorter than its address block',
      v2('1.2.3.4', '5.6.7.8', 1, 2, { len: 11 }),
      'v2-address-block',
    ],
    ['TCP6 with the IPv4 block size', v2('1.2.3.4', '5.6.7.8', 1, 2, { family: 0x21 }), 'v2-address-block'],
    [
      'UNIX with a short block',
      v2(undefined, undefined, 0, 0, { command: 1, family: 0x31, addressBlock: Buffer.alloc(215) }),
      'v2-address-block',
    ],
    [
      'a TLV header cut by len',
      v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [Buffer.from([0x04, 0x00])] }),
      'v2-tlv',
    ],
    [
      'a TLV value past len',
      v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [Buffer.from([0x04, 0x00, 0x05, 1, 2])] }),
      'v2-tlv',
    ],
    [
      'an SSL TLV shorter than 5 bytes',
      v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [tlv(0x20, Buffer.from([1, 0, 0]))] }),
      'v2-tlv',
    ],
    [
      'an SSL sub-TLV past its parent',
      v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [tlv(0x20, Buffer.from([1, 0, 0, 0, 0, 0x21, 0, 9, 0x41]))] }),
      'v2-tlv',
    ],
    [
      'a unique id over 128 bytes',
      v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [tlv(0x05, 'x'.repeat(129))] }),
      'v2-tlv',
    ],
    [
      'a CRC32C TLV of 3 bytes',
      v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [tlv(0x03, Buffer.alloc(3))] }),
      'v2-tlv',
    ],
    [
      'two unique id TLVs',
      v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [tlv(0x05, 'a'), tlv(0x05, 'a')] }),
      'v2-tlv',
    ],
    [
      'two authority TLVs',
      v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [tlv(0x02, 'a'), tlv(0x02, 'b')] }),
      'v2-tlv',
    ],
    [
      'a GCP PSC id of 4 bytes',
      v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [tlv(0xe0, Buffer.alloc(4))] }),
      'v2-tlv',
    ],
    [
      'an Azure link id of 3 bytes',
      v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [tlv(0xee, Buffer.from([1, 2, 3, 4]))] }),
      'v2-tlv',
    ],
    ['a bad CRC32C', v2('1.2.3.4', '5.6.7.8', 1, 2, { crc: 'wrong' }), 'v2-crc32c'],
  ];
  for (const [name, header, problem] of cases) {
    it(`refuses ${name} (${problem})`, () => {
      const bytes = Buffer.concat([header, REQUEST]);
      expect(parse(bytes)).toEqual({ state: 'invalid', problem });
      expect(byteByByte(bytes).result).toEqual({ state: 'invalid', problem });
    });
  }

  it('verifies the CRC32C over the whole header with the field zeroed', () => {
    const header = v2('1.2.3.4', '5.6.7.8', 1, 2, { tlvs: [tlv(0x02, 'a.example')], crc: true });
    expect(parse(header).state).toBe('complete');
    // Flip one bit anywhere in the covered bytes: refused.
    for (const at of [13, 17, 20, header.length - 9]) {
      const copy = Buffer.from(header);
      copy[at]! ^= 0x01;
      const result = parse(copy);
      expect(result.state).toBe('invalid');
    }
  });

  it('waits for exactly 16 + len bytes, then stops', () => {
    const header = v2('1.2.3.4', '5.6.7.8', 1, 2);
    expect(parse(header.subarray(0, 27))).toEqual({ state: 'incomplete' });
    expect(parse(Buffer.concat([header, Buffer.from('\x16\x03\x01')]))).toMatchObject({
      state: 'complete',
      length: 28,
    });
  });
});

describe('parseProxyHeader() › versions', () => {
  it('refuses a version that is not enabled', () => {
    expect(parse(v1('1.2.3.4', '5.6.7.8', 1, 2), { ...ALL, v1: false })).toEqual({
      state: 'invalid',
      problem: 'version-not-accepted',
    });
    expect(parse(v2('1.2.3.4', '5.6.7.8', 1, 2), { ...ALL, v2: false })).toEqual({
      state: 'invalid',
      problem: 'version-not-accepted',
    });
  });
  it('refuses a TLS ClientHello and an HTTP/2 preface: nothing is guessed', () => {
    expect(parse(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]))).toEqual({
      state: 'invalid',
      problem: 'not-proxy-protocol',
    });
    expect(parse('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n')).toEqual({
      state: 'invalid',
      problem: 'not-proxy-protocol',
    });
    expect(parse(Buffer.concat([V2_SIGNATURE.subarray(0, 5), Buffer.from('GET')]))).toEqual({
      state: 'invalid',
      problem: 'not-proxy-protocol',
    });
  });
});
