import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Bench } from './harness.js';
import { buildCocoWorkload } from './coco-workload.js';
import { main } from '../src/cli/main.js';
import { evaluateCocoJson } from '../src/eval/coco.js';
import { packageRoot, sharedDataDir } from '../src/util/paths.js';

/**
 * Benchmarks of the COCO evaluation (pycocotools' times for the same work are in docs/benchmarks.md):
 * fake100 (cocoapi's fake results on 100 val2014 images: 734 detections, 839 ground truths, 80 classes)
 * evaluated in process from parsed JSON — results loading, matching, accumulation and summary — and a
 * COCO-val-sized workload (`coco-workload.ts`: 5,120 images, 37,560 ground truths, ≈ 91,000 detections)
 * through `detseg eval coco` end to end: JSON files read and parsed, evaluated, 12 lines printed.
 */
export async function cocoBenchmarks(): Promise<Bench[]> {
  const fixtures = join(packageRoot(), 'test', 'fixtures', 'coco');
  const read = (name: string): unknown => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));
  const fake100 = (iouType: 'bbox' | 'segm', results: string, note: string): Bench => ({
    name: `coco: evaluate fake100 ${iouType} (in process${note})`,
    reps: 15,
    setup: () => {
      const gt = read('instances_val2014_100.json'), dt = read(results);
      return () => evaluateCocoJson(gt, dt, { iouType });
    },
  });
  const benches: Bench[] = [
    fake100('bbox', 'instances_val2014_fakebbox100_results.json', ''),
    fake100('segm', 'instances_val2014_fakesegm100_results.json', ', polygons rasterized each run'),
  ];
  if (sharedDataDir() === undefined) {
    process.stderr.write('coco end-to-end benchmark skipped: ../shared/data/coco128 is absent\n');
    return benches;
  }
  const distBin = join(packageRoot(), 'dist', 'src', 'cli', 'bin.js');
  const distHasCoco = existsSync(distBin) && existsSync(join(packageRoot(), 'dist', 'src', 'eval', 'coco.js'));
  benches.push({
    name: `coco: detseg eval coco bbox end to end, 5,120 images / 37.6k GT / 91k dets (${distHasCoco ? 'spawned dist CLI' : 'in-process CLI'})`,
    reps: 5,
    setup: () => {
      const w = buildCocoWorkload(mkdtempSync(join(tmpdir(), 'detseg-coco-bench-')));
      const args = ['eval', 'coco', '--gt', w.gtFile, '--dt', w.dtFile, '--iou-type', 'bbox'];
      if (distHasCoco) {
        return () => {
          const r = spawnSync(process.execPath, [distBin, ...args], { encoding: 'utf8' });
          if (r.status !== 0) throw new Error(`detseg eval coco failed: ${r.stderr}`);
        };
      }
      return async () => {
        const write = process.stdout.write;
        process.stdout.write = (() => true) as typeof process.stdout.write; // the 12 lines are not timed output
        try {
          if ((await main(args)) !== 0) throw new Error('detseg eval coco failed');
        } finally {
          process.stdout.write = write;
        }
      };
    },
  });
  return benches;
}
