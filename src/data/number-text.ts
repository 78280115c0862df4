/**
 * Shortest decimal texts for numbers written into annotation files. Box coordinates live in float32;
 * writers use these so that files stay readable (`1.08`, not `1.0800000429153442`) and lossless: read →
 * write → read gives the same `Float32Array`, bit for bit.
 */

/**
 * The shortest decimal text (1 to 17 significant digits) of `value` for which `accepts(Number(text))`
 * holds; falls back to the full double text. `accepts` says whether a candidate reads back right.
 */
export function shortestDecimal(value: number, accepts: (candidate: number) => boolean): string {
  if (!Number.isFinite(value)) return String(value);
  if (Number.isInteger(value) && accepts(value)) return String(value);
  for (let digits = 1; digits <= 17; digits++) {
    const candidate = Number(value.toPrecision(digits));
    if (accepts(candidate)) return String(candidate);
  }
  return String(value);
}

/** The shortest decimal text that reads back (`Math.fround(Number(text))`) as the float32 `value`. */
export function float32Text(value: number): string {
  const f = Math.fround(value);
  return shortestDecimal(f, (c) => Math.fround(c) === f);
}
