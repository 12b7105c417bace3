/**
 * CRC-32C (Castagnoli), as RFC 4960 Appendix B and the PROXY protocol's PP2_TYPE_CRC32C use
 * it: reflected polynomial 0x82F63B78, initial value and final XOR 0xFFFFFFFF. Table-driven,
 * one byte per step; headers are at most a few kilobytes.
 */

const TABLE = /* @__PURE__ */ (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/**
 * The CRC-32C of `bytes[start, end)`, treating `bytes[skip, skip + 4)` as zeros (the checksum
 * field itself, per the PROXY protocol §2.2.3). Pass `skip = -1` to checksum every byte.
 */
export function crc32c(bytes: Uint8Array, start = 0, end = bytes.length, skip = -1): number {
  let crc = 0xffffffff;
  const gap = skip >= start && skip + 4 <= end ? skip : end;
  for (let i = start; i < gap; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  if (gap < end) {
    for (let i = 0; i < 4; i++) crc = TABLE[crc & 0xff]! ^ (crc >>> 8); /* the zeroed field */
    for (let i = gap + 4; i < end; i++) crc = TABLE[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}
