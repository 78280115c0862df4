import type { Command } from 'commander';
import { registerDetectorPredict } from './detect.js';
import { registerPredictPanoptic } from './predict-panoptic.js';
import { join, parse, resolve } from 'node:path';
import { defaultMaxPixels, encodePng, imagePaths } from '../../data/images.js';
import { initEngine } from '../../engine/setup.js';
import { loadUNetCheckpoint } from '../../models/unet/checkpoint-meta.js';
import { predictFullMasks, readGreyImage } from '../../models/unet/dataset.js';
import { AtomicFiles } from '../../util/atomic.js';
import { runThenDispose } from '../../util/dispose.js';
import { DEFAULT_MAX_PIXELS } from '../../util/limits.js';
import { wholeNumber } from '../options.js';

/**
 * `detseg predict unet --checkpoint <file> --input <image or folder> --out <dir>`: binary masks of a
 * trained U-Net (from `detseg train unet` or a shipped LV checkpoint), one PNG per image (255 inside),
 * named after the image, each written atomically.
 */
export function registerPredict(program: Command): void {
  const predict = program.command('predict').description('run a trained model');
  registerDetectorPredict(predict);
  registerPredictPanoptic(predict);
  predict
    .command('unet')
    .description('predict binary masks with a trained U-Net')
    .requiredOption('--checkpoint <file>', 'checkpoint of detseg train unet (or assets/checkpoints/unet-lv-fold<k>.ckpt)')
    .requiredOption('--input <path>', 'an image file or a folder of images')
    .option('-o, --out <dir>', 'output folder for the mask PNGs', 'masks')
    .option('--max-pixels <n>', `largest image accepted, in pixels (default ${DEFAULT_MAX_PIXELS}, or DETSEG_MAX_PIXELS)`)
    .action(async (opts: { checkpoint: string; input: string; out: string; maxPixels?: string }) => {
      const maxPixels = opts.maxPixels === undefined ? defaultMaxPixels() : wholeNumber(opts.maxPixels, '--max-pixels', 1);
      await initEngine();
      const files = imagePaths(resolve(opts.input), '--input');
      const { model, depth } = loadUNetCheckpoint(resolve(opts.checkpoint));
      const out = resolve(opts.out);
      let foreground = 0;
      // every mask or none: they are staged and moved into place together at the end
      const written = new AtomicFiles();
      await runThenDispose(async () => {
        try {
          for (const file of files) {
            const img = await readGreyImage(file, { maxPixels, limitOption: '--max-pixels' });
            const [mask] = predictFullMasks(model, [img], 1 << depth);
            const rgb = new Uint8Array(mask.length * 3);
            for (let i = 0; i < mask.length; i++) {
              const v = mask[i] ? 255 : 0;
              rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = v;
              foreground += mask[i];
            }
            written.add(join(out, `${parse(file).name}.png`), await encodePng({ data: rgb, width: img.width, height: img.height }), '--out');
          }
          written.commit();
        } catch (err) {
          written.discard();
          throw err;
        }
      }, () => model.dispose());
      process.stdout.write(`${files.length} mask(s) written to ${out} (${foreground} foreground pixels)\n`);
    });
}
