/** Schedules as small pure functions of the step, so each is testable in one line. */

/** Linear warm-up to `peak` over `warmupSteps`, then constant (`decay` multiplies per `decaySteps` after warm-up). */
export function learningRate(step: number, s: { peak: number; warmupSteps: number; decay: number; decaySteps: number }): number {
  if (step < s.warmupSteps) return (s.peak * (step + 1)) / s.warmupSteps;
  return s.peak * Math.pow(s.decay, Math.floor((step - s.warmupSteps) / Math.max(1, s.decaySteps)));
}

export type KlSchedule =
  | { kind: 'linear'; steps: number }
  /** Cyclical annealing (Fu et al. 2019): each cycle rises linearly over `ratio` of it, then holds 1. */
  | { kind: 'cyclical'; steps: number; cycles: number; ratio: number }
  | { kind: 'constant'; weight: number };

/** KL weight at a training step: 0 → 1. */
export function klWeight(step: number, s: KlSchedule): number {
  switch (s.kind) {
    case 'constant':
      return s.weight;
    case 'linear':
      return s.steps <= 0 ? 1 : Math.min(1, step / s.steps);
    case 'cyclical': {
      const period = s.steps / s.cycles;
      if (step >= s.steps) return 1;
      const phase = (step % period) / period;
      return Math.min(1, phase / s.ratio);
    }
  }
}
