import type { Bench } from './harness.js';
import { roiAlign, roiAlignBackward } from '../src/roi/align.js';
import { roiPool, roiPoolBackward, roiPoolOutput } from '../src/roi/pool.js';
import { mulberry32 } from '../src/util/random.js';

/** Feature map [2, 64, 64, 256] (a stride-16 map of a 1024×1024 image) with seeded values in [−1, 1). */
function featureMap(): { features: Float32Array; shape: [number, number, number, number] } {
  const shape: [number, number, number, number] = [2, 64, 64, 256];
  const random = mulberry32(1);
  const features = new Float32Array(shape[0] * shape[1] * shape[2] * shape[3]);
  for (let i = 0; i < features.length; i++) features[i] = random() * 2 - 1;
  return { features, shape };
}

/**
 * 1,000 RoIs `[K,5]` in a 1024×1024 image, batch index 0 or 1. Each axis takes two uniform points and
 * sorts them, so a side averages 341 px (≈ 21 cells at stride 16): bins of ~3 cells, where RoI Align's
 * samples rarely share cells (the worst case for merging taps) and RoI Pool's bins hold ~16 cells.
 */
function randomRois(count: number, seed: number): Float32Array {
  const random = mulberry32(seed);
  const rois = new Float32Array(count * 5);
  for (let i = 0; i < count; i++) {
    const xa = random() * 1024, xb = random() * 1024, ya = random() * 1024, yb = random() * 1024;
    rois.set([i % 2, Math.min(xa, xb), Math.min(ya, yb), Math.max(xa, xb), Math.max(ya, yb)], 5 * i);
  }
  return rois;
}

/**
 * Benchmarks of RoI Align and RoI Pool at Faster/Mask R-CNN's box-head size. Each forward pass is timed
 * twice: returning a new output array (what a caller gets by default), and writing into output buffers
 * reused from call to call (what a training loop can do). The difference is the cost of fresh memory:
 * large on a virtual machine where every new page faults in from the host.
 */
export async function roiBenchmarks(): Promise<Bench[]> {
  const alignOptions = { outHeight: 7, outWidth: 7, spatialScale: 1 / 16, samplingRatio: 2, aligned: false };
  const poolOptions = { outHeight: 7, outWidth: 7, spatialScale: 1 / 16 };
  const outLength = 1000 * 7 * 7 * 256;
  const benches: Bench[] = [];
  for (const reuse of [false, true]) {
    const how = reuse ? 'reused output' : 'new output';
    benches.push(
      {
        name: `roi/align 1000 RoIs [2,64,64,256] → 7×7, ratio 2 (${how})`,
        setup: () => {
          const { features, shape } = featureMap();
          const rois = randomRois(1000, 2);
          const out = reuse ? new Float32Array(outLength) : undefined;
          return () => roiAlign(features, shape, rois, alignOptions, out);
        },
      },
      {
        // torchvision's roi_pool forward always computes the argmax: this is the like-for-like row.
        name: `roi/pool+argmax 1000 RoIs [2,64,64,256] → 7×7 (${how})`,
        setup: () => {
          const { features, shape } = featureMap();
          const rois = randomRois(1000, 2);
          const out = reuse ? { output: new Float32Array(outLength), argmax: new Int32Array(outLength) } : undefined;
          return () => roiPool(features, shape, rois, poolOptions, out);
        },
      },
      {
        name: `roi/pool (no argmax) 1000 RoIs [2,64,64,256] → 7×7 (${how})`,
        setup: () => {
          const { features, shape } = featureMap();
          const rois = randomRois(1000, 2);
          const out = reuse ? new Float32Array(outLength) : undefined;
          return () => roiPoolOutput(features, shape, rois, poolOptions, out);
        },
      },
    );
  }
  benches.push(
    {
      name: 'roi/align backward 1000 RoIs [2,64,64,256] ← 7×7, ratio 2 (new output)',
      setup: () => {
        const shape: [number, number, number, number] = [2, 64, 64, 256];
        const rois = randomRois(1000, 2);
        const random = mulberry32(3);
        const grad = Float32Array.from({ length: outLength }, () => random() * 2 - 1);
        return () => roiAlignBackward(grad, shape, rois, alignOptions);
      },
    },
    {
      name: 'roi/pool backward 1000 RoIs [2,64,64,256] ← 7×7 (new output)',
      setup: () => {
        const { features, shape } = featureMap();
        const rois = randomRois(1000, 2);
        const { output, argmax } = roiPool(features, shape, rois, poolOptions);
        output.fill(1);
        return () => roiPoolBackward(output, argmax, shape);
      },
    },
  );
  return benches;
}
