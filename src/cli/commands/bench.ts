import type { Command } from 'commander';
import { registerRcnnFamilyBench } from './detect.js';
import { initEngine } from '../../engine/setup.js';
import { prepareConvForward, prepareUNetStep, profileUNetStepPhases, timeRuns } from '../../benchmarks/engine-speed.js';
import { benchDetectors, formatDetectorBench } from '../../benchmarks/detectors.js';
import { formatStageProfiles, profileDetectorStages, type StageProfile } from '../../benchmarks/detector-stages.js';
import { runtimeOption } from '../../pipeline/onnx.js';
import { DetsegInputError } from '../../util/errors.js';
import { wholeNumber } from '../options.js';

/** Result of `detseg bench unet-step`. */
export interface UNetStepReport {
  msPerStepMedian: number;
  msPerStepMin: number;
  stepTimesMs: number[];
  /** Median CPU time of a step (all threads of the process). */
  cpuMsPerStepMedian: number;
  convGflops: number;
  convMsMedian: number;
  parameters: number;
  batch: number;
  size: number;
  threads: number;
  threadsRequested: number;
  simd: boolean;
  backend: string;
}

/** Runs the U-Net training-step benchmark: median of `reps` steps after `warmup` steps, and a conv probe. */
export async function benchUNetStep(opts: { batch: number; size: number; reps: number; warmup: number; threads?: number }): Promise<UNetStepReport> {
  const engine = await initEngine({ threads: opts.threads });
  const conv = prepareConvForward();
  const convTimes = timeRuns(conv.run, Math.max(5, opts.reps), 2);
  conv.dispose();
  const prepared = prepareUNetStep({ batch: opts.batch, size: opts.size });
  const stepTimes = timeRuns(prepared.step, opts.reps, opts.warmup);
  prepared.dispose();
  return {
    msPerStepMedian: stepTimes.medianMs,
    msPerStepMin: stepTimes.minMs,
    stepTimesMs: stepTimes.times,
    cpuMsPerStepMedian: stepTimes.cpuMedianMs,
    convGflops: conv.flops / (convTimes.medianMs * 1e6),
    convMsMedian: convTimes.medianMs,
    parameters: prepared.parameters,
    batch: opts.batch,
    size: opts.size,
    threads: engine.threads,
    threadsRequested: engine.threadsRequested,
    simd: engine.simd,
    backend: engine.backend,
  };
}

/**
 * `detseg bench <name>`: speed measurements of the engine. `unet-step` times one Adam step of the
 * ~480k-parameter U-Net (blocks 16-32-64-128) on a batch of 8 images of 128×128×1 with sigmoid
 * cross-entropy (median of ≥ 5 steps after warm-up), and the forward speed of a 3×3 convolution.
 */
export function registerBench(program: Command): void {
  const bench = program.command('bench').description('speed measurements of the training engine (medians of repeated runs)');
  registerRcnnFamilyBench(bench);
  bench
    .command('detectors')
    .description('every shipped detector on the same held-out images: parameters, ms per image (median, one image at a time), mAP, mAP50')
    .option('--images <n>', 'held-out synthetic images (seed 2)', '50')
    .option('--json', 'print the rows as JSON', false)
    .option('--runtime <runtime>', 'tfjs, or onnx: each model on TF.js and on ONNX Runtime in the same run, plus the U-Net', 'tfjs')
    .action(async (opts: { images: string; json: boolean; runtime: string }) => {
      const images = wholeNumber(opts.images, '--images', 1);
      const runtime = runtimeOption(opts.runtime);
      await initEngine();
      const rows = await benchDetectors({ images, runtime });
      process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatDetectorBench(rows, images)}\n`);
    });
  bench
    .command('detector-stages')
    .description('where one image\'s time goes in Faster / Mask R-CNN, stage by stage (median ms), on TF.js and on ONNX Runtime')
    .option('--images <n>', 'held-out synthetic images (seed 2)', '20')
    .option('--models <list>', 'comma-separated: faster-rcnn, mask-rcnn', 'faster-rcnn,mask-rcnn')
    .option('--json', 'print the profiles as JSON', false)
    .action(async (opts: { images: string; models: string; json: boolean }) => {
      const images = wholeNumber(opts.images, '--images', 1);
      const kinds = opts.models.split(',').map((m) => m.trim());
      for (const k of kinds) if (k !== 'faster-rcnn' && k !== 'mask-rcnn') throw new DetsegInputError(`must list faster-rcnn or mask-rcnn, got '${k}'`, { field: '--models' });
      await initEngine();
      const profiles: StageProfile[] = [];
      for (const kind of kinds) for (const runtime of ['tfjs', 'onnx'] as const) profiles.push(await profileDetectorStages(kind, runtime, undefined, images));
      process.stdout.write(opts.json ? `${JSON.stringify(profiles.map(({ detections: _, ...p }) => p), null, 2)}\n` : `${formatStageProfiles(profiles)}\n`);
    });
  bench
    .command('unet-step')
    .description('ms per U-Net training step (batch 8 of 128×128×1, Adam, sigmoid cross-entropy) and conv 3×3 GFLOP/s')
    .option('--json', 'print the result as JSON', false)
    .option('--reps <n>', 'timed steps (median taken)', '5')
    .option('--warmup <n>', 'untimed steps first', '2')
    .option('--batch <n>', 'batch size', '8')
    .option('--size <pixels>', 'image side', '128')
    .option('--threads <n>', 'wasm threads wanted (default: the engine default, $DETSEG_THREADS or 2 on 2+ cores)')
    .option('--profile', 'instead: self time per kernel of the gradients and of the Adam update (means of --reps steps)', false)
    .action(async (opts: { json: boolean; reps: string; warmup: string; batch: string; size: string; threads?: string; profile: boolean }) => {
      const size = wholeNumber(opts.size, '--size', 1);
      if (size % 8 !== 0) throw new DetsegInputError(`must be a multiple of 8 (three 2×2 poolings), got ${size}`, { field: '--size' });
      if (opts.profile) {
        const engine = await initEngine({ threads: opts.threads === undefined ? undefined : wholeNumber(opts.threads, '--threads', 1) });
        const profile = profileUNetStepPhases({ batch: wholeNumber(opts.batch, '--batch', 1), size, reps: wholeNumber(opts.reps, '--reps', 1), warmup: wholeNumber(opts.warmup, '--warmup', 1) });
        if (opts.json) {
          process.stdout.write(`${JSON.stringify({ ...profile, threads: engine.threads }, null, 2)}\n`);
          return;
        }
        const lines = [`U-Net training step, ${engine.threads} thread(s): ${profile.stepMs.toFixed(0)} ms/step (profiled)`];
        for (const [name, p] of [['gradients (forward, loss, backward)', profile.gradients], ['optimizer (Adam update)', profile.optimizer]] as const) {
          lines.push(`  ${name}: ${p.runMs.toFixed(1)} ms, ${p.kernelMs.toFixed(1)} ms in kernels`);
          for (const k of p.byCaller.filter((e) => e.selfMs >= 0.05)) lines.push(`    ${(k.caller ? `${k.caller} > ${k.kernel}` : k.kernel).padEnd(44)} ${k.calls.toFixed(0).padStart(4)} calls ${k.selfMs.toFixed(1).padStart(8)} ms`);
        }
        process.stdout.write(`${lines.join('\n')}\n`);
        return;
      }
      const report = await benchUNetStep({
        reps: wholeNumber(opts.reps, '--reps', 1),
        warmup: wholeNumber(opts.warmup, '--warmup', 1),
        batch: wholeNumber(opts.batch, '--batch', 1),
        size,
        threads: opts.threads === undefined ? undefined : wholeNumber(opts.threads, '--threads', 1),
      });
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
        return;
      }
      process.stdout.write(
        [
          `U-Net training step (${report.parameters.toLocaleString('en-US')} parameters, batch ${report.batch} of ${report.size}×${report.size}×1, Adam, sigmoid CE)`,
          `  ${report.msPerStepMedian.toFixed(0)} ms/step median of ${report.stepTimesMs.length} (min ${report.msPerStepMin.toFixed(0)}, CPU ${report.cpuMsPerStepMedian.toFixed(0)} ms)`,
          `  conv 3×3 forward [8,64,64,32]→32: ${report.convGflops.toFixed(1)} GFLOP/s (${report.convMsMedian.toFixed(1)} ms)`,
          `  backend ${report.backend}, SIMD ${report.simd ? 'on' : 'off'}, threads ${report.threads} (asked ${report.threadsRequested})`,
        ].join('\n') + '\n',
      );
    });
}
