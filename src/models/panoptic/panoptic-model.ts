import type * as tf from '@tensorflow/tfjs';
import type { PanopticCategory } from '../../data/coco-panoptic-format.js';
import { SYNTHETIC_PANOPTIC_CATEGORIES, syntheticPanopticSample } from '../../data/synthetic-panoptic.js';
import { evaluatePanoptic, type PanopticFrame, type PanopticResult } from '../../eval/panoptic.js';
import { SegmentationConfusion } from '../../eval/segmentation.js';
import { imagesToTensor } from '../detection/images-tensor.js';
import type { Detections } from '../detection/types.js';
import { loadMaskRcnn } from '../mask-rcnn/checkpoint.js';
import type { MaskRCNN } from '../mask-rcnn/mask-rcnn.js';
import { DEFAULT_PANOPTIC_RECIPE, SEMANTIC_CHANNELS, type PanopticRecipe } from './data.js';
import { fusePanoptic, type FusedPanoptic, type FusionOptions } from './fusion.js';
import { shippedPanopticMaskRcnnPath } from './instances.js';
import { loadSemanticHead, predictSemantic, shippedSemanticHeadPath } from './semantic-head.js';

/** One image's panoptic output: the fused map and segments, the semantic argmax `Uint8Array [H, W]` (category ids) and the detections. */
export type PanopticOutput = FusedPanoptic & { semantic: Uint8Array; detections: Detections };

/**
 * The panoptic model: Mask R-CNN instances and the semantic head's stuff, fused by Panoptic FPN's
 * heuristic (`fusion.ts`). Mask R-CNN labels 1..C are the category ids of the things; the semantic
 * head's channel c is category id c.
 */
export class PanopticModel {
  constructor(
    readonly instances: MaskRCNN,
    readonly semantic: tf.LayersModel,
    /** The categories of the output (things and stuff). */
    readonly categories: readonly PanopticCategory[] = SYNTHETIC_PANOPTIC_CATEGORIES,
    readonly fusion: FusionOptions = {},
  ) {}

  /** Loads the two checkpoints (default: the shipped `panoptic-mask-rcnn.ckpt` and `panoptic-semantic.ckpt`). */
  static load(paths: { instances?: string; semantic?: string } = {}, fusion: FusionOptions = {}): PanopticModel {
    const { model: semantic } = loadSemanticHead(paths.semantic ?? shippedSemanticHeadPath());
    try {
      const { model: instances } = loadMaskRcnn(paths.instances ?? shippedPanopticMaskRcnnPath());
      return new PanopticModel(instances, semantic, SYNTHETIC_PANOPTIC_CATEGORIES, fusion);
    } catch (err) {
      semantic.dispose();
      throw err;
    }
  }

  /**
   * Panoptic predictions of RGB images (`Uint8Array [H, W, 3]` each, all `height`×`width`, both
   * divisible by 8, the semantic head's 2^depth): each with the fused map, the semantic argmax
   * `[H, W]` and the raw detections.
   */
  predict(images: Uint8Array[], height: number, width = height): PanopticOutput[] {
    const things = new Set(this.categories.filter((c) => c.isthing === 1).map((c) => c.id));
    const semantic = predictSemantic(this.semantic, images, height, width);
    const out: PanopticOutput[] = [];
    for (let start = 0; start < images.length; start += 8) {
      const x = imagesToTensor(images.slice(start, start + 8), height, width); // [B, H, W, 3]
      const detections = this.instances.predict(x);
      x.dispose();
      detections.forEach((d, b) => {
        const sem = semantic[start + b];
        const fused = fusePanoptic({ scores: d.scores, categories: d.labels, masks: d.masks ?? [] }, sem, width, height, (c) => things.has(c), this.fusion);
        out.push({ ...fused, semantic: sem, detections: d });
      });
    }
    return out;
  }

  dispose(): void {
    this.instances.dispose();
    this.semantic.dispose();
  }
}

/** What {@link evaluatePanopticModel} measured on held-out images. */
export interface PanopticModelScores {
  pq: PanopticResult;
  /** The semantic head's mean IoU and pixel accuracy over the same images. */
  meanIou: number;
  pixelAccuracy: number;
  images: number;
}

/** PQ of the fused output and mIoU of the semantic head on held-out panoptic images 0..count−1 of the recipe's validation seed. */
export function evaluatePanopticModel(model: PanopticModel, recipe: PanopticRecipe = DEFAULT_PANOPTIC_RECIPE, count = recipe.valImages): PanopticModelScores {
  const gt: PanopticFrame[] = [];
  const pred: PanopticFrame[] = [];
  const confusion = new SegmentationConfusion(SEMANTIC_CHANNELS);
  const size = recipe.imageSize;
  for (let start = 0; start < count; start += 16) {
    const samples = Array.from({ length: Math.min(16, count - start) }, (_, i) => syntheticPanopticSample(recipe.valSeed, start + i, { size }));
    const outputs = model.predict(samples.map((s) => s.image), size);
    samples.forEach((s, i) => {
      const imageId = start + i + 1;
      gt.push({ imageId, width: size, height: size, ids: s.ids, segments: s.segments });
      pred.push({ imageId, width: size, height: size, ids: outputs[i].ids, segments: outputs[i].segments });
      confusion.add(outputs[i].semantic, s.categoryMap, `held-out image ${start + i}`);
    });
  }
  const m = confusion.metrics();
  return { pq: evaluatePanoptic(gt, pred, model.categories), meanIou: m.meanIou, pixelAccuracy: m.pixelAccuracy, images: count };
}
