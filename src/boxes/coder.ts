import { DetsegInputError } from '../util/errors.js';
import type { BoxArray } from './types.js';
import { validateBoxes } from './validate.js';

/**
 * The default clamp on the decoded log-scale deltas t_w, t_h: log(1000 / 16) ≈ 4.135. Without a clamp
 * an untrained or diverging head can send e^{t_w} to infinity. The constant (from Detectron, kept by
 * detectron2 and torchvision) bounds the growth of one decode to 1000/16 = 62.5×: the smallest
 * reference box of a stride-16 feature map (16 px) may grow to at most 1000 px, about the largest
 * image side those detectors are trained with — anything larger cannot be a box in the image.
 */
export const DEFAULT_SCALE_CLAMP = Math.log(1000 / 16);

/** Options of {@link BoxCoder}. */
export interface BoxCoderOptions {
  /**
   * Per-coordinate weights (w_x, w_y, w_w, w_h) multiplying the deltas after encoding (and dividing
   * them before decoding), so that the regression targets have roughly unit variance. torchvision's
   * default is (1, 1, 1, 1), its RPN uses (1, 1, 1, 1), the Fast/Faster R-CNN box head (10, 10, 5, 5).
   */
  weights?: [number, number, number, number];
  /** Upper bound on t_w / w_w and t_h / w_h before exponentiation (default {@link DEFAULT_SCALE_CLAMP}). */
  scaleClamp?: number;
}

/**
 * Encodes ground-truth boxes relative to reference boxes (anchors or proposals) as regression deltas
 * and decodes deltas back to boxes, with the lecture's transform. For a reference box p with centre
 * (p_x, p_y) and size (p_w, p_h) and deltas t = (t_x, t_y, t_w, t_h), the decoded box b is
 *
 *   b_x = p_x + p_w t_x,   b_y = p_y + p_h t_y,   b_w = p_w e^{t_w},   b_h = p_h e^{t_h}
 *
 * (after dividing t by the weights and clamping t_w, t_h at {@link BoxCoderOptions.scaleClamp}). Encoding
 * is the inverse: t_x = w_x (g_x − p_x) / p_w, t_y = w_y (g_y − p_y) / p_h, t_w = w_w log(g_w / p_w),
 * t_h = w_h log(g_h / p_h). The law (detectron2's): decode(encode(p, g), p) = g for every reference p of
 * positive size and every g of positive size whose log-size ratios stay within the clamp.
 * Widths are x2 − x1 (continuous coordinates, no "+1"), as in torchvision.
 */
export class BoxCoder {
  readonly weights: readonly [number, number, number, number];
  readonly scaleClamp: number;

  constructor(options: BoxCoderOptions = {}) {
    const weights = options.weights ?? [1, 1, 1, 1];
    if (weights.length !== 4 || !weights.every((w) => Number.isFinite(w) && w > 0)) {
      throw new DetsegInputError(`must be 4 finite positive numbers, got [${weights.join(', ')}]`, { field: 'weights' });
    }
    const scaleClamp = options.scaleClamp ?? DEFAULT_SCALE_CLAMP;
    if (Number.isNaN(scaleClamp)) throw new DetsegInputError('must be a number, got NaN', { field: 'scaleClamp' });
    this.weights = [weights[0], weights[1], weights[2], weights[3]];
    this.scaleClamp = scaleClamp;
  }

  /**
   * Regression targets of `gt` relative to `reference`, box by box.
   * `reference: [N,4] xyxy` (positive width and height), `gt: [N,4] xyxy` (positive width and height)
   * → `Float32Array [N,4]` of (t_x, t_y, t_w, t_h), dimensionless.
   */
  encode(reference: BoxArray, gt: BoxArray): Float32Array {
    const n = validateBoxes(reference, 'reference');
    const m = validateBoxes(gt, 'gt');
    if (n !== m) throw new DetsegInputError(`has ${m} boxes but reference has ${n}`, { field: 'gt' });
    const [wx, wy, ww, wh] = this.weights;
    const out = new Float32Array(4 * n); // [N, 4]
    for (let i = 0; i < n; i++) {
      const o = 4 * i;
      const pw = reference[o + 2] - reference[o], ph = reference[o + 3] - reference[o + 1];
      const gw = gt[o + 2] - gt[o], gh = gt[o + 3] - gt[o + 1];
      if (!(pw > 0 && ph > 0)) throw new DetsegInputError(`box ${i} has zero width or height`, { field: 'reference' });
      if (!(gw > 0 && gh > 0)) throw new DetsegInputError(`box ${i} has zero width or height`, { field: 'gt' });
      const px = reference[o] + 0.5 * pw, py = reference[o + 1] + 0.5 * ph;
      const gx = gt[o] + 0.5 * gw, gy = gt[o + 1] + 0.5 * gh;
      out[o] = (wx * (gx - px)) / pw;
      out[o + 1] = (wy * (gy - py)) / ph;
      out[o + 2] = ww * Math.log(gw / pw);
      out[o + 3] = wh * Math.log(gh / ph);
    }
    return out;
  }

  /**
   * Applies deltas to reference boxes. `deltas: [N,4]` (t_x, t_y, t_w, t_h), `reference: [N,4] xyxy`
   * → `Float32Array [N,4] xyxy`. Decoded boxes may leave the image; clip them with `clipBoxes`.
   * Deltas must be finite (a {@link DetsegInputError} names the first bad one).
   */
  decode(deltas: ArrayLike<number>, reference: BoxArray): Float32Array {
    const n = validateBoxes(reference, 'reference');
    if (deltas.length !== 4 * n) throw new DetsegInputError(`expected ${4 * n} numbers (4 per reference box), got ${deltas.length}`, { field: 'deltas' });
    const [wx, wy, ww, wh] = this.weights;
    const clamp = this.scaleClamp;
    const out = new Float32Array(4 * n); // [N, 4]
    for (let i = 0; i < n; i++) {
      const o = 4 * i;
      if (!(Number.isFinite(deltas[o]) && Number.isFinite(deltas[o + 1]) && Number.isFinite(deltas[o + 2]) && Number.isFinite(deltas[o + 3]))) {
        throw new DetsegInputError(`delta ${i} has a non-finite value [${deltas[o]}, ${deltas[o + 1]}, ${deltas[o + 2]}, ${deltas[o + 3]}]`, { field: 'deltas' });
      }
      const tx = deltas[o] / wx, ty = deltas[o + 1] / wy;
      const tw = Math.min(deltas[o + 2] / ww, clamp), th = Math.min(deltas[o + 3] / wh, clamp);
      const pw = reference[o + 2] - reference[o], ph = reference[o + 3] - reference[o + 1];
      const px = reference[o] + 0.5 * pw, py = reference[o + 1] + 0.5 * ph;
      const bx = px + pw * tx, by = py + ph * ty; // lecture: b_x = p_x + p_w t_x
      const bw = pw * Math.exp(tw), bh = ph * Math.exp(th); // lecture: b_w = p_w e^{t_w}
      out[o] = bx - 0.5 * bw;
      out[o + 1] = by - 0.5 * bh;
      out[o + 2] = bx + 0.5 * bw;
      out[o + 3] = by + 0.5 * bh;
    }
    return out;
  }
}
