import type { Command } from 'commander';
import { DetsegInputError } from '../../util/errors.js';
import { DATASET_FORMATS, parseClassNames, readDataset, writeDataset, type DatasetFormat } from '../../data/convert.js';

function format(value: string, option: string): DatasetFormat {
  if (!(DATASET_FORMATS as readonly string[]).includes(value)) throw new DetsegInputError(`unknown format ${JSON.stringify(value)} (one of ${DATASET_FORMATS.join(', ')})`, { field: option });
  return value as DatasetFormat;
}

/** `detseg convert`: converts detection annotations between COCO, Pascal VOC, YOLO and KITTI. */
export function registerConvert(program: Command): void {
  program
    .command('convert')
    .description('convert detection annotations between coco, voc, yolo and kitti (output written atomically)')
    .requiredOption('--from <format>', `input format: ${DATASET_FORMATS.join('|')}`)
    .requiredOption('--to <format>', `output format: ${DATASET_FORMATS.join('|')}`)
    .requiredOption('--in <path>', 'input: a COCO .json file, or a folder of VOC .xml / YOLO or KITTI .txt label files')
    .requiredOption('--out <path>', 'output: a .json file for coco, a new folder otherwise')
    .option('--images <dir>', 'image folder: required for yolo and kitti input (image sizes); checks files and sizes otherwise')
    .option('--classes <names>', 'class names fixing label order: "a,b,c", a text file (one per line), or a YOLO data YAML')
    .option('--voc-one-based', "read and write VOC boxes as the devkit's 1-based inclusive pixels (x1 = xmin - 1); default: as they are", false)
    .option('--overwrite', 'replace a non-empty output folder', false)
    .action(async (opts: { from: string; to: string; in: string; out: string; images?: string; classes?: string; vocOneBased: boolean; overwrite: boolean }) => {
      const from = format(opts.from, '--from');
      const to = format(opts.to, '--to');
      const classNames = opts.classes ? parseClassNames(opts.classes) : undefined;
      const dataset = await readDataset(from, opts.in, { imagesDir: opts.images, classNames, vocOneBased: opts.vocOneBased });
      const s = await writeDataset(to, dataset, opts.out, { overwrite: opts.overwrite, vocOneBased: opts.vocOneBased }).catch((err: unknown) => {
        // an output that cannot be written is reported under the option that named it
        if (err instanceof DetsegInputError && err.file === opts.out && err.field === undefined) throw new DetsegInputError(err.message.slice(`${opts.out}: `.length), { file: opts.out, field: '--out' });
        throw err;
      });
      const skipped = s.skipped ? ` (${s.skipped} crowd/difficult objects left out: ${to} cannot hold them)` : '';
      process.stdout.write(`converted ${s.images} images, ${s.objects} objects, ${dataset.classNames.length} classes: ${from} → ${to} ${opts.out}${skipped}\n`);
    });
}
