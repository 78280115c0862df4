import type { Detector, DetectorFamily } from '../models/detection/detector.js';
import { GeneralizedRCNN } from '../models/detection/generalized-rcnn.js';
import { isGraphDetector } from '../models/detection/network-graph.js';
import { postprocessDetections } from '../models/detection/postprocess.js';
import { RCNN } from '../models/rcnn/rcnn.js';
import type { Detections } from '../models/detection/types.js';
import { DETECTOR_FAMILIES } from '../models/registry.js';
import { RoiBuffers } from '../roi/buffers.js';
import { DetsegInputError } from '../util/errors.js';
import { ONNX_EXPORT_FORMAT } from './export.js';
import { PartSessions, type OrtBinding } from './runtime.js';

/**
 * A detector whose network parts run on ONNX Runtime, behind the TypeScript post-processing the TF.js
 * path uses (the same RPN proposal generator, RoI Align / RoI Pool kernels, box decoding, NMS and mask
 * pasting): the detector is rebuilt from the model options in the file's metadata for its settings
 * only; its TF.js weights are freed at once.
 */
export class OnnxDetector {
  /**
   * Output buffers of the RoI pooling, kept from image to image (a fresh array of several MB per image
   * costs more in page faults than the pooling itself). Free when no {@link predict} is running; an
   * overlapping call pools into fresh arrays.
   */
  private readonly buffers = new RoiBuffers();
  private buffersBusy = false;

  private constructor(
    readonly family: DetectorFamily,
    /** The family's TypeScript detector (settings and post-processing; no weights). */
    readonly settings: Detector,
    readonly sessions: PartSessions,
    /** Class names: label c is `classes[c − 1]`. */
    readonly classes: string[],
    /** The letterboxed input side the graph takes. */
    readonly imgsz: number,
  ) {}

  get kind(): string {
    return this.family.kind;
  }

  get stride(): number {
    return this.settings.stride;
  }

  /** Opens an exported detector (`detseg export <model>`) on `binding`; a file that is not one raises a {@link DetsegInputError} naming `file`. */
  static async open(bytes: Uint8Array, binding: OrtBinding, file = 'model.onnx'): Promise<OnnxDetector> {
    const sessions = await PartSessions.open(bytes, binding, file);
    const meta = sessions.metadata;
    const field = (key: string) => {
      const v = meta.get(key);
      if (v === undefined) throw new DetsegInputError(`has no ${key} metadata`, { file, field: 'metadata_props' });
      return v;
    };
    if (field('detseg.format') !== ONNX_EXPORT_FORMAT) throw new DetsegInputError(`is ${field('detseg.format')}, expected ${ONNX_EXPORT_FORMAT}`, { file, field: 'metadata_props.detseg.format' });
    const kind = field('detseg.kind');
    const family = DETECTOR_FAMILIES.find((f) => f.kind === kind);
    if (!family) throw new DetsegInputError(`unknown detector '${kind}' (expected ${DETECTOR_FAMILIES.map((f) => f.kind).join(', ')})`, { file, field: 'metadata_props.detseg.kind' });
    const json = (key: string): unknown => {
      try {
        return JSON.parse(field(key));
      } catch {
        throw new DetsegInputError('is not JSON', { file, field: `metadata_props.${key}` });
      }
    };
    const options = json('detseg.options');
    const classes = json('detseg.classes');
    if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new DetsegInputError('must be an object of model options', { file, field: 'metadata_props.detseg.options' });
    if (!Array.isArray(classes) || !classes.every((c) => typeof c === 'string')) throw new DetsegInputError('must be a list of class names', { file, field: 'metadata_props.detseg.classes' });
    const imgsz = Number(field('detseg.imgsz'));
    const settings = family.build(options as Record<string, unknown>);
    for (const m of settings.models()) m.dispose();
    return new OnnxDetector(family, settings, sessions, classes as string[], imgsz);
  }

  /**
   * Detections of `images` (`Float32Array [B, S, S, 3]`, normalised as `imagesToTensor` does, S =
   * {@link imgsz}); `proposals` per image for the families that classify external proposals.
   */
  async predict(images: Float32Array, batch: number, proposals?: Float32Array[]): Promise<Detections[]> {
    const s = this.imgsz;
    if (images.length !== batch * s * s * 3) throw new Error(`OnnxDetector.predict: expected ${batch}×${s}×${s}×3 values, got ${images.length}`);
    const model = this.settings;
    if (model instanceof RCNN) return this.predictRcnn(model, images, batch, proposals);
    const buffers = this.buffersBusy ? undefined : this.buffers;
    this.buffersBusy ||= buffers !== undefined;
    try {
      return await this.predictParts(model, images, batch, buffers, proposals);
    } finally {
      if (buffers) this.buffersBusy = false;
    }
  }

  private async predictParts(model: Detector, images: Float32Array, batch: number, buffers: RoiBuffers | undefined, proposals?: Float32Array[]): Promise<Detections[]> {
    const s = this.imgsz;
    const out = await this.sessions.run('image', { images: [images, [batch, s, s, 3]] });
    if (isGraphDetector(model)) return model.detectionsFromGraph(out, batch, s, s);
    if (!(model instanceof GeneralizedRCNN)) throw new Error(`${this.kind}: no ONNX Runtime path`);
    const features = { data: out.features.data, shape: out.features.dims };
    let boxes: Float32Array[];
    if (model.rpn) {
      const [, h, w] = features.shape;
      boxes = model.rpn.proposalsFrom(out.rpn_objectness.data, out.rpn_deltas.data, batch, h, w, s, s);
    } else {
      if (!proposals || proposals.length !== batch) throw new Error(`${this.kind} needs the proposals of each image (${batch}), got ${proposals?.length ?? 'none'}`);
      boxes = proposals;
    }
    const heads = model.roiHeads;
    let detections: Detections[];
    if (boxes.every((p) => p.length === 0)) {
      detections = boxes.map(() => ({ boxes: new Float32Array(0), labels: new Int32Array(0), scores: new Float32Array(0) }));
    } else {
      const k = boxes.reduce((sum, p) => sum + (p.length >> 2), 0);
      const pooled = heads.poolArrays(features.data, features.shape, boxes, buffers); // [K, p, p, C]
      const head = await this.sessions.run('box_head', { roi_features: [pooled, [k, heads.poolSize, heads.poolSize, features.shape[3]]] });
      detections = heads.detectionsFrom(head.box_probabilities.data, head.box_deltas.data, boxes, s, s);
    }
    const mask = model.mask;
    if (!mask) return detections;
    if (detections.every((d) => d.labels.length === 0)) return detections.map((d) => ({ ...d, masks: [] }));
    const fine = mask.featureStages.map((stage) => ({ data: out[`features_stage${stage}`].data, shape: out[`features_stage${stage}`].dims }));
    const pooled = mask.poolArrays(features, fine, detections.map((d) => d.boxes), buffers); // [K, p, p, C + ΣC_s]
    const k = detections.reduce((sum, d) => sum + d.labels.length, 0);
    const p = mask.poolSize;
    const result = await this.sessions.run('mask_head', { mask_roi_features: [pooled, [k, p, p, pooled.length / (k * p * p)]] });
    return mask.pasteFrom(result.mask_probabilities.data, detections, s, s);
  }

  /** R-CNN: every proposal warped from the image (in chunks of `cropsPerChunk`), classified by the graph. */
  private async predictRcnn(model: RCNN, images: Float32Array, batch: number, proposals?: Float32Array[]): Promise<Detections[]> {
    if (!proposals || proposals.length !== batch) throw new Error(`rcnn needs the proposals of each image (${batch}), got ${proposals?.length ?? 'none'}`);
    const s = this.imgsz, w = model.warpSize, c1 = model.numClasses + 1;
    const out: Detections[] = [];
    for (let b = 0; b < batch; b++) {
      const boxes = proposals[b];
      const k = boxes.length >> 2;
      const probabilities = new Float32Array(k * c1);
      const deltas = new Float32Array(4 * k * c1);
      const one = images.subarray(b * s * s * 3, (b + 1) * s * s * 3);
      for (let start = 0; start < k; start += model.cropsPerChunk) {
        const chunk = boxes.subarray(4 * start, 4 * Math.min(k, start + model.cropsPerChunk));
        const crops = model.warpArrays(one, [1, s, s, 3], [chunk]); // [k', w, w, 3]
        const r = await this.sessions.run('crops', { crops: [crops, [chunk.length >> 2, w, w, 3]] });
        probabilities.set(r.box_probabilities.data, start * c1);
        deltas.set(r.box_deltas.data, 4 * start * c1);
      }
      out.push(postprocessDetections(probabilities, deltas, boxes, model.numClasses, s, s, model.coder, model.options));
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.sessions.release();
  }
}
