import { Command, CommanderError } from 'commander';
import { DetsegInputError, oneLine } from '../util/errors.js';
import { registerCommands } from './commands/index.js';

/** Builds the `detseg` command-line program (exported so tests can drive it without a subprocess). */
export function buildProgram(): Command {
  const program = new Command('detseg')
    .description('Object detection and segmentation, from box ops to Mask R-CNN, in TypeScript')
    .version('0.1.0')
    .showHelpAfterError()
    .exitOverride();
  registerCommands(program);
  return program;
}

/** Runs the CLI; bad input ends with a one-line error on stderr and exit code 1. */
export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    // one line, whatever the error: a library's message may span lines or hold raw bytes
    const message = oneLine(err instanceof Error ? err.message : String(err), 1000);
    process.stderr.write(`detseg: error: ${message}\n`);
    if (!(err instanceof DetsegInputError) && process.env.DETSEG_DEBUG && err instanceof Error) {
      process.stderr.write(`${err.stack}\n`);
    }
    return 1;
  }
}
