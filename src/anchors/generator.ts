import { DetsegInputError } from '../util/errors.js';

/** Options of {@link AnchorGenerator}; one entry per feature-map level (one level for a plain RPN). */
export interface AnchorGeneratorOptions {
  /** Anchor sizes in pixels per level: an anchor of size s and ratio 1 is s×s (default [[32, 64, 128]]). */
  sizes?: readonly (readonly number[])[];
  /**
   * Aspect ratios h/w per level (default [[0.5, 1, 2]]); a single list is used for every level.
   * An anchor of size s and ratio r has w = s/√r, h = s·√r, so its area stays s².
   */
  aspectRatios?: readonly (readonly number[])[];
  /**
   * Where in a feature-map cell anchors are centred, as a fraction of the stride: 0 (default) puts the
   * centre of the anchors of cell (i, j) at (j·stride_x, i·stride_y), the cell's top-left corner, as
   * torchvision's AnchorGenerator does; 0.5 puts it at the cell centre (detectron2's `offset=0.5`).
   */
  offset?: number;
  /** Round base anchors to whole pixels, half to even, as torchvision does (default true). */
  round?: boolean;
}

/** One feature map: its grid size and its stride in image pixels. */
export interface FeatureLevel {
  gridHeight: number;
  gridWidth: number;
  strideY: number;
  strideX: number;
}

/** Rounds half to even, like `torch.round`. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * Anchors with torchvision's AnchorGenerator semantics: for each level, A = |sizes| × |ratios| base
 * anchors centred at (0, 0), ordered ratio-major (for each ratio, each size); then for every cell of
 * the feature map, rows outer and columns inner, the A base anchors shifted by
 * ((col + offset)·stride_x, (row + offset)·stride_y). Levels are concatenated in order.
 */
export class AnchorGenerator {
  readonly sizes: readonly (readonly number[])[];
  readonly aspectRatios: readonly (readonly number[])[];
  readonly offset: number;
  readonly round: boolean;

  constructor(options: AnchorGeneratorOptions = {}) {
    this.sizes = options.sizes ?? [[32, 64, 128]];
    const ratios = options.aspectRatios ?? [[0.5, 1, 2]];
    this.aspectRatios = ratios.length === 1 && this.sizes.length > 1 ? this.sizes.map(() => ratios[0]) : ratios;
    this.offset = options.offset ?? 0;
    this.round = options.round ?? true;
    if (this.sizes.length === 0) throw new DetsegInputError('needs at least one level', { field: 'sizes' });
    if (this.aspectRatios.length !== this.sizes.length) {
      throw new DetsegInputError(`has ${this.aspectRatios.length} levels but sizes has ${this.sizes.length}`, { field: 'aspectRatios' });
    }
    this.sizes.forEach((level, l) => level.forEach((s, k) => {
      if (!(Number.isFinite(s) && s > 0)) throw new DetsegInputError(`must be a finite number > 0, got ${s}`, { field: `sizes[${l}][${k}]` });
    }));
    this.aspectRatios.forEach((level, l) => level.forEach((r, k) => {
      if (!(Number.isFinite(r) && r > 0)) throw new DetsegInputError(`must be a finite number > 0, got ${r}`, { field: `aspectRatios[${l}][${k}]` });
    }));
    if (!Number.isFinite(this.offset)) throw new DetsegInputError(`must be a finite number, got ${this.offset}`, { field: 'offset' });
  }

  /** Anchors per feature-map cell, per level: |sizes[l]| × |aspectRatios[l]|. */
  anchorsPerLocation(): number[] {
    return this.sizes.map((s, l) => s.length * this.aspectRatios[l].length);
  }

  /** Base anchors of a level, centred at (0, 0): `Float32Array [A,4] xyxy` in pixels, ratio-major. */
  baseAnchors(level = 0): Float32Array {
    const sizes = this.sizes[level], ratios = this.aspectRatios[level];
    if (!sizes) throw new DetsegInputError(`no level ${level} (there are ${this.sizes.length})`, { field: 'level' });
    const out = new Float32Array(4 * sizes.length * ratios.length); // [A, 4]
    let o = 0;
    for (const r of ratios) {
      const hRatio = Math.sqrt(r), wRatio = 1 / hRatio;
      for (const s of sizes) {
        const halfW = (wRatio * s) / 2, halfH = (hRatio * s) / 2;
        const corners = [-halfW, -halfH, halfW, halfH];
        for (const c of corners) out[o++] = this.round ? roundHalfEven(c) : c;
      }
    }
    return out;
  }

  /**
   * Anchors of one level over a feature map: `Float32Array [gridHeight·gridWidth·A, 4] xyxy` in image
   * pixels; anchor a of cell (row, col) is at index (row·gridWidth + col)·A + a.
   */
  gridAnchors(level: number, feature: FeatureLevel): Float32Array {
    const base = this.baseAnchors(level);
    const a = base.length >> 2;
    const { gridHeight, gridWidth, strideY, strideX } = feature;
    for (const [name, v] of [['gridHeight', gridHeight], ['gridWidth', gridWidth]] as const) {
      if (!(Number.isSafeInteger(v) && v >= 0)) throw new DetsegInputError(`must be a whole number ≥ 0, got ${v}`, { field: name });
    }
    for (const [name, v] of [['strideY', strideY], ['strideX', strideX]] as const) {
      if (!(Number.isFinite(v) && v > 0)) throw new DetsegInputError(`must be a finite number > 0, got ${v}`, { field: name });
    }
    const out = new Float32Array(4 * gridHeight * gridWidth * a); // [H·W·A, 4]
    let o = 0;
    for (let row = 0; row < gridHeight; row++) {
      const sy = (row + this.offset) * strideY;
      for (let col = 0; col < gridWidth; col++) {
        const sx = (col + this.offset) * strideX;
        for (let k = 0; k < 4 * a; k += 4) {
          out[o++] = base[k] + sx; out[o++] = base[k + 1] + sy; out[o++] = base[k + 2] + sx; out[o++] = base[k + 3] + sy;
        }
      }
    }
    return out;
  }

  /**
   * Anchors of every level for an image, concatenated: `featureSizes[l] = [gridHeight, gridWidth]` of
   * level l, strides ⌊imageHeight / gridHeight⌋ and ⌊imageWidth / gridWidth⌋ (integer division, as
   * torchvision). Returns `Float32Array [Σ_l H_l·W_l·A_l, 4] xyxy` in image pixels.
   */
  generate(imageHeight: number, imageWidth: number, featureSizes: readonly (readonly [number, number])[]): Float32Array {
    if (featureSizes.length !== this.sizes.length) {
      throw new DetsegInputError(`has ${featureSizes.length} levels but the generator has ${this.sizes.length}`, { field: 'featureSizes' });
    }
    const parts = featureSizes.map(([gridHeight, gridWidth], l) =>
      this.gridAnchors(l, { gridHeight, gridWidth, strideY: Math.floor(imageHeight / gridHeight), strideX: Math.floor(imageWidth / gridWidth) }),
    );
    const out = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
    let o = 0;
    for (const p of parts) { out.set(p, o); o += p.length; }
    return out;
  }
}
