/**
 * A fine-tuning run against its base model: the base is scored on every validation set before the first step, an
 * epoch counts only if it beats the base on all of them, and the finished run says set by set whether its model did.
 */
import type { TrainerState } from './checkpoint';
import type { EpochMetrics } from './progress';

/** The base model's perplexity on the criterion set and on each named set. */
export interface BaseFigures {
  perplexity: number;
  sets: Record<string, number>;
}

export function baseFigures(state: Pick<TrainerState, 'baseValidationPerplexity' | 'baseValidationSets'>): BaseFigures | undefined {
  return state.baseValidationPerplexity === undefined ? undefined : { perplexity: state.baseValidationPerplexity, sets: state.baseValidationSets ?? {} };
}

/** Whether an epoch beat the base on the criterion and on every named set the base was scored on (true without a base). */
export function beatsBase(m: Pick<EpochMetrics, 'validationPerplexity' | 'validationSets'>, base: BaseFigures | undefined): boolean {
  if (!base) return true;
  return m.validationPerplexity < base.perplexity && Object.entries(base.sets).every(([name, p]) => (m.validationSets?.[name] ?? Infinity) < p);
}

export interface SetComparison {
  base: number;
  model: number;
  beatBase: boolean;
}

export interface BaseComparison {
  /** The run's model beat its base on every validation set: only then is it activated without `force`. */
  beatBase: boolean;
  /** The epoch whose weights the run's model holds, or null when it is the base model itself (no epoch beat it). */
  keptEpoch: number | null;
  /** Perplexity per validation set (the criterion under its own name), the base's beside the model's. */
  sets: Record<string, SetComparison>;
}

/**
 * The run's model against its base, set by set; undefined for a run without a base. The model is the best epoch that
 * beat the base with keep: best (else the base itself), the last epoch with keep: last.
 */
export function compareWithBase(
  state: Pick<TrainerState, 'baseValidationPerplexity' | 'baseValidationSets' | 'history'>,
  keep: 'best' | 'last',
  criterion: string,
): BaseComparison | undefined {
  const base = baseFigures(state);
  if (!base) return undefined;
  const kept = keep === 'last' ? state.history.at(-1) : bestEpoch(state.history, base);
  const model = (name: string) => (kept ? (name === criterion ? kept.validationPerplexity : (kept.validationSets?.[name] ?? NaN)) : undefined);
  const entries: [string, number][] = [[criterion, base.perplexity], ...Object.entries(base.sets)];
  const sets = Object.fromEntries(
    entries.map(([name, b]) => {
      const m = model(name) ?? b;
      return [name, { base: b, model: m, beatBase: m < b }];
    }),
  );
  return { beatBase: Object.values(sets).every((s) => s.beatBase), keptEpoch: kept?.epoch ?? null, sets };
}

/** The epoch with the lowest criterion perplexity among those that beat the base; undefined when none did. */
export function bestEpoch(history: readonly EpochMetrics[], base: BaseFigures | undefined): EpochMetrics | undefined {
  return history
    .filter((m) => beatsBase(m, base))
    .reduce<EpochMetrics | undefined>((b, m) => (b === undefined || m.validationPerplexity < b.validationPerplexity ? m : b), undefined);
}
