import type { Command } from 'commander';
import { resolve } from 'node:path';
import { evaluatePanopticFiles } from '../../eval/panoptic-io.js';
import { formatPanopticTable, type PanopticResult } from '../../eval/panoptic.js';
import { writeFileAtomic } from '../../util/atomic.js';

interface EvalPanopticOptions {
  gtJson: string;
  gtDir: string;
  predJson: string;
  predDir: string;
  categories?: string;
  json?: string;
}

/** The JSON written by `detseg eval panoptic --json`: All / Things / Stuff and the counted categories. */
export function panopticResultJson(result: PanopticResult): object {
  return { All: result.All, Things: result.Things, Stuff: result.Stuff, perClass: result.perClass };
}

/**
 * Adds `detseg eval panoptic` to the `eval` command group created in `eval.ts`: Panoptic Quality of COCO
 * panoptic predictions (panopticapi's pq_compute), its PQ / SQ / RQ table, and optional JSON.
 */
export function registerEvalPanoptic(evalCommand: Command): void {
  evalCommand
    .command('panoptic')
    .description("Panoptic Quality (panopticapi's pq_compute, number for number): PQ, SQ, RQ for All, Things and Stuff")
    .requiredOption('--gt-json <file>', 'ground truth: a COCO panoptic JSON (annotations with segments_info, categories)')
    .requiredOption('--gt-dir <dir>', 'ground truth: the folder of its PNGs (segment id = R + 256·G + 256²·B, 0 = void)')
    .requiredOption('--pred-json <file>', 'predictions: a COCO panoptic JSON ({annotations: [{image_id, file_name, segments_info}]})')
    .requiredOption('--pred-dir <dir>', 'predictions: the folder of their PNGs')
    .option('--categories <file>', "categories (a JSON list, or an object with 'categories'); default: the ground truth's")
    .option('--json <file>', 'write {All, Things, Stuff, perClass} as JSON')
    .action(async (opts: EvalPanopticOptions) => {
      const result = await evaluatePanopticFiles({
        gtJson: resolve(opts.gtJson),
        gtDir: resolve(opts.gtDir),
        predJson: resolve(opts.predJson),
        predDir: resolve(opts.predDir),
        categories: opts.categories === undefined ? undefined : resolve(opts.categories),
      });
      process.stdout.write(`${formatPanopticTable(result).join('\n')}\n`);
      if (opts.json) {
        writeFileAtomic(resolve(opts.json), `${JSON.stringify(panopticResultJson(result), null, 1)}\n`);
        process.stdout.write(`results written to ${resolve(opts.json)}\n`);
      }
    });
}
