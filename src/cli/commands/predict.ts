import type { Command } from 'commander';
import { registerDetectorPredict } from './detect.js';
import { registerPredictPanoptic } from './predict-panoptic.js';
import { registerSegmentationPredict } from './segment.js';

/**
 * `detseg predict <model>`: every registered detector (`detect.ts`), the panoptic model, and every
 * registered segmentation model (`segment.ts`: one label PNG per image).
 */
export function registerPredict(program: Command): void {
  const predict = program.command('predict').description('run a trained model');
  registerDetectorPredict(predict);
  registerPredictPanoptic(predict);
  registerSegmentationPredict(predict);
}
