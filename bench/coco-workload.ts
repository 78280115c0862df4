import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CocoAnnotation, CocoDataset, CocoImage, CocoResult } from '../src/data/coco-types.js';
import { DetsegInputError } from '../src/util/errors.js';
import { sharedDataDir } from '../src/util/paths.js';
import { gaussian, mulberry32 } from '../src/util/random.js';

/**
 * A COCO-val-sized evaluation workload built from the shared `coco128` set (128 images, 939 annotations
 * with polygons, 10 crowd RLEs, 80 categories): its images are replicated `copies` times (40 → 5,120
 * images, 37,560 ground truths) under new ids, and seeded detections are drawn around the ground truth —
 * for each non-crowd object a jittered box (95 %, 5 % of them with a wrong class) and a looser duplicate
 * (60 %), and per image on average 6.5 false positives anywhere in the image with random classes —
 * ≈ 91,000 detections in all, with scores higher for the jittered boxes than for the false positives.
 */
export interface CocoWorkload {
  gtFile: string;
  dtFile: string;
  images: number;
  groundTruths: number;
  crowd: number;
  detections: number;
}

/** Builds the workload into `dir` (GT and DT JSON files), seeded; needs `../shared/data/coco128`. */
export function buildCocoWorkload(dir: string, options: { seed?: number; copies?: number } = {}): CocoWorkload {
  const shared = sharedDataDir();
  if (shared === undefined) throw new DetsegInputError('../shared/data/coco128 is needed to build the COCO workload');
  const source = JSON.parse(readFileSync(join(shared, 'coco128', 'annotations', 'instances_coco128.json'), 'utf8')) as CocoDataset;
  const copies = options.copies ?? 40;
  const random = mulberry32(options.seed ?? 2024);
  const catIds = source.categories.map((c) => c.id);
  const byImage = new Map<number, CocoAnnotation[]>();
  for (const a of source.annotations) {
    const list = byImage.get(a.image_id) ?? [];
    list.push(a);
    byImage.set(a.image_id, list);
  }
  const images: CocoImage[] = [];
  const annotations: CocoAnnotation[] = [];
  const results: CocoResult[] = [];
  let nextImageId = 1;
  let nextAnnId = 1;
  let crowd = 0;
  const round2 = (v: number) => Math.round(v * 100) / 100;
  for (let c = 0; c < copies; c++) {
    for (const img of source.images) {
      const imageId = nextImageId++;
      images.push({ ...img, id: imageId, file_name: `${c}_${img.file_name}` });
      for (const a of byImage.get(img.id) ?? []) {
        annotations.push({ ...a, id: nextAnnId++, image_id: imageId });
        if (a.iscrowd) {
          crowd++;
          continue;
        }
        const [x, y, w, h] = a.bbox;
        if (random() < 0.95) {
          const s = 0.08;
          const category = random() < 0.05 ? catIds[Math.floor(random() * catIds.length)] : a.category_id;
          const bbox: [number, number, number, number] = [round2(x + gaussian(random) * s * w), round2(y + gaussian(random) * s * h), round2(w * Math.exp(gaussian(random) * s)), round2(h * Math.exp(gaussian(random) * s))];
          results.push({ image_id: imageId, category_id: category, bbox, score: round2(0.3 + 0.7 * random()) });
        }
        if (random() < 0.6) {
          const s = 0.25;
          const bbox: [number, number, number, number] = [round2(x + gaussian(random) * s * w), round2(y + gaussian(random) * s * h), round2(w * Math.exp(gaussian(random) * s)), round2(h * Math.exp(gaussian(random) * s))];
          results.push({ image_id: imageId, category_id: a.category_id, bbox, score: round2(0.1 + 0.6 * random()) });
        }
      }
      const falsePositives = Math.floor(random() * 14);
      for (let f = 0; f < falsePositives; f++) {
        const w = 10 + random() * img.width * 0.4, h = 10 + random() * img.height * 0.4;
        const bbox: [number, number, number, number] = [round2(random() * (img.width - w)), round2(random() * (img.height - h)), round2(w), round2(h)];
        results.push({ image_id: imageId, category_id: catIds[Math.floor(random() * catIds.length)], bbox, score: round2(0.6 * random()) });
      }
    }
  }
  mkdirSync(dir, { recursive: true });
  const gtFile = join(dir, 'workload_gt.json');
  const dtFile = join(dir, 'workload_dt.json');
  const gt: CocoDataset = { info: { description: 'detseg COCO benchmark workload (coco128 replicated)' }, images, categories: source.categories, annotations };
  writeFileSync(gtFile, JSON.stringify(gt));
  writeFileSync(dtFile, JSON.stringify(results));
  return { gtFile, dtFile, images: images.length, groundTruths: annotations.length, crowd, detections: results.length };
}
