import { roiBenchmarks } from './roi.bench.js';
import { formatTable, runBench, type Bench, type BenchResult } from './harness.js';
import { dataBenchmarks } from './data.bench.js';
import { proposalsBenches } from './proposals.bench.js';
import { engineBenches } from './engine.bench.js';
import { boxesBenchmarks } from './boxes.bench.js';
import { vocBenchmarks } from './voc.bench.js';
import { detectorBenches } from './detectors.bench.js';
import { cocoBenchmarks } from './coco.bench.js';

/**
 * `npm run bench [filter]`: runs every benchmark suite (one file per part of the library) and prints
 * a table of medians. A filter argument keeps the benchmarks whose name contains it.
 */
const suites: Array<() => Promise<Bench[]>> = [dataBenchmarks, proposalsBenches, roiBenchmarks, boxesBenchmarks, engineBenches, vocBenchmarks, cocoBenchmarks, detectorBenches];

const filter = process.argv[2];
const results: BenchResult[] = [];
for (const suite of suites) {
  for (const b of await suite()) {
    if (filter && !b.name.includes(filter)) continue;
    const r = await runBench(b);
    process.stderr.write(`${r.name}: ${r.medianMs.toFixed(2)} ms\n`);
    results.push(r);
  }
}
process.stdout.write(`${formatTable(results)}\n`);
