import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { speedFamilyFasterRcnnPath } from '../models/faster-rcnn/checkpoint.js';
import { DEFAULT_SYNTHETIC_RECIPE } from '../models/detection/recipe.js';
import { trainOnSynthetic } from './train-synthetic.js';
import { shippedDetectorPath, type DetectorKind } from './weights.js';

/** The detector checkpoints the practical uses: the four kinds plus the speed family's small Faster R-CNN. */
export type ShippedDetector = DetectorKind | 'faster-rcnn-small';

/** One training run of the chain that produced the shipped detectors (`scripts/train-detectors.ts`). */
export interface DetectorStage {
  /** Name of the stage (and of its checkpoint file). */
  name: string;
  kind: DetectorKind;
  steps: number;
  learningRate: number;
  /** Stage whose checkpoint initialises (or, same kind, continues) this one. */
  init?: string;
  /** Model options over the kind's shipped training options. */
  modelOptions?: Record<string, unknown>;
  /** The shipped checkpoint this stage produces. */
  ships?: ShippedDetector;
}

/**
 * The shipped detectors' training, stage by stage, exactly as the commands in the header of
 * `scripts/train-detectors.ts`: the wide Faster R-CNN (6,000 steps from scratch, then cosine cycles at
 * 5e-4, 3e-4, 2e-4), Mask R-CNN from its 6,000-step stage (three cycles), and the speed family (a 4,000-step small
 * Faster R-CNN; Fast R-CNN and R-CNN fine-tuned from it; the shipped small Faster R-CNN its further cycle).
 */
export const SHIPPED_DETECTOR_CHAIN: readonly DetectorStage[] = [
  { name: 'faster-a', kind: 'faster-rcnn', steps: 6000, learningRate: 1e-3 },
  { name: 'faster-b', kind: 'faster-rcnn', steps: 3000, learningRate: 5e-4, init: 'faster-a' },
  { name: 'faster-c', kind: 'faster-rcnn', steps: 3000, learningRate: 3e-4, init: 'faster-b' },
  { name: 'faster-rcnn', kind: 'faster-rcnn', steps: 3000, learningRate: 2e-4, init: 'faster-c', ships: 'faster-rcnn' },
  { name: 'mask-a', kind: 'mask-rcnn', steps: 3000, learningRate: 5e-4, init: 'faster-a' },
  { name: 'mask-b', kind: 'mask-rcnn', steps: 3000, learningRate: 3e-4, init: 'mask-a' },
  { name: 'mask-rcnn', kind: 'mask-rcnn', steps: 3000, learningRate: 2e-4, init: 'mask-b', ships: 'mask-rcnn' },
  { name: 'faster-rcnn-small-a', kind: 'faster-rcnn', steps: 4000, learningRate: 1e-3, modelOptions: { backbone: { widths: [16, 32, 64] } } },
  { name: 'faster-rcnn-small', kind: 'faster-rcnn', steps: 3000, learningRate: 5e-4, init: 'faster-rcnn-small-a', modelOptions: { backbone: { widths: [16, 32, 64] }, roiHeads: { batchSizePerImage: 512 } }, ships: 'faster-rcnn-small' },
  { name: 'fast-rcnn', kind: 'fast-rcnn', steps: 1000, learningRate: 3e-4, init: 'faster-rcnn-small-a', modelOptions: { roiHeads: { pooler: 'align' } }, ships: 'fast-rcnn' },
  { name: 'rcnn', kind: 'rcnn', steps: 300, learningRate: 3e-4, init: 'faster-rcnn-small-a', ships: 'rcnn' },
];

/** Path of a shipped detector checkpoint. */
export function shippedCheckpointPath(which: ShippedDetector): string {
  return which === 'faster-rcnn-small' ? speedFamilyFasterRcnnPath() : shippedDetectorPath(which);
}

/** The checkpoint to use for `which`: one trained in this run (`trained`, e.g. a report's `--retrain`), else the shipped one. */
export function detectorCheckpoint(trained: ReadonlyMap<string, string>, which: ShippedDetector): string {
  return trained.get(which) ?? shippedCheckpointPath(which);
}

/**
 * Trains every shipped detector from scratch into `dir` (`<stage>.ckpt`) and returns the path of each.
 * The full chain takes hours on two cores (about 30,000 optimisation steps); `quick` runs every stage
 * for `quickSteps` steps and evaluates on 4 held-out images (a smoke test of the whole chain, not a result).
 */
export function trainShippedDetectors(dir: string, options: { quick?: boolean; quickSteps?: number; log?: (line: string) => void } = {}): Record<ShippedDetector, string> {
  mkdirSync(dir, { recursive: true });
  const log = options.log ?? (() => {});
  const paths = new Map<string, string>();
  const shipped: Partial<Record<ShippedDetector, string>> = {};
  for (const stage of SHIPPED_DETECTOR_CHAIN) {
    const out = join(dir, `${stage.name}.ckpt`);
    const init = stage.init === undefined ? undefined : paths.get(stage.init);
    if (stage.init !== undefined && init === undefined) throw new Error(`detector chain: stage ${stage.name} needs ${stage.init}, which has not run`);
    const steps = options.quick ? Math.min(stage.steps, options.quickSteps ?? 2) : stage.steps;
    log(`retrain: ${stage.name} (${stage.kind}, ${steps} steps, lr ${stage.learningRate}${init ? `, from ${stage.init}` : ''})`);
    const recipe = options.quick ? { ...DEFAULT_SYNTHETIC_RECIPE, valImages: 4 } : DEFAULT_SYNTHETIC_RECIPE;
    trainOnSynthetic(stage.kind, { steps, learningRate: stage.learningRate, init, out, recipe, modelOptions: stage.modelOptions, log });
    paths.set(stage.name, out);
    if (stage.ships) shipped[stage.ships] = out;
  }
  return shipped as Record<ShippedDetector, string>;
}
