/**
 * One reply to one conversation, streamed: greedy, sampled (temperature, top-k, top-p) or beam search,
 * with VHRED's z from the prior (sampled or its mean). The generator yields to the event loop
 * (setImmediate) before every decoder step, so a reply never holds the thread for more than one step,
 * and checks the AbortSignal there. Many concurrent replies: use ReplyBatcher instead.
 */
import { DialogueModel } from '../models/dialogue-model';
import { Tokenizer } from '../tokenization/tokenizer';
import { BeamSearch } from './beam-search';
import { ConversationState } from './conversation-state';
import { DecoderBatch } from './decoder-batch';
import { Decoding, DecodingInput, parseDecoding } from './decoding-options';
import { EndEvent, GenerationEvent, ScoredReply } from './generation-events';
import { ReplyRow } from './reply-row';
import { candidateDecodings, CandidateGroup, replayBest } from './sample-and-rank';

export const nextTurnOfEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** Settings parsed, with maxTokens resolved against the model (default: the longest utterance it was trained on). */
export function resolveDecoding(model: DialogueModel, input: DecodingInput | Decoding = {}): { decoding: Decoding; maxTokens: number } {
  const decoding = parseDecoding(input);
  return { decoding, maxTokens: decoding.maxTokens ?? model.config.maxUtteranceTokens };
}

/**
 * Streams a reply to the last utterance of `state`: `token` events, then one `end` event.
 * Beam search yields its best hypothesis' tokens once the search ends (earlier tokens may still change).
 * Breaking out of the loop early frees everything, like a cancel.
 */
export async function* generateStream(
  model: DialogueModel,
  tokenizer: Tokenizer,
  state: ConversationState,
  settings: DecodingInput | Decoding = {},
  signal?: AbortSignal,
): AsyncGenerator<GenerationEvent, void, undefined> {
  const { decoding, maxTokens } = resolveDecoding(model, settings);
  const row = new ReplyRow(tokenizer, decoding, maxTokens);
  if (decoding.strategy === 'beam') {
    yield* beamStream(model, tokenizer, state, row, signal);
    return;
  }
  if (decoding.candidates > 1) {
    yield* rankedStream(model, tokenizer, state, row, maxTokens, signal);
    return;
  }
  const batch = new DecoderBatch(model);
  try {
    batch.add([{ state, row }]);
    for (;;) {
      await nextTurnOfEventLoop();
      if (signal?.aborted) {
        yield row.end('cancelled');
        return;
      }
      const [id] = batch.step();
      const { event, finish } = row.accept(id);
      if (event) yield event;
      if (finish) {
        yield row.end(finish);
        return;
      }
    }
  } finally {
    batch.dispose();
  }
}

async function* beamStream(
  model: DialogueModel,
  tokenizer: Tokenizer,
  state: ConversationState,
  row: ReplyRow,
  signal?: AbortSignal,
): AsyncGenerator<GenerationEvent, void, undefined> {
  const search = new BeamSearch(model, tokenizer, state, row);
  let hypotheses;
  try {
    while (!search.done) {
      await nextTurnOfEventLoop();
      if (signal?.aborted) {
        yield row.end('cancelled');
        return;
      }
      search.step();
    }
    hypotheses = search.result();
  } finally {
    search.dispose();
  }
  const [best] = hypotheses;
  for (const id of best.ids) {
    const { event } = row.accept(id);
    if (event) yield event;
  }
  yield { ...row.end(best.finishReason), hypotheses };
}

/** Sample-and-rank: the candidates decoded together, then the best one's tokens (src/generation/sample-and-rank.ts). */
async function* rankedStream(
  model: DialogueModel,
  tokenizer: Tokenizer,
  state: ConversationState,
  reply: ReplyRow,
  maxTokens: number,
  signal?: AbortSignal,
): AsyncGenerator<GenerationEvent, void, undefined> {
  const rows = candidateDecodings(reply.decoding, reply.seed).map((d) => new ReplyRow(tokenizer, d, maxTokens));
  const group = new CandidateGroup(rows, tokenizer);
  const batch = new DecoderBatch(model);
  let ranked: ScoredReply[] | undefined;
  try {
    batch.add(rows.map((row) => ({ state, row })));
    while (!ranked) {
      await nextTurnOfEventLoop();
      if (signal?.aborted) {
        yield reply.end('cancelled');
        return;
      }
      const finished = new Set<ReplyRow>();
      batch.step().forEach((id, i) => {
        const row = batch.rows[i];
        const { finish } = row.accept(id);
        if (finish) {
          finished.add(row);
          ranked = group.finish(row, finish) ?? ranked;
        }
      });
      batch.keep((row) => !finished.has(row));
    }
  } finally {
    batch.dispose();
  }
  yield* replayBest(tokenizer, reply.decoding, maxTokens, reply.seed, ranked);
}

/** The whole reply at once (collects generateStream). */
export async function generateReply(
  model: DialogueModel,
  tokenizer: Tokenizer,
  state: ConversationState,
  settings: DecodingInput | Decoding = {},
  signal?: AbortSignal,
): Promise<EndEvent> {
  return lastEvent(generateStream(model, tokenizer, state, settings, signal));
}

/** The end event of a reply stream. */
export async function lastEvent(events: AsyncIterable<GenerationEvent>): Promise<EndEvent> {
  for await (const event of events) if (event.type === 'end') return event;
  throw new Error('reply stream ended without an end event');
}
