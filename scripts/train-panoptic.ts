/**
 * Trains the two learned parts of the panoptic model (`src/models/panoptic/`) and writes the shipped
 * checkpoints:
 *
 *   node --import tsx scripts/train-panoptic.ts semantic    → assets/checkpoints/panoptic-semantic.ckpt
 *   node --import tsx scripts/train-panoptic.ts instances   → assets/checkpoints/panoptic-mask-rcnn.ckpt
 *   node --import tsx scripts/train-panoptic.ts evaluate    → assets/panoptic/scores.json
 *
 * `semantic`: the multi-class U-Net from scratch (DEFAULT_SEMANTIC_HEAD_CONFIG), then its held-out mIoU.
 * `instances`: the shipped Mask R-CNN fine-tuned on the panoptic images (DEFAULT_INSTANCE_FINETUNE),
 * then its held-out box and mask AP. Both are seeded. `evaluate`: the fused model (the two shipped
 * checkpoints) on the 200 held-out images: PQ / SQ / RQ and the semantic head's mIoU, printed and
 * written for the practical report. Options: `--out <file>`, `--steps <n>`
 * (instances) / `--epochs <n>` (semantic) to override the schedule, `--config <json>` (semantic) over
 * DEFAULT_SEMANTIC_HEAD_CONFIG.
 */
import { parseArgs } from 'node:util';
import { DEFAULT_INSTANCE_FINETUNE, finetuneInstances, shippedPanopticMaskRcnnPath } from '../src/models/panoptic/instances.js';
import { DEFAULT_SEMANTIC_HEAD_CONFIG, evaluateSemanticHead, saveSemanticHead, shippedSemanticHeadPath, trainSemanticHead } from '../src/models/panoptic/semantic-head.js';
import { initEngine } from '../src/engine/setup.js';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { formatPanopticTable } from '../src/eval/panoptic.js';
import { evaluatePanopticModel, PanopticModel } from '../src/models/panoptic/panoptic-model.js';
import { assetsDir } from '../src/util/paths.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { out: { type: 'string' }, steps: { type: 'string' }, epochs: { type: 'string' }, config: { type: 'string' } } });
const part = positionals[0];
const log = (line: string) => process.stdout.write(`${line}\n`);
await initEngine();
if (part === 'semantic') {
  const config = { ...DEFAULT_SEMANTIC_HEAD_CONFIG, ...(values.config ? JSON.parse(values.config) : {}), ...(values.epochs ? { epochs: Number(values.epochs) } : {}) };
  log(`config ${JSON.stringify(config)}`);
  const { model, history, seconds } = await trainSemanticHead(config, undefined, { onEpoch: (r) => log(`epoch ${r.epoch + 1} loss ${r.loss.toFixed(4)} lr ${r.learningRate.toExponential(2)} ${r.seconds.toFixed(0)} s`) });
  const scores = evaluateSemanticHead(model);
  const out = values.out ?? shippedSemanticHeadPath();
  saveSemanticHead(out, model, config, { metrics: scores, history: history.map((r) => ({ epoch: r.epoch, loss: r.loss })), trainSeconds: seconds });
  log(`held-out (${scores.images} images): mIoU ${scores.meanIou.toFixed(4)}, pixel accuracy ${scores.pixelAccuracy.toFixed(4)}, IoU per category ${scores.iou.map((v) => v.toFixed(3)).join(' ')} (training ${seconds.toFixed(0)} s) → ${out}`);
} else if (part === 'instances') {
  const config = { ...DEFAULT_INSTANCE_FINETUNE, ...(values.steps ? { steps: Number(values.steps) } : {}) };
  log(`config ${JSON.stringify(config)}`);
  const out = values.out ?? shippedPanopticMaskRcnnPath();
  const { seconds } = finetuneInstances(config, out, { log });
  log(`training ${seconds.toFixed(0)} s → ${out}`);
} else if (part === 'evaluate') {
  const model = PanopticModel.load();
  const t0 = performance.now();
  const scores = evaluatePanopticModel(model);
  model.dispose();
  for (const line of formatPanopticTable(scores.pq)) log(line);
  log(`semantic head: mIoU ${scores.meanIou.toFixed(4)}, pixel accuracy ${scores.pixelAccuracy.toFixed(4)} (${scores.images} images, ${((performance.now() - t0) / 1000).toFixed(0)} s)`);
  const out = values.out ?? assetsDir('panoptic', 'scores.json');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify({ command: 'node --import tsx scripts/train-panoptic.ts evaluate', ...scores }, null, 1)}\n`);
  log(`→ ${out}`);
} else {
  process.stderr.write('usage: train-panoptic.ts semantic|instances|evaluate [--out FILE] [--steps N] [--epochs N] [--config JSON]\n');
  process.exit(1);
}
