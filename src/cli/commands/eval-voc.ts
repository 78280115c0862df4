import type { Command } from 'commander';

/**
 * Adds `detseg eval voc` to the `eval` command group created in `eval.ts`. Placeholder: the Pascal VOC
 * evaluation helper owns this file and fills in its body.
 */
export function registerEvalVoc(_evalCommand: Command): void {}
