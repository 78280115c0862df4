/**
 * detseg's detectors in the browser: Faster R-CNN and Mask R-CNN rebuilt from checkpoint bytes (fetched
 * over HTTP, e.g. `assets/checkpoints/detector-mask-rcnn.ckpt`) and run with tfjs. The whole import
 * graph of this file is free of `node:*`, Node globals and npm packages except `@tensorflow/tfjs`, so
 * `tsc`'s ESM output (`dist/src/browser/models.js`) loads in a browser whose import map names tfjs'
 * ES-module bundle and nothing else:
 *
 *   <script type="importmap">{ "imports": { "@tensorflow/tfjs": "/node_modules/@tensorflow/tfjs/dist/tf.fesm.js" } }</script>
 *
 * `test/browser/import-graph.test.ts` checks the graph; `test/browser/models.test.ts` runs the shipped
 * Faster R-CNN and Mask R-CNN in headless Chromium and compares their detections and masks with Node's,
 * bit for bit, on tfjs' `cpu` backend.
 *
 * Conventions are the package's: images in as `[B, H, W, 3]` tensors from {@link imagesToTensor}
 * (sides multiples of the backbone stride, 8); detections out per image as `boxes Float32Array [N,4]`
 * xyxy in pixels, `scores Float32Array [N]`, `labels Int32Array [N]` (0 is the background, so class
 * `c` of the data is label `c + 1`) and, for Mask R-CNN, `masks`: N `Uint8Array [H, W]` row-major.
 *
 * Not here: training from files, checkpoint files (`src/engine/checkpoint.ts`), the shipped checkpoints'
 * paths, R-CNN and Fast R-CNN (they also need selective-search proposals, and are not tested here).
 */

// Checkpoint bytes: the engine's format (magic, JSON header, float32 blobs), without file access.
export { decodeCheckpoint, encodeCheckpoint, type CheckpointData, type CheckpointTensor } from '../engine/checkpoint-format.js';

// Detectors from checkpoint bytes (meta.format decides), or from a decoded checkpoint.
export { detectorFromCheckpointBytes, type DetectorFromCheckpoint } from '../models/from-checkpoint.js';
export { fasterRcnnFromCheckpoint } from '../models/faster-rcnn/from-checkpoint.js';
export { maskRcnnFromCheckpoint } from '../models/mask-rcnn/from-checkpoint.js';
export { detectorMeta, restoreDetectorWeights } from '../models/detection/checkpoint-data.js';

// The input tensor and the models.
export { imagesToTensor } from '../models/detection/images-tensor.js';
export { FasterRCNN, type FasterRcnnOptions } from '../models/faster-rcnn/faster-rcnn.js';
export { MaskRCNN, type MaskRcnnOptions } from '../models/mask-rcnn/mask-rcnn.js';
export type { Detections, DetectionTarget } from '../models/detection/types.js';

// Errors (bad checkpoint bytes raise this, naming the file and field).
export { DetsegInputError } from '../util/errors.js';
