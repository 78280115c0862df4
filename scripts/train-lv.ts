/**
 * Trains the LV-segmentation U-Nets of the practical, one per fold of the leave-one-patient-out split of
 * the embedded Sunnybrook subset, and writes the shipped checkpoints `assets/checkpoints/unet-lv-fold<k>.ckpt`.
 *
 * The exact command that produced the shipped checkpoints (from the repository root, no build needed):
 *
 *   node --import tsx scripts/train-lv.ts --folds 0,1,2,3,4
 *
 * (It may be run as several processes side by side, e.g. `--folds 0,1,2` and `--folds 3,4`: each fold
 * is independent and seeded, so the split changes nothing but the wall time. The shipped checkpoints
 * were made exactly so, as `--folds 0,1,2 --flip --out tmp/lv/run5` and `--folds 3,4 --flip --out
 * tmp/lv/run5` just before flips became the default, then copied here: the same configuration.
 * Bit-identical weights need the same kernels: a later change of the engine's conv kernels may move
 * the last digits.) Options: `--folds`
 * (default all), `--epochs` and `--flip` (defaults from DEFAULT_LV_CONFIG), `--out <dir>` (default
 * assets/checkpoints).
 * Prints the loss per epoch and, per fold, the held-out Dice / IoU / pixel accuracy.
 */
import { parseArgs } from 'node:util';
import { loadSunnybrook } from '../src/data/sunnybrook.js';
import { DEFAULT_LV_CONFIG, evaluateLvFold, lvCheckpointPath, saveLvCheckpoint, trainFold, type LvConfig } from '../src/models/unet/lv.js';
import { assetsDir } from '../src/util/paths.js';

const { values } = parseArgs({
  options: {
    folds: { type: 'string', default: '0,1,2,3,4' },
    epochs: { type: 'string' },
    flip: { type: 'boolean' },
    out: { type: 'string', default: assetsDir('checkpoints') },
  },
});
const config: LvConfig = {
  ...DEFAULT_LV_CONFIG,
  ...(values.epochs ? { epochs: Number(values.epochs) } : {}),
  ...(values.flip !== undefined ? { flip: values.flip } : {}),
};
const folds = values.folds!.split(',').map(Number);
const data = loadSunnybrook();
process.stdout.write(`config ${JSON.stringify(config)}\n`);
for (const fold of folds) {
  const trained = await trainFold(data, fold, config, {
    onEpoch: (r) => process.stdout.write(`fold ${fold} epoch ${r.epoch + 1} loss ${r.loss.toFixed(4)} lr ${r.learningRate.toExponential(2)} ${r.seconds.toFixed(1)} s\n`),
  });
  const path = lvCheckpointPath(fold, values.out);
  saveLvCheckpoint(path, trained, config);
  const result = await evaluateLvFold(trained.model, data, fold, config);
  process.stdout.write(
    `fold ${fold} held-out ${result.testPatient}: Dice ${result.dice.toFixed(4)} IoU ${result.iou.toFixed(4)} pixel accuracy ${result.pixelAccuracy.toFixed(5)}` +
      ` (training ${trained.trainSeconds.toFixed(0)} s, wall ${trained.wallSeconds.toFixed(0)} s) → ${path}\n`,
  );
}
