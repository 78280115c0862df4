import type { Command } from 'commander';
import { resolve } from 'node:path';
import { runPractical } from '../../report/practical.js';

/** `detseg practical`: runs the lecture's practical session and writes the HTML report. */
export function registerPractical(program: Command): void {
  program
    .command('practical')
    .description('run the practical session end to end and write an HTML report with figures')
    .option('-o, --out <dir>', 'output folder', 'report')
    .option('--retrain', 'train every model from scratch instead of using the shipped checkpoints', false)
    .option('--quick', 'small workloads (for smoke tests)', false)
    .option('--overwrite', 'replace the output folder even when it holds files an earlier report did not write', false)
    .action(async (opts: { out: string; retrain: boolean; quick: boolean; overwrite: boolean }) => {
      const out = resolve(opts.out);
      await runPractical({ out, retrain: opts.retrain, quick: opts.quick, overwrite: opts.overwrite });
      process.stdout.write(`report written to ${out}/index.html\n`);
    });
}
