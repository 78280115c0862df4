import type { Command } from 'commander';
import { resolve } from 'node:path';
import { readJsonFile } from '../../data/json-text.js';
import { COCO_STAT_NAMES, evaluateCocoJson, type CocoEvalResult } from '../../eval/coco.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { DetsegInputError } from '../../util/errors.js';
import { registerEvalPanoptic } from './eval-panoptic.js';
import { registerEvalVoc } from './eval-voc.js';

interface EvalCocoOptions {
  gt: string;
  dt: string;
  iouType: string;
  json?: string;
  useCats: boolean;
  imgIds?: string;
  catIds?: string;
  maxDets?: string;
}

function idList(value: string | undefined, flag: string): number[] | undefined {
  if (value === undefined) return undefined;
  const ids = value.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (ids.length === 0 || ids.some((v) => !Number.isFinite(v))) throw new DetsegInputError(`expected a comma-separated list of numbers, got '${value}'`, { field: flag });
  return ids;
}

/** The evaluation parameters as the command-line options that set them. */
const OPTION_OF_PARAM: Record<string, string> = { imgIds: '--img-ids', catIds: '--cat-ids', maxDets: '--max-dets' };

/** Runs `fn`; an input error about an evaluation parameter is reported under its command-line option. */
function withOptionNames<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const option = err instanceof DetsegInputError && err.field !== undefined ? OPTION_OF_PARAM[err.field] : undefined;
    if (option === undefined) throw err;
    const e = err as DetsegInputError;
    throw new DetsegInputError(e.message.slice(`${e.field}: `.length), { file: e.file, field: option });
  }
}

/** The JSON written by `detseg eval coco --json`: the 12 statistics (named and in order), AP per class, parameters. */
export function cocoResultJson(result: CocoEvalResult): object {
  const p = result.params;
  return {
    iouType: p.iouType,
    stats: result.stats,
    named: Object.fromEntries(COCO_STAT_NAMES.map((n, i) => [n, result.stats[i]])),
    perClass: Object.fromEntries(result.perClass.map((c) => [c.name, c.ap])),
    params: { imgIds: p.imgIds.length, catIds: p.catIds, useCats: p.useCats, maxDets: p.maxDets, iouThrs: Array.from(p.iouThrs), areaRng: p.areaRng, areaRngLbl: p.areaRngLbl },
  };
}

function registerEvalCoco(evalCommand: Command): void {
  evalCommand
    .command('coco')
    .description("COCO evaluation (pycocotools' COCOeval, number for number): prints the 12 AP/AR lines")
    .requiredOption('--gt <file>', 'ground truth: a COCO annotation JSON file')
    .requiredOption('--dt <file>', 'detections: a COCO results JSON file (a list of {image_id, category_id, bbox|segmentation, score})')
    .option('--iou-type <type>', 'bbox (box IoU) or segm (mask IoU)', 'bbox')
    .option('--json <file>', 'write {stats, named, perClass, params} as JSON')
    .option('--no-use-cats', 'pool every category (pycocotools useCats = 0)')
    .option('--img-ids <ids>', 'evaluate only these image ids (comma-separated)')
    .option('--cat-ids <ids>', 'evaluate only these category ids (comma-separated)')
    .option('--max-dets <n,n,n>', 'detections per image for the statistics (3 values)', '1,10,100')
    .action((opts: EvalCocoOptions) => {
      if (opts.iouType !== 'bbox' && opts.iouType !== 'segm') throw new DetsegInputError(`must be bbox or segm, got '${opts.iouType}'`, { field: '--iou-type' });
      const gtFile = resolve(opts.gt);
      const dtFile = resolve(opts.dt);
      const gtData = readJsonFile(gtFile);
      const dtData = readJsonFile(dtFile);
      const result = withOptionNames(() =>
        evaluateCocoJson(gtData, dtData, {
          iouType: opts.iouType as 'bbox' | 'segm',
          gtFile,
          dtFile,
          useCats: opts.useCats,
          imgIds: idList(opts.imgIds, '--img-ids'),
          catIds: idList(opts.catIds, '--cat-ids'),
          maxDets: idList(opts.maxDets, '--max-dets'),
        }),
      );
      process.stdout.write(`${result.lines.join('\n')}\n`);
      if (opts.json) {
        writeFileAtomic(resolve(opts.json), `${JSON.stringify(cocoResultJson(result), null, 1)}\n`, '--json');
        process.stdout.write(`results written to ${resolve(opts.json)}\n`);
      }
    });
}

/**
 * `detseg eval`: the evaluation command group. It holds `eval coco` (this file) and `eval voc`
 * (`eval-voc.ts`, which receives the parent command from here). Returns the group.
 */
export function registerEval(program: Command): Command {
  const evalCommand = program.command('eval').description('evaluate detections against ground truth (COCO, Pascal VOC)');
  registerEvalCoco(evalCommand);
  registerEvalVoc(evalCommand);
  registerEvalPanoptic(evalCommand);
  return evalCommand;
}
