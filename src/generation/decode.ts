/**
 * One reply to one conversation, streamed: greedy, sampled (temperature, top-k, top-p), sample-and-rank or beam
 * search, with VHRED's z from the prior (sampled or its mean). All but beam search are the decode driver with one
 * request (decode-driver.ts). The generator yields to the event loop (setImmediate) before every decoder step, so a
 * reply never holds the thread for more than one step, and checks the AbortSignal there. Many concurrent replies:
 * use ReplyBatcher instead.
 */
import { DialogueModel } from '../models/dialogue-model';
import { Tokenizer } from '../tokenization/tokenizer';
import { BeamSearch } from './beam-search';
import { ConversationState } from './conversation-state';
import { DecodeDriver } from './decode-driver';
import { DecodeRequest } from './decode-request';
import { Decoding, DecodingInput, parseDecoding } from './decoding-options';
import { EndEvent, GenerationEvent } from './generation-events';
import { ReplyRow } from './reply-row';

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
  if (decoding.strategy === 'beam') {
    yield* beamStream(model, tokenizer, state, new ReplyRow(tokenizer, decoding, maxTokens), signal);
    return;
  }
  const request = new DecodeRequest(tokenizer, state, decoding, maxTokens);
  const driver = new DecodeDriver(model);
  try {
    driver.join([request]);
    while (!request.done) {
      await nextTurnOfEventLoop();
      const cancelled = signal?.aborted ? request.cancel() : undefined;
      if (cancelled) yield cancelled;
      else for (const { event } of driver.step()) yield event;
    }
  } finally {
    driver.dispose();
  }
}

/** Beam search stays its own loop (see beam-search.ts): it yields the best hypothesis once the search ends. */
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
  throw new Error('reply stream ended without an end event'); // internal invariant: generateStream always ends with one
}
