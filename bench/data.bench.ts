import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Bench } from './harness.js';
import { cocoToDataset, parseCoco } from '../src/data/coco.js';
import { decodeImage, letterbox } from '../src/data/images.js';
import { syntheticSample } from '../src/data/synthetic.js';
import { packageRoot, sharedDataDir } from '../src/util/paths.js';

/**
 * Benchmarks of the data pipeline. coco128 comes from `../shared/data` when present; without it the
 * JSON benchmark is left out and the JPEG benchmark cycles over the two fixture JPEGs (448×336, 500×375).
 */
export async function dataBenchmarks(): Promise<Bench[]> {
  const shared = sharedDataDir();
  const coco128 = shared && join(shared, 'coco128');
  const benches: Bench[] = [
    {
      name: 'data: synthetic shapes, 100 images 256×256 (pixels, masks, boxes)',
      reps: 5,
      setup: () => {
        let seed = 0;
        return () => {
          seed++;
          for (let i = 0; i < 100; i++) syntheticSample(seed, i, { size: 256 });
        };
      },
    },
  ];
  if (coco128) {
    benches.push({
      name: 'data: read coco128 COCO JSON (parse, validate, to DetectionDataset)',
      reps: 15,
      setup: () => {
        const file = join(coco128, 'annotations', 'instances_coco128.json');
        const text = readFileSync(file, 'utf8');
        return () => cocoToDataset(parseCoco(text, file));
      },
    });
  }
  const imagesDir = coco128 ? join(coco128, 'images') : join(packageRoot(), 'test', 'fixtures', 'data', 'coco128', 'images');
  const names = readdirSync(imagesDir).filter((f) => f.endsWith('.jpg')).sort();
  const files = Array.from({ length: 16 }, (_, i) => join(imagesDir, names[i % names.length]));
  benches.push({
    name: `data: decode + letterbox to 640, 16 JPEGs (${coco128 ? 'coco128' : 'fixture'})`,
    reps: 5,
    setup: () => async () => {
      for (const f of files) letterbox(await decodeImage(f), 640);
    },
  });
  return benches;
}
