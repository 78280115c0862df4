/**
 * SSD's hard negative mining for one image: of the default boxes that are not positive, keep the
 * `ratio × (number of positives)` with the highest confidence loss (all of them if there are fewer), so
 * that negatives and positives are at most `ratio`:1 (3:1 in the paper). Ties go to the lower index.
 *
 * `loss: Float32Array [K]` each box's background confidence loss (−log p(background)); `positive:
 * Uint8Array [K]` 1 for matched boxes → `Uint8Array [K]`, 1 for the negatives kept.
 */
export function hardNegatives(loss: ArrayLike<number>, positive: ArrayLike<number>, ratio = 3): Uint8Array {
  const k = loss.length;
  const out = new Uint8Array(k);
  let numPositive = 0;
  for (let i = 0; i < k; i++) if (positive[i]) numPositive++;
  const negatives: number[] = [];
  for (let i = 0; i < k; i++) if (!positive[i]) negatives.push(i);
  const keep = Math.min(negatives.length, Math.floor(ratio * numPositive));
  if (keep === 0) return out;
  negatives.sort((a, b) => loss[b] - loss[a] || a - b);
  for (let r = 0; r < keep; r++) out[negatives[r]] = 1;
  return out;
}
