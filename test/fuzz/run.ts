import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fuzzTarget, type FuzzCounts } from './harness.js';
import { FUZZ_TARGETS } from './targets.js';

/**
 * Long fuzz runs on demand: `npm run fuzz -- --seconds 600 [--seed N] [--target NAME] [--out DIR]`.
 * The time is shared out evenly between the targets; per target it prints the inputs tried, how many
 * were read, the errors by type, and writes every input that raised anything but an input error to
 * `DIR` (default `fuzz-failures/`) with its error. Exit code 1 when there was such an input.
 */
function option(name: string, fallback: string): string {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const seconds = Number(option('--seconds', '60'));
const seed = Number(option('--seed', String(Date.now() % 1_000_000)));
const only = option('--target', '');
const outDir = option('--out', 'fuzz-failures');
if (!(seconds > 0) || !Number.isInteger(seed)) {
  process.stderr.write('usage: npm run fuzz -- --seconds S [--seed N] [--target NAME] [--out DIR]\n');
  process.exit(1);
}
const targets = FUZZ_TARGETS.filter((t) => only === '' || t.name === only);
if (targets.length === 0) {
  process.stderr.write(`--target: unknown target '${only}' (${FUZZ_TARGETS.map((t) => t.name).join(', ')})\n`);
  process.exit(1);
}
process.stdout.write(`fuzzing ${targets.length} targets for ${seconds} s in all, seed ${seed}\n`);
const all: FuzzCounts[] = [];
let failed = 0;
for (const [k, target] of targets.entries()) {
  const counts = fuzzTarget(target, { seed: seed + k, seconds: seconds / targets.length, maxFailures: 20 });
  all.push(counts);
  const errors = Object.entries(counts.errorsByType).map(([t, n]) => `${t} ${n}`).join(', ');
  process.stdout.write(`${target.name.padEnd(12)} ${String(counts.runs).padStart(9)} inputs, ${String(counts.accepted).padStart(8)} read, errors: ${errors || 'none'}\n`);
  for (const [i, f] of counts.failures.entries()) {
    mkdirSync(outDir, { recursive: true });
    writeFileSync(join(outDir, `${target.name}-${seed + k}-${i}.input`), f.input);
    writeFileSync(join(outDir, `${target.name}-${seed + k}-${i}.error.txt`), `${f.error}\n`);
    failed++;
  }
}
const total = all.reduce((s, c) => s + c.runs, 0);
process.stdout.write(`${total} inputs in all; ${failed ? `${failed} inputs raised other errors (written to ${outDir}/)` : 'every error was an input error'}\n`);
process.exitCode = failed ? 1 : 0;
