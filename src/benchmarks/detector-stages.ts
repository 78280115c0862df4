import * as tf from '@tensorflow/tfjs';
import { median } from '../util/median.js';
import { GeneralizedRCNN } from '../models/detection/generalized-rcnn.js';
import { imagesToTensor } from '../models/detection/images-tensor.js';
import type { Detections } from '../models/detection/types.js';
import { syntheticData } from '../pipeline/dataset.js';
import { openRuntimeDetector, type Runtime } from '../pipeline/onnx.js';
import { prepareSample, type PreparedSample } from '../pipeline/samples.js';
import { OnnxDetector } from '../onnx/detector.js';
import { RoiBuffers } from '../roi/buffers.js';
import { DetsegInputError } from '../util/errors.js';

/**
 * Where one image's time goes in a two-stage detector (Faster / Mask R-CNN), stage by stage, on either
 * runtime: the same calls `GeneralizedRCNN.predict` and `OnnxDetector.predict` make, with a clock read
 * between them. TF.js-wasm runs its kernels synchronously, so a stage's time is its own; each network
 * stage ends by reading its outputs, as the post-processing does.
 */

/** The stages, in the order they run. */
export const DETECTOR_STAGES = ['normalise', 'image part', 'proposals', 'RoI pooling', 'box head', 'detections', 'mask pooling', 'mask head', 'mask paste'] as const;
export type DetectorStage = (typeof DETECTOR_STAGES)[number];

/** Median ms per stage over the images (stages a detector has not are absent), and of the whole image. */
export interface StageProfile {
  model: string;
  runtime: Runtime;
  images: number;
  stages: Partial<Record<DetectorStage, number>>;
  /** Median of the per-image totals (not the sum of the stage medians). */
  total: number;
  /** The detections of each timed image (those `detectPreparedWith` gives). */
  detections: Detections[];
}

class StageClock {
  private last = performance.now();
  readonly times = new Map<DetectorStage, number>();
  lap(stage: DetectorStage): void {
    const now = performance.now();
    this.times.set(stage, (this.times.get(stage) ?? 0) + now - this.last);
    this.last = now;
  }
}

/**
 * Profiles the shipped checkpoint (or file) `weights` of `kind` (faster-rcnn or mask-rcnn) on `runtime`
 * over `images` held-out synthetic images (seed 2, as `bench detectors`), one at a time after one
 * untimed image.
 */
export async function profileDetectorStages(kind: string, runtime: Runtime, weights: string | undefined, images: number): Promise<StageProfile> {
  if (kind !== 'faster-rcnn' && kind !== 'mask-rcnn') throw new DetsegInputError(`stage profiles are for faster-rcnn and mask-rcnn, got '${kind}'`, { field: 'model' });
  const detector = await openRuntimeDetector(kind, runtime, weights);
  try {
    const imgsz = detector.imgsz;
    const data = syntheticData(2, images, imgsz);
    const per = new Map<DetectorStage, number[]>();
    const totals: number[] = [];
    const detections: Detections[] = [];
    const buffers = new RoiBuffers(); // as OnnxDetector keeps its own
    for (let i = -1; i < images; i++) {
      const sample = await prepareSample(data, Math.max(i, 0), 0, { imgsz });
      const clock = new StageClock();
      const t0 = performance.now();
      const [found] = detector.model instanceof OnnxDetector ? await onnxStages(detector.model, sample, clock, buffers) : tfjsStages(detector.model as GeneralizedRCNN, sample, imgsz, clock);
      const total = performance.now() - t0;
      if (i < 0) continue;
      totals.push(total);
      detections.push(found);
      for (const [stage, ms] of clock.times) per.set(stage, [...(per.get(stage) ?? []), ms]);
    }
    const stages: Partial<Record<DetectorStage, number>> = {};
    for (const s of DETECTOR_STAGES) if (per.has(s)) stages[s] = median(per.get(s)!);
    return { model: weights ?? kind, runtime, images, stages, total: median(totals), detections };
  } finally {
    await detector.dispose();
  }
}

function tfjsStages(model: GeneralizedRCNN, sample: PreparedSample, s: number, clock: StageClock): Detections[] {
  const images = imagesToTensor([sample.image], s, s);
  clock.lap('normalise');
  const { features, fine } = model.mask ? model.mask.features(images, false) : { features: model.backbone.model.apply(images, { training: false }) as tf.Tensor4D, fine: [] };
  try {
    const rpn = model.rpn!;
    const [, h, w] = features.shape;
    const [objectness, deltas] = rpn.head.apply(features, { training: false }) as [tf.Tensor4D, tf.Tensor4D];
    const obj = objectness.dataSync() as Float32Array, del = deltas.dataSync() as Float32Array;
    tf.dispose([objectness, deltas, images]);
    features.dataSync();
    for (const f of fine) f.dataSync();
    clock.lap('image part');
    const boxes = rpn.proposalsFrom(obj, del, 1, h, w, s, s);
    clock.lap('proposals');
    const heads = model.roiHeads;
    const pooled = heads.pool(features, boxes);
    pooled.dataSync();
    clock.lap('RoI pooling');
    const { probabilities, box } = tf.tidy(() => {
      const [logits, d] = heads.boxHead.apply(pooled, { training: false }) as [tf.Tensor2D, tf.Tensor2D];
      return { probabilities: tf.softmax(logits).dataSync() as Float32Array, box: d.dataSync() as Float32Array };
    });
    pooled.dispose();
    clock.lap('box head');
    const detections = heads.detectionsFrom(probabilities, box, boxes, s, s);
    clock.lap('detections');
    const mask = model.mask;
    if (!mask || detections[0].labels.length === 0) return detections;
    // MaskBranch.paste: pooling (TypeScript kernels behind tf ops), head, sigmoid, pasting.
    const rois = detections.map((d) => d.boxes);
    const maps = tf.tidy(() => {
      const pooledMask = mask.pool(features, fine, rois);
      pooledMask.dataSync();
      clock.lap('mask pooling');
      const p = tf.sigmoid(mask.head.apply(pooledMask, { training: false }) as tf.Tensor4D).dataSync() as Float32Array;
      clock.lap('mask head');
      return p;
    });
    const out = mask.pasteFrom(maps, detections, s, s);
    clock.lap('mask paste');
    return out;
  } finally {
    features.dispose();
    for (const f of fine) f.dispose();
  }
}

/** `OnnxDetector.predict`'s steps for one image, timed. */
async function onnxStages(model: OnnxDetector, sample: PreparedSample, clock: StageClock, buffers: RoiBuffers): Promise<Detections[]> {
  const s = model.imgsz;
  const images = new Float32Array(s * s * 3);
  for (let i = 0; i < sample.image.length; i++) images[i] = (sample.image[i] - 127.5) / 127.5;
  clock.lap('normalise');
  const settings = model.settings as GeneralizedRCNN;
  const out = await model.sessions.run('image', { images: [images, [1, s, s, 3]] });
  clock.lap('image part');
  const shape = out.features.dims;
  const boxes = settings.rpn!.proposalsFrom(out.rpn_objectness.data, out.rpn_deltas.data, 1, shape[1], shape[2], s, s);
  clock.lap('proposals');
  const heads = settings.roiHeads;
  const k = boxes[0].length >> 2;
  const pooled = heads.poolArrays(out.features.data, shape, boxes, buffers);
  clock.lap('RoI pooling');
  const head = await model.sessions.run('box_head', { roi_features: [pooled, [k, heads.poolSize, heads.poolSize, shape[3]]] });
  clock.lap('box head');
  const detections = heads.detectionsFrom(head.box_probabilities.data, head.box_deltas.data, boxes, s, s);
  clock.lap('detections');
  const mask = settings.mask;
  if (!mask || detections[0].labels.length === 0) return detections;
  const fine = mask.featureStages.map((stage) => ({ data: out[`features_stage${stage}`].data, shape: out[`features_stage${stage}`].dims }));
  const maskPooled = mask.poolArrays({ data: out.features.data, shape }, fine, detections.map((d) => d.boxes), buffers);
  clock.lap('mask pooling');
  const n = detections[0].labels.length, p = mask.poolSize;
  const result = await model.sessions.run('mask_head', { mask_roi_features: [maskPooled, [n, p, p, maskPooled.length / (n * p * p)]] });
  clock.lap('mask head');
  const pasted = mask.pasteFrom(result.mask_probabilities.data, detections, s, s);
  clock.lap('mask paste');
  return pasted;
}

/** Profiles as a text table: one column per runtime, one row per stage. */
export function formatStageProfiles(profiles: StageProfile[]): string {
  const lines = [`${'stage'.padEnd(14)}${profiles.map((p) => `${p.model}/${p.runtime}`.padStart(22)).join('')}`];
  for (const stage of DETECTOR_STAGES) {
    if (profiles.every((p) => p.stages[stage] === undefined)) continue;
    lines.push(`${stage.padEnd(14)}${profiles.map((p) => (p.stages[stage] === undefined ? '-' : p.stages[stage]!.toFixed(1)).padStart(22)).join('')}`);
  }
  lines.push(`${'total'.padEnd(14)}${profiles.map((p) => p.total.toFixed(1).padStart(22)).join('')}`);
  return lines.join('\n');
}
