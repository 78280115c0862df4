/**
 * How λ of the multitask loss L = L_cls + λ·L_box trades classification against localization: trains
 * the classification + localization model (`src/models/classloc/`) once per λ on the one-object
 * synthetic shapes (seed 1), scores each on 200 held-out images (seed 2), and writes
 * `assets/classloc/lambda-sweep.json` (the practical report's table). The command that produced the
 * shipped file (repository root, no build needed):
 *
 *   node --import tsx scripts/classloc-lambda.ts --lambdas 0.1,1,10,100,1000 --train-images 4000 --epochs 4
 *
 * Options: `--lambdas` (comma-separated), `--train-images`, `--epochs`, `--batch` (16), `--lr` (2e-3),
 * `--out` (the JSON file).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { initEngine } from '../src/engine/setup.js';
import { detectorFamily } from '../src/models/registry.js';
import { syntheticData } from '../src/pipeline/dataset.js';
import { trainRun } from '../src/pipeline/train.js';
import { singleObjectMetrics, validate } from '../src/pipeline/val.js';
import { writeFileAtomic } from '../src/util/atomic.js';
import { assetsDir } from '../src/util/paths.js';

const { values } = parseArgs({
  options: {
    lambdas: { type: 'string', default: '0.1,1,10,100' },
    'train-images': { type: 'string', default: '2000' },
    epochs: { type: 'string', default: '5' },
    batch: { type: 'string', default: '16' },
    lr: { type: 'string', default: '2e-3' },
    out: { type: 'string', default: assetsDir('classloc', 'lambda-sweep.json') },
  },
});
await initEngine();
const family = detectorFamily('classloc');
const imgsz = 64;
const train = syntheticData(1, Number(values['train-images']), imgsz, [1, 1]);
const val = syntheticData(2, 200, imgsz, [1, 1]);
const rows: Array<{ lambda: number; accuracy: number; meanIoU: number; mAP50: number; seconds: number }> = [];
for (const lambda of values.lambdas!.split(',').map(Number)) {
  const dir = mkdtempSync(join(tmpdir(), 'detseg-lambda-'));
  const t0 = performance.now();
  const run = await trainRun({ family, data: train, dir: join(dir, 'run'), epochs: Number(values.epochs), batch: Number(values.batch), imgsz, lr: Number(values.lr), modelOptions: { boxWeight: lambda }, args: { lambda }, log: (line) => process.stderr.write(`${line}\n`) });
  const seconds = (performance.now() - t0) / 1000;
  const result = await validate(run.model, family, val, { imgsz, batch: 16 });
  const one = singleObjectMetrics(val, result.detections);
  rows.push({ lambda, accuracy: one.accuracy, meanIoU: one.meanIoU, mAP50: result.bbox.stats[1], seconds });
  process.stdout.write(`λ ${lambda}: accuracy ${one.accuracy.toFixed(4)}, mean IoU ${one.meanIoU.toFixed(4)}, mAP50 ${result.bbox.stats[1].toFixed(4)} (${seconds.toFixed(0)} s)\n`);
  run.model.dispose();
  rmSync(dir, { recursive: true, force: true });
}
writeFileAtomic(values.out!, `${JSON.stringify({ command: `node --import tsx scripts/classloc-lambda.ts --lambdas ${values.lambdas} --train-images ${values['train-images']} --epochs ${values.epochs}`, trainImages: Number(values['train-images']), epochs: Number(values.epochs), valImages: 200, rows }, null, 2)}\n`);
