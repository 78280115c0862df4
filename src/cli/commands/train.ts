import type { Command } from 'commander';
import { registerDetectorTrain } from './detect.js';
import { registerSegmentationTrain } from './segment.js';

/**
 * `detseg train <model>`: every registered detector (`detect.ts`: a dataset into a run folder) and every
 * registered segmentation model (`segment.ts`: a `detseg-segmentation` checkpoint).
 */
export function registerTrain(program: Command): void {
  const trainCmd = program.command('train').description('train a model');
  registerDetectorTrain(trainCmd);
  registerSegmentationTrain(trainCmd);
}
