import type * as tf from '@tensorflow/tfjs';
import type { Detector, DetectorFamily } from '../models/detection/detector.js';
import { GeneralizedRCNN } from '../models/detection/generalized-rcnn.js';
import { isGraphDetector } from '../models/detection/network-graph.js';
import { RCNN } from '../models/rcnn/rcnn.js';
import { DetsegInputError } from '../util/errors.js';
import { GraphBuilder, attr, type Dim } from './graph-builder.js';
import { LayersConverter, type Value } from './layers.js';
import { DEFAULT_OPSET, modelOf } from './model-file.js';
import { OnnxNetworkGraph } from './network-graph.js';
import { encodeModel, type OnnxModel } from './proto.js';

/**
 * Export of detseg models to ONNX. The graph holds the dense network parts only; anchors, box decoding,
 * NMS, RoI Align / RoI Pool and mask pasting stay in the TypeScript post-processing both runtimes share,
 * so both return the same detections. A two-stage detector's graph therefore has several entry points
 * ("parts", listed in the metadata): the image part (`images` → feature maps and RPN outputs), the box
 * head (`roi_features` → class probabilities and box deltas) and the mask head (`mask_roi_features` →
 * mask probabilities). The runtime cuts the graph into one session per part. A detector that writes
 * its whole forward pass as a graph (a `GraphDetector`: classification + localization, YOLOv1, SSD,
 * DETR) has one part, `image`, with
 * the outputs it names.
 */

/** Version of the metadata layout below (`detseg.format`). */
export const ONNX_EXPORT_FORMAT = 'detseg-onnx-1';

/** One entry point of an exported graph: the graph inputs it takes and the outputs it gives. */
export interface OnnxPart {
  name: string;
  inputs: string[];
  outputs: string[];
}

/** Options of {@link exportDetector} and {@link exportSegmenter}. */
export interface ExportOptions {
  /** Square letterboxed input side (the graph's fixed H and W); segmenters: absent = any size. */
  imgsz?: number;
  /** Default-domain operator set (default {@link DEFAULT_OPSET}). */
  opset?: number;
  /** `producer_version` (detseg's version). */
  producerVersion?: string;
}

/** The detectors' input normalisation, as `imagesToTensor` does it. */
export const DETECTOR_NORMALIZATION = { layout: 'NHWC', channels: 'RGB', mean: 127.5, std: 127.5, formula: '(v - 127.5) / 127.5 for bytes v' };

const images = (g: GraphBuilder, imgsz: number): Value => ({ name: g.input('images', ['batch', imgsz, imgsz, 3]), layout: 'keras', rank: 4 });

/** Adds `name` = softmax / sigmoid of `v` (the probabilities the TF.js path computes after the head). */
function probabilities(g: GraphBuilder, c: LayersConverter, v: Value, op: 'Softmax' | 'Sigmoid'): string {
  return op === 'Softmax' ? g.node('Softmax', [c.keras(v)], [attr.i('axis', -1)]) : g.node('Sigmoid', [c.keras(v)]);
}

/**
 * The ONNX model of a detector with its weights: the parts of its family (see the file comment) and
 * `metadata_props` with everything the post-processing needs (`detseg.kind`, `detseg.options` — the model
 * options that rebuild it —, `detseg.classes`, `detseg.imgsz`, `detseg.normalization`,
 * `detseg.letterbox`, `detseg.postprocess`, `detseg.parts`). A family the exporter cannot convert raises
 * a {@link DetsegInputError} naming `model`.
 */
export function exportDetector(family: DetectorFamily, model: Detector, meta: Record<string, unknown>, classes: string[], options: ExportOptions & { imgsz: number }): OnnxModel {
  const imgsz = options.imgsz;
  if (!Number.isInteger(imgsz) || imgsz <= 0 || imgsz % model.stride !== 0) throw new DetsegInputError(`must be a positive multiple of the detector's stride ${model.stride}, got ${imgsz}`, { field: '--imgsz' });
  const g = new GraphBuilder();
  const c = new LayersConverter(g);
  const parts: OnnxPart[] = [];
  const postprocess: Record<string, unknown> = {};
  if (model instanceof GeneralizedRCNN) {
    const x = images(g, imgsz);
    const [features] = c.convert(model.backbone.model, [x]); // [B, h, w, C]
    g.output('features', c.keras(features), ['batch', imgsz / model.stride, imgsz / model.stride, model.backbone.channels]);
    const imageOutputs = ['features'];
    const stages = model.mask?.featureStages ?? [];
    if (stages.length > 0) {
      const stageValues = c.convert(model.backbone.stages, [x]);
      for (const s of stages) {
        const side = imgsz >> (s + 1);
        g.output(`features_stage${s}`, c.keras(stageValues[s]), ['batch', side, side, model.backbone.stages.outputs[s].shape[3] as number]);
        imageOutputs.push(`features_stage${s}`);
      }
    }
    if (model.rpn) {
      const [objectness, deltas] = c.convert(model.rpn.head, [features]);
      const side = imgsz / model.stride;
      g.output('rpn_objectness', c.keras(objectness), ['batch', side, side, model.rpn.anchorsPerLocation]);
      g.output('rpn_deltas', c.keras(deltas), ['batch', side, side, 4 * model.rpn.anchorsPerLocation]);
      imageOutputs.push('rpn_objectness', 'rpn_deltas');
      const p = model.rpn.testProposals;
      postprocess.rpn = { preNmsTopN: p.preNmsTopN, postNmsTopN: p.postNmsTopN, nmsThreshold: p.nmsThreshold, minSize: p.minSize };
    }
    parts.push({ name: 'image', inputs: ['images'], outputs: imageOutputs });
    const heads = model.roiHeads;
    const p = heads.poolSize;
    const rois: Value = { name: g.input('roi_features', ['rois', p, p, model.backbone.channels]), layout: 'keras', rank: 4 };
    const [logits, boxDeltas] = c.convert(heads.boxHead, [rois]);
    g.output('box_probabilities', probabilities(g, c, logits, 'Softmax'), ['rois', model.numClasses + 1]);
    g.output('box_deltas', c.keras(boxDeltas), ['rois', 4 * (model.numClasses + 1)]);
    parts.push({ name: 'box_head', inputs: ['roi_features'], outputs: ['box_probabilities', 'box_deltas'] });
    postprocess.roiHeads = { pooler: heads.pooler, poolSize: p, samplingRatio: heads.samplingRatio, boxCoderWeights: heads.coder.weights, ...heads.postprocess };
    if (model.mask) {
      const mp = model.mask.poolSize;
      const inChannels = model.mask.head.inputs[0].shape[3] as number;
      const maskRois: Value = { name: g.input('mask_roi_features', ['detections', mp, mp, inChannels]), layout: 'keras', rank: 4 };
      const [maskLogits] = c.convert(model.mask.head, [maskRois]);
      g.output('mask_probabilities', probabilities(g, c, maskLogits, 'Sigmoid'), ['detections', 2 * mp, 2 * mp, model.numClasses]);
      parts.push({ name: 'mask_head', inputs: ['mask_roi_features'], outputs: ['mask_probabilities'] });
      postprocess.mask = { poolSize: mp, featureStages: stages, threshold: model.mask.threshold };
    }
  } else if (model instanceof RCNN) {
    // R-CNN's network sees warped crops, not the image: one part, crops → class probabilities and deltas.
    const w = model.warpSize;
    const crops: Value = { name: g.input('crops', ['crops', w, w, 3]), layout: 'keras', rank: 4 };
    let [features] = c.convert(model.backbone.model, [crops]); // [K, w/s, w/s, C]
    const k = model.headPoolWindow;
    if (k > 1) features = { name: g.node('MaxPool', [c.nchw(features)], [attr.ints('kernel_shape', [k, k]), attr.ints('strides', [k, k]), attr.ints('pads', [0, 0, 0, 0])]), layout: 'nchw', rank: 4 };
    const [logits, deltas] = c.convert(model.head, [features]);
    g.output('box_probabilities', probabilities(g, c, logits, 'Softmax'), ['crops', model.numClasses + 1]);
    g.output('box_deltas', c.keras(deltas), ['crops', 4 * (model.numClasses + 1)]);
    parts.push({ name: 'crops', inputs: ['crops'], outputs: ['box_probabilities', 'box_deltas'] });
    postprocess.rcnn = { warpSize: w, warp: 'RoI Align of the normalised image, aligned, adaptive sampling', cropsPerChunk: model.cropsPerChunk, boxCoderWeights: model.coder.weights };
  } else if (isGraphDetector(model)) {
    const net = new OnnxNetworkGraph(g, c, options.opset ?? DEFAULT_OPSET);
    const built = model.networkGraph(net, images(g, imgsz), imgsz);
    for (const o of built.outputs) g.output(o.name, c.keras(o.value as Value), o.dims);
    parts.push({ name: 'image', inputs: ['images'], outputs: built.outputs.map((o) => o.name) });
    Object.assign(postprocess, built.postprocess);
  } else {
    throw new DetsegInputError(`${family.kind} has no ONNX export`, { field: 'model' });
  }
  const metadata: Record<string, string> = {
    'detseg.format': ONNX_EXPORT_FORMAT,
    'detseg.kind': family.kind,
    'detseg.checkpoint_format': String(meta.format ?? family.format),
    'detseg.options': JSON.stringify(meta.options ?? {}),
    'detseg.classes': JSON.stringify(classes),
    'detseg.imgsz': String(imgsz),
    'detseg.stride': String(model.stride),
    'detseg.normalization': JSON.stringify(DETECTOR_NORMALIZATION),
    'detseg.letterbox': JSON.stringify({ size: imgsz, fill: 114, resize: 'bilinear, aspect ratio kept, centred' }),
    'detseg.proposals': family.needsProposals ? 'selective search of the letterboxed RGB image (quality mode, at most 2000 boxes, sides of 2 px or more), outside the graph' : 'none',
    'detseg.postprocess': JSON.stringify(postprocess),
    'detseg.parts': JSON.stringify(parts),
  };
  return modelOf(g, family.kind, options.opset ?? DEFAULT_OPSET, metadata, options.producerVersion ?? '0');
}

/** What a segmenter's metadata says of its input. */
export interface SegmenterInfo {
  kind: 'unet' | 'fcn';
  /** Input channels. */
  inChannels: number;
  /** H and W must be multiples of this (2^depth, 2^stages). */
  multiple: number;
  /** A line on the input normalisation. */
  normalization: string;
  /** Extra metadata (the model options, the training data). */
  extra?: Record<string, string>;
}

/**
 * The ONNX model of a U-Net or FCN (`image [B, H, W, Cin]` → `logits [B, H, W, Cout]`, NHWC like the
 * TF.js model): H and W fixed to `imgsz` when given, else any multiple of `info.multiple`.
 */
export function exportSegmenter(model: tf.LayersModel, info: SegmenterInfo, options: ExportOptions = {}): OnnxModel {
  const g = new GraphBuilder();
  const c = new LayersConverter(g);
  if (options.imgsz !== undefined && (!Number.isInteger(options.imgsz) || options.imgsz <= 0 || options.imgsz % info.multiple !== 0)) throw new DetsegInputError(`must be a positive multiple of ${info.multiple}, got ${options.imgsz}`, { field: '--imgsz' });
  const side: Dim[] = options.imgsz === undefined ? ['height', 'width'] : [options.imgsz, options.imgsz];
  const x: Value = { name: g.input('image', ['batch', ...side, info.inChannels]), layout: 'keras', rank: 4 };
  const [logits] = c.convert(model, [x]);
  g.output('logits', c.keras(logits), ['batch', ...side, model.outputs[0].shape[3] as number]);
  const parts: OnnxPart[] = [{ name: 'image', inputs: ['image'], outputs: ['logits'] }];
  const metadata: Record<string, string> = {
    'detseg.format': ONNX_EXPORT_FORMAT,
    'detseg.kind': info.kind,
    'detseg.normalization': info.normalization,
    'detseg.multiple': String(info.multiple),
    'detseg.postprocess': JSON.stringify({ mask: 'logit > 0 (one output channel), else the argmax over channels' }),
    ...(options.imgsz === undefined ? {} : { 'detseg.imgsz': String(options.imgsz) }),
    ...info.extra,
    'detseg.parts': JSON.stringify(parts),
  };
  return modelOf(g, info.kind, options.opset ?? DEFAULT_OPSET, metadata, options.producerVersion ?? '0');
}

/** {@link exportDetector} / {@link exportSegmenter}'s model as ModelProto bytes. */
export function modelBytes(model: OnnxModel): Uint8Array {
  return encodeModel(model);
}
