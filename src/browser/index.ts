/**
 * detseg in the browser: the plain-TypeScript core (geometry on typed arrays, masks, evaluation,
 * proposals), re-exported from modules whose whole import graph is free of `node:*` and of any npm
 * package, so that `tsc`'s ESM output (`dist/src/browser/index.js`) loads natively in a browser with
 * `<script type="module">` and no bundler. `test/browser/import-graph.test.ts` walks this file's import
 * graph and fails on any `node:` import, bare specifier or Node global; `test/browser/browser.test.ts`
 * runs it in headless Chromium and checks its results against Node's, bit for bit.
 *
 * Conventions are the package's: boxes are flat `Float32Array [N,4]` xyxy in continuous pixels;
 * feature maps NHWC `Float32Array [B,H,W,C]`; masks COCO RLE (column-major).
 *
 * Not here (they read or write files, or need Node-only packages): COCO/VOC/YOLO/KITTI file readers
 * and writers (`src/data/*` except the modules below), the VOC folder reader `src/eval/voc-io.ts`,
 * PR-curve files `src/eval/plots.ts`, the HTML report, the CLI, and the tfjs models and engine. The
 * detectors (Faster R-CNN, Mask R-CNN from checkpoint bytes) are the second browser entry,
 * `src/browser/models.ts`, which imports tfjs and so needs an import map for `@tensorflow/tfjs`.
 */

// Errors and seeded randomness.
export { DetsegInputError, check } from '../util/errors.js';
export { mulberry32, gaussian } from '../util/random.js';

// Boxes: formats, area, IoU / GIoU, the box coder.
export type { BoxArray, BoxFormat } from '../boxes/types.js';
export { convertBoxes, clipBoxes } from '../boxes/formats.js';
export { boxArea, iouPair, boxIou } from '../boxes/iou.js';
export { giouPair, generalizedBoxIou } from '../boxes/giou.js';
export { BoxCoder, DEFAULT_SCALE_CLAMP, type BoxCoderOptions } from '../boxes/coder.js';
export { validateBoxes, validateThreshold } from '../boxes/validate.js';

// Non-maximum suppression.
export { nms } from '../nms/greedy.js';
export { batchedNms, PER_CLASS_MIN_BOXES, type BatchedNmsOptions, type BatchedNmsStrategy } from '../nms/batched.js';
export { softNms, type SoftNmsOptions, type SoftNmsResult } from '../nms/soft.js';

// Bipartite matching: exact minimum-cost assignment (the Hungarian method).
export { linearSumAssignment, type Assignment } from '../matching/linear-sum-assignment.js';

// Anchors: generation, matching, sampling, RPN proposals.
export { AnchorGenerator, type AnchorGeneratorOptions, type FeatureLevel } from '../anchors/generator.js';
export { Matcher, matchLabels, BELOW_LOW_THRESHOLD, BETWEEN_THRESHOLDS, type MatcherOptions } from '../anchors/matcher.js';
export { BalancedSampler, type BalancedSamplerOptions, type SampledIndices } from '../anchors/sampler.js';
export { ProposalGenerator, type ProposalOptions, type ProposalInput, type Proposals } from '../anchors/proposals.js';

// RoI Pool and RoI Align (WebAssembly SIMD channel loops where the browser has them, else plain loops).
export { roiAlign, roiAlignBackward, type RoiAlignOptions } from '../roi/align.js';
export { roiPool, roiPoolWithArgmax, roiPoolOutput, roiPoolBackward, type RoiPoolOptions, type RoiPoolResult } from '../roi/pool.js';
export { RoiBuffers } from '../roi/buffers.js';
export type { RoiArray, RoiGridOptions } from '../roi/rois.js';
export type { ChannelImplementation } from '../roi/channel-kernels.js';

// Masks: COCO RLE, polygons, mask IoU.
export { encodeMask, decodeRle, rleArea, rleToBbox, mergeRles, type Rle } from '../masks/rle.js';
export { countsToString, countsFromString, rleFromString } from '../masks/rle-string.js';
export { polygonToRle, boxToRle, segmentationToRle } from '../masks/polygon.js';
export { rleIou, boxIouCrowd, rleBoxes } from '../masks/iou.js';

// Evaluation: COCO (from parsed JSON), Pascal VOC AP, curves, segmentation metrics, confusion matrix.
export { evaluateCocoJson, evaluateCoco, COCO_STAT_NAMES, type CocoEvalResult, type CocoEvalOptions, type CocoEvalParams } from '../eval/coco.js';
export {
  evaluateVoc,
  matchVocClass,
  validateVocDataset,
  averagePrecisionAllPoint,
  averagePrecision11Point,
  iouPairPlusOne,
  type VocDataset,
  type VocImage,
  type VocEvalOptions,
  type VocResult,
  type VocClassResult,
  type VocClassMatches,
  type VocInterpolation,
  type ElevenPointGrid,
} from '../eval/voc.js';
export { parseGroundTruthText, parseDetectionText, parseNamesText, type TextBoxes, type TextBoxFormat } from '../data/voc-eval-io.js';
export {
  precisionRecallCurve,
  precisionEnvelope,
  confidenceGrid,
  confidenceCurve,
  meanConfidenceCurve,
  type PrCurve,
  type PrEnvelope,
  type ConfidenceCurve,
} from '../eval/curves.js';
export { SegmentationConfusion, segmentationMetrics, binaryDice, binaryIou, type SegmentationMetrics } from '../eval/segmentation.js';
export { DetectionConfusionMatrix } from '../eval/confusion.js';
export { evaluatePanoptic, panopticImageCounts, summarizePanoptic, formatPanopticTable, type PanopticFrame, type PanopticResult, type PanopticAverage, type PanopticClassResult } from '../eval/panoptic.js';
export { validateCocoPanoptic, rgbToSegmentIds, segmentIdsToRgb, segmentExtents, type CocoPanopticJson, type PanopticCategory, type PanopticSegmentInfo } from '../data/coco-panoptic-format.js';

// Proposals: sliding windows, Felzenszwalb segmentation, selective search.
export type { RgbImage } from '../data/images.js'; // a type only (erased): the module itself reads files
export { slidingWindows, countWindows, countAllBoxes, parseWindowSizes, type WindowSize } from '../proposals/sliding-window.js';
export { felzenszwalb, type FelzenszwalbOptions, type Segmentation } from '../proposals/felzenszwalb.js';
export { selectiveSearch, type SelectiveSearchOptions, type SelectiveSearchResult, type SelectiveSearchMode } from '../proposals/selective-search.js';
export { proposeBoxes, PROPOSAL_METHODS, DEFAULT_WINDOW_SIZES, type ProposeOptions, type ProposalMethod } from '../proposals/propose.js';

// Synthetic shapes (the practical's training data), resizing, pasting masks into boxes.
export { syntheticSample, imageSeed, SHAPE_CLASSES, type SyntheticOptions, type SyntheticSample } from '../data/synthetic.js';
export { resizeBilinear, resizeNearest } from '../data/resize.js';
export { pasteMask } from '../models/detection/mask-paste.js';

// SVG figures as strings (namespaced: its helpers have short generic names such as `rect`, `text`).
export * as svg from '../viz/svg.js';
export { linePlot, htmlTable, type Series, type LinePlotOptions } from '../viz/plot.js';
