import type { Command } from 'commander';
import { resolve } from 'node:path';
import { writeSyntheticSet } from '../../data/synthetic-coco.js';
import { writeSyntheticPanopticSet } from '../../data/synthetic-panoptic.js';
import { wholeNumber } from '../options.js';

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
    .option('--panoptic', 'also stuff (sky / ground / wall regions behind the shapes): adds panoptic/ + panoptic.json (COCO panoptic); semantic/ then holds category ids', false)
    .action(async (opts: { out: string; count: string; seed: string; size: string; maxObjects: string; overwrite: boolean; panoptic: boolean }) => {
      const count = wholeNumber(opts.count, '--count', 1);
      const seed = wholeNumber(opts.seed, '--seed', 0, 2 ** 32 - 1);
      const size = wholeNumber(opts.size, '--size', 32, 4096);
      const maxObjects = wholeNumber(opts.maxObjects, '--max-objects', 1, 64);
      const out = resolve(opts.out);
      if (opts.panoptic) {
        const { panoptic, instances } = await writeSyntheticPanopticSet(out, count, seed, { size, maxObjects }, opts.overwrite);
        const segments = panoptic.annotations.reduce((n, a) => n + a.segments_info.length, 0);
        process.stdout.write(`wrote ${panoptic.annotations.length} panoptic images, ${instances.annotations.length} things and ${segments - instances.annotations.length} stuff regions (seed ${seed}, ${size}×${size}) to ${out}\n`);
        return;
      }
      const coco = await writeSyntheticSet(out, count, seed, { size, maxObjects }, opts.overwrite);
      process.stdout.write(`wrote ${coco.images.length} images, ${coco.annotations.length} objects (seed ${seed}, ${size}×${size}) to ${out}\n`);
    });
}
