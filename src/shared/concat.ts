/** Arrays of numbers end to end, as one new typed array that `make` allocates. */
export function concat<T extends Float64Array | Uint8Array>(
  parts: readonly ArrayLike<number>[],
  make: (length: number) => T,
): T {
  const out = make(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
