/**
 * Decodes many replies to many contexts with continuous batching: the decode driver (generation/decode-driver.ts)
 * over a batch of contexts, without per-request streams. Up to `maxRows` rows advance together, a finished reply
 * leaves at once and a waiting one takes its place, so a long reply never holds a batch of short ones; a
 * sample-and-rank job's candidates join together. Greedy and sampled replies only; beam search decodes one
 * context at a time (decodeBeam). Between steps the loop yields to the event loop, so a worker thread still
 * receives its cancel message.
 */
import { BeamSearch, type ConversationState, DecodeDriver, DecodeRequest, type Decoding, type DecodingInput, nextTurnOfEventLoop, ReplyRow, resolveDecoding } from '../../generation';
import type { DialogueModel } from '../../models/dialogue-model';
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

/** A job on the driver: its reply lands at `index` of the texts. */
class JobRequest extends DecodeRequest {
  constructor(
    tokenizer: Tokenizer,
    state: ConversationState,
    decoding: Decoding,
    maxTokens: number,
    readonly index: number,
  ) {
    super(tokenizer, state, decoding, maxTokens);
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
  const driver = new DecodeDriver<JobRequest>(model);
  let nextJob = 0;
  let finished = 0;
  try {
    while (nextJob < jobs.length || driver.rowCount > 0) {
      options.signal?.throwIfAborted();
      const joining: JobRequest[] = [];
      let rows = driver.rowCount;
      while (nextJob < jobs.length && rows < maxRows) {
        const job = jobs[nextJob];
        const { decoding, maxTokens } = resolveDecoding(model, job.decoding);
        const request = new JobRequest(tokenizer, states[job.context], decoding, maxTokens, nextJob++);
        joining.push(request);
        rows += request.rows.length;
      }
      driver.join(joining);
      let replies = 0;
      for (const { request, event } of driver.step()) {
        if (event.type !== 'end') continue;
        texts[request.index] = event.text;
        replies++;
      }
      finished += replies;
      if (replies > 0) options.onProgress?.(finished);
      await nextTurnOfEventLoop();
    }
  } finally {
    driver.dispose();
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
