import type { DetrOptions } from './detr.js';

/**
 * Default DETR options for the synthetic shapes: 128² images, backbone 16-32-64 (stride 8, a 16×16
 * memory), d = 64 with 4 heads, 2 encoder and 2 decoder layers, 16 queries (the generator draws at
 * most 8 objects), the paper's loss weights (1, 5, 2; no object 0.1), clipping 0.1, weight decay 1e-4.
 */
export const DETR_TRAIN_OPTIONS: DetrOptions = {
  numClasses: 3,
  seed: 0,
  imageSize: 128,
  backbone: { widths: [16, 32, 64] },
  d: 64,
  heads: 4,
  encoderLayers: 2,
  decoderLayers: 2,
  feedforward: 128,
  queries: 16,
  classCost: 1,
  bboxCost: 5,
  giouCost: 2,
  noObjectWeight: 0.1,
  auxLoss: true,
  clipNorm: 0.1,
  weightDecay: 1e-4,
};
