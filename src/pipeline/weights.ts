import type * as tf from '@tensorflow/tfjs';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadCheckpoint, type CheckpointData } from '../engine/checkpoint.js';
import { restoreDetectorWeights } from '../models/detection/checkpoint-data.js';
import type { Detector, DetectorFamily, ShippedCheckpoint } from '../models/detection/detector.js';
import { selectiveSearchProposals } from '../models/detection/selective-search-proposals.js';
import type { Detections } from '../models/detection/types.js';
import { DETECTOR_FAMILIES, detectorFamily, detectorFromCheckpoint } from '../models/registry.js';
import { SHAPE_CLASSES } from '../data/synthetic.js';
import { assetsDir } from '../util/paths.js';
import { DetsegInputError } from '../util/errors.js';

/**
 * Detector weights on disk: the shipped checkpoints by name (`assets/checkpoints/`), checkpoint files,
 * and the loaded detector behind one interface for the command line, the report and the benchmarks.
 */

/** The registered kinds (kept for callers that list them). */
export const DETECTOR_KINDS = DETECTOR_FAMILIES.map((f) => f.kind);
export type DetectorKind = string;

/** Checks a detector name (a {@link DetsegInputError} naming `field` otherwise). */
export function detectorKind(name: string, field = 'model'): DetectorKind {
  return detectorFamily(name, field).kind;
}

/** Every shipped checkpoint with its family and path. */
export function shippedCheckpoints(): Array<ShippedCheckpoint & { family: DetectorFamily; path: string }> {
  return DETECTOR_FAMILIES.flatMap((family) => family.shipped.map((s) => ({ ...s, family, path: assetsDir('checkpoints', s.file) })));
}

/** Path of the default shipped checkpoint of a detector kind (a {@link DetsegInputError} naming `field` for a family that ships none). */
export function shippedDetectorPath(kind: DetectorKind, field = '--weights'): string {
  const first = detectorFamily(kind).shipped[0];
  if (!first) throw new DetsegInputError(`no shipped checkpoint for ${kind}: pass --weights`, { field });
  return assetsDir('checkpoints', first.file);
}

/**
 * The checkpoint file `--weights` names for `kind`: an existing file, or the name of a shipped
 * checkpoint (of any family), or — without `weights` — the kind's default shipped checkpoint.
 */
export function resolveWeights(kind: DetectorKind, weights?: string, field = '--weights'): string {
  if (weights === undefined) return shippedDetectorPath(kind, field);
  const path = resolve(weights);
  if (existsSync(path)) return path;
  const shipped = shippedCheckpoints().find((s) => s.name === weights || s.file === weights);
  if (shipped) return shipped.path;
  throw new DetsegInputError(`is neither a file nor a shipped checkpoint (${shippedCheckpoints().map((s) => s.name).join(', ')})`, { file: path, field });
}

/** What a checkpoint says of its data: class names and input size (shipped synthetic checkpoints: the shapes, 128²). */
export function checkpointClasses(meta: Record<string, unknown>): string[] {
  const classes = meta.classes;
  return Array.isArray(classes) && classes.every((c) => typeof c === 'string') ? (classes as string[]) : [...SHAPE_CLASSES];
}

/** The training input side of a checkpoint (`meta.imgsz`, else the synthetic recipe's image size, else 128). */
export function checkpointImageSize(meta: Record<string, unknown>): number {
  if (typeof meta.imgsz === 'number') return meta.imgsz;
  const recipe = meta.recipe as { imageSize?: unknown } | undefined;
  return typeof recipe?.imageSize === 'number' ? recipe.imageSize : 128;
}

/** A loaded detector behind one interface: images with their RGB bytes in, detections out. */
export interface LoadedDetector {
  kind: DetectorKind;
  family: DetectorFamily;
  model: Detector;
  meta: Record<string, unknown>;
  /** Class names: label c is `classes[c − 1]`. */
  classes: string[];
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

/** Loads a detector of `kind` from a checkpoint file (default: its shipped one). */
export function loadDetector(kind: DetectorKind, path = shippedDetectorPath(kind)): LoadedDetector {
  const { family, model, meta } = detectorFromCheckpoint(loadCheckpoint(path), path, kind);
  const proposalsOf = (rgb: Uint8Array[], images: tf.Tensor4D, given?: Float32Array[]) => given ?? rgb.map((bytes) => selectiveSearchProposals(bytes, images.shape[2], images.shape[1]));
  return {
    kind: family.kind,
    family,
    model,
    meta,
    classes: checkpointClasses(meta),
    stride: model.stride,
    needsProposals: family.needsProposals,
    predict: (x, rgb, p) => model.predict(x, family.needsProposals ? proposalsOf(rgb, x, p) : undefined),
    dispose: () => model.dispose(),
  };
}

/**
 * Initialises `model` from a checkpoint: one of the same family continues every part; one of another
 * family (e.g. Faster R-CNN → Mask R-CNN or Fast R-CNN) gives every layers model whose weights it all
 * holds by name and shape (the backbone, and the heads the two share; a head for another number of
 * classes starts afresh). Returns the names of the models loaded.
 */
export function initialiseFrom(model: Detector, ckpt: CheckpointData, file: string): string[] {
  const shapes = new Map(ckpt.model.map((t) => [t.name, t.shape.join(',')]));
  const parts = model.models().filter((m) => m.weights.every((w) => shapes.get(w.originalName) === w.shape.join(',')));
  if (parts.length === 0) throw new DetsegInputError('shares no layer with the model to initialise', { file, field: '--weights' });
  restoreDetectorWeights(parts, ckpt, file);
  return parts.map((m) => m.name);
}
