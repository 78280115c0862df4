import * as tf from '@tensorflow/tfjs';
import { buildBackbone, type Backbone, type BackboneOptions } from '../backbone/backbone.js';
import type { Detector } from '../detection/detector.js';
import type { GraphDetector, GraphOutput, GraphResults, GraphTensor, NetworkGraph } from '../detection/network-graph.js';
import type { DetectionTarget, Detections, LossValues } from '../detection/types.js';
import { multiHeadAttention, multiHeadAttentionGraph, type AttentionGraphWeights, type AttentionWeights } from './attention.js';
import { clipByGlobalNorm } from './clip-by-global-norm.js';
import { layerNorm } from './layer-norm.js';
import { linear } from './linear.js';
import type { SetTarget } from './matcher.js';
import { buildParameters, type ParameterSpec, type Parameters } from './parameters.js';
import { pickRows } from './pick-rows.js';
import { sinePointEncoding, sinePointEncodingLinear, sinePositionalEncoding } from './positional-encoding.js';
import { selectProposals, selectProposalsGraph } from './proposal-selection.js';
import { setLoss } from './set-loss.js';

/** Options of {@link DetrNet}. */
export interface DetrOptions {
  /** Object classes C (default 3); the class head has C + 1 outputs, the last one "no object". */
  numClasses?: number;
  /** Training input side in pixels (default 128); any multiple of the stride is accepted. */
  imageSize?: number;
  backbone?: BackboneOptions;
  /** Transformer width d (default 64, a multiple of 4 and of `heads`). */
  d?: number;
  /** Attention heads (default 4). */
  heads?: number;
  /** Encoder layers (default 2). */
  encoderLayers?: number;
  /** Decoder layers (default 2). */
  decoderLayers?: number;
  /** Hidden width of the feed-forward blocks (default 2·d). */
  feedforward?: number;
  /** Object queries N: the most objects one image can yield (default 16). */
  queries?: number;
  /** Matching and loss weight of the class term (default 1). */
  classCost?: number;
  /** Matching and loss weight of the L1 box term (default 5). */
  bboxCost?: number;
  /** Matching and loss weight of the GIoU term (default 2). */
  giouCost?: number;
  /** Cross-entropy weight of "no object" (default 0.1). */
  noObjectWeight?: number;
  /** Losses on every decoder layer (default true), each matched on its own. */
  auxLoss?: boolean;
  /** Gradient clipping by global norm (default 0.1; 0: none). */
  clipNorm?: number;
  /** Decoupled weight decay applied after each step, w ← w − lr·wd·w (default 1e-4; AdamW's). */
  weightDecay?: number;
  /**
   * Anchor points (Wang et al. 2022, "Anchor DETR"; default false): query q owns a fixed point a_q of a
   * ⌈√N⌉-column grid over the image; its positional embedding adds a learned projection of a_q's sine
   * encoding to the learned query embedding, and its box centre is an offset from a_q in logit space
   * (cx = σ(δx + logit a_x)). Each query starts out responsible for one region, so the Hungarian
   * matching is stable from the first steps instead of reshuffling queries and objects.
   */
  anchorPoints?: boolean;
  /**
   * Two-stage queries (Zhu et al. 2021, "Deformable DETR", and the query selection of DINO; default
   * false; not with `anchorPoints`): every encoder cell predicts a class and a box (σ(δ + logit of a
   * box of side `proposalSize` centred on the cell)), trained with the same set loss as the decoder;
   * the N cells with the most probable real class become the queries. Each starts from its cell's
   * memory (content, through `proposal_content`) and the sine encoding of its box centre (position,
   * through `proposal_proj`), and predicts its box as an offset from the proposal in logit space. The
   * decoder starts where the encoder already sees objects instead of from N learned guesses.
   */
  twoStage?: boolean;
  /** Side of the encoder cells' initial boxes as a fraction of the image (default 0.15; `twoStage`). */
  proposalSize?: number;
  /**
   * Proposal suppression (`twoStage`; default none): a cell whose box overlaps a better cell's box by
   * IoU above this threshold ranks after every cell that does not (Fast NMS, see `selectProposals`),
   * so the queries start on different objects. With two decoder layers the queries cannot remove the
   * duplicates that neighbouring cells of one object propose. The detections themselves get no NMS.
   */
  proposalNms?: number;
  /**
   * Backbone frozen (default false): its weights get no gradient and its batch norm keeps its running
   * statistics, as when it comes from a detector already trained on the same images (`--weights`).
   */
  frozenBackbone?: boolean;
  /**
   * Every (query, real class) pair is a detection scored by its probability, the top `maxDetections`
   * kept (default false: each query's most probable real class only). A query unsure between two
   * classes then yields both, as in Deformable DETR's post-processing.
   */
  pairDetections?: boolean;
  /** Detections kept per image, the top ones by score (default: all queries, or all N·C pairs with `pairDetections`). */
  maxDetections?: number;
  seed?: number;
}

/** Per decoder layer: class logits `[B, N, C+1]`, boxes `[B, N, 4]` (cx, cy, w, h) / image, and the cross-attention `[B, heads, N, h·w]`. */
export interface DetrOutputs {
  logits: tf.Tensor3D[];
  boxes: tf.Tensor3D[];
  crossAttention: tf.Tensor4D[];
  /** With `twoStage`: every encoder cell's class logits `[B, h·w, C+1]` and box `[B, h·w, 4]`, and the cells chosen as queries `Int32Array [B, N]`. */
  encoder?: { logits: tf.Tensor3D; boxes: tf.Tensor3D; cells: Int32Array };
  /** Feature-map size (cells) the cross-attention rows index, row-major. */
  featureHeight: number;
  featureWidth: number;
}

const ATTENTION = ['wq', 'bq', 'wk', 'bk', 'wv', 'bv', 'wo', 'bo'] as const;

/** log(v / (1 − v)), the inverse of the sigmoid. */
function logit(v: number): number {
  return Math.log(v / (1 - v));
}

/**
 * DETR (Carion et al. 2020, "End-to-end object detection with transformers"): detection as direct set
 * prediction. A CNN backbone gives a stride-s feature map, a 1×1 projection brings it to d channels,
 * a transformer encoder (self-attention + feed-forward, post-norm, with 2-D sine positional encodings
 * added to queries and keys) mixes it globally, and a decoder turns N learned object queries into N
 * predictions by self-attention among them and cross-attention to the encoder's memory. Each query
 * yields a class over C + 1 ("no object" last) and a box (cx, cy, w, h) through a sigmoid, as
 * fractions of the image. Training matches predictions to objects one-to-one (Hungarian matching,
 * `set-loss.ts`), with the same loss on every decoder layer; inference needs no NMS: each query's
 * most probable real class and its probability are a detection.
 *
 * Losses (torchvision-style names, summed over the decoder layers and, with `twoStage`, the encoder's
 * proposals): `loss_ce` (weighted cross-entropy × classCost), `loss_bbox` (L1 × bboxCost), `loss_giou`
 * ((1 − GIoU) × giouCost).
 */
export class DetrNet implements Detector, GraphDetector {
  readonly numClasses: number;
  readonly backbone: Backbone;
  readonly params: Parameters;
  readonly d: number;
  readonly heads: number;
  readonly encoderLayers: number;
  readonly decoderLayers: number;
  readonly queries: number;
  private readonly positions = new Map<string, tf.Tensor3D>();

  constructor(readonly options: DetrOptions = {}) {
    const seed = options.seed ?? 0;
    this.numClasses = options.numClasses ?? 3;
    this.d = options.d ?? 64;
    this.heads = options.heads ?? 4;
    this.encoderLayers = options.encoderLayers ?? 2;
    this.decoderLayers = options.decoderLayers ?? 2;
    this.queries = options.queries ?? 16;
    const d = this.d;
    if (d % 4 !== 0 || d % this.heads !== 0) throw new RangeError(`DetrNet: d = ${d} must be a multiple of 4 and of heads = ${this.heads}`);
    if (this.decoderLayers < 1) throw new RangeError('DetrNet: needs at least one decoder layer');
    if (options.twoStage && options.anchorPoints) throw new RangeError('DetrNet: twoStage and anchorPoints are two ways to place the queries; choose one');
    const nms = options.proposalNms;
    if (nms !== undefined && (typeof nms !== 'number' || !(nms >= 0 && nms <= 1))) throw new RangeError(`DetrNet: proposalNms must be an IoU threshold in [0, 1], got ${JSON.stringify(nms)}`);
    if (nms !== undefined && !options.twoStage) throw new RangeError('DetrNet: proposalNms chooses among the two-stage proposals; it needs twoStage');
    const ff = options.feedforward ?? 2 * d;
    this.backbone = buildBackbone({ seed, ...options.backbone });
    let next = 0;
    const glorot = () => tf.initializers.glorotUniform({ seed: ((seed + 11) * 1000 + next++) >>> 0 });
    const specs: ParameterSpec[] = [];
    const dense = (name: string, fanIn: number, fanOut: number) => {
      specs.push({ name: `${name}_w`, shape: [fanIn, fanOut], initializer: glorot() }, { name: `${name}_b`, shape: [fanOut], initializer: tf.initializers.zeros() });
    };
    const norm = (name: string) => {
      specs.push({ name: `${name}_gamma`, shape: [d], initializer: tf.initializers.ones() }, { name: `${name}_beta`, shape: [d], initializer: tf.initializers.zeros() });
    };
    const attention = (name: string) => {
      for (const p of ATTENTION) specs.push({ name: `${name}_${p}`, shape: p.startsWith('w') ? [d, d] : [d], initializer: p.startsWith('w') ? glorot() : tf.initializers.zeros() });
    };
    dense('input_proj', this.backbone.channels, d);
    for (let l = 0; l < this.encoderLayers; l++) {
      attention(`enc${l}_self`);
      norm(`enc${l}_norm1`);
      dense(`enc${l}_ffn1`, d, ff);
      dense(`enc${l}_ffn2`, ff, d);
      norm(`enc${l}_norm2`);
    }
    for (let l = 0; l < this.decoderLayers; l++) {
      attention(`dec${l}_self`);
      norm(`dec${l}_norm1`);
      attention(`dec${l}_cross`);
      norm(`dec${l}_norm2`);
      dense(`dec${l}_ffn1`, d, ff);
      dense(`dec${l}_ffn2`, ff, d);
      norm(`dec${l}_norm3`);
    }
    norm('dec_norm');
    if (!options.twoStage) specs.push({ name: 'query_embed', shape: [this.queries, d], initializer: tf.initializers.randomNormal({ mean: 0, stddev: 1, seed: ((seed + 13) * 1000) >>> 0 }) });
    dense('class_embed', d, this.numClasses + 1);
    dense('bbox_embed0', d, d);
    dense('bbox_embed1', d, d);
    dense('bbox_embed2', d, 4);
    if (options.anchorPoints) dense('anchor_proj', d, d);
    if (options.twoStage) {
      dense('enc_class', d, this.numClasses + 1);
      dense('enc_bbox0', d, d);
      dense('enc_bbox1', d, d);
      dense('enc_bbox2', d, 4);
      dense('proposal_proj', d, d);
      dense('proposal_content', d, d);
    }
    this.params = buildParameters(specs, 'detr_transformer');
  }

  /**
   * The anchor points `Float32Array [N,2]` (x, y) as fractions of the image: cell centres of a grid of
   * ⌈√N⌉ columns and ⌈N / columns⌉ rows, filled row by row.
   */
  anchorPoints(): Float32Array {
    const n = this.queries;
    const cols = Math.ceil(Math.sqrt(n));
    const rows = Math.ceil(n / cols);
    const points = new Float32Array(2 * n);
    for (let q = 0; q < n; q++) points.set([((q % cols) + 0.5) / cols, (Math.floor(q / cols) + 0.5) / rows], 2 * q);
    return points;
  }

  /** What the anchors add: their sine encodings `[N, d]` and the box logits' offsets `[N, 4]` (logit a_x, logit a_y, 0, 0). */
  private anchorConstants(): { encoding: Float32Array; offsets: Float32Array } {
    const points = this.anchorPoints();
    const offsets = new Float32Array(4 * this.queries);
    for (let q = 0; q < this.queries; q++) {
      const [x, y] = points.subarray(2 * q, 2 * q + 2);
      offsets.set([logit(x), logit(y)], 4 * q);
    }
    return { encoding: sinePointEncoding(points, this.d), offsets };
  }

  get stride(): number {
    return this.backbone.stride;
  }

  models(): tf.LayersModel[] {
    return [this.backbone.model, this.params.model];
  }

  private p(name: string): tf.Tensor {
    return this.params.get(name);
  }

  private attentionWeights(name: string): AttentionWeights {
    return Object.fromEntries(ATTENTION.map((k) => [k, this.p(`${name}_${k}`)])) as unknown as AttentionWeights;
  }

  private dense(x: tf.Tensor, name: string): tf.Tensor {
    return linear(x, this.p(`${name}_w`) as tf.Tensor2D, this.p(`${name}_b`) as tf.Tensor1D);
  }

  private norm(x: tf.Tensor, name: string): tf.Tensor {
    return layerNorm(x, this.p(`${name}_gamma`) as tf.Tensor1D, this.p(`${name}_beta`) as tf.Tensor1D);
  }

  private ffn(x: tf.Tensor, name: string): tf.Tensor {
    return this.dense(tf.relu(this.dense(x, `${name}_ffn1`)), `${name}_ffn2`);
  }

  /**
   * The encoder's proposals (`twoStage`): per cell of the h × w memory `[B, h·w, d]`, class logits
   * `[B, h·w, C+1]` and a box `[B, h·w, 4]` = σ(MLP(memory) + logit of a `proposalSize` box centred on
   * the cell); per image the N cells whose best real class is most probable (`cells: Int32Array [B, N]`,
   * most probable first; with `proposalNms`, overlapping cells after the others: `selectProposals`)
   * give the queries: content `[B, N, d]` = proposal_content(memory of the cell), position
   * `[B, N, d]` = proposal_proj(sine encoding of the box centre), and the logits of their
   * boxes `[B, N, 4]` as the offsets of the decoder's boxes. The choice and the boxes are not
   * differentiated (the encoder's boxes learn from their own loss); the content is.
   */
  private proposals(memory: tf.Tensor3D, h: number, w: number): { logits: tf.Tensor3D; boxes: tf.Tensor3D; cells: Int32Array; content: tf.Tensor3D; queryPos: tf.Tensor3D; offsets: tf.Tensor3D } {
    const [batch, hw, d] = memory.shape;
    const n = this.queries, c = this.numClasses;
    if (n > hw) throw new RangeError(`DetrNet: ${n} queries from a ${h}×${w} memory; twoStage needs at most one query per cell`);
    const logits = this.dense(memory, 'enc_class') as tf.Tensor3D; // [B, h·w, C+1]
    const base = this.proposalBase(h, w);
    const delta = this.dense(tf.relu(this.dense(tf.relu(this.dense(memory, 'enc_bbox0')), 'enc_bbox1')), 'enc_bbox2'); // [B, h·w, 4]
    const boxes = tf.sigmoid(tf.add(delta, tf.tensor3d(base, [1, hw, 4]))) as tf.Tensor3D; // [B, h·w, 4]
    const probabilities = tf.tidy(() => tf.softmax(logits).dataSync() as Float32Array); // [B·h·w·(C+1)]
    const boxValues = boxes.dataSync() as Float32Array; // [B·h·w·4]
    const cells = new Int32Array(batch * n);
    const points = new Float32Array(2 * batch * n);
    const offsets = new Float32Array(4 * batch * n);
    const clamp = (v: number) => Math.min(Math.max(v, 1e-4), 1 - 1e-4);
    const score = new Float32Array(hw);
    for (let b = 0; b < batch; b++) {
      for (let k = 0; k < hw; k++) {
        let best = 0;
        for (let t = 0; t < c; t++) best = Math.max(best, probabilities[(b * hw + k) * (c + 1) + t]);
        score[k] = best;
      }
      const chosen = selectProposals(score, boxValues.subarray(4 * b * hw, 4 * (b + 1) * hw), n, this.options.proposalNms);
      for (let q = 0; q < n; q++) {
        const k = chosen[q], r = b * n + q;
        cells[r] = k;
        const box = boxValues.subarray(4 * (b * hw + k), 4 * (b * hw + k) + 4);
        points.set([box[0], box[1]], 2 * r);
        offsets.set(Array.from(box, (v) => logit(clamp(v))), 4 * r);
      }
    }
    const picked = pickRows(tf.reshape(memory, [batch * hw, d]), Array.from(cells, (k, r) => Math.floor(r / n) * hw + k)); // [B·N, d]
    const content = tf.reshape(this.dense(picked, 'proposal_content'), [batch, n, d]) as tf.Tensor3D;
    const queryPos = tf.reshape(this.dense(tf.tensor2d(sinePointEncoding(points, d), [batch * n, d]), 'proposal_proj'), [batch, n, d]) as tf.Tensor3D;
    return { logits, boxes, cells, content, queryPos, offsets: tf.tensor3d(offsets, [batch, n, 4]) };
  }

  /** Logits `Float32Array [h·w, 4]` of the cells' initial boxes (`twoStage`): centred on the cell, side `proposalSize`. */
  private proposalBase(h: number, w: number): Float32Array {
    const side = this.options.proposalSize ?? 0.15;
    const base = new Float32Array(4 * h * w);
    for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) base.set([logit((j + 0.5) / w), logit((i + 0.5) / h), logit(side), logit(side)], 4 * (i * w + j));
    return base;
  }

  /** The sine positional encoding `[1, h·w, d]` of an h × w map (kept: it is a constant). */
  private position(h: number, w: number): tf.Tensor3D {
    const key = `${h}x${w}`;
    let pos = this.positions.get(key);
    if (!pos) {
      pos = tf.keep(tf.tensor3d(sinePositionalEncoding(h, w, this.d), [1, h * w, this.d]));
      this.positions.set(key, pos);
    }
    return pos;
  }

  /** The forward pass: every decoder layer's predictions (see {@link DetrOutputs}). */
  outputs(images: tf.Tensor4D, training: boolean): DetrOutputs {
    const features = this.backbone.model.apply(images, { training: training && !this.options.frozenBackbone }) as tf.Tensor4D; // [B, h, w, Cb]
    const [batch, h, w, cb] = features.shape;
    const pos = this.position(h, w); // [1, h·w, d]
    let src = this.dense(tf.reshape(features, [batch, h * w, cb]), 'input_proj') as tf.Tensor3D; // [B, h·w, d]
    for (let l = 0; l < this.encoderLayers; l++) {
      const qk = tf.add(src, pos) as tf.Tensor3D;
      src = this.norm(tf.add(src, multiHeadAttention(qk, qk, src, this.attentionWeights(`enc${l}_self`), this.heads).output), `enc${l}_norm1`) as tf.Tensor3D;
      src = this.norm(tf.add(src, this.ffn(src, `enc${l}`)), `enc${l}_norm2`) as tf.Tensor3D;
    }
    const memory = src;
    const memoryKey = tf.add(memory, pos) as tf.Tensor3D;
    const out: DetrOutputs = { logits: [], boxes: [], crossAttention: [], featureHeight: h, featureWidth: w };
    let queryPos: tf.Tensor3D; // [B, N, d]
    let tgt: tf.Tensor3D; // [B, N, d]
    let boxOffsets: tf.Tensor3D | undefined; // [1 or B, N, 4]
    if (this.options.twoStage) {
      const proposals = this.proposals(memory, h, w);
      out.encoder = { logits: proposals.logits, boxes: proposals.boxes, cells: proposals.cells };
      queryPos = proposals.queryPos;
      tgt = proposals.content;
      boxOffsets = proposals.offsets;
    } else {
      const anchors = this.options.anchorPoints ? this.anchorConstants() : undefined;
      let queryEmbed = this.p('query_embed') as tf.Tensor2D; // [N, d]
      if (anchors) queryEmbed = tf.add(queryEmbed, this.dense(tf.tensor2d(anchors.encoding, [this.queries, this.d]), 'anchor_proj')) as tf.Tensor2D;
      boxOffsets = anchors ? tf.tensor3d(anchors.offsets, [1, this.queries, 4]) : undefined;
      queryPos = tf.tile(tf.expandDims(queryEmbed, 0), [batch, 1, 1]) as tf.Tensor3D;
      tgt = tf.zerosLike(queryPos) as tf.Tensor3D;
    }
    for (let l = 0; l < this.decoderLayers; l++) {
      const qk = tf.add(tgt, queryPos) as tf.Tensor3D;
      tgt = this.norm(tf.add(tgt, multiHeadAttention(qk, qk, tgt, this.attentionWeights(`dec${l}_self`), this.heads).output), `dec${l}_norm1`) as tf.Tensor3D;
      const cross = multiHeadAttention(tf.add(tgt, queryPos) as tf.Tensor3D, memoryKey, memory, this.attentionWeights(`dec${l}_cross`), this.heads);
      tgt = this.norm(tf.add(tgt, cross.output), `dec${l}_norm2`) as tf.Tensor3D;
      tgt = this.norm(tf.add(tgt, this.ffn(tgt, `dec${l}`)), `dec${l}_norm3`) as tf.Tensor3D;
      const hs = this.norm(tgt, 'dec_norm');
      out.logits.push(this.dense(hs, 'class_embed') as tf.Tensor3D);
      const hidden = tf.relu(this.dense(tf.relu(this.dense(hs, 'bbox_embed0')), 'bbox_embed1'));
      const boxLogits = this.dense(hidden, 'bbox_embed2'); // [B, N, 4]
      out.boxes.push(tf.sigmoid(boxOffsets ? tf.add(boxLogits, boxOffsets) : boxLogits) as tf.Tensor3D);
      out.crossAttention.push(cross.attention);
    }
    return out;
  }

  /** Targets in the model's units: class indices 0..C−1 and (cx, cy, w, h) as fractions of the image. */
  setTargets(targets: DetectionTarget[], width: number, height: number): SetTarget[] {
    return targets.map((t) => {
      const m = t.labels.length;
      const boxes = new Float32Array(4 * m);
      for (let j = 0; j < m; j++) {
        const [x1, y1, x2, y2] = t.boxes.subarray(4 * j, 4 * j + 4);
        boxes.set([(x1 + x2) / 2 / width, (y1 + y2) / 2 / height, (x2 - x1) / width, (y2 - y1) / height], 4 * j);
      }
      return { labels: t.labels.map((l) => l - 1), boxes };
    });
  }

  forwardTrain(images: tf.Tensor4D, targets: DetectionTarget[]): Record<string, tf.Scalar> {
    const [, height, width] = images.shape;
    const t = this.setTargets(targets, width, height);
    const o = this.options;
    const out = this.outputs(images, true);
    const first = o.auxLoss === false ? this.decoderLayers - 1 : 0;
    const ce: tf.Scalar[] = [], l1: tf.Scalar[] = [], giou: tf.Scalar[] = [];
    const predictions = out.logits.map((logits, l) => ({ logits, boxes: out.boxes[l] })).slice(first);
    if (out.encoder) predictions.push({ logits: out.encoder.logits, boxes: out.encoder.boxes });
    for (const { logits, boxes } of predictions) {
      const terms = setLoss(logits, boxes, t, o);
      ce.push(terms.ce);
      l1.push(terms.l1);
      giou.push(terms.giou);
    }
    return {
      loss_ce: tf.mul(tf.addN(ce), o.classCost ?? 1) as tf.Scalar,
      loss_bbox: tf.mul(tf.addN(l1), o.bboxCost ?? 5) as tf.Scalar,
      loss_giou: tf.mul(tf.addN(giou), o.giouCost ?? 2) as tf.Scalar,
    };
  }

  /** Trainable variables: the backbone's (unless frozen) and the transformer's. */
  variables(): tf.Variable[] {
    const models = this.options.frozenBackbone ? [this.params.model] : this.models();
    return models.flatMap((m) => m.trainableWeights.map((w) => w.read() as tf.Variable));
  }

  /**
   * One step: gradients of the summed losses, clipped by global norm (`clipNorm`), applied by the
   * optimizer, then AdamW's decoupled weight decay w ← w − lr·wd·w with the optimizer's current
   * learning rate (tfjs has no AdamW; Adam plus this decay is the same update).
   */
  trainStep(optimizer: tf.Optimizer, images: tf.Tensor4D, targets: DetectionTarget[]): LossValues {
    const variables = this.variables();
    const values: LossValues = {};
    const { value, grads } = tf.variableGrads(() => {
      const named = this.forwardTrain(images, targets);
      for (const [name, t] of Object.entries(named)) values[name] = t.dataSync()[0];
      return tf.addN(Object.values(named)) as tf.Scalar;
    }, variables);
    values.loss = value.dataSync()[0];
    value.dispose();
    const maxNorm = this.options.clipNorm ?? 0.1;
    if (maxNorm > 0) {
      const clipped = clipByGlobalNorm(grads, maxNorm);
      optimizer.applyGradients(clipped.grads);
      tf.dispose(clipped.grads);
    } else optimizer.applyGradients(grads);
    tf.dispose(grads);
    const wd = this.options.weightDecay ?? 1e-4;
    const lr = (optimizer as unknown as { learningRate?: number }).learningRate;
    if (wd > 0 && typeof lr === 'number') tf.tidy(() => variables.forEach((v) => v.assign(tf.mul(v, 1 - lr * wd))));
    return values;
  }

  predict(images: tf.Tensor4D): Detections[] {
    const [batch, height, width] = images.shape;
    const [probabilities, boxes] = tf.tidy(() => {
      const out = this.outputs(images, false);
      const last = this.decoderLayers - 1;
      return [tf.softmax(out.logits[last]).dataSync() as Float32Array, out.boxes[last].dataSync() as Float32Array];
    });
    return this.detectionsFrom(probabilities, boxes, batch, width, height);
  }

  /**
   * The inference forward pass as a graph (for export), the last decoder layer's predictions only:
   * `class_probabilities [B, N, C+1]` (softmax, "no object" last) and `boxes [B, N, 4]` (cx, cy, w, h as
   * fractions of the image). The transformer's parameters and the positional encoding of the
   * `imgsz / stride` map are constants; the object queries (and the decoder's zero start) have batch 1
   * and broadcast against the images'. With `twoStage` the queries are chosen in the graph as
   * `proposals()` chooses them (`selectProposalsGraph`: TopK of the cells' best real class, with
   * `proposalNms` the overlapping cells after the others; their rows gathered).
   */
  networkGraph(net: NetworkGraph, images: GraphTensor, imgsz: number): { outputs: GraphOutput[]; postprocess: Record<string, unknown> } {
    const d = this.d, n = this.queries;
    const h = imgsz / this.stride, w = h, cb = this.backbone.channels;
    const constants = new Map<string, GraphTensor>();
    const p = (name: string, shape?: number[]) => {
      let v = constants.get(name);
      if (!v) {
        const t = this.p(name);
        v = net.constant(name, t.dataSync() as Float32Array, shape ?? t.shape);
        constants.set(name, v);
      }
      return v;
    };
    const dense = (x: GraphTensor, name: string) => net.add(net.matMul(x, p(`${name}_w`)), p(`${name}_b`));
    const norm = (x: GraphTensor, name: string) => net.layerNorm(x, p(`${name}_gamma`), p(`${name}_beta`), 1e-5);
    const ffn = (x: GraphTensor, name: string) => dense(net.relu(dense(x, `${name}_ffn1`)), `${name}_ffn2`);
    const attention = (q: GraphTensor, k: GraphTensor, v: GraphTensor, name: string) =>
      multiHeadAttentionGraph(net, q, k, v, Object.fromEntries(ATTENTION.map((key) => [key, p(`${name}_${key}`)])) as AttentionGraphWeights, this.heads, d);
    const [features] = net.layers(this.backbone.model, [images]); // [B, h, w, Cb]
    const pos = net.constant('position', sinePositionalEncoding(h, w, d), [1, h * w, d]);
    let src = dense(net.reshape(features, [0, h * w, cb]), 'input_proj'); // [B, h·w, d]
    for (let l = 0; l < this.encoderLayers; l++) {
      const qk = net.add(src, pos);
      src = norm(net.add(src, attention(qk, qk, src, `enc${l}_self`)), `enc${l}_norm1`);
      src = norm(net.add(src, ffn(src, `enc${l}`)), `enc${l}_norm2`);
    }
    const memory = src;
    const memoryKey = net.add(memory, pos);
    let queryPos: GraphTensor, tgt: GraphTensor; // [1 or B, N, d]
    let offsets: GraphTensor | undefined; // [1 or B, N, 4]
    if (this.options.twoStage) {
      // the proposals as `proposals()` computes them: the top-N cells by their best real class
      const probabilities = net.softmax(dense(memory, 'enc_class'), -1); // [B, h·w, C+1]
      const encBoxes = net.sigmoid(net.add(dense(net.relu(dense(net.relu(dense(memory, 'enc_bbox0')), 'enc_bbox1')), 'enc_bbox2'), net.constant('proposal_base', this.proposalBase(h, w), [1, h * w, 4]))); // [B, h·w, 4]
      const score = net.reduceMax(net.slice(probabilities, 2, 0, this.numClasses)); // [B, h·w]
      const [refs, content] = selectProposalsGraph(net, score, encBoxes, [encBoxes, memory], h * w, n, this.options.proposalNms); // [B, N, 4], [B, N, d]
      const { frequencies, phases } = sinePointEncodingLinear(d);
      queryPos = dense(net.sin(net.add(net.matMul(net.slice(refs, 2, 0, 2), net.constant('point_frequencies', frequencies, [2, d])), net.constant('point_phases', phases, [d]))), 'proposal_proj');
      tgt = dense(content, 'proposal_content');
      // logit(r) = log r − log(1 − r) of the clamped reference boxes
      const clamped = net.clip(refs, 1e-4, 1 - 1e-4);
      offsets = net.sub(net.log(clamped), net.log(net.sub(net.constant('one', [1], []), clamped)));
    } else {
      const anchors = this.options.anchorPoints ? this.anchorConstants() : undefined;
      queryPos = anchors ? net.add(p('query_embed', [1, n, d]), dense(net.constant('anchor_encoding', anchors.encoding, [1, n, d]), 'anchor_proj')) : p('query_embed', [1, n, d]);
      tgt = net.constant('decoder_start', new Float32Array(n * d), [1, n, d]);
      if (anchors) offsets = net.constant('anchor_offsets', anchors.offsets, [1, n, 4]);
    }
    for (let l = 0; l < this.decoderLayers; l++) {
      const qk = net.add(tgt, queryPos);
      tgt = norm(net.add(tgt, attention(qk, qk, tgt, `dec${l}_self`)), `dec${l}_norm1`);
      tgt = norm(net.add(tgt, attention(net.add(tgt, queryPos), memoryKey, memory, `dec${l}_cross`)), `dec${l}_norm2`);
      tgt = norm(net.add(tgt, ffn(tgt, `dec${l}`)), `dec${l}_norm3`);
    }
    const hs = norm(tgt, 'dec_norm');
    const hidden = net.relu(dense(net.relu(dense(hs, 'bbox_embed0')), 'bbox_embed1'));
    return {
      outputs: [
        { name: 'class_probabilities', value: net.softmax(dense(hs, 'class_embed'), -1), dims: ['batch', n, this.numClasses + 1] },
        { name: 'boxes', value: net.sigmoid(offsets ? net.add(dense(hidden, 'bbox_embed2'), offsets) : dense(hidden, 'bbox_embed2')), dims: ['batch', n, 4] },
      ],
      postprocess: {
        detr: {
          queries: n,
          box: 'cx, cy, w, h as fractions of the image side',
          detection: this.options.pairDetections
            ? "every (query, real class) pair ('no object', the last class, left out) scored by its probability; the best maxDetections pairs by score, no NMS"
            : "per query: the most probable real class (the last, 'no object', is left out) and its probability; the best maxDetections queries by score, no NMS",
          maxDetections: this.detectionCount().keep,
        },
      },
    };
  }

  /** Detections from the graph's `class_probabilities [B, N, C+1]` and `boxes [B, N, 4]` of `batch` `width × height` images. */
  detectionsFromGraph(outputs: GraphResults, batch: number, width: number, height: number): Detections[] {
    return this.detectionsFrom(outputs.class_probabilities.data, outputs.boxes.data, batch, width, height);
  }

  /** Candidates per image (N queries, or N·C query-class pairs with `pairDetections`) and how many are kept (`maxDetections`). */
  private detectionCount(): { candidates: number; keep: number } {
    const candidates = this.queries * (this.options.pairDetections ? this.numClasses : 1);
    return { candidates, keep: Math.min(candidates, this.options.maxDetections ?? candidates) };
  }

  /**
   * Per image: each query's most probable real class and its probability (with `pairDetections`: every
   * (query, real class) pair), the best `maxDetections` by score (ties: lower query, then lower class
   * first), boxes to pixels (clipped).
   */
  private detectionsFrom(probabilities: Float32Array, boxes: Float32Array, batch: number, width: number, height: number): Detections[] {
    const n = this.queries, c = this.numClasses;
    if (probabilities.length !== batch * n * (c + 1) || boxes.length !== 4 * batch * n) throw new Error(`DETR: ${probabilities.length} probabilities and ${boxes.length} box values for ${batch} image(s) of ${n} queries`);
    const pairs = this.options.pairDetections ?? false;
    const { candidates, keep } = this.detectionCount();
    const clip = (v: number, hi: number) => Math.min(Math.max(v, 0), hi);
    const result: Detections[] = [];
    for (let b = 0; b < batch; b++) {
      // candidate i: query ⌊i / c⌋ with class i mod c (pairs), or query i with its best class
      const score = new Float32Array(candidates);
      const query = new Int32Array(candidates);
      const label = new Int32Array(candidates);
      for (let q = 0; q < n; q++) {
        const row = (b * n + q) * (c + 1);
        if (pairs) {
          for (let k = 0; k < c; k++) [score[q * c + k], query[q * c + k], label[q * c + k]] = [probabilities[row + k], q, k + 1];
          continue;
        }
        let best = 0;
        for (let k = 1; k < c; k++) if (probabilities[row + k] > probabilities[row + best]) best = k;
        [score[q], query[q], label[q]] = [probabilities[row + best], q, best + 1];
      }
      const order = Array.from({ length: candidates }, (_, i) => i).sort((x, y) => score[y] - score[x] || x - y).slice(0, keep);
      const det: Detections = { boxes: new Float32Array(4 * keep), labels: new Int32Array(keep), scores: new Float32Array(keep) };
      order.forEach((i, k) => {
        const q = query[i];
        const [cx, cy, w, h] = boxes.subarray(4 * (b * n + q), 4 * (b * n + q) + 4);
        det.boxes.set([clip((cx - w / 2) * width, width), clip((cy - h / 2) * height, height), clip((cx + w / 2) * width, width), clip((cy + h / 2) * height, height)], 4 * k);
        det.labels[k] = label[i];
        det.scores[k] = score[i];
      });
      result.push(det);
    }
    return result;
  }

  /** No random sampling: nothing to re-seed. */
  reseed(): void {}

  dispose(): void {
    for (const m of this.models()) m.dispose();
    for (const p of this.positions.values()) p.dispose();
    this.positions.clear();
  }
}
