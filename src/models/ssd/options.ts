import type { SsdOptions } from './ssd.js';

/**
 * The options of SSD on the 128² synthetic shapes: the R-CNN family's larger backbone (widths 32-64-128)
 * with its stride-4 and stride-8 stages as feature maps, two extra stride-2 stages (8×8, 4×4): four maps.
 * The shapes are 8 to 77 px, so the first map's scale is 0.1 (12.8 px; the paper's own code also gives
 * its finest map 0.1) and the last s_max = 0.9; the paper's five aspect ratios plus the extra box.
 */
export const SSD_TRAIN_OPTIONS: SsdOptions = {
  numClasses: 3,
  seed: 0,
  backbone: { widths: [32, 64, 128] },
  featureStages: [1, 2],
  extraLayers: 2,
  sMin: 0.1,
  sMax: 0.9,
};
