/**
 * Decodes many replies to many contexts with continuous batching, in a direct loop over one
 * DecoderBatch (the engine ReplyBatcher runs on, without its per-request streams): up to `maxRows`
 * rows advance together, a finished row leaves at once and a waiting one takes its place, so a long
 * reply never holds a batch of short ones; a sample-and-rank job's candidates join together. Greedy and sampled rows only; beam search decodes one
 * context at a time (decodeBeam). Between steps the loop yields to the event loop, so a worker
 * thread still receives its cancel message.
 */
import type { DialogueModel } from '../../models/dialogue-model';
import type { ConversationState } from '../../generation/conversation-state';
import { nextTurnOfEventLoop, resolveDecoding } from '../../generation/decode';
import { DecoderBatch } from '../../generation/decoder-batch';
import type { Decoding, DecodingInput } from '../../generation/decoding-options';
import { BeamSearch } from '../../generation/beam-search';
import { ReplyRow } from '../../generation/reply-row';
import { candidateDecodings, CandidateGroup, scoredCandidate } from '../../generation/sample-and-rank';
import type { Tokenizer } from '../../tokenization/tokenizer';

export interface ReplyJob {
  /** Index into the states. */
  readonly context: number;
  /** Settings of this reply, its seed included (so a job repeats exactly). */
  readonly decoding: DecodingInput;
}

export interface DecodeLoopOptions {
  /** Rows decoded together (default 256). */
  readonly maxRows?: number;
  /** Called after each step with the number of replies finished so far. */
  readonly onProgress?: (finished: number) => void;
  readonly signal?: AbortSignal;
}

/** One row of a job: the job's reply, or one candidate of its sample-and-rank group. */
class JobRow extends ReplyRow {
  group?: CandidateGroup<JobRow>;

  constructor(
    tokenizer: Tokenizer,
    decoding: Decoding,
    maxTokens: number,
    readonly index: number,
  ) {
    super(tokenizer, decoding, maxTokens);
  }
}

/** The rows of a job: one, or its candidates (sample-and-rank), all decoded in the same batch. */
function jobRows(tokenizer: Tokenizer, model: DialogueModel, job: ReplyJob, index: number): JobRow[] {
  const { decoding, maxTokens } = resolveDecoding(model, job.decoding);
  const reply = new JobRow(tokenizer, decoding, maxTokens, index);
  if (decoding.candidates === 1) return [reply];
  const rows = candidateDecodings(decoding, reply.seed).map((d) => new JobRow(tokenizer, d, maxTokens, index));
  const group = new CandidateGroup(rows, tokenizer);
  for (const row of rows) row.group = group;
  return rows;
}

/** The reply text of every job, in job order. */
export async function decodeReplies(
  model: DialogueModel,
  tokenizer: Tokenizer,
  states: readonly ConversationState[],
  jobs: readonly ReplyJob[],
  options: DecodeLoopOptions = {},
): Promise<string[]> {
  const maxRows = options.maxRows ?? 256;
  const texts: string[] = new Array(jobs.length);
  const batch = new DecoderBatch<JobRow>(model);
  let nextJob = 0;
  let finished = 0;
  try {
    while (nextJob < jobs.length || batch.rows.length > 0) {
      options.signal?.throwIfAborted();
      const joining: { state: ConversationState; row: JobRow }[] = [];
      while (nextJob < jobs.length && batch.rows.length + joining.length < maxRows) {
        const job = jobs[nextJob];
        joining.push(...jobRows(tokenizer, model, job, nextJob++).map((row) => ({ state: states[job.context], row })));
      }
      batch.add(joining);
      const done = new Set<JobRow>();
      let replies = 0;
      batch.step().forEach((id, i) => {
        const row = batch.rows[i];
        const { finish } = row.accept(id);
        if (!finish) return;
        done.add(row);
        const ranked = row.group ? row.group.finish(row, finish) : [scoredCandidate(row, finish, tokenizer)];
        if (ranked) {
          texts[row.index] = ranked[0].text;
          replies++;
        }
      });
      batch.keep((row) => !done.has(row));
      finished += replies;
      if (replies > 0) options.onProgress?.(finished);
      await nextTurnOfEventLoop();
    }
  } finally {
    batch.dispose();
  }
  return texts;
}

/** Beam search, one reply per state (the best hypothesis), one context at a time. */
export async function decodeBeam(
  model: DialogueModel,
  tokenizer: Tokenizer,
  states: readonly ConversationState[],
  decoding: DecodingInput,
  options: Omit<DecodeLoopOptions, 'maxRows'> = {},
): Promise<string[]> {
  const { decoding: parsed, maxTokens } = resolveDecoding(model, { ...decoding, strategy: 'beam' });
  const texts: string[] = [];
  for (const state of states) {
    options.signal?.throwIfAborted();
    const search = new BeamSearch(model, tokenizer, state, new ReplyRow(tokenizer, parsed, maxTokens));
    try {
      while (!search.done) search.step();
      texts.push(search.result()[0].text);
    } finally {
      search.dispose();
    }
    options.onProgress?.(texts.length);
    await nextTurnOfEventLoop();
  }
  return texts;
}
