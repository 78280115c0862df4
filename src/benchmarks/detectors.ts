import { median } from '../util/median.js';
import { syntheticData } from '../pipeline/dataset.js';
import { detectPrepared } from '../pipeline/infer.js';
import { prepareSample } from '../pipeline/samples.js';
import { validate } from '../pipeline/val.js';
import { checkpointImageSize, loadDetector, shippedCheckpoints } from '../pipeline/weights.js';

/** One row of {@link benchDetectors}. */
export interface DetectorBenchRow {
  /** Shipped checkpoint name (or the file). */
  model: string;
  kind: string;
  params: number;
  /** Median milliseconds of one image's network pass and post-processing (proposals included), after a warm-up. */
  msPerImage: number;
  /** COCO mAP@[.5:.95] and mAP@0.5 on the same held-out images. */
  mAP: number;
  mAP50: number;
}

/**
 * Every shipped detector (or the checkpoints given) on the same held-out synthetic images (seed 2), one
 * image at a time after one untimed image: the lecture's speed / accuracy trade-off as rows
 * `{model, params, msPerImage (median), mAP, mAP50}`. The images are generated with each checkpoint's own
 * object count (one object for classification + localization).
 */
export async function benchDetectors(options: { images: number; checkpoints?: Array<{ name: string; kind: string; path: string }> }): Promise<DetectorBenchRow[]> {
  const list = options.checkpoints ?? shippedCheckpoints().map((s) => ({ name: s.name, kind: s.family.kind, path: s.path }));
  const rows: DetectorBenchRow[] = [];
  for (const c of list) {
    const detector = loadDetector(c.kind, c.path);
    try {
      const imgsz = checkpointImageSize(detector.meta);
      const data = syntheticData(2, options.images, imgsz, detector.family.singleObject ? [1, 1] : undefined);
      const times: number[] = [];
      for (let i = -1; i < options.images; i++) {
        const sample = await prepareSample(data, Math.max(i, 0), 0, { imgsz });
        const t0 = performance.now();
        detectPrepared(detector.model, detector.family, [sample], imgsz);
        if (i >= 0) times.push(performance.now() - t0);
      }
      const result = await validate(detector.model, detector.family, data, { imgsz });
      const params = detector.model.models().reduce((s, m) => s + m.countParams(), 0);
      rows.push({ model: c.name, kind: c.kind, params, msPerImage: median(times), mAP: result.bbox.stats[0], mAP50: result.bbox.stats[1] });
    } finally {
      detector.dispose();
    }
  }
  return rows;
}

/** The rows as an aligned text table. */
export function formatDetectorBench(rows: DetectorBenchRow[], images: number): string {
  const width = Math.max(5, ...rows.map((r) => r.model.length));
  const lines = [`${images} held-out synthetic images, one at a time (median ms per image after a warm-up)`, `${'model'.padEnd(width)}  ${'kind'.padEnd(12)} ${'params'.padStart(10)} ${'ms/image'.padStart(9)}    mAP  mAP50`];
  for (const r of rows) lines.push(`${r.model.padEnd(width)}  ${r.kind.padEnd(12)} ${r.params.toLocaleString('en-US').padStart(10)} ${r.msPerImage.toFixed(1).padStart(9)}  ${r.mAP.toFixed(3)}  ${r.mAP50.toFixed(3)}`);
  return lines.join('\n');
}
