import type { Command } from 'commander';
import { registerEvalVoc } from './eval-voc.js';

/**
 * `detseg eval`: the evaluation command group. It holds `eval coco` (this file) and `eval voc`
 * (`eval-voc.ts`, which receives the parent command from here).
 */
export function registerEval(program: Command): Command {
  const evalCommand = program.command('eval').description('evaluate detections against ground truth (COCO, Pascal VOC)');
  registerEvalVoc(evalCommand);
  return evalCommand;
}
