import * as tf from '@tensorflow/tfjs';
import { loadCheckpoint } from '../../engine/checkpoint.js';
import { restoreModelWeights } from '../../engine/state.js';
import { DetsegInputError } from '../../util/errors.js';
import { buildUNet, type UNetOptions } from './unet.js';

/**
 * `meta` of a binary U-Net checkpoint (format 'detseg-unet': one sigmoid logit per pixel). `detseg train
 * unet` writes the registry's 'detseg-segmentation' format; `detseg val|predict|export unet` read both.
 */
export interface UNetCheckpointMeta {
  format: 'detseg-unet';
  unet: UNetOptions;
  /** Training crop side in pixels. */
  crop: number;
  /** Where the training data came from (folder or 'sunnybrook'). */
  data: string;
}

/**
 * Rebuilds the U-Net of a binary U-Net checkpoint (meta.format 'detseg-unet') or of a
 * shipped LV checkpoint (meta.format 'detseg-unet-lv'), for inputs of any size divisible by 2^depth,
 * and loads its weights. Throws a {@link DetsegInputError} naming the file for anything else.
 */
export function loadUNetCheckpoint(path: string): { model: tf.LayersModel; depth: number; meta: Record<string, unknown> } {
  const ckpt = loadCheckpoint(path);
  const meta = ckpt.meta ?? {};
  let options: UNetOptions;
  if (meta.format === 'detseg-unet') {
    options = (meta as unknown as UNetCheckpointMeta).unet;
  } else if (meta.format === 'detseg-unet-lv') {
    const c = (meta as { lvConfig?: { baseWidth?: number; depth?: number } }).lvConfig ?? {};
    options = { baseWidth: c.baseWidth, depth: c.depth };
  } else {
    throw new DetsegInputError(`not a U-Net checkpoint (meta.format ${JSON.stringify(meta.format)})`, { file: path, field: 'meta.format' });
  }
  const model = buildUNet({ ...options, inputSize: null });
  restoreModelWeights(model, ckpt.model, path);
  return { model, depth: options.depth ?? 3, meta };
}
