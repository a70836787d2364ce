/**
 * Decodes many replies to many contexts with continuous batching, in a direct loop over one
 * DecoderBatch (the engine ReplyBatcher runs on, without its per-request streams): up to `maxRows`
 * rows advance together, a finished row leaves at once and a waiting one takes its place, so a long
 * reply never holds a batch of short ones. Greedy and sampled rows only; beam search decodes one
 * context at a time (decodeBeam). Between steps the loop yields to the event loop, so a worker
 * thread still receives its cancel message.
 */
import type { DialogueModel } from '../../models/dialogue-model';
import type { ConversationState } from '../../generation/conversation-state';
import { nextTurnOfEventLoop, resolveDecoding } from '../../generation/decode';
import { DecoderBatch } from '../../generation/decoder-batch';
import type { DecodingInput } from '../../generation/decoding-options';
import { BeamSearch } from '../../generation/beam-search';
import { ReplyRow } from '../../generation/reply-row';
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

class JobRow extends ReplyRow {
  constructor(
    tokenizer: Tokenizer,
    job: ReplyJob,
    model: DialogueModel,
    readonly index: number,
  ) {
    const { decoding, maxTokens } = resolveDecoding(model, job.decoding);
    super(tokenizer, decoding, maxTokens);
  }
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
        joining.push({ state: states[job.context], row: new JobRow(tokenizer, job, model, nextJob++) });
      }
      batch.add(joining);
      const done = new Set<JobRow>();
      batch.step().forEach((id, i) => {
        const row = batch.rows[i];
        const { finish } = row.accept(id);
        if (finish) {
          texts[row.index] = row.end(finish).text;
          done.add(row);
        }
      });
      batch.keep((row) => !done.has(row));
      finished += done.size;
      if (done.size > 0) options.onProgress?.(finished);
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
