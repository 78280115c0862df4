/**
 * Trains the detectors of the R-CNN family on the synthetic-shapes benchmark, evaluates them on a
 * held-out split of another seed with COCOeval (`src/eval/coco.ts`), and writes the shipped
 * checkpoints `assets/checkpoints/detector-<model>.ckpt` (weights + options + metrics in `meta`).
 *
 * The exact commands that produced the shipped checkpoints (repository root, no build needed):
 *
 *   node --import tsx scripts/train-detectors.ts --model faster-rcnn --steps 2400 --budget 2700
 *   node --import tsx scripts/train-detectors.ts --model mask-rcnn --steps 1500 --budget 3000
 *   node --import tsx scripts/train-detectors.ts --model fast-rcnn --steps 400 --lr 3e-4 --init assets/checkpoints/detector-faster-rcnn.ckpt
 *   node --import tsx scripts/train-detectors.ts --model rcnn --steps 400 --lr 3e-4 --init assets/checkpoints/detector-faster-rcnn.ckpt
 *
 * Faster and Mask R-CNN train from scratch. Fast R-CNN and R-CNN share the backbone: `--init` loads the
 * Faster R-CNN backbone (and, for Fast R-CNN, its box head) before fine-tuning on selective-search
 * proposals (mode 'fast'). Options: `--model`, `--steps` (optimisation steps, batch 2), `--lr` (Adam,
 * cosine schedule after 100 warm-up steps, or 10 % of the steps if fewer), `--budget <seconds>` (stop
 * early), `--val <n>` (held-out images), `--init <ckpt>`, `--out <file>`. Prints the mean losses every
 * 50 steps and the final COCO statistics (bbox; segm too for Mask R-CNN).
 */
import { parseArgs } from 'node:util';
import { initEngine } from '../src/engine/setup.js';
import { loadDetectorWeights, saveDetectorCheckpoint } from '../src/models/detection/checkpoint.js';
import { evaluateDetections } from '../src/models/detection/evaluate.js';
import { DEFAULT_SYNTHETIC_RECIPE, heldOutSet, syntheticBatches, type SyntheticRecipe } from '../src/models/detection/recipe.js';
import { selectiveSearchProposals } from '../src/models/detection/selective-search-proposals.js';
import { imagesToTensor, type DetectionSample } from '../src/models/detection/synthetic-data.js';
import { trainDetector, type TrainableDetector } from '../src/models/detection/train-loop.js';
import type { Detections } from '../src/models/detection/types.js';
import { FAST_RCNN_TRAIN_OPTIONS } from '../src/models/fast-rcnn/checkpoint.js';
import { FastRCNN } from '../src/models/fast-rcnn/fast-rcnn.js';
import { FASTER_RCNN_TRAIN_OPTIONS } from '../src/models/faster-rcnn/checkpoint.js';
import { FasterRCNN } from '../src/models/faster-rcnn/faster-rcnn.js';
import { MASK_RCNN_TRAIN_OPTIONS } from '../src/models/mask-rcnn/checkpoint.js';
import { MaskRCNN } from '../src/models/mask-rcnn/mask-rcnn.js';
import { RCNN_TRAIN_OPTIONS } from '../src/models/rcnn/checkpoint.js';
import { RCNN } from '../src/models/rcnn/rcnn.js';
import type * as tf from '@tensorflow/tfjs';
import { assetsDir } from '../src/util/paths.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'faster-rcnn' },
    steps: { type: 'string', default: '2400' },
    lr: { type: 'string', default: '1e-3' },
    budget: { type: 'string' },
    val: { type: 'string', default: String(DEFAULT_SYNTHETIC_RECIPE.valImages) },
    init: { type: 'string' },
    out: { type: 'string' },
  },
});
const kind = values.model!;
const engine = await initEngine();
const recipe: SyntheticRecipe = { ...DEFAULT_SYNTHETIC_RECIPE, valImages: Number(values.val) };
const steps = Number(values.steps);
const learningRate = Number(values.lr);
const ss = (image: Uint8Array, width: number, height: number) => selectiveSearchProposals(image, width, height);

/** The model of a kind, what its training batches need, and how it predicts a chunk of held-out images. */
interface Setup {
  options: object;
  model: TrainableDetector & { models(): tf.LayersModel[] };
  /** Models whose weights `--init` loads from a Faster R-CNN checkpoint. */
  initModels: tf.LayersModel[];
  proposals: boolean;
  predict: (images: tf.Tensor4D, samples: DetectionSample[]) => Detections[];
}
function setup(): Setup {
  switch (kind) {
    case 'faster-rcnn': {
      const model = new FasterRCNN(FASTER_RCNN_TRAIN_OPTIONS);
      return { options: FASTER_RCNN_TRAIN_OPTIONS, model, initModels: model.models(), proposals: false, predict: (x) => model.predict(x) };
    }
    case 'mask-rcnn': {
      const model = new MaskRCNN(MASK_RCNN_TRAIN_OPTIONS);
      return { options: MASK_RCNN_TRAIN_OPTIONS, model, initModels: model.models().slice(0, 3), proposals: false, predict: (x) => model.predict(x) };
    }
    case 'fast-rcnn': {
      const model = new FastRCNN(FAST_RCNN_TRAIN_OPTIONS);
      return { options: FAST_RCNN_TRAIN_OPTIONS, model, initModels: model.models(), proposals: true, predict: (x, s) => model.predict(x, s.map((v) => ss(v.sample.image, v.sample.width, v.sample.height))) };
    }
    case 'rcnn': {
      const model = new RCNN(RCNN_TRAIN_OPTIONS);
      return { options: RCNN_TRAIN_OPTIONS, model, initModels: [model.backbone.model], proposals: true, predict: (x, s) => model.predict(x, s.map((v) => ss(v.sample.image, v.sample.width, v.sample.height))) };
    }
    default:
      throw new Error(`--model: expected faster-rcnn, mask-rcnn, fast-rcnn or rcnn, got ${kind}`);
  }
}
const { options, model, initModels, proposals, predict } = setup();
if (values.init) loadDetectorWeights(values.init, initModels);
process.stdout.write(`${kind}: ${model.models().reduce((s, m) => s + m.countParams(), 0).toLocaleString('en-US')} parameters; ${steps} steps of ${recipe.batchSize} images; lr ${learningRate}${values.init ? `; initialised from ${values.init}` : ''}; backend ${engine.backend} SIMD ${engine.simd}\n`);
const result = trainDetector({
  detector: model,
  batch: syntheticBatches(recipe, proposals ? ss : undefined),
  steps,
  optimizer: { kind: 'adam', learningRate },
  schedule: { kind: 'cosine', minLr: learningRate / 50 },
  warmupSteps: Math.min(100, Math.ceil(steps / 10)),
  timeBudgetSeconds: values.budget ? Number(values.budget) : undefined,
  onReport: (step, losses, seconds) =>
    process.stdout.write(`step ${step} ${seconds.toFixed(0)} s ${Object.entries(losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ')}\n`),
});
const val = heldOutSet(recipe);
const t0 = performance.now();
const detections: Detections[] = [];
for (let i = 0; i < val.length; i += 8) {
  const chunk = val.slice(i, i + 8);
  const images = imagesToTensor(chunk.map((s) => s.sample.image), recipe.imageSize, recipe.imageSize);
  detections.push(...predict(images, chunk));
  images.dispose();
}
const predictSeconds = (performance.now() - t0) / 1000;
const coco = evaluateDetections(val, detections, 'bbox');
process.stdout.write(`bbox\n${coco.lines.join('\n')}\n`);
const metrics: Record<string, unknown> = { mAP: coco.stats[0], mAP50: coco.stats[1], mAP75: coco.stats[2], perClass: coco.perClass, trainSeconds: result.seconds, steps: result.steps, predictSecondsPerImage: predictSeconds / val.length, valImages: val.length };
if (kind === 'mask-rcnn') {
  const segm = evaluateDetections(val, detections, 'segm');
  process.stdout.write(`segm\n${segm.lines.join('\n')}\n`);
  Object.assign(metrics, { maskAP: segm.stats[0], maskAP50: segm.stats[1], maskPerClass: segm.perClass });
  process.stdout.write(`held-out mask AP ${segm.stats[0].toFixed(4)}, mask AP@0.5 ${segm.stats[1].toFixed(4)}\n`);
}
process.stdout.write(`held-out ${val.length} images: COCO mAP ${coco.stats[0].toFixed(4)}, mAP@0.5 ${coco.stats[1].toFixed(4)}; training ${result.seconds.toFixed(0)} s for ${result.steps} steps; ${((1000 * predictSeconds) / val.length).toFixed(1)} ms/image to predict\n`);
const out = values.out ?? assetsDir('checkpoints', `detector-${kind}.ckpt`);
saveDetectorCheckpoint(out, model.models(), { format: `detseg-${kind}`, options, recipe, learningRate, init: values.init ?? null, metrics, history: result.history }, result.steps);
process.stdout.write(`→ ${out}\n`);
