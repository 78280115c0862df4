import * as tf from '@tensorflow/tfjs';
import { OnnxDetector, type OrtBinding } from '../../src/browser/onnx.js';
import { syntheticSample } from '../../src/data/synthetic.js';

/**
 * An exported detector (`detseg export`) on ONNX Runtime through the browser ONNX entry only, run by the
 * browser ONNX test in Chromium (onnxruntime-web, wasm) and in Node (onnxruntime-node) on the same
 * held-out synthetic images (seed 2, 128 × 128): the detections as plain numbers per image.
 */

export interface OnnxWorkloadOutput {
  kind: string;
  images: Array<{ boxes: number[]; scores: number[]; labels: number[]; masks?: number[][] }>;
  predictMs: number[];
}

/** Runs the model of `bytes` on `count` held-out images, one at a time, on `binding`. */
export async function runOnnxWorkload(bytes: Uint8Array, binding: OrtBinding, count: number): Promise<OnnxWorkloadOutput> {
  await tf.setBackend('cpu'); // the settings-only detector is built with tfjs layers
  await tf.ready();
  const detector = await OnnxDetector.open(bytes, binding, 'model.onnx');
  const s = detector.imgsz;
  const out: OnnxWorkloadOutput = { kind: detector.kind, images: [], predictMs: [] };
  try {
    for (let i = 0; i < count; i++) {
      const sample = syntheticSample(2, i, { size: s });
      const x = Float32Array.from(sample.image, (v) => (v - 127.5) / 127.5); // as imagesToTensor
      const t0 = performance.now();
      const [d] = await detector.predict(x, 1);
      out.predictMs.push(performance.now() - t0);
      // masks as the indices of their pixels that are on (small to send out of a page)
      const masks = d.masks?.map((m) => Array.from(m.keys()).filter((p) => m[p] === 1));
      out.images.push({ boxes: Array.from(d.boxes), scores: Array.from(d.scores), labels: Array.from(d.labels), ...(masks ? { masks } : {}) });
    }
  } finally {
    await detector.dispose();
  }
  return out;
}
