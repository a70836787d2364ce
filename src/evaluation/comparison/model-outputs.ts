/**
 * Everything the comparison needs from one model, produced in three passes: context states, every
 * greedy/sampled reply of every decoding in one continuously batched loop (different settings share
 * batches: rows only share weights), beam replies, then teacher-forced scores. Replies whose settings
 * cannot differ for this model (HRED: any z setting; greedy without z) are decoded once and reused.
 */
import type { LoadedModel } from '../../models/model-files';
import type { ModelConfig } from '../../models/model-config';
import { scoreReplies, type ReplyScores } from '../importance-sampling';
import { contextStates } from './context-states';
import { BEAM, effectiveDecodingKey, GREEDY, plannedDecodings, PROTOCOL_MODES, protocolDecoding, rowSeed, type CorpusDecoding, type ProtocolMode } from './decoding-modes';
import { decodeBeam, decodeReplies, type ReplyJob } from './reply-decoder';
import type { TestSet } from './test-contexts';
import type { DecodingInput } from '../../generation';

export interface ComparisonProgress {
  readonly phase: 'contexts' | 'decoding' | 'beam' | 'scoring' | 'metrics';
  readonly model?: string;
  readonly done: number;
  readonly total: number;
}

export interface OutputSettings {
  readonly samples: number;
  /** Temperatures of the distinct-vs-temperature sweep (1 is the main protocol's). */
  readonly temperatures: readonly number[];
  readonly seed: number;
  readonly importanceSamples: number;
  /** Turns per dialogue scored by teacher forcing: the smaller maxTurns of the two models, so both score the same replies. */
  readonly scoringTurns: number;
  readonly maxRows?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (progress: ComparisonProgress) => void;
}

export interface ModelOutputs {
  readonly label: string;
  readonly dir: string;
  readonly config: ModelConfig;
  /** [context][sample] reply texts per protocol. */
  readonly protocols: Record<ProtocolMode, string[][]>;
  readonly temperatures: { temperature: number; replies: string[][] }[];
  /** One reply per context. */
  readonly corpus: Record<CorpusDecoding, string[]>;
  readonly scores: ReplyScores;
  readonly seconds: { states: number; decoding: number; beam: number; scoring: number };
}

const since = (start: number) => (performance.now() - start) / 1000;

export async function produceOutputs(label: string, loaded: LoadedModel, set: TestSet, settings: OutputSettings): Promise<ModelOutputs> {
  const { model, tokenizer } = loaded;
  const kind = model.config.kind;
  const report = (phase: ComparisonProgress['phase'], done: number, total: number) => settings.onProgress?.({ phase, model: label, done, total });
  const contexts = set.contexts.length;
  const N = settings.samples;

  let start = performance.now();
  report('contexts', 0, contexts);
  const states = contextStates(model, tokenizer, set);
  const statesSeconds = since(start);

  // Each distinct setting is decoded once: N replies per context, or 1 when it is deterministic.
  const tasks = new Map<string, { replies: number; firstJob: number }>();
  const jobs: ReplyJob[] = [];
  for (const [key, { decoding, replies }] of plannedDecodings(kind, N, settings.temperatures)) {
    tasks.set(key, { replies, firstJob: jobs.length });
    for (let c = 0; c < contexts; c++) {
      for (let s = 0; s < replies; s++) jobs.push({ context: c, decoding: { ...decoding, seed: rowSeed(settings.seed, c, s) } });
    }
  }
  const taskOf = (decoding: DecodingInput) => tasks.get(effectiveDecodingKey(kind, decoding))!;
  const protocolTasks = PROTOCOL_MODES.map((mode) => taskOf(protocolDecoding(mode)));
  const temperatureTasks = settings.temperatures.map((t) => taskOf(protocolDecoding('sample', t)));
  const greedyTask = taskOf(GREEDY);

  start = performance.now();
  const texts = await decodeReplies(model, tokenizer, states, jobs, {
    maxRows: settings.maxRows,
    signal: settings.signal,
    onProgress: (done) => report('decoding', done, jobs.length),
  });
  const repliesOf = (task: { replies: number; firstJob: number }): string[][] =>
    Array.from({ length: contexts }, (_, c) => {
      const first = task.firstJob + c * task.replies;
      return task.replies === 1 ? Array<string>(N).fill(texts[first]) : texts.slice(first, first + N);
    });
  const decodingSeconds = since(start);

  start = performance.now();
  const beam = await decodeBeam(model, tokenizer, states, BEAM, { signal: settings.signal, onProgress: (done) => report('beam', done, contexts) });
  const beamSeconds = since(start);

  start = performance.now();
  report('scoring', 0, set.dialogues.length);
  const dialogues = set.dialogues.map((d) => d.turns.slice(0, settings.scoringTurns).map((t) => tokenizer.encode(t)));
  const scores = scoreReplies(model, dialogues, { samples: settings.importanceSamples, seed: settings.seed });
  report('scoring', set.dialogues.length, set.dialogues.length);

  const protocols = Object.fromEntries(PROTOCOL_MODES.map((mode, i) => [mode, repliesOf(protocolTasks[i])])) as Record<ProtocolMode, string[][]>;
  return {
    label,
    dir: loaded.dir,
    config: model.config,
    protocols,
    temperatures: settings.temperatures.map((temperature, i) => ({ temperature, replies: repliesOf(temperatureTasks[i]) })),
    corpus: { greedy: repliesOf(greedyTask).map((r) => r[0]), beam, sample: protocols.sample.map((r) => r[0]) },
    scores,
    seconds: { states: statesSeconds, decoding: decodingSeconds, beam: beamSeconds, scoring: since(start) },
  };
}
