import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join, parse, resolve } from 'node:path';
import { writeCocoPanoptic, type PanopticImageToWrite } from '../../data/coco-panoptic.js';
import { decodeImage, defaultMaxPixels, imagePaths } from '../../data/images.js';
import { checkReplaceableDir } from '../../data/output-dir.js';
import { initEngine } from '../../engine/setup.js';
import { DEFAULT_FUSION_OPTIONS } from '../../models/panoptic/fusion.js';
import { PanopticModel } from '../../models/panoptic/panoptic-model.js';
import { writeDirAtomic } from '../../util/atomic.js';
import { DetsegInputError } from '../../util/errors.js';
import { DEFAULT_MAX_PIXELS } from '../../util/limits.js';
import { unitInterval, wholeNumber } from '../options.js';

interface PredictPanopticOptions {
  input: string;
  out: string;
  imageIds?: string;
  instances?: string;
  semantic?: string;
  scoreThreshold: string;
  overlapThreshold: string;
  stuffArea: string;
  maxPixels?: string;
  overwrite: boolean;
}

/** Entries `detseg predict panoptic` writes into its output folder. */
const OUTPUT_ENTRIES = ['panoptic', 'panoptic.json'];

/**
 * Image ids by file name from a COCO JSON's `images` list (`--image-ids`), so that predictions carry
 * the ground truth's ids; a {@link DetsegInputError} names the file when it has no usable list.
 */
function imageIdsByName(file: string): Map<string, number | string> {
  if (!existsSync(file)) throw new DetsegInputError('does not exist', { file, field: '--image-ids' });
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new DetsegInputError(`is not valid JSON (${(err as Error).message})`, { file, field: '--image-ids' });
  }
  const images = (json as { images?: unknown }).images;
  if (!Array.isArray(images)) throw new DetsegInputError("has no 'images' list", { file, field: 'images' });
  const byName = new Map<string, number | string>();
  images.forEach((im: { id?: unknown; file_name?: unknown }, i) => {
    if (typeof im?.file_name !== 'string' || !(Number.isInteger(im.id) || typeof im.id === 'string')) throw new DetsegInputError(`entry ${i} needs an integer or string id and a file_name`, { file, field: `images[${i}]` });
    byName.set(parse(im.file_name).name, im.id as number | string);
  });
  return byName;
}

/**
 * `detseg predict panoptic --input <image or folder> --out <dir>`: the panoptic model (Mask R-CNN
 * instances + semantic U-Net, fused by Panoptic FPN's heuristic) on every image, written as a COCO
 * panoptic set: `<out>/panoptic/<stem>.png` (id = R + 256·G + 256²·B) and `<out>/panoptic.json`,
 * all or nothing. `--image-ids` takes the image ids from a COCO JSON's `images` (by file stem), so that
 * `detseg eval panoptic` can score the output against that ground truth.
 */
export function registerPredictPanoptic(predict: Command): void {
  predict
    .command('panoptic')
    .description('panoptic segmentation (Mask R-CNN + semantic U-Net, Panoptic FPN fusion) written in the COCO panoptic format')
    .requiredOption('--input <path>', 'an image file or a folder of images (height and width multiples of 8)')
    .option('-o, --out <dir>', 'output folder: panoptic/ (PNGs) and panoptic.json (replaced atomically)', 'panoptic-out')
    .option('--image-ids <file>', "COCO JSON whose 'images' give each file's image id (e.g. the ground truth's panoptic.json); default: the file stem")
    .option('--instances <file>', 'Mask R-CNN checkpoint (default assets/checkpoints/panoptic-mask-rcnn.ckpt)')
    .option('--semantic <file>', 'semantic head checkpoint (default assets/checkpoints/panoptic-semantic.ckpt)')
    .option('--score-threshold <p>', 'instances scoring below are ignored', String(DEFAULT_FUSION_OPTIONS.scoreThreshold))
    .option('--overlap-threshold <f>', 'an instance is dropped when more than this fraction of its mask is already taken', String(DEFAULT_FUSION_OPTIONS.overlapThreshold))
    .option('--stuff-area <px>', 'stuff segments with fewer pixels are left void', String(DEFAULT_FUSION_OPTIONS.stuffAreaThreshold))
    .option('--max-pixels <n>', `largest image accepted, in pixels (default ${DEFAULT_MAX_PIXELS}, or DETSEG_MAX_PIXELS)`)
    .option('--overwrite', 'replace an output folder that holds other files', false)
    .action(async (opts: PredictPanopticOptions) => {
      const fusion = {
        scoreThreshold: unitInterval(opts.scoreThreshold, '--score-threshold'),
        overlapThreshold: unitInterval(opts.overlapThreshold, '--overlap-threshold'),
        stuffAreaThreshold: wholeNumber(opts.stuffArea, '--stuff-area', 0),
      };
      const maxPixels = opts.maxPixels === undefined ? defaultMaxPixels() : wholeNumber(opts.maxPixels, '--max-pixels', 1);
      const files = imagePaths(resolve(opts.input), '--input');
      const ids = opts.imageIds === undefined ? undefined : imageIdsByName(resolve(opts.imageIds));
      const out = resolve(opts.out);
      checkReplaceableDir(out, (name) => OUTPUT_ENTRIES.includes(name), opts.overwrite);
      await initEngine();
      const model = PanopticModel.load({ instances: opts.instances && resolve(opts.instances), semantic: opts.semantic && resolve(opts.semantic) }, fusion);
      const images: PanopticImageToWrite[] = [];
      let segments = 0;
      try {
        for (const file of files) {
          const stem = parse(file).name;
          const rgb = await decodeImage(file, file, { maxPixels, limitOption: '--max-pixels' });
          if (rgb.height % 8 !== 0 || rgb.width % 8 !== 0) throw new DetsegInputError(`is ${rgb.width}×${rgb.height}: height and width must be multiples of 8`, { file });
          const imageId = ids === undefined ? stem : ids.get(stem);
          if (imageId === undefined) throw new DetsegInputError(`has no entry for '${basename(file)}' in its images`, { file: resolve(opts.imageIds!), field: 'images' });
          const [p] = model.predict([rgb.data], rgb.height, rgb.width);
          segments += p.segments.length;
          images.push({ imageId, fileName: `${stem}.png`, imageFileName: basename(file), width: rgb.width, height: rgb.height, ids: p.ids, segments: p.segments.map((s) => ({ id: s.id, category_id: s.category_id })) });
        }
      } finally {
        model.dispose();
      }
      await writeDirAtomic(out, async (tmp) => {
        await writeCocoPanoptic(join(tmp, 'panoptic.json'), join(tmp, 'panoptic'), images, model.categories);
      }, '--out');
      process.stdout.write(`${images.length} panoptic image(s), ${segments} segments written to ${out} (panoptic/, panoptic.json)\n`);
    });
}
