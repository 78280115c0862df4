/**
 * Trains the detectors of the R-CNN family on the synthetic-shapes benchmark, evaluates them on a
 * held-out split of another seed with COCOeval (`src/eval/coco.ts`), and writes the shipped
 * checkpoints `assets/checkpoints/detector-<model>.ckpt` (weights + options + metrics in `meta`);
 * see `trainOnSynthetic` in `src/pipeline/train-synthetic.ts`.
 *
 * The exact commands that produced the shipped checkpoints (repository root, no build needed; a
 * checkpoint of the same kind given to `--init` continues all its weights under a new schedule):
 *
 *   # Faster R-CNN (backbone 32-64-128): 6000 steps from scratch, then three more cosine cycles
 *   node --import tsx scripts/train-detectors.ts --model faster-rcnn --steps 6000 --out tmp/faster-a.ckpt
 *   node --import tsx scripts/train-detectors.ts --model faster-rcnn --steps 3000 --lr 5e-4 --init tmp/faster-a.ckpt --out tmp/faster-b.ckpt
 *   node --import tsx scripts/train-detectors.ts --model faster-rcnn --steps 3000 --lr 3e-4 --init tmp/faster-b.ckpt --out tmp/faster-c.ckpt
 *   node --import tsx scripts/train-detectors.ts --model faster-rcnn --steps 3000 --lr 2e-4 --init tmp/faster-c.ckpt
 *   # Mask R-CNN: from the 6000-step Faster R-CNN, three cycles
 *   node --import tsx scripts/train-detectors.ts --model mask-rcnn --steps 3000 --lr 5e-4 --init tmp/faster-a.ckpt --out tmp/mask-a.ckpt
 *   node --import tsx scripts/train-detectors.ts --model mask-rcnn --steps 3000 --lr 3e-4 --init tmp/mask-a.ckpt --out tmp/mask-b.ckpt
 *   node --import tsx scripts/train-detectors.ts --model mask-rcnn --steps 3000 --lr 2e-4 --init tmp/mask-b.ckpt
 *   # the speed practical's family, on the small backbone 16-32-64: a 4,000-step Faster R-CNN, its further
 *   # cycle (the shipped small Faster R-CNN), and Fast R-CNN (RoI Align) and R-CNN fine-tuned from the 4,000-step one
 *   node --import tsx scripts/train-detectors.ts --model faster-rcnn --steps 4000 --options '{"backbone":{"widths":[16,32,64]}}' --out tmp/faster-rcnn-small-a.ckpt
 *   node --import tsx scripts/train-detectors.ts --model faster-rcnn --steps 3000 --lr 5e-4 --options '{"backbone":{"widths":[16,32,64]},"roiHeads":{"batchSizePerImage":512}}' --init tmp/faster-rcnn-small-a.ckpt --out assets/checkpoints/detector-faster-rcnn-small.ckpt
 *   node --import tsx scripts/train-detectors.ts --model fast-rcnn --steps 1000 --lr 3e-4 --options '{"roiHeads":{"pooler":"align"}}' --init tmp/faster-rcnn-small-a.ckpt
 *   node --import tsx scripts/train-detectors.ts --model rcnn --warp 128 --steps 300 --lr 3e-4 --init tmp/faster-rcnn-small-a.ckpt
 *
 * Fast R-CNN and R-CNN share the 4,000-step small Faster R-CNN's backbone: `--init` loads it (and, for Fast R-CNN,
 * its box head) before fine-tuning on selective-search proposals (quality mode, the default of
 * `selectiveSearchProposals`; R-CNN on 128×128 warps). Options: `--model`,
 * `--steps` (optimisation steps, batch 2), `--lr` (peak Adam rate),
 * `--budget <seconds>` (stop early), `--options <json>` (model options merged over the shipped ones), `--val <n>` (held-out images), `--init <ckpt>`, `--out <file>`,
 * `--warp <pixels>` (R-CNN only: the side every proposal is warped to, a multiple of 8; default 128).
 * Prints the mean losses every 50 steps and the final COCO statistics (bbox; segm too for Mask R-CNN).
 */
import { parseArgs } from 'node:util';
import { initEngine } from '../src/engine/setup.js';
import { DEFAULT_SYNTHETIC_RECIPE } from '../src/models/detection/recipe.js';
import { trainOnSynthetic } from '../src/pipeline/train-synthetic.js';
import { detectorKind, shippedDetectorPath } from '../src/pipeline/weights.js';

const { values } = parseArgs({
  options: {
    model: { type: 'string', default: 'faster-rcnn' },
    steps: { type: 'string', default: '2400' },
    lr: { type: 'string', default: '1e-3' },
    budget: { type: 'string' },
    val: { type: 'string', default: String(DEFAULT_SYNTHETIC_RECIPE.valImages) },
    init: { type: 'string' },
    out: { type: 'string' },
    warp: { type: 'string' },
    options: { type: 'string' },
  },
});
const kind = detectorKind(values.model!, '--model');
const modelOptions: Record<string, unknown> = values.options ? (JSON.parse(values.options) as Record<string, unknown>) : {};
if (values.warp !== undefined) {
  const warp = Number(values.warp);
  if (kind !== 'rcnn' || !Number.isInteger(warp) || warp < 8 || warp % 8 !== 0) throw new Error(`--warp: R-CNN only, a multiple of 8 pixels (got '${values.warp}' for ${kind})`);
  modelOptions.warpSize = warp;
}
const engine = await initEngine();
process.stdout.write(`backend ${engine.backend}, SIMD ${engine.simd}\n`);
const out = values.out ?? shippedDetectorPath(kind);
const report = trainOnSynthetic(kind, {
  steps: Number(values.steps),
  learningRate: Number(values.lr),
  budgetSeconds: values.budget ? Number(values.budget) : undefined,
  init: values.init,
  modelOptions,
  out,
  recipe: { ...DEFAULT_SYNTHETIC_RECIPE, valImages: Number(values.val) },
  log: (line) => process.stdout.write(`${line}\n`),
});
const m = report.metrics as Record<string, number>;
process.stdout.write(`${report.lines.join('\n')}\n`);
process.stdout.write(
  `held-out ${m.valImages} images: COCO mAP ${m.mAP.toFixed(4)}, mAP@0.5 ${m.mAP50.toFixed(4)}${m.maskAP !== undefined ? `, mask AP ${m.maskAP.toFixed(4)}, mask AP@0.5 ${m.maskAP50.toFixed(4)}` : ''}; ` +
    `training ${m.trainSeconds.toFixed(0)} s for ${m.steps} steps; ${(1000 * m.predictSecondsPerImage).toFixed(1)} ms/image to predict → ${out}\n`,
);
