import { DetsegInputError } from '../util/errors.js';
import { mulberry32 } from '../util/random.js';

/** Options of {@link BalancedSampler}; defaults are the RPN's (256 anchors per image, ≤ 50 % positive). */
export interface BalancedSamplerOptions {
  /** Examples drawn per image (default 256). */
  batchSizePerImage?: number;
  /** Largest fraction of positives (default 0.5); negatives fill the rest. */
  positiveFraction?: number;
  /** Seed of the sampler's own random sequence (default 0). */
  seed?: number;
}

/** One draw of {@link BalancedSampler.sample}: indices, ascending. */
export interface SampledIndices {
  positive: Int32Array;
  negative: Int32Array;
}

/**
 * Balanced positive/negative sampler (torchvision's BalancedPositiveNegativeSampler): from the labels
 * of one image (1 positive, 0 negative, −1 ignored), draws without replacement
 * min(⌊batch·fraction⌋, #positives) positives and min(batch − drawn positives, #negatives) negatives,
 * uniformly at random. Each sampler owns a seeded mulberry32 sequence: the same seed gives the same
 * draws, and successive calls give different ones.
 */
export class BalancedSampler {
  readonly batchSizePerImage: number;
  readonly positiveFraction: number;
  private random: () => number;

  constructor(options: BalancedSamplerOptions = {}) {
    this.batchSizePerImage = options.batchSizePerImage ?? 256;
    this.positiveFraction = options.positiveFraction ?? 0.5;
    if (!(Number.isSafeInteger(this.batchSizePerImage) && this.batchSizePerImage >= 0)) {
      throw new DetsegInputError(`must be a whole number ≥ 0, got ${this.batchSizePerImage}`, { field: 'batchSizePerImage' });
    }
    if (!(this.positiveFraction >= 0 && this.positiveFraction <= 1)) {
      throw new DetsegInputError(`must be a number in [0, 1], got ${this.positiveFraction}`, { field: 'positiveFraction' });
    }
    this.random = mulberry32(options.seed ?? 0);
  }

  /** Restarts the sampler's random sequence at `seed` (the sequence a new sampler of that seed draws). */
  reseed(seed: number): void {
    this.random = mulberry32(seed);
  }

  /** `labels: [N]` with values 1, 0 or −1 → sampled positive and negative indices (ascending). */
  sample(labels: ArrayLike<number>): SampledIndices {
    const positives: number[] = [];
    const negatives: number[] = [];
    for (let i = 0; i < labels.length; i++) {
      const l = labels[i];
      if (l === 1) positives.push(i);
      else if (l === 0) negatives.push(i);
      else if (l !== -1) throw new DetsegInputError(`label ${i} is ${l}; expected 1, 0 or -1`, { field: 'labels' });
    }
    const numPositive = Math.min(Math.floor(this.batchSizePerImage * this.positiveFraction), positives.length);
    const numNegative = Math.min(this.batchSizePerImage - numPositive, negatives.length);
    return { positive: this.choose(positives, numPositive), negative: this.choose(negatives, numNegative) };
  }

  /** k items of `pool` uniformly without replacement (partial Fisher–Yates), sorted ascending. */
  private choose(pool: number[], k: number): Int32Array {
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.random() * (pool.length - i));
      const t = pool[i]; pool[i] = pool[j]; pool[j] = t;
    }
    return Int32Array.from(pool.slice(0, k)).sort();
  }
}
