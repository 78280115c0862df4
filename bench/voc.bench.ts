import { join } from 'node:path';
import type { Bench } from './harness.js';
import { readFileSync } from 'node:fs';
import { parseNamesText } from '../src/data/voc-eval-io.js';
import { evaluateVoc, type VocDataset, type VocImage } from '../src/eval/voc.js';
import { loadVocEvalFolders } from '../src/eval/voc-io.js';
import { sharedDataDir } from '../src/util/paths.js';
import { mulberry32 } from '../src/util/random.js';

/**
 * Benchmarks of the Pascal VOC evaluation: the shared `voc2012_100` set (100 VOC2012 images, XML ground
 * truth with difficult objects, 452 detections in 98 files with class ids mapped through the 20 VOC
 * names) — reading, and evaluating — and a synthetic set 100× larger to show how it scales.
 */
export async function vocBenchmarks(): Promise<Bench[]> {
  const benches: Bench[] = [];
  const shared = sharedDataDir();
  if (shared === undefined) {
    process.stderr.write('voc benchmarks on voc2012_100 skipped: ../shared/data is absent\n');
  } else {
    const root = join(shared, 'voc2012_100');
    const names = parseNamesText(readFileSync(join(shared, 'voc_toy_cats', 'voc.names'), 'utf8'), 'voc.names');
    const load = () => loadVocEvalFolders(join(root, 'gts', 'pascalvoc_format'), join(root, 'dets', 'abs_xyx2y2'), { detFormat: 'xyxy', names });
    benches.push(
      {
        name: 'voc: read voc2012_100 (100 XML + 98 detection files)',
        setup: () => load,
      },
      {
        name: 'voc: evaluate voc2012_100, AP@0.5 all-point',
        reps: 21,
        setup: () => {
          const { dataset } = load();
          return () => evaluateVoc(dataset, { iouThreshold: 0.5 });
        },
      },
      {
        name: 'voc: evaluate voc2012_100 at IoU 0.5:0.05:0.95 (10 thresholds)',
        setup: () => {
          const { dataset } = load();
          return () => {
            for (let t = 0; t < 10; t++) evaluateVoc(dataset, { iouThreshold: 0.5 + 0.05 * t });
          };
        },
      },
    );
  }
  benches.push({
    name: 'voc: evaluate synthetic 10,000 images × 20 classes (50,000 objects, 200,000 detections)',
    reps: 5,
    setup: () => {
      const dataset = syntheticVoc(10_000, 20, 5, 20, 11);
      return () => evaluateVoc(dataset, { iouThreshold: 0.5 });
    },
  });
  return benches;
}

/** A seeded synthetic evaluation set: `gtPer` objects and `dtPer` detections (half near an object) per image. */
function syntheticVoc(numImages: number, numClasses: number, gtPer: number, dtPer: number, seed: number): VocDataset {
  const random = mulberry32(seed);
  const images: VocImage[] = [];
  for (let i = 0; i < numImages; i++) {
    const gtBoxes = new Float64Array(4 * gtPer);
    const gtClasses = new Int32Array(gtPer);
    for (let g = 0; g < gtPer; g++) {
      const x = random() * 400, y = random() * 400;
      gtBoxes.set([x, y, x + 20 + random() * 80, y + 20 + random() * 80], 4 * g);
      gtClasses[g] = Math.floor(random() * numClasses);
    }
    const dtBoxes = new Float64Array(4 * dtPer);
    const dtClasses = new Int32Array(dtPer);
    const dtScores = new Float64Array(dtPer);
    for (let d = 0; d < dtPer; d++) {
      const g = Math.floor(random() * gtPer);
      if (random() < 0.5) {
        const j = () => (random() - 0.5) * 16;
        dtBoxes.set([gtBoxes[4 * g] + j(), gtBoxes[4 * g + 1] + j(), gtBoxes[4 * g + 2] + j(), gtBoxes[4 * g + 3] + j()], 4 * d);
        dtClasses[d] = gtClasses[g];
      } else {
        const x = random() * 400, y = random() * 400;
        dtBoxes.set([x, y, x + 20 + random() * 80, y + 20 + random() * 80], 4 * d);
        dtClasses[d] = Math.floor(random() * numClasses);
      }
      dtScores[d] = random();
    }
    images.push({ name: `im${i}`, gtBoxes, gtClasses, gtDifficult: new Uint8Array(gtPer), dtBoxes, dtClasses, dtScores });
  }
  return { classNames: Array.from({ length: numClasses }, (_, c) => `c${c}`), images };
}
