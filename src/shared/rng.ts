/**
 * Seeded pseudo-random numbers: sfc32 (Chris Doty-Humphrey's small fast counter generator), seeded
 * through splitmix32 so nearby seeds give unrelated streams. Every random choice in the engine
 * comes from here, so a run repeated with its seed gives the same numbers.
 */
export interface Rng {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** A derived seed for a sub-generator or a tfjs op. */
  nextSeed(): number;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

export function createRng(seed: number): Rng {
  const init = splitmix32(seed);
  // The state lives in a typed array: closure variables above 2^30 would be boxed, and every
  // draw would allocate (this generator sits in the samplers' inner loops).
  const st = new Uint32Array([init(), init(), init(), init()]);
  const next32 = (): number => {
    const a = st[0],
      b = st[1],
      c = st[2],
      d = st[3];
    const t = (a + b + d) >>> 0;
    st[3] = d + 1;
    st[0] = b ^ (b >>> 9);
    st[1] = c + (c << 3);
    st[2] = ((c << 21) | (c >>> 11)) + t;
    return t;
  };
  for (let i = 0; i < 12; i++) next32();
  // The second Box–Muller value, kept for the next call (hasSpare instead of a nullable box).
  const spare = new Float64Array(1);
  let hasSpare = false;
  const uniform = (): number => {
    // 53 random bits for a full-precision double.
    const hi = next32() >>> 5;
    const lo = next32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  };
  return {
    uniform,
    normal() {
      if (hasSpare) {
        hasSpare = false;
        return spare[0];
      }
      let u = 0;
      while (u === 0) u = uniform();
      const v = uniform();
      const r = Math.sqrt(-2 * Math.log(u));
      spare[0] = r * Math.sin(2 * Math.PI * v);
      hasSpare = true;
      return r * Math.cos(2 * Math.PI * v);
    },
    int: (n) => Math.floor(uniform() * n),
    nextSeed: () => next32() & 0x7fffffff,
  };
}
