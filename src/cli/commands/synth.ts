import type { Command } from 'commander';
import { resolve } from 'node:path';
import { DetsegInputError } from '../../util/errors.js';
import { writeSyntheticSet } from '../../data/synthetic-coco.js';

function positiveInt(value: string, option: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new DetsegInputError(`must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`, { field: option });
  return n;
}

/** `detseg synth`: writes the synthetic-shapes benchmark (PNGs, semantic masks, COCO JSON with RLE masks). */
export function registerSynth(program: Command): void {
  program
    .command('synth')
    .description('write synthetic shapes images (PNG), semantic masks (PNG) and COCO annotations with RLE instance masks')
    .requiredOption('--out <dir>', 'output folder (replaced atomically; only an earlier synth output is replaced without --overwrite)')
    .option('--count <n>', 'number of images', '100')
    .option('--seed <s>', 'random seed (same seed, same bytes)', '0')
    .option('--size <px>', 'image width and height', '128')
    .option('--max-objects <n>', 'at most this many shapes per image', '8')
    .option('--overwrite', 'replace an output folder that holds other files', false)
    .action(async (opts: { out: string; count: string; seed: string; size: string; maxObjects: string; overwrite: boolean }) => {
      const count = positiveInt(opts.count, '--count');
      const seed = positiveInt(opts.seed, '--seed', 0, 2 ** 32 - 1);
      const size = positiveInt(opts.size, '--size', 32, 4096);
      const maxObjects = positiveInt(opts.maxObjects, '--max-objects', 1, 64);
      const out = resolve(opts.out);
      const coco = await writeSyntheticSet(out, count, seed, { size, maxObjects }, opts.overwrite);
      process.stdout.write(`wrote ${coco.images.length} images, ${coco.annotations.length} objects (seed ${seed}, ${size}×${size}) to ${out}\n`);
    });
}
