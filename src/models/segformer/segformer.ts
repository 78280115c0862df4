import * as tf from '@tensorflow/tfjs';
import { seededInitializer, type SeedCounter } from '../../engine/initializers.js';
import { DetsegInputError } from '../../util/errors.js';
import { EfficientSelfAttention } from './efficient-attention.js';
import { mixFfn } from './mix-ffn.js';
import { overlapPatchEmbed } from './overlap-patch-embed.js';
import { LayerNorm } from './layer-norm-layer.js';

/** Options of {@link buildSegFormer}; the four arrays have one entry per encoder stage. */
export interface SegFormerOptions {
  /** Input channels. */
  inChannels?: number;
  /** Output channels: classes (softmax), or 1 for a binary mask (sigmoid). */
  outChannels?: number;
  /** Channels of the stages (at strides 4, 8, 16, 32). */
  dims?: number[];
  /** Attention heads of the stages (each divides its dim). */
  heads?: number[];
  /** Sequence-reduction ratios R of the stages' efficient self-attention. */
  reductions?: number[];
  /** Transformer blocks per stage. */
  depths?: number[];
  /** Hidden width of Mix-FFN as a multiple of the stage's channels. */
  mlpRatio?: number;
  /** Channels of the all-MLP decoder. */
  decoderDim?: number;
  /** Seed of the weight initialisation. */
  seed?: number;
  /** Input height and width (null: any size divisible by 32 and by 4·2^i·R_i for every stage i). */
  inputSize?: [number, number] | null;
}

/**
 * The number input sides must be multiples of: the last stage's stride 4·2^(S−1), and for every stage
 * i its stride times its reduction ratio (the keys/values map of stride R must tile the stage's map).
 * 32 for the defaults.
 */
export function segformerMultiple(options: Pick<SegFormerOptions, 'dims' | 'reductions'> = {}): number {
  const stages = (options.dims ?? [0, 0, 0, 0]).length;
  const reductions = options.reductions ?? [8, 4, 2, 1];
  return Math.max(4 << (stages - 1), ...reductions.map((r, i) => (4 << i) * r));
}

/**
 * SegFormer (Xie et al. 2021), scaled down to train from scratch here (defaults: dims 16-32-64-128,
 * heads 1-2-4-8, reductions 8-4-2-1 as in MiT-B0, one block per stage, decoder 64):
 *
 * - hierarchical Mix Transformer encoder: 4 stages at strides 4, 8, 16, 32, each an overlapping patch
 *   embedding (`overlap-patch-embed.ts`) and blocks of x + EfficientSelfAttention(LN(x)),
 *   x + MixFFN(LN(x)), then a layer norm; no positional encoding (Mix-FFN's depthwise conv gives it);
 * - all-MLP decoder: each stage's features linearly projected to `decoderDim` channels (1×1 convs),
 *   up-sampled bilinearly to stride 4, concatenated, fused by a linear layer + ReLU, classified by a
 *   linear layer, and up-sampled ×4 (bilinear) to the input size.
 *
 * Input `[B, H, W, inChannels]` → logits `[B, H, W, outChannels]`.
 */
export function buildSegFormer(options: SegFormerOptions = {}): tf.LayersModel {
  const inChannels = options.inChannels ?? 1;
  const outChannels = options.outChannels ?? 1;
  const dims = options.dims ?? [16, 32, 64, 128];
  const heads = options.heads ?? [1, 2, 4, 8];
  const reductions = options.reductions ?? [8, 4, 2, 1];
  const depths = options.depths ?? [1, 1, 1, 1];
  const mlpRatio = options.mlpRatio ?? 4;
  const decoderDim = options.decoderDim ?? 64;
  const seeds: SeedCounter = { seed: options.seed ?? 0, next: 0 };
  const [h, w] = options.inputSize ?? [null, null];
  const stages = dims.length;
  for (const [field, list] of [['heads', heads], ['reductions', reductions], ['depths', depths]] as const) {
    if (list.length !== stages) throw new DetsegInputError(`needs ${stages} entries (one per stage, as dims), got ${list.length}`, { field: `buildSegFormer: ${field}` });
  }
  dims.forEach((d, i) => {
    if (!Number.isInteger(d) || d < 1 || !Number.isInteger(heads[i]) || heads[i] < 1 || d % heads[i] !== 0) throw new DetsegInputError(`stage ${i}: dim ${d} must be a positive multiple of heads ${heads[i]}`, { field: 'buildSegFormer: dims' });
  });
  const multiple = segformerMultiple({ dims, reductions });
  if (h !== null && (h % multiple !== 0 || (w as number) % multiple !== 0)) throw new DetsegInputError(`must be divisible by ${multiple}, got ${h}×${w}`, { field: 'buildSegFormer: inputSize' });

  const input = tf.input({ shape: [h, w, inChannels], name: 'image' }); // [B, H, W, Cin]
  const features: tf.SymbolicTensor[] = [];
  let x: tf.SymbolicTensor = input;
  for (let s = 0; s < stages; s++) {
    x = overlapPatchEmbed(x, dims[s], s === 0 ? 7 : 3, s === 0 ? 4 : 2, `stage${s}_embed`, seeds); // [B, H/(4·2^s), ., d_s]
    for (let k = 0; k < depths[s]; k++) {
      const name = `stage${s}_block${k}`;
      const norm1 = new LayerNorm(`${name}_norm1`).apply(x) as tf.SymbolicTensor;
      const attended = new EfficientSelfAttention(dims[s], heads[s], reductions[s], seeds, `${name}_attn`).apply(norm1) as tf.SymbolicTensor;
      x = tf.layers.add({ name: `${name}_add1` }).apply([x, attended]) as tf.SymbolicTensor;
      const norm2 = new LayerNorm(`${name}_norm2`).apply(x) as tf.SymbolicTensor;
      x = tf.layers.add({ name: `${name}_add2` }).apply([x, mixFfn(norm2, dims[s], mlpRatio, `${name}_ffn`, seeds)]) as tf.SymbolicTensor;
    }
    x = new LayerNorm(`stage${s}_norm`).apply(x) as tf.SymbolicTensor;
    features.push(x);
  }

  // all-MLP decoder
  const projected = features.map((f, s) => {
    const p = tf.layers.conv2d({ filters: decoderDim, kernelSize: 1, name: `decoder_proj${s}`, kernelInitializer: seededInitializer(seeds) }).apply(f) as tf.SymbolicTensor;
    return s === 0 ? p : (tf.layers.upSampling2d({ size: [1 << s, 1 << s], interpolation: 'bilinear', name: `decoder_up${s}` }).apply(p) as tf.SymbolicTensor); // [B, H/4, W/4, D]
  });
  let y = tf.layers.concatenate({ axis: -1, name: 'decoder_concat' }).apply(projected) as tf.SymbolicTensor; // [B, H/4, W/4, stages·D]
  y = tf.layers.conv2d({ filters: decoderDim, kernelSize: 1, activation: 'relu', name: 'decoder_fuse', kernelInitializer: seededInitializer(seeds) }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ filters: outChannels, kernelSize: 1, name: 'classifier', kernelInitializer: seededInitializer(seeds) }).apply(y) as tf.SymbolicTensor;
  const logits = tf.layers.upSampling2d({ size: [4, 4], interpolation: 'bilinear', name: 'decoder_up_final' }).apply(y) as tf.SymbolicTensor; // [B, H, W, K]
  return tf.model({ inputs: input, outputs: logits, name: 'segformer' });
}
