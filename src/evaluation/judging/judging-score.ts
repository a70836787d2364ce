/**
 * Scores a judged round: labels (`label<TAB>sensible<TAB>specific`, one file per rater) joined with the key give
 * each system's sensible, specific and SSA (Adiwardana et al. 2020: SSA = (sensible + specific) / 2), with
 * bootstrap 95 % intervals over contexts. With two or more raters every figure is the mean of the raters'
 * labels per candidate, and their agreement is reported (share of equal labels, Cohen's κ for the first two).
 * A round whose human reply scores SSA < 0.80 is void (rating.md): the raters were too strict or the sheet leaks.
 */
import { AppError } from '../../common/errors';
import { mean } from '../statistics';
import { pairedBootstrapStatistic } from '../metrics/bootstrap';
import { HUMAN, type JudgingKey } from './judging-sheet';

export interface Label {
  readonly sensible: 0 | 1;
  readonly specific: 0 | 1;
}

export type RaterLabels = ReadonlyMap<string, Label>;

export class LabelFileError extends AppError<'LABEL_FILE_INVALID'> {
  constructor(
    readonly line: number,
    detail: string,
  ) {
    super('LABEL_FILE_INVALID', `labels line ${line}: ${detail}`, { line });
  }
}

/**
 * One rater's labels. A header line and blank lines are skipped; anything else must be `label, 0|1, 0|1` split
 * by tabs. "specific" without "sensible" is read as not specific (the definition), and counted in `coerced`.
 */
export function parseLabels(text: string): { labels: RaterLabels; coerced: number } {
  const labels = new Map<string, Label>();
  let coerced = 0;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || (i === 0 && /^label\b/i.test(line))) return;
    const fields = line.split('\t').map((f) => f.trim());
    if (fields.length !== 3) throw new LabelFileError(i + 1, `expected label<TAB>sensible<TAB>specific, got ${JSON.stringify(raw)}`);
    const [label, sensible, specific] = fields;
    if (!/^[01]$/.test(sensible) || !/^[01]$/.test(specific)) throw new LabelFileError(i + 1, `labels are 0 or 1, got ${sensible} and ${specific}`);
    if (labels.has(label)) throw new LabelFileError(i + 1, `${label} labelled twice`);
    if (sensible === '0' && specific === '1') coerced++;
    labels.set(label, { sensible: Number(sensible) as 0 | 1, specific: (sensible === '1' && specific === '1' ? 1 : 0) as 0 | 1 });
  });
  return { labels, coerced };
}

export interface Interval {
  readonly value: number;
  readonly low: number;
  readonly high: number;
}

export interface SystemScore {
  readonly system: string;
  /** Contexts rated. */
  readonly n: number;
  readonly sensible: Interval;
  readonly specific: Interval;
  readonly ssa: Interval;
}

export interface Agreement {
  readonly raters: number;
  /** Share of candidates on which every rater gave the same label. */
  readonly sensible: number;
  readonly specific: number;
  /** Cohen's κ of the first two raters. */
  readonly kappaSensible: number;
  readonly kappaSpecific: number;
}

export interface RoundScore {
  readonly round: string;
  readonly raters: number;
  readonly systems: readonly SystemScore[];
  readonly void: boolean;
  readonly agreement?: Agreement;
  /** SSA difference of each system against `baseline`, paired over contexts. */
  readonly differences: readonly { system: string; baseline: string; diff: Interval; excludesZero: boolean }[];
}

export interface ScoreOptions {
  readonly baseline?: string;
  readonly seed?: number;
  readonly resamples?: number;
}

export const VOID_BELOW = 0.8;

export function scoreRound(key: JudgingKey, raters: readonly RaterLabels[], options: ScoreOptions = {}): RoundScore {
  if (raters.length === 0) throw new RangeError('no labels to score');
  const known = new Set(Object.keys(key.labels));
  raters.forEach((r, i) => {
    for (const label of r.keys()) if (!known.has(label)) throw new RangeError(`rater ${i + 1}: label ${label} is not on the sheet`);
    const missing = [...known].filter((l) => !r.has(l));
    if (missing.length > 0) throw new RangeError(`rater ${i + 1}: ${missing.length} labels missing (${missing.slice(0, 5).join(', ')}…)`);
  });
  // per system, per context: the raters' mean labels
  const perContext = new Map<string, { sensible: number[]; specific: number[] }>(key.systems.map((s) => [s, { sensible: [], specific: [] }]));
  const contextOf = (label: string) => Number(label.split('.')[0]);
  for (const c of key.contexts) {
    for (const [label, system] of Object.entries(key.labels)) {
      if (contextOf(label) !== c.number) continue;
      const row = perContext.get(system)!;
      row.sensible.push(mean(raters.map((r) => r.get(label)!.sensible)));
      row.specific.push(mean(raters.map((r) => r.get(label)!.specific)));
    }
  }
  const boot = { seed: options.seed ?? 12345, resamples: options.resamples ?? 10_000 };
  const interval = (values: readonly number[]): Interval => {
    const r = pairedBootstrapStatistic(values.length, (idx) => meanAt(values, idx), boot);
    return { value: r.diff, low: r.low, high: r.high };
  };
  const ssaOf = (s: string) => perContext.get(s)!.sensible.map((x, i) => (x + perContext.get(s)!.specific[i]) / 2);
  const systems = key.systems.map((system) => {
    const { sensible, specific } = perContext.get(system)!;
    return { system, n: sensible.length, sensible: interval(sensible), specific: interval(specific), ssa: interval(ssaOf(system)) };
  });
  const human = systems.find((s) => s.system === HUMAN);
  const baseline = options.baseline;
  if (baseline !== undefined && !perContext.has(baseline)) throw new RangeError(`baseline ${baseline} is not a system of this round`);
  const differences = baseline
    ? key.systems
        .filter((s) => s !== baseline)
        .map((system) => {
          const a = ssaOf(system);
          const b = ssaOf(baseline);
          const r = pairedBootstrapStatistic(a.length, (idx) => meanAt(a, idx) - meanAt(b, idx), boot);
          return { system, baseline, diff: { value: r.diff, low: r.low, high: r.high }, excludesZero: r.excludesZero };
        })
    : [];
  return {
    round: key.round,
    raters: raters.length,
    systems,
    void: !human || human.ssa.value < VOID_BELOW,
    agreement: raters.length >= 2 ? agreement(raters, [...known]) : undefined,
    differences,
  };
}

function meanAt(values: readonly number[], indices: Int32Array): number {
  let sum = 0;
  for (const i of indices) sum += values[i];
  return sum / indices.length;
}

function agreement(raters: readonly RaterLabels[], labels: readonly string[]): Agreement {
  const same = (field: keyof Label) => mean(labels.map((l) => (new Set(raters.map((r) => r.get(l)![field])).size === 1 ? 1 : 0)));
  const kappa = (field: keyof Label) => cohensKappa(labels.map((l) => raters[0].get(l)![field]), labels.map((l) => raters[1].get(l)![field]));
  return { raters: raters.length, sensible: same('sensible'), specific: same('specific'), kappaSensible: kappa('sensible'), kappaSpecific: kappa('specific') };
}

/** Cohen's κ of two raters' binary labels: (p_o − p_e) / (1 − p_e); 1 when both always agree on one value. */
export function cohensKappa(a: readonly number[], b: readonly number[]): number {
  if (a.length !== b.length || a.length === 0) throw new RangeError('κ needs two equally long, non-empty label lists');
  const observed = mean(a.map((x, i) => (x === b[i] ? 1 : 0)));
  const pa = mean(a);
  const pb = mean(b);
  const expected = pa * pb + (1 - pa) * (1 - pb);
  return expected === 1 ? 1 : (observed - expected) / (1 - expected);
}

