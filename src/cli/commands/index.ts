import type { Command } from 'commander';
import { registerPractical } from './practical.js';
import { registerConvert } from './convert.js';
import { registerSynth } from './synth.js';
import { registerEval } from './eval.js';
import { registerProposals } from './proposals.js';
import { registerWindows } from './windows.js';
import { registerBench } from './bench.js';
import { registerTrain } from './train.js';
import { registerPredict } from './predict.js';
import { registerModels } from './detect.js';
import { registerVal } from './val.js';
import { registerExport } from './export.js';

/**
 * Every subcommand of `detseg`, one file each in this folder. A file exports `registerX(program)`,
 * which adds its command (with its own `--help`) to the program.
 */
export function registerCommands(program: Command): void {
  registerPractical(program);
  registerConvert(program);
  registerSynth(program);
  registerEval(program);
  registerProposals(program);
  registerWindows(program);
  registerBench(program);
  registerTrain(program);
  registerPredict(program);
  registerVal(program);
  registerModels(program);
  registerExport(program);
}
