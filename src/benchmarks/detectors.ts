import * as tf from '@tensorflow/tfjs';
import { median } from '../util/median.js';
import { loadUNetCheckpoint } from '../models/unet/checkpoint-meta.js';
import { syntheticData } from '../pipeline/dataset.js';
import { detectPreparedWith } from '../pipeline/infer.js';
import { nodeOrtBinding, openRuntimeDetector, resolveUNetWeights, segmenterOnnxBytes, type Runtime } from '../pipeline/onnx.js';
import { prepareSample } from '../pipeline/samples.js';
import { validate } from '../pipeline/val.js';
import { loadDetector, shippedCheckpoints } from '../pipeline/weights.js';
import { PartSessions } from '../onnx/runtime.js';
import { DetsegInputError } from '../util/errors.js';

/** One row of {@link benchDetectors}. */
export interface DetectorBenchRow {
  /** Shipped checkpoint name (or the file). */
  model: string;
  kind: string;
  /** The engine that ran the network (the post-processing is the same TypeScript on both). */
  runtime: Runtime;
  params: number;
  /** Median milliseconds of one image's network pass and post-processing (proposals included), after a warm-up. */
  msPerImage: number;
  /** COCO mAP@[.5:.95] and mAP@0.5 on the same held-out images (NaN for the U-Net: timing only). */
  mAP: number;
  mAP50: number;
}

/** Options of {@link benchDetectors}. */
export interface DetectorBenchOptions {
  images: number;
  checkpoints?: Array<{ name: string; kind: string; path: string }>;
  /** 'onnx': every checkpoint on TF.js and on ONNX Runtime (same images, same run), and the U-Net rows. */
  runtime?: Runtime;
}

/**
 * Every shipped detector (or the checkpoints given) on the same held-out synthetic images (seed 2), one
 * image at a time after one untimed image: the lecture's speed / accuracy trade-off as rows
 * `{model, runtime, params, msPerImage (median), mAP, mAP50}`. The images are generated with each
 * checkpoint's own object count (one object for classification + localization). With `runtime: 'onnx'`
 * each model is measured on both runtimes in turn, and the shipped LV U-Net (one 128×128 grey image at a
 * time) is added on both; a family that has no ONNX export keeps its TF.js row alone.
 */
export async function benchDetectors(options: DetectorBenchOptions): Promise<DetectorBenchRow[]> {
  const list = options.checkpoints ?? shippedCheckpoints().map((s) => ({ name: s.name, kind: s.family.kind, path: s.path }));
  const runtimes: Runtime[] = options.runtime === 'onnx' ? ['tfjs', 'onnx'] : ['tfjs'];
  const rows: DetectorBenchRow[] = [];
  for (const c of list) {
    const params = paramsOf(c.kind, c.path);
    for (const runtime of runtimes) {
      const detector = await openRuntimeDetector(c.kind, runtime, c.path).catch((err: unknown) => {
        // A family without an ONNX export keeps its TF.js row only.
        if (runtime === 'onnx' && err instanceof DetsegInputError && err.message.includes('has no ONNX export')) return undefined;
        throw err;
      });
      if (!detector) continue;
      try {
        const imgsz = detector.imgsz;
        const data = syntheticData(2, options.images, imgsz, detector.family.singleObject ? [1, 1] : undefined);
        const times: number[] = [];
        for (let i = -1; i < options.images; i++) {
          const sample = await prepareSample(data, Math.max(i, 0), 0, { imgsz });
          const t0 = performance.now();
          await detectPreparedWith(detector.model, detector.family, [sample], imgsz);
          if (i >= 0) times.push(performance.now() - t0);
        }
        const result = await validate(detector.model, detector.family, data, { imgsz });
        rows.push({ model: c.name, kind: c.kind, runtime, params, msPerImage: median(times), mAP: result.bbox.stats[0], mAP50: result.bbox.stats[1] });
      } finally {
        await detector.dispose();
      }
    }
  }
  if (options.runtime === 'onnx' && options.checkpoints === undefined) rows.push(...(await benchUNet(options.images)));
  return rows;
}

function paramsOf(kind: string, path: string): number {
  const d = loadDetector(kind, path);
  try {
    return d.model.models().reduce((s, m) => s + m.countParams(), 0);
  } finally {
    d.dispose();
  }
}

/** The shipped LV U-Net (fold 0) on `images` 128×128 grey images, one at a time, on both runtimes. */
async function benchUNet(images: number): Promise<DetectorBenchRow[]> {
  const size = 128;
  const path = resolveUNetWeights('unet-lv-fold0');
  const { model } = loadUNetCheckpoint(path);
  const params = model.countParams();
  const data = syntheticData(2, images, size);
  const grey = await Promise.all(Array.from({ length: images + 1 }, async (_, i) => {
    const s = await prepareSample(data, Math.min(i, images - 1), 0, { imgsz: size });
    return Float32Array.from({ length: size * size }, (_, p) => (s.image[3 * p] + s.image[3 * p + 1] + s.image[3 * p + 2]) / (3 * 255));
  }));
  const rows: DetectorBenchRow[] = [];
  try {
    const tfTimes: number[] = [];
    grey.forEach((image, i) => {
      const t0 = performance.now();
      const out = tf.tidy(() => model.predict(tf.tensor4d(image, [1, size, size, 1])) as tf.Tensor);
      out.dataSync();
      out.dispose();
      if (i > 0) tfTimes.push(performance.now() - t0);
    });
    rows.push({ model: 'unet-lv-fold0', kind: 'unet', runtime: 'tfjs', params, msPerImage: median(tfTimes), mAP: NaN, mAP50: NaN });
  } finally {
    model.dispose();
  }
  const sessions = await PartSessions.open(segmenterOnnxBytes('unet', path, { imgsz: size }).bytes, nodeOrtBinding(), path);
  try {
    const times: number[] = [];
    for (const [i, image] of grey.entries()) {
      const t0 = performance.now();
      await sessions.run('image', { image: [image, [1, size, size, 1]] });
      if (i > 0) times.push(performance.now() - t0);
    }
    rows.push({ model: 'unet-lv-fold0', kind: 'unet', runtime: 'onnx', params, msPerImage: median(times), mAP: NaN, mAP50: NaN });
  } finally {
    await sessions.release();
  }
  return rows;
}

/** The rows as an aligned text table (with ONNX Runtime rows: the ratio to the TF.js row of the same model). */
export function formatDetectorBench(rows: DetectorBenchRow[], images: number): string {
  const width = Math.max(5, ...rows.map((r) => r.model.length));
  const both = rows.some((r) => r.runtime === 'onnx');
  const lines = [`${images} held-out synthetic images, one at a time (median ms per image after a warm-up)`, `${'model'.padEnd(width)}  ${'kind'.padEnd(12)} ${both ? 'runtime ' : ''}${'params'.padStart(10)} ${'ms/image'.padStart(9)}${both ? '  vs tfjs' : ''}    mAP  mAP50`];
  const f = (v: number) => (Number.isNaN(v) ? '    -' : v.toFixed(3));
  for (const r of rows) {
    const base = rows.find((o) => o.model === r.model && o.runtime === 'tfjs');
    const ratio = both ? (r.runtime === 'onnx' && base ? `  ${(r.msPerImage / base.msPerImage).toFixed(2).padStart(6)}` : '        ') : '';
    lines.push(`${r.model.padEnd(width)}  ${r.kind.padEnd(12)} ${both ? r.runtime.padEnd(8) : ''}${r.params.toLocaleString('en-US').padStart(10)} ${r.msPerImage.toFixed(1).padStart(9)}${ratio}  ${f(r.mAP)}  ${f(r.mAP50).padStart(5)}`);
  }
  return lines.join('\n');
}
