import { BoxCoder } from '../boxes/coder.js';
import { clipBoxes } from '../boxes/formats.js';
import { validateBoxes, validateThreshold } from '../boxes/validate.js';
import { batchedNms } from '../nms/batched.js';
import { orderByScore } from '../nms/input.js';
import { DetsegInputError } from '../util/errors.js';

/** Options of {@link ProposalGenerator}; defaults are torchvision's RPN test-time values. */
export interface ProposalOptions {
  /** Best anchors kept per feature-map level before NMS, by objectness (default 1000; training uses 2000). */
  preNmsTopN?: number;
  /** Proposals kept after NMS (default 1000; training uses 2000). */
  postNmsTopN?: number;
  /** IoU threshold of the NMS, per level (default 0.7). */
  nmsThreshold?: number;
  /** Proposals narrower or lower than this many pixels are removed (default 1e-3). */
  minSize?: number;
  /** Proposals whose objectness probability is below this are removed (default 0). */
  scoreThreshold?: number;
  /** Decoder of the regression deltas (default weights (1, 1, 1, 1), as the RPN). */
  coder?: BoxCoder;
}

/** Input of {@link ProposalGenerator.generate} for one image. */
export interface ProposalInput {
  /** `[N,4] xyxy` anchors in image pixels. */
  anchors: Float32Array;
  /** `[N]` objectness logits (before the sigmoid). */
  objectness: ArrayLike<number>;
  /** `[N,4]` regression deltas (t_x, t_y, t_w, t_h) of each anchor. */
  deltas: ArrayLike<number>;
  imageWidth: number;
  imageHeight: number;
  /** `[N]` feature-map level of each anchor (default: all level 0); top-N and NMS run per level. */
  levels?: ArrayLike<number>;
}

/** Proposals of one image, by decreasing objectness. */
export interface Proposals {
  /** `Float32Array [K,4] xyxy`, clipped to the image. */
  boxes: Float32Array;
  /** `Float32Array [K]` objectness probabilities (sigmoid of the logits). */
  scores: Float32Array;
  /** `Int32Array [K]` index of the anchor each proposal came from. */
  anchorIndices: Int32Array;
}

/**
 * Turns the region proposal network's outputs into proposals (torchvision's `filter_proposals`): per
 * level keep the `preNmsTopN` anchors of highest objectness; decode their deltas; clip to the image;
 * remove boxes smaller than `minSize` and scores below `scoreThreshold`; NMS at `nmsThreshold`
 * separately per level; keep the `postNmsTopN` best.
 */
export class ProposalGenerator {
  readonly preNmsTopN: number;
  readonly postNmsTopN: number;
  readonly nmsThreshold: number;
  readonly minSize: number;
  readonly scoreThreshold: number;
  readonly coder: BoxCoder;

  constructor(options: ProposalOptions = {}) {
    this.preNmsTopN = options.preNmsTopN ?? 1000;
    this.postNmsTopN = options.postNmsTopN ?? 1000;
    this.nmsThreshold = options.nmsThreshold ?? 0.7;
    this.minSize = options.minSize ?? 1e-3;
    this.scoreThreshold = options.scoreThreshold ?? 0;
    this.coder = options.coder ?? new BoxCoder();
    for (const [name, v] of [['preNmsTopN', this.preNmsTopN], ['postNmsTopN', this.postNmsTopN]] as const) {
      if (!(Number.isSafeInteger(v) && v >= 0)) throw new DetsegInputError(`must be a whole number ≥ 0, got ${v}`, { field: name });
    }
    validateThreshold(this.nmsThreshold, 'nmsThreshold');
    if (!(this.minSize >= 0)) throw new DetsegInputError(`must be a number ≥ 0, got ${this.minSize}`, { field: 'minSize' });
    if (Number.isNaN(this.scoreThreshold)) throw new DetsegInputError('must be a number, got NaN', { field: 'scoreThreshold' });
  }

  /** Proposals of one image (see the class comment). */
  generate(input: ProposalInput): Proposals {
    const n = validateBoxes(input.anchors, 'anchors');
    const { objectness, deltas } = input;
    if (objectness.length !== n) throw new DetsegInputError(`has ${objectness.length} values for ${n} anchors`, { field: 'objectness' });
    if (deltas.length !== 4 * n) throw new DetsegInputError(`has ${deltas.length} values for ${n} anchors (4 each)`, { field: 'deltas' });
    for (let i = 0; i < n; i++) if (!Number.isFinite(objectness[i])) throw new DetsegInputError(`value ${i} is not finite (${objectness[i]})`, { field: 'objectness' });
    for (let k = 0; k < 4 * n; k++) if (!Number.isFinite(deltas[k])) throw new DetsegInputError(`value ${k} (anchor ${k >> 2}) is not finite (${deltas[k]})`, { field: 'deltas' });
    const levels = input.levels ?? new Int32Array(n);
    if (levels.length !== n) throw new DetsegInputError(`has ${levels.length} values for ${n} anchors`, { field: 'levels' });
    for (let i = 0; i < n; i++) if (!Number.isInteger(levels[i])) throw new DetsegInputError(`value ${i} is not an integer (${levels[i]})`, { field: 'levels' });

    // 1. top preNmsTopN per level by objectness (stable on ties), kept in anchor order
    const order = orderByScore(objectness);
    const takenPerLevel = new Map<number, number>();
    const selected: number[] = [];
    for (let r = 0; r < n; r++) {
      const i = order[r];
      const taken = takenPerLevel.get(levels[i]) ?? 0;
      if (taken < this.preNmsTopN) { takenPerLevel.set(levels[i], taken + 1); selected.push(i); }
    }
    selected.sort((a, b) => a - b);
    const k = selected.length;
    const anchors = new Float32Array(4 * k); // [K, 4]
    const selectedDeltas = new Float32Array(4 * k); // [K, 4]
    for (let s = 0; s < k; s++) {
      const i = selected[s];
      anchors.set(input.anchors.subarray(4 * i, 4 * i + 4), 4 * s);
      for (let c = 0; c < 4; c++) selectedDeltas[4 * s + c] = deltas[4 * i + c];
    }
    // 2. decode and clip
    const boxes = clipBoxes(this.coder.decode(selectedDeltas, anchors), input.imageWidth, input.imageHeight); // [K, 4]
    // 3. remove small boxes and low scores
    const keep: number[] = [];
    for (let s = 0; s < k; s++) {
      const w = boxes[4 * s + 2] - boxes[4 * s], h = boxes[4 * s + 3] - boxes[4 * s + 1];
      const p = 1 / (1 + Math.exp(-objectness[selected[s]]));
      if (w >= this.minSize && h >= this.minSize && p >= this.scoreThreshold) keep.push(s);
    }
    const m = keep.length;
    const candBoxes = new Float32Array(4 * m), candScores = new Float32Array(m), candLevels = new Int32Array(m);
    keep.forEach((s, c) => {
      candBoxes.set(boxes.subarray(4 * s, 4 * s + 4), 4 * c);
      candScores[c] = 1 / (1 + Math.exp(-objectness[selected[s]]));
      candLevels[c] = levels[selected[s]];
    });
    // 4. NMS per level, 5. top postNmsTopN
    const kept = batchedNms(candBoxes, candScores, candLevels, this.nmsThreshold).subarray(0, this.postNmsTopN);
    const out: Proposals = { boxes: new Float32Array(4 * kept.length), scores: new Float32Array(kept.length), anchorIndices: new Int32Array(kept.length) };
    kept.forEach((c, o) => {
      out.boxes.set(candBoxes.subarray(4 * c, 4 * c + 4), 4 * o);
      out.scores[o] = candScores[c];
      out.anchorIndices[o] = selected[keep[c]];
    });
    return out;
  }
}
