/**
 * detseg for Node (`import … from 'detseg'`): the browser-safe core of `src/browser/index.ts` (boxes,
 * IoU, NMS, anchors, RoI ops, masks, COCO / VOC evaluation, proposals, synthetic shapes, SVG), the
 * detectors of `src/browser/models.ts` (from checkpoint bytes), and what needs Node: the tfjs engine
 * set-up, the shipped checkpoints by path, the dataset readers and writers, DICOM and Sunnybrook, the
 * U-Net and FCN builders. Conventions: boxes `Float32Array [N,4]` xyxy in pixels; images `[B, H, W, C]`.
 *
 * Deeper modules stay importable by path (`detseg/dist/src/...`); the CLI is `detseg` (`src/cli`).
 */

export * from './browser/index.js';
export * from './browser/models.js';

// Engine: the wasm backend (SIMD, threads, our kernel pack) and checkpoint files.
export { initEngine, defaultThreads, type EngineOptions, type EngineInfo } from './engine/setup.js';
export { loadCheckpoint, saveCheckpoint } from './engine/checkpoint.js';

// The R-CNN family: classes, shipped checkpoints, training on the synthetic benchmark, evaluation.
export { FastRCNN, type FastRcnnOptions } from './models/fast-rcnn/fast-rcnn.js';
export { RCNN, type RcnnOptions } from './models/rcnn/rcnn.js';
export { loadFasterRcnn, shippedFasterRcnnPath, FASTER_RCNN_TRAIN_OPTIONS } from './models/faster-rcnn/checkpoint.js';
export { loadMaskRcnn, shippedMaskRcnnPath, MASK_RCNN_TRAIN_OPTIONS } from './models/mask-rcnn/checkpoint.js';
export { loadFastRcnn, shippedFastRcnnPath } from './models/fast-rcnn/checkpoint.js';
export { loadRcnn, shippedRcnnPath } from './models/rcnn/checkpoint.js';
export { loadDetector, shippedDetectorPath, DETECTOR_KINDS, type DetectorKind, type LoadedDetector } from './models/zoo.js';
export { trainOnSynthetic } from './models/train-synthetic.js';
export { evaluateDetections, detectionsToCocoResults } from './models/detection/evaluate.js';
export { selectiveSearchProposals } from './models/detection/selective-search-proposals.js';

// Segmentation networks.
export { buildUNet, type UNetOptions } from './models/unet/unet.js';
export { loadUNetCheckpoint } from './models/unet/checkpoint-meta.js';
export { buildFCN, type FCNOptions } from './models/fcn/fcn.js';

// Datasets: COCO, Pascal VOC, YOLO, KITTI (read, write, convert), images, DICOM, Sunnybrook.
export { readCocoFile, readCocoDataset, writeCocoDataset, parseCoco } from './data/coco.js';
export { readVocDir, writeVocDir } from './data/voc.js';
export { readYoloDataset, writeYoloDir } from './data/yolo.js';
export { readKittiDataset, writeKittiDir } from './data/kitti.js';
export { readDataset, writeDataset } from './data/convert.js';
export { decodeImage, encodePng, encodeJpeg } from './data/images.js';
export { decodeDicom } from './data/dicom.js';
export { loadSunnybrook, leaveOnePatientOut } from './data/sunnybrook.js';
export { loadVocEvalFolders } from './eval/voc-io.js';
