/**
 * The parser against random input (fast-check): never throws, never claims more bytes than
 * a header may have or than it was given, finds exactly the header in front of random
 * trailing bytes, and calls every proper prefix of a valid header `incomplete`.
 * FUZZ_LONG=1 (npm run test:fuzz) runs ten times as many cases.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type ParseOptions, parseProxyHeader } from '../../src/proxy-protocol/parse.js';
import { tlv, V2_SIGNATURE, v1, v2 } from './headers.js';

const RUNS = process.env.FUZZ_LONG ? 200_000 : 20_000;
const OPTIONS: ParseOptions = { v1: true, v2: true, maxV2Length: 4096 };

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.'));
const ipv6 = fc
  .array(fc.nat(0xffff), { minLength: 8, maxLength: 8 })
  .map((w) => w.map((x) => x.toString(16)).join(':'));
const port = fc.nat(65535);

/** Random bytes, often starting like a header so the parser gets past the signature. */
const noise = fc.oneof(
  fc.uint8Array({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([Buffer.from('PROXY '), b])),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([Buffer.from('PROXY TCP4 '), b])),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.concat([V2_SIGNATURE, b])),
  fc
    .uint8Array({ minLength: 2, maxLength: 300 })
    .map((b) => Buffer.concat([V2_SIGNATURE, Buffer.from([0x21, 0x11]), b])),
);

const validHeader = fc.oneof(
  fc.tuple(ipv4, ipv4, port, port).map(([a, b, p, q]) => v1(a, b, p, q)),
  fc.tuple(ipv6, ipv6, port, port).map(([a, b, p, q]) => v1(a, b, p, q)),
  fc
    .tuple(
      fc.oneof(
        ipv4.map((a) => [a, '10.0.0.1'] as const),
        ipv6.map((a) => [a, '2001:db8::1'] as const),
      ),
      port,
      port,
      fc.uniqueArray(
        fc.tuple(fc.constantFrom(0x01, 0x02, 0x04, 0x05, 0x30, 0xe5, 0xf1), fc.string({ maxLength: 40 })),
        { maxLength: 5, selector: ([type]) => type },
      ),
      fc.boolean(),
    )
    .map(([[a, b], p, q, tlvs, crc]) =>
      v2(a, b, p, q, {
        tlvs: tlvs.map(([type, value]) => tlv(type, Buffer.from(value).subarray(0, 128))),
        crc,
      }),
    ),
);

describe('parseProxyHeader() › property', () => {
  it('never throws and never claims bytes it was not given or a header may not have', () => {
    fc.assert(
      fc.property(noise, (bytes) => {
        const result = parseProxyHeader(bytes, OPTIONS);
        if (result.state === 'complete') {
          expect(result.length).toBeLessThanOrEqual(bytes.length);
          expect(result.length).toBeLessThanOrEqual(bytes[0] === 0x50 ? 107 : 16 + 4096);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('finds exactly the header in front of any trailing bytes, and never completes early', () => {
    fc.assert(
      fc.property(validHeader, fc.uint8Array({ maxLength: 64 }), (header, rest) => {
        const result = parseProxyHeader(Buffer.concat([header, rest]), OPTIONS);
        expect(result.state).toBe('complete');
        expect(result.state === 'complete' && result.length).toBe(header.length);
        for (const cut of [1, header.length >> 1, header.length - 1]) {
          expect(parseProxyHeader(header.subarray(0, cut), OPTIONS).state).toBe('incomplete');
        }
      }),
      { numRuns: RUNS / 4 },
    );
  });

  it('refuses every single-byte change to a CRC-protected header that leaves the checksum in place (all of them)', () => {
    const crc = v2('198.51.100.7', '10.0.0.1', 1, 2, { tlvs: [tlv(0x02, 'a.example')], crc: true });
    const crcType = crc.length - 7; /* changing the TLV's type removes the checksum */
    const undetected: number[] = [];
    for (let i = 0; i < crc.length; i++) {
      for (let flip = 1; flip < 256; flip++) {
        const copy = Buffer.from(crc);
        copy[i]! ^= flip;
        const result = parseProxyHeader(copy, OPTIONS);
        if (result.state !== 'complete') continue;
        undetected.push(i);
        // `len` cutting the checksum TLV off leaves its bytes to the application.
        if (i === 15) expect(result.length).toBeLessThan(crc.length - 6);
      }
    }
    // The checksum is found through the TLV structure, so only a change that hides its TLV
    // goes unnoticed: the low byte of `len` (15), of the preceding TLV's length (30), or
    // its own type byte. Every other change is refused or waits for more bytes.
    expect([...new Set(undetected)].sort((a, b) => a - b)).toEqual([15, 30, crcType]);
  });
});
