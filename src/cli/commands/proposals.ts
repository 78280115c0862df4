import type { Command } from 'commander';
import { resolve } from 'node:path';
import sharp from 'sharp';
import { readRgbImage, selectiveSearch, type SelectiveSearchMode } from '../../proposals/selective-search.js';
import { colour, image as svgImage, rect, svgDoc } from '../../report/svg.js';
import { writeFileAtomic } from '../../util/atomic.js';
import { DetsegInputError } from '../../util/errors.js';

const METHODS = ['selective-search'] as const;
const MODES: SelectiveSearchMode[] = ['fast', 'quality', 'single'];

function nonNegativeInt(value: string, option: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new DetsegInputError(`must be a whole number ≥ 0, got '${value}'`, { field: option });
  return n;
}

/**
 * An SVG of an image with proposals drawn over it: the image embedded as a base64 PNG data URL, then
 * the first `count` boxes as outlines (the first drawn last, on top). `png`: PNG bytes of a
 * `width`×`height` image; `boxes: Float32Array [N, 4]` xyxy in pixels.
 */
export function proposalsSvg(png: Uint8Array, width: number, height: number, boxes: Float32Array, count: number): string {
  const n = Math.min(count, boxes.length >> 2);
  const parts = [svgImage(`data:image/png;base64,${Buffer.from(png).toString('base64')}`, 0, 0, width, height)];
  for (let i = n - 1; i >= 0; i--) {
    parts.push(rect(boxes[4 * i], boxes[4 * i + 1], boxes[4 * i + 2], boxes[4 * i + 3], { stroke: colour(i), 'stroke-width': 1.5 }));
  }
  return svgDoc(width, height, parts);
}

/** `detseg proposals IMAGE`: class-agnostic object proposals for one image, with their count and time. */
export function registerProposals(program: Command): void {
  program
    .command('proposals')
    .description('object proposals for an image (selective search); prints the count and the time')
    .argument('<image>', 'image file (JPEG, PNG, WebP, TIFF, ...)')
    .option('--method <name>', `proposal method: ${METHODS.join(' | ')}`, 'selective-search')
    .option('--mode <mode>', `selective search strategies: ${MODES.join(' | ')} (Uijlings et al. 2013)`, 'fast')
    .option('--top <n>', 'keep the N best-ranked proposals', '2000')
    .option('--seed <n>', 'seed of the pseudo-random ranking', '0')
    .option('--plot <file.svg>', 'write an SVG of the image with the top proposals drawn')
    .option('--plot-boxes <n>', 'how many of the top proposals the plot draws', '50')
    .option('--json <file.json>', 'write the proposals as JSON ({ boxes: [[x1, y1, x2, y2], ...], ... })')
    .action(async (imagePath: string, opts: { method: string; mode: string; top: string; seed: string; plot?: string; plotBoxes: string; json?: string }) => {
      if (!(METHODS as readonly string[]).includes(opts.method)) {
        throw new DetsegInputError(`unknown method '${opts.method}' (expected ${METHODS.join(' or ')})`, { field: '--method' });
      }
      if (!(MODES as string[]).includes(opts.mode)) throw new DetsegInputError(`unknown mode '${opts.mode}' (expected ${MODES.join(', ')})`, { field: '--mode' });
      const top = nonNegativeInt(opts.top, '--top');
      const seed = nonNegativeInt(opts.seed, '--seed');
      const plotBoxes = nonNegativeInt(opts.plotBoxes, '--plot-boxes');
      const img = await readRgbImage(imagePath);
      const t0 = performance.now();
      const result = selectiveSearch(img, { mode: opts.mode as SelectiveSearchMode, maxBoxes: top, seed });
      const seconds = (performance.now() - t0) / 1000;
      const count = result.boxes.length / 4;
      process.stdout.write(
        `${opts.method} (${opts.mode}): ${count} proposals in ${seconds.toFixed(2)} s ` +
          `(${img.width}×${img.height} image, ${result.hierarchies} hierarchies, ${result.distinct} distinct boxes)\n`,
      );
      if (opts.json) {
        const boxes = Array.from({ length: count }, (_, i) => Array.from(result.boxes.subarray(4 * i, 4 * i + 4)));
        const doc = { image: resolve(imagePath), method: opts.method, mode: opts.mode, seed, width: img.width, height: img.height, seconds, count, boxes };
        writeFileAtomic(opts.json, `${JSON.stringify(doc)}\n`);
        process.stdout.write(`proposals written to ${opts.json}\n`);
      }
      if (opts.plot) {
        const png = await sharp(img.data, { raw: { width: img.width, height: img.height, channels: 3 } }).png().toBuffer();
        writeFileAtomic(opts.plot, proposalsSvg(png, img.width, img.height, result.boxes, plotBoxes));
        process.stdout.write(`plot of the top ${Math.min(plotBoxes, count)} proposals written to ${opts.plot}\n`);
      }
    });
}
