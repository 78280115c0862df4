import { iouPair } from '../../src/boxes/iou.js';

/**
 * The lecture's greedy NMS written as plainly as possible, O(N²) (the reference the fast versions
 * are compared with): repeatedly take the best remaining box (highest score, lowest index on ties),
 * keep it, and remove every remaining box whose IoU with it is > threshold. When `classes` is given,
 * only boxes of the same class suppress each other.
 */
export function naiveNms(boxes: ArrayLike<number>, scores: ArrayLike<number>, threshold: number, classes?: ArrayLike<number>): number[] {
  const remaining: number[] = [];
  for (let i = 0; i < scores.length; i++) remaining.push(i);
  const kept: number[] = [];
  while (remaining.length > 0) {
    let best = 0;
    for (let r = 1; r < remaining.length; r++) {
      const i = remaining[r], b = remaining[best];
      if (scores[i] > scores[b] || (scores[i] === scores[b] && i < b)) best = r;
    }
    const m = remaining[best];
    kept.push(m);
    const box = (i: number) => [boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3]] as const;
    const [mx1, my1, mx2, my2] = box(m);
    for (let r = remaining.length - 1; r >= 0; r--) {
      const i = remaining[r];
      if (i === m) { remaining.splice(r, 1); continue; }
      if (classes && classes[i] !== classes[m]) continue;
      if (iouPair(mx1, my1, mx2, my2, ...box(i)) > threshold) remaining.splice(r, 1);
    }
  }
  return kept;
}
