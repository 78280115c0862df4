import type { Command } from 'commander';
import { countAllBoxes, countWindows, parseWindowSizes, slidingWindows } from '../../proposals/sliding-window.js';
import { DetsegInputError } from '../../util/errors.js';
import { wholeNumber } from '../options.js';

/** Windows the command enumerates at most (16 bytes each). */
const MAX_ENUMERATED = 50_000_000;

/**
 * `detseg windows --width W --height H [--sizes 64x64,128x64 --stride 16]`: how many boxes an
 * exhaustive search would have to score — all boxes with integer corners, exactly — and, with sizes,
 * how many sliding windows a strided scan enumerates.
 */
export function registerWindows(program: Command): void {
  program
    .command('windows')
    .description('count all possible boxes in an image (exact) and the sliding windows of given sizes and stride')
    .requiredOption('--width <pixels>', 'image width')
    .requiredOption('--height <pixels>', 'image height')
    .option('--sizes <list>', 'window sizes WIDTHxHEIGHT, comma-separated (e.g. 64x64,128x64)')
    .option('--stride <pixels>', 'step between windows (with --sizes)', '16')
    .action((opts: { width: string; height: string; sizes?: string; stride: string }) => {
      const width = wholeNumber(opts.width, '--width', 1);
      const height = wholeNumber(opts.height, '--height', 1);
      const stride = wholeNumber(opts.stride, '--stride', 1);
      const sizes = opts.sizes === undefined ? undefined : parseWindowSizes(opts.sizes);
      const all = countAllBoxes(width, height);
      process.stdout.write(`all boxes in a ${width}×${height} image: ${all.toLocaleString('en-US')} (= H(H+1)W(W+1)/4)\n`);
      if (sizes === undefined) return;
      const expected = countWindows(width, height, sizes, stride);
      if (expected > MAX_ENUMERATED) throw new DetsegInputError(`${expected.toLocaleString('en-US')} windows is more than the ${MAX_ENUMERATED.toLocaleString('en-US')} this command enumerates; use a larger stride`, { field: '--stride' });
      const windows = slidingWindows(width, height, sizes, stride);
      const label = sizes.map((s) => `${s.width}x${s.height}`).join(', ');
      process.stdout.write(`sliding windows (${label}; stride ${stride}): ${(windows.length / 4).toLocaleString('en-US')} enumerated\n`);
    });
}
