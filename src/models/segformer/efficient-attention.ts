import * as tf from '@tensorflow/tfjs';
import { nextSeed, type SeedCounter } from '../../engine/initializers.js';
import { multiHeadAttention } from '../detr/attention.js';
import { layerNorm } from '../detr/layer-norm.js';

/**
 * Efficient self-attention of SegFormer (Xie et al. 2021, after PVT): multi-head self-attention over the
 * H·W positions of a feature map whose keys and values come from a map shrunk by the reduction ratio R —
 * an R×R convolution with stride R (`[R, R, d, d]` + bias) and a layer norm — so the cost is
 * (H·W)² / R² instead of (H·W)². R = 1 is plain self-attention.
 *
 * Weights: `wq, wk, wv, wo [d, d]` and biases `[d]` (the attention of `src/models/detr/attention.ts`),
 * with R > 1 also `sr_kernel [R, R, d, d]`, `sr_bias [d]`, `sr_gamma [d]`, `sr_beta [d]`.
 * `[B, H, W, d]` (H, W divisible by R) → `[B, H, W, d]`.
 */
export class EfficientSelfAttention extends tf.layers.Layer {
  static className = 'DetsegEfficientSelfAttention';
  private readonly w = new Map<string, tf.LayerVariable>();
  private readonly seeds: number[];

  constructor(private readonly dim: number, private readonly heads: number, private readonly reduction: number, seeds: SeedCounter, name: string) {
    super({ name, trainable: true });
    if (dim % heads !== 0) throw new RangeError(`EfficientSelfAttention: dim ${dim} is not divisible by heads ${heads}`);
    this.seeds = [0, 1, 2, 3, 4].map(() => nextSeed(seeds));
  }

  override build(): void {
    const d = this.dim;
    const glorot = (i: number) => tf.initializers.glorotUniform({ seed: this.seeds[i] });
    ['q', 'k', 'v', 'o'].forEach((p, i) => {
      this.w.set(`w${p}`, this.addWeight(`w${p}`, [d, d], 'float32', glorot(i)));
      this.w.set(`b${p}`, this.addWeight(`b${p}`, [d], 'float32', tf.initializers.zeros()));
    });
    if (this.reduction > 1) {
      const r = this.reduction;
      this.w.set('sr_kernel', this.addWeight('sr_kernel', [r, r, d, d], 'float32', glorot(4)));
      this.w.set('sr_bias', this.addWeight('sr_bias', [d], 'float32', tf.initializers.zeros()));
      this.w.set('sr_gamma', this.addWeight('sr_gamma', [d], 'float32', tf.initializers.ones()));
      this.w.set('sr_beta', this.addWeight('sr_beta', [d], 'float32', tf.initializers.zeros()));
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
  }

  /** The attention weights `[B, heads, H·W, H·W / R²]` of `x [B, H, W, d]` (for figures and tests). */
  attention(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => this.attend(x).attention);
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => this.attend((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D).output);
  }

  private attend(x: tf.Tensor4D): { output: tf.Tensor4D; attention: tf.Tensor4D } {
    const get = (n: string) => this.w.get(n)!.read();
    const [b, h, w, d] = x.shape;
    const tokens = tf.reshape(x, [b, h * w, d]) as tf.Tensor3D; // [B, N, d]
    let kv = tokens;
    if (this.reduction > 1) {
      const r = this.reduction;
      const reduced = tf.add(tf.conv2d(x, get('sr_kernel') as tf.Tensor4D, r, 'valid'), get('sr_bias')); // [B, H/R, W/R, d]
      kv = layerNorm(tf.reshape(reduced, [b, (h / r) * (w / r), d]), get('sr_gamma') as tf.Tensor1D, get('sr_beta') as tf.Tensor1D) as tf.Tensor3D; // [B, N/R², d]
    }
    const weights = {
      wq: get('wq') as tf.Tensor2D, bq: get('bq') as tf.Tensor1D, wk: get('wk') as tf.Tensor2D, bk: get('bk') as tf.Tensor1D,
      wv: get('wv') as tf.Tensor2D, bv: get('bv') as tf.Tensor1D, wo: get('wo') as tf.Tensor2D, bo: get('bo') as tf.Tensor1D,
    };
    const { output, attention } = multiHeadAttention(tokens, kv, kv, weights, this.heads);
    return { output: tf.reshape(output, [b, h, w, d]) as tf.Tensor4D, attention };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), dim: this.dim, heads: this.heads, reduction: this.reduction };
  }
}
