/**
 * Learning-rate schedules: the rate at a given optimisation step, as a pure function of the step.
 * `warmupSteps` ramps linearly from `base / warmupSteps` up to `base` over the first steps, then the
 * schedule proper applies to the remaining steps.
 */
export type LrSchedule =
  | { kind: 'constant' }
  /** Multiply by `gamma` every `everySteps` steps (after warm-up). */
  | { kind: 'step'; everySteps: number; gamma: number }
  /** Half a cosine from `base` down to `minLr` at the last step (after warm-up). */
  | { kind: 'cosine'; minLr?: number };

/** Options of {@link learningRateAt}. */
export interface LrScheduleOptions {
  /** Peak learning rate. */
  base: number;
  schedule: LrSchedule;
  /** Total number of optimisation steps of the run (needed by 'cosine'). */
  totalSteps: number;
  /** Linear warm-up steps (default 0). */
  warmupSteps?: number;
}

/** Learning rate of optimisation step `step` (0-based). */
export function learningRateAt(step: number, options: LrScheduleOptions): number {
  const { base, schedule, totalSteps } = options;
  const warmup = options.warmupSteps ?? 0;
  if (!(base > 0)) throw new RangeError(`learning rate must be positive, got ${base}`);
  if (step < warmup) return (base * (step + 1)) / warmup;
  const t = step - warmup;
  switch (schedule.kind) {
    case 'constant':
      return base;
    case 'step':
      if (!(schedule.everySteps >= 1)) throw new RangeError(`step schedule: everySteps must be ≥ 1, got ${schedule.everySteps}`);
      return base * Math.pow(schedule.gamma, Math.floor(t / schedule.everySteps));
    case 'cosine': {
      const span = Math.max(1, totalSteps - warmup - 1);
      const minLr = schedule.minLr ?? 0;
      const progress = Math.min(1, t / span);
      return minLr + 0.5 * (base - minLr) * (1 + Math.cos(Math.PI * progress));
    }
    default:
      throw new RangeError(`unknown learning-rate schedule ${(schedule as { kind: string }).kind}`);
  }
}
