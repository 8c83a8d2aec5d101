// Seeded draws for the simulation: the same seed, unit and purpose give the same numbers on every run and
// machine, and a unit's draws do not depend on which other units are simulated (each has its own stream).

/** FNV-1a, 32 bits: a stable hash of the parts that name a stream. */
function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

export interface Random {
  /** A number in [0, 1). */
  next(): number;
  /** An integer in [min, max], both included. */
  int(min: number, max: number): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** One bucket, chosen by the buckets' shares (which sum to 1). */
  pick<T extends { share: number }>(buckets: readonly T[]): T;
}

/** A stream named by its parts, e.g. `random(seed, 'unit', code, 'gates')` (mulberry32). */
export function random(...parts: Array<string | number>): Random {
  let state = hash32(parts.map(String).join('\u0000'));
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const r: Random = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    chance: (p) => next() < p,
    pick: (buckets) => {
      let x = next();
      for (const b of buckets) {
        if (x < b.share) return b;
        x -= b.share;
      }
      return buckets[buckets.length - 1];
    },
  };
  return r;
}

/** A UUID (version-4 layout) derived from a name: the scratch database's ids are the same on every run. */
export function uuidFrom(...parts: Array<string | number>): string {
  const r = random('uuid', ...parts);
  const hex = Array.from({ length: 32 }, () => Math.floor(r.next() * 16).toString(16));
  hex[12] = '4';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const s = hex.join('');
  return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
}
