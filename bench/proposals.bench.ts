import { join } from 'node:path';
import { convertColourSpace } from '../src/proposals/colour-spaces.js';
import { felzenszwalb } from '../src/proposals/felzenszwalb.js';
import { decodeImage, type RgbImage } from '../src/data/images.js';
import { hierarchicalGrouping, selectiveSearch } from '../src/proposals/selective-search.js';
import { initialRegions, textureCodes } from '../src/proposals/similarity.js';
import { sharedDataDir } from '../src/util/paths.js';
import { mulberry32 } from '../src/util/random.js';
import type { Bench } from './harness.js';

/**
 * A 500×375 test image: VOC2012 2007_000063 (500×375) from the shared data when
 * present, else a seeded synthetic image of flat-coloured rectangles with noise of the same size.
 */
async function benchImage(): Promise<RgbImage> {
  const shared = sharedDataDir();
  if (shared) return decodeImage(join(shared, 'voc2012_100', 'images', '2007_000063.jpg'));
  const width = 500, height = 375;
  const rnd = mulberry32(1);
  const rects = Array.from({ length: 12 }, () => {
    const x = rnd() * width, y = rnd() * height;
    return [x, y, x + rnd() * 200, y + rnd() * 150, rnd() * 255, rnd() * 255, rnd() * 255];
  });
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      let c = [128, 128, 128];
      for (const r of rects) if (x >= r[0] && x < r[2] && y >= r[1] && y < r[3]) c = r.slice(4);
      for (let k = 0; k < 3; k++) data[(y * width + x) * 3 + k] = Math.max(0, Math.min(255, c[k] + (rnd() - 0.5) * 30));
    }
  return { data, width, height };
}

/** Benchmarks of the proposal methods: segmentation, grouping (heap vs flat scan), whole selective search. */
export async function proposalsBenches(): Promise<Bench[]> {
  // Region features are rebuilt inside each timed run (grouping appends to them); the heap/scan
  // difference is the difference of the two medians. k = 10 gives several thousand initial regions.
  const grouping = (queue: 'heap' | 'scan', k: number): Bench => ({
    name: `proposals: initial features + grouping C+T+S+F, HSV k=${k}, ${queue} similarity set (500×375)`,
    reps: 7,
    setup: async () => {
      const img = await benchImage();
      const values = convertColourSpace(img.data, 'hsv');
      const codes = textureCodes(values, img.width, img.height, 3);
      const seg = felzenszwalb(values, img.width, img.height, 3, { k, sigma: 0.8, minSize: k });
      process.stderr.write(`(k=${k}: ${seg.count} initial regions)\n`);
      const weights = { colour: true, texture: true, size: true, fill: true };
      return () => hierarchicalGrouping(initialRegions(seg.labels, seg.count, img.width, img.height, 3, values, codes), seg.labels, img.width, img.height, weights, queue);
    },
  });
  return [
    {
      name: 'proposals: felzenszwalb HSV k=100 sigma=0.8 (500×375)',
      reps: 7,
      setup: async () => {
        const img = await benchImage();
        const values = convertColourSpace(img.data, 'hsv');
        return () => felzenszwalb(values, img.width, img.height, 3, { k: 100, sigma: 0.8, minSize: 100 });
      },
    },
    grouping('heap', 50),
    grouping('scan', 50),
    grouping('heap', 10),
    grouping('scan', 10),
    {
      name: 'proposals: selective search fast, 8 strategies, 2000 boxes (500×375)',
      reps: 5,
      setup: async () => {
        const img = await benchImage();
        return () => selectiveSearch(img, { mode: 'fast' });
      },
    },
    {
      name: 'proposals: selective search single strategy (500×375)',
      reps: 5,
      setup: async () => {
        const img = await benchImage();
        return () => selectiveSearch(img, { mode: 'single' });
      },
    },
  ];
}
