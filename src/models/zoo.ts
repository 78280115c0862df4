import type * as tf from '@tensorflow/tfjs';
import { DetsegInputError } from '../util/errors.js';
import { loadFastRcnn, shippedFastRcnnPath } from './fast-rcnn/checkpoint.js';
import { loadFasterRcnn, shippedFasterRcnnPath } from './faster-rcnn/checkpoint.js';
import { loadMaskRcnn, shippedMaskRcnnPath } from './mask-rcnn/checkpoint.js';
import { loadRcnn, shippedRcnnPath } from './rcnn/checkpoint.js';
import { selectiveSearchProposals } from './detection/selective-search-proposals.js';
import type { Detections } from './detection/types.js';

/** The detectors of the R-CNN family. */
export const DETECTOR_KINDS = ['rcnn', 'fast-rcnn', 'faster-rcnn', 'mask-rcnn'] as const;
export type DetectorKind = (typeof DETECTOR_KINDS)[number];

/** A loaded detector behind one interface: images with their RGB bytes in, detections out. */
export interface LoadedDetector {
  kind: DetectorKind;
  meta: Record<string, unknown>;
  /** Backbone stride: image sides must be multiples of it. */
  stride: number;
  /** Whether it needs external (selective-search) proposals. */
  needsProposals: boolean;
  /**
   * Detections of `images [B, H, W, 3]` (normalised); `rgb` are the same images as `Uint8Array [H, W, 3]`
   * bytes (for selective search), `proposals` optional precomputed proposals per image.
   */
  predict(images: tf.Tensor4D, rgb: Uint8Array[], proposals?: Float32Array[]): Detections[];
  dispose(): void;
}

/** Checks a detector name (a {@link DetsegInputError} naming `field` otherwise). */
export function detectorKind(name: string, field = 'model'): DetectorKind {
  if (!(DETECTOR_KINDS as readonly string[]).includes(name)) throw new DetsegInputError(`unknown detector '${name}' (expected ${DETECTOR_KINDS.join(', ')})`, { field });
  return name as DetectorKind;
}

/** Path of the shipped checkpoint of a detector. */
export function shippedDetectorPath(kind: DetectorKind): string {
  return { rcnn: shippedRcnnPath, 'fast-rcnn': shippedFastRcnnPath, 'faster-rcnn': shippedFasterRcnnPath, 'mask-rcnn': shippedMaskRcnnPath }[kind]();
}

/** Loads a detector from a checkpoint (default: the shipped one). */
export function loadDetector(kind: DetectorKind, path = shippedDetectorPath(kind)): LoadedDetector {
  const ss = (rgb: Uint8Array[], images: tf.Tensor4D, given?: Float32Array[]) => given ?? rgb.map((bytes) => selectiveSearchProposals(bytes, images.shape[2], images.shape[1]));
  switch (kind) {
    case 'rcnn': {
      const { model, meta } = loadRcnn(path);
      return { kind, meta, stride: model.backbone.stride, needsProposals: true, predict: (x, rgb, p) => model.predict(x, ss(rgb, x, p)), dispose: () => model.dispose() };
    }
    case 'fast-rcnn': {
      const { model, meta } = loadFastRcnn(path);
      return { kind, meta, stride: model.backbone.stride, needsProposals: true, predict: (x, rgb, p) => model.predict(x, ss(rgb, x, p)), dispose: () => model.dispose() };
    }
    case 'faster-rcnn': {
      const { model, meta } = loadFasterRcnn(path);
      return { kind, meta, stride: model.backbone.stride, needsProposals: false, predict: (x) => model.predict(x), dispose: () => model.dispose() };
    }
    case 'mask-rcnn': {
      const { model, meta } = loadMaskRcnn(path);
      return { kind, meta, stride: model.backbone.stride, needsProposals: false, predict: (x) => model.predict(x), dispose: () => model.dispose() };
    }
  }
}
