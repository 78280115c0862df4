/**
 * Where Fast R-CNN loses accuracy against Faster R-CNN on the speed family's backbone: two box heads
 * crossed with the two proposal sources and the two RoI poolers, each scored with COCOeval on the 200
 * held-out synthetic images (docs/rcnn-family.md, "Where Fast R-CNN loses"; there, the 300-step RoI
 * Pool Fast R-CNN and the 4,000-step small Faster R-CNN of `scripts/train-detectors.ts`):
 *
 *   node --import tsx scripts/fast-rcnn-diagnosis.ts --fast-rcnn FAST.ckpt --faster-rcnn FASTER_SMALL.ckpt [--images 200]
 *
 * (default: the shipped checkpoints.)
 * Rows: the Fast R-CNN checkpoint on selective search (as shipped) and on the small Faster R-CNN's RPN
 * proposals; the small Faster R-CNN's head on selective search and on its own RPN (as shipped); each
 * head with the other RoI pooler.
 */
import { parseArgs } from 'node:util';
import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint } from '../src/engine/checkpoint.js';
import { initEngine } from '../src/engine/setup.js';
import type { Detector } from '../src/models/detection/detector.js';
import type { GeneralizedRCNN } from '../src/models/detection/generalized-rcnn.js';
import type { Detections } from '../src/models/detection/types.js';
import { detectorFamily, detectorFromCheckpoint } from '../src/models/registry.js';
import { syntheticData } from '../src/pipeline/dataset.js';
import { validate } from '../src/pipeline/val.js';
import { assetsDir } from '../src/util/paths.js';

const { values } = parseArgs({
  options: {
    images: { type: 'string', default: '200' },
    'fast-rcnn': { type: 'string', default: assetsDir('checkpoints', 'detector-fast-rcnn.ckpt') },
    'faster-rcnn': { type: 'string', default: assetsDir('checkpoints', 'detector-faster-rcnn-small.ckpt') },
  },
});
await initEngine({ threads: 1 });
const fastFile = values['fast-rcnn']!;
const fasterFile = values['faster-rcnn']!;

/** A Fast R-CNN (external proposals) with `pooler`, given the backbone and box head of `file`. */
function fastRcnnFrom(file: string, pooler: 'align' | 'pool'): GeneralizedRCNN {
  const ckpt = loadCheckpoint(file);
  const options = { ...(ckpt.meta!.options as Record<string, unknown>) };
  delete options.rpn;
  options.roiHeads = { ...(options.roiHeads as Record<string, unknown>), pooler };
  ckpt.meta = { ...ckpt.meta, format: 'detseg-fast-rcnn', options };
  return detectorFromCheckpoint(ckpt, file).model as GeneralizedRCNN;
}

const faster = detectorFromCheckpoint(loadCheckpoint(fasterFile), fasterFile).model as GeneralizedRCNN;
/** The small Faster R-CNN's RPN proposals of `images` [B, H, W, 3]. */
function rpnProposals(images: tf.Tensor4D): Float32Array[] {
  const [, height, width] = images.shape;
  const features = faster.backbone.model.apply(images, { training: false }) as tf.Tensor4D; // [B, h, w, C]
  try {
    return tf.tidy(() => faster.rpn!.run(features, height, width).proposals);
  } finally {
    features.dispose();
  }
}
/** A detector whose predict takes the selective-search proposals, or ignores them for the RPN's. */
const on = (model: GeneralizedRCNN, source: 'ss' | 'rpn'): Detector => ({ ...model, predict: (images: tf.Tensor4D, proposals?: Float32Array[]): Detections[] => model.predict(images, source === 'ss' ? proposals : rpnProposals(images)) }) as unknown as Detector;

const fastPool = fastRcnnFrom(fastFile, 'pool');
const fastAlign = fastRcnnFrom(fastFile, 'align');
const fasterHead = fastRcnnFrom(fasterFile, 'align');
const fasterHeadPool = fastRcnnFrom(fasterFile, 'pool');
const rows: Array<[string, Detector]> = [
  ['Fast R-CNN checkpoint, RoI Pool, selective search', on(fastPool, 'ss')],
  ['Fast R-CNN checkpoint, RoI Pool, RPN proposals', on(fastPool, 'rpn')],
  ['Fast R-CNN checkpoint, RoI Align, selective search', on(fastAlign, 'ss')],
  ['small Faster R-CNN head, RoI Align, RPN proposals', on(fasterHead, 'rpn')],
  ['small Faster R-CNN head, RoI Align, selective search', on(fasterHead, 'ss')],
  ['small Faster R-CNN head, RoI Pool, selective search', on(fasterHeadPool, 'ss')],
];
const data = syntheticData(2, Number(values.images), 128);
// every row through the fast-rcnn family, so validate computes the selective-search proposals
const family = detectorFamily('fast-rcnn');
for (const [name, model] of rows) {
  const s = (await validate(model, family, data, { imgsz: 128 })).bbox.stats;
  process.stdout.write(`${name}: mAP ${s[0].toFixed(3)}, AP50 ${s[1].toFixed(3)}, AP75 ${s[2].toFixed(3)}, small ${s[3].toFixed(3)}, medium ${s[4].toFixed(3)}\n`);
}
for (const m of [faster, fastPool, fastAlign, fasterHead, fasterHeadPool]) m.dispose();
