import type { Command } from 'commander';
import { resolve } from 'node:path';
import { decodeImage, defaultMaxPixels, encodePng } from '../../data/images.js';
import { DEFAULT_WINDOW_SIZES, PROPOSAL_METHODS, proposeBoxes, type ProposalMethod } from '../../proposals/propose.js';
import type { SelectiveSearchMode } from '../../proposals/selective-search.js';
import { colour, image as svgImage, rect, svgDoc } from '../../viz/svg.js';
import { AtomicFiles } from '../../util/atomic.js';
import { DEFAULT_MAX_PIXELS } from '../../util/limits.js';
import { DetsegInputError } from '../../util/errors.js';
import { wholeNumber } from '../options.js';

const MODES: SelectiveSearchMode[] = ['fast', 'quality', 'single'];

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
    .description('object proposals for an image (selective search or sliding windows); prints the count and the time')
    .argument('<image>', 'image file (JPEG, PNG, WebP, TIFF, ...)')
    .option('--method <name>', `proposal method: ${PROPOSAL_METHODS.join(' | ')}`, 'selective-search')
    .option('--mode <mode>', `selective search strategies: ${MODES.join(' | ')} (Uijlings et al. 2013)`, 'fast')
    .option('--top <n>', 'keep the N best-ranked proposals', '2000')
    .option('--seed <n>', 'seed of the pseudo-random ranking', '0')
    .option('--sizes <list>', 'sliding-window sizes WIDTHxHEIGHT, comma-separated', DEFAULT_WINDOW_SIZES)
    .option('--stride <pixels>', 'sliding-window stride', '32')
    .option('--plot <file.svg>', 'write an SVG of the image with the top proposals drawn')
    .option('--plot-boxes <n>', 'how many of the top proposals the plot draws', '50')
    .option('--json <file.json>', 'write the proposals as JSON ({ boxes: [[x1, y1, x2, y2], ...], ... })')
    .option('--max-pixels <n>', `largest image accepted, in pixels (default ${DEFAULT_MAX_PIXELS}, or DETSEG_MAX_PIXELS)`)
    .action(async (imagePath: string, opts: { method: string; mode: string; top: string; seed: string; sizes: string; stride: string; plot?: string; plotBoxes: string; json?: string; maxPixels?: string }) => {
      if (!(PROPOSAL_METHODS as readonly string[]).includes(opts.method)) {
        throw new DetsegInputError(`unknown method '${opts.method}' (expected ${PROPOSAL_METHODS.join(' or ')})`, { field: '--method' });
      }
      if (!(MODES as string[]).includes(opts.mode)) throw new DetsegInputError(`unknown mode '${opts.mode}' (expected ${MODES.join(', ')})`, { field: '--mode' });
      const top = wholeNumber(opts.top, '--top', 0);
      const seed = wholeNumber(opts.seed, '--seed', 0);
      const plotBoxes = wholeNumber(opts.plotBoxes, '--plot-boxes', 0);
      const stride = wholeNumber(opts.stride, '--stride', 0);
      if (stride < 1) throw new DetsegInputError(`must be at least 1, got ${stride}`, { field: '--stride' });
      const method = opts.method as ProposalMethod;
      const maxPixels = opts.maxPixels === undefined ? defaultMaxPixels() : wholeNumber(opts.maxPixels, '--max-pixels', 1);
      const img = await decodeImage(imagePath, imagePath, { maxPixels, limitOption: '--max-pixels' });
      const t0 = performance.now();
      const result = proposeBoxes(img, { method, top, mode: opts.mode as SelectiveSearchMode, seed, sizes: opts.sizes, stride, maxPixels });
      const seconds = (performance.now() - t0) / 1000;
      const count = result.boxes.length / 4;
      const label = method === 'selective-search' ? `${method} (${opts.mode})` : method;
      process.stdout.write(`${label}: ${count} proposals in ${seconds.toFixed(2)} s (${img.width}×${img.height} image, ${result.detail})\n`);
      // the JSON and the plot are written together: both or none
      const out = new AtomicFiles();
      try {
        if (opts.json) {
          const boxes = Array.from({ length: count }, (_, i) => Array.from(result.boxes.subarray(4 * i, 4 * i + 4)));
          const doc = { image: resolve(imagePath), method, ...(method === 'selective-search' ? { mode: opts.mode, seed } : { sizes: opts.sizes, stride }), width: img.width, height: img.height, seconds, count, boxes };
          out.add(opts.json, `${JSON.stringify(doc)}\n`, '--json');
        }
        if (opts.plot) out.add(opts.plot, proposalsSvg(await encodePng(img), img.width, img.height, result.boxes, plotBoxes), '--plot');
        out.commit();
      } catch (err) {
        out.discard();
        throw err;
      }
      if (opts.json) process.stdout.write(`proposals written to ${opts.json}\n`);
      if (opts.plot) process.stdout.write(`plot of the top ${Math.min(plotBoxes, count)} proposals written to ${opts.plot}\n`);
    });
}
