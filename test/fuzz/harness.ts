import { DetsegInputError } from '../../src/util/errors.js';
import { Chooser, mutateBytes, mutateJson, mutateText } from './mutators.js';
import type { FuzzTarget } from './targets.js';

/** What a fuzz run of one target found. */
export interface FuzzCounts {
  target: string;
  /** Inputs tried (mutated seeds). */
  runs: number;
  /** Inputs read without error. */
  accepted: number;
  /** Inputs refused, by error type (`DetsegInputError`, or a bug's type such as `TypeError`). */
  errorsByType: Record<string, number>;
  /** Inputs that raised anything but a DetsegInputError (at most `maxFailures` kept). */
  failures: { input: Uint8Array; error: string }[];
}

/** Options of {@link fuzzTarget}: a fixed number of inputs (reproducible) or a time budget. */
export interface FuzzOptions {
  seed: number;
  iterations?: number;
  seconds?: number;
  maxFailures?: number;
}

/** A mutated input: one to four edits of a seed, by the target's kind. */
function mutate(target: FuzzTarget, seeds: Uint8Array[], c: Chooser): Uint8Array {
  let input = c.pick(seeds);
  const edits = 1 + c.int(4);
  for (let e = 0; e < edits; e++) {
    if (target.kind === 'json' && c.chance(0.6)) {
      try {
        input = new TextEncoder().encode(JSON.stringify(mutateJson(JSON.parse(new TextDecoder().decode(input)), c)));
        continue;
      } catch {
        /* no longer JSON: fall back to text edits */
      }
    }
    if (target.kind !== 'bytes' && c.chance(0.75)) input = new TextEncoder().encode(mutateText(new TextDecoder().decode(input), c));
    else input = mutateBytes(input, c, seeds);
  }
  return input;
}

/**
 * Feeds mutated seed inputs to `target.run` and counts the outcomes. Deterministic for a given seed and
 * iteration count; with `seconds`, runs until the time is spent.
 */
export function fuzzTarget(target: FuzzTarget, options: FuzzOptions): FuzzCounts {
  const seeds = target.seeds();
  const c = new Chooser(options.seed);
  const counts: FuzzCounts = { target: target.name, runs: 0, accepted: 0, errorsByType: {}, failures: [] };
  const deadline = options.seconds !== undefined ? performance.now() + 1000 * options.seconds : Infinity;
  const limit = options.iterations ?? Infinity;
  // the unmutated seeds first: they must all be read
  const inputs = (function* () {
    yield* seeds;
    for (;;) yield mutate(target, seeds, c);
  })();
  while (counts.runs < limit && performance.now() < deadline) {
    const input = inputs.next().value as Uint8Array;
    counts.runs++;
    try {
      target.run(input);
      counts.accepted++;
    } catch (err) {
      // an input error must also be one line (the CLI prints it as it is)
      const clean = err instanceof DetsegInputError && !/[\n\r]/.test(err.message);
      const type = clean ? 'DetsegInputError' : err instanceof DetsegInputError ? 'DetsegInputError (several lines)' : err instanceof Error ? err.constructor.name : typeof err;
      counts.errorsByType[type] = (counts.errorsByType[type] ?? 0) + 1;
      if (!clean && counts.failures.length < (options.maxFailures ?? 10)) {
        counts.failures.push({ input, error: err instanceof Error ? `${err.name}: ${err.message}\n${err.stack ?? ''}` : String(err) });
      }
    }
  }
  return counts;
}
