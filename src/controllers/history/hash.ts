// Revision hashes: 32-bit FNV-1a over the revision's data (and the collision count, when given, as
// four little-endian bytes), printed in decimal and mapped onto a consonant-and-digit alphabet so
// the result can never spell words (upstream's rand.SafeEncodeString).

const FNV32_OFFSET = 0x811c9dc5;
const FNV32_PRIME = 0x01000193;

export class Fnv32a {
  private h = FNV32_OFFSET;
  write(bytes: Uint8Array): this {
    let h = this.h;
    for (const b of bytes) {
      h ^= b;
      h = Math.imul(h, FNV32_PRIME) >>> 0;
    }
    this.h = h;
    return this;
  }
  sum32(): number {
    return this.h >>> 0;
  }
}

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Each character mapped to the safe alphabet by its code (mod the alphabet's length). */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** The hash of revision data (canonical JSON text) salted with the collision count. */
export function hashRevisionData(data: string, collisionCount?: number): string {
  const h = new Fnv32a().write(new TextEncoder().encode(data));
  if (collisionCount !== undefined && collisionCount !== null) {
    const buf = new Uint8Array(4);
    new DataView(buf.buffer).setUint32(0, collisionCount >>> 0, true);
    h.write(buf);
  }
  return safeEncodeString(String(h.sum32()));
}
