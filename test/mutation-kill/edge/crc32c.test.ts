/**
 * CRC-32C (src/proxy-protocol/crc32c.ts) against a bitwise implementation written from RFC 4960
 * Appendix B, including the PROXY protocol's zeroed checksum field (§2.2.3) at every position
 * and a `skip` that falls outside the range (ignored).
 */
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../../src/proxy-protocol/crc32c.js';

/** Bit by bit, no table: reflected polynomial 0x82F63B78, init and final XOR 0xFFFFFFFF. */
function reference(bytes: readonly number[]): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const BYTES = Uint8Array.from({ length: 40 }, (_, i) => (i * 73 + 11) & 0xff);

describe('crc32c', () => {
  it('matches the RFC check value and the bitwise reference', () => {
    expect(crc32c(new TextEncoder().encode('123456789'))).toBe(0xe3069283);
    expect(crc32c(BYTES)).toBe(reference([...BYTES]));
    expect(crc32c(BYTES, 3, 29)).toBe(reference([...BYTES.subarray(3, 29)]));
  });

  it('treats the four bytes at skip as zeros wherever the field sits in the range', () => {
    const start = 3;
    const end = 29;
    for (let skip = start; skip + 4 <= end; skip++) {
      const zeroed = [...BYTES.subarray(start, end)];
      zeroed.fill(0, skip - start, skip - start + 4);
      expect(crc32c(BYTES, start, end, skip), `skip ${skip}`).toBe(reference(zeroed));
    }
  });

  it('ignores a skip outside the range', () => {
    const plain = reference([...BYTES.subarray(3, 29)]);
    for (const skip of [-1, 0, 2, 26, 27, 29, 40])
      expect(crc32c(BYTES, 3, 29, skip), `skip ${skip}`).toBe(plain);
  });
});
