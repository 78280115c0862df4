import type { Command } from 'commander';
import { registerDetectorVal } from './detect.js';
import { registerSegmentationVal } from './segment.js';

/**
 * `detseg val <model>`: every registered detector (`detect.ts`: pycocotools' numbers) and every
 * registered segmentation model (`segment.ts`: pixel accuracy, IoU, Dice).
 */
export function registerVal(program: Command): void {
  const valCmd = program.command('val').description('evaluate a model on a dataset (detectors: pycocotools\' numbers; segmentation: IoU and Dice)');
  registerDetectorVal(valCmd);
  registerSegmentationVal(valCmd);
}
