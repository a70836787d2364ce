/**
 * Continuous batching of concurrent replies: one decode lane per model object (decode-lane.ts; rows of a batch must
 * share weights, so after a hot swap the old and the new model simply have separate lanes). Requests arriving
 * together are grouped, later ones join a running batch at the next step. Per-row decoding is independent of batch
 * membership (greedy rows give the same tokens as alone; each row has its own seeded random streams).
 * With decoderThreads > 1 the lanes run on decoder threads instead (decoder-pool.ts), one core each, and this thread
 * only relays their events; the streams, cancellation and errors are the same. Beam search runs alone (beside the
 * lanes, on a decoder thread when there are some).
 * Cancellation: the request's AbortSignal or the consumer leaving its loop; both take effect at the next step
 * boundary. A failing step fails every request of that lane (their iterators throw).
 */
import { DialogueModel } from '../models/dialogue-model';
import { BackendChoice } from '../tensor/backend';
import { Tokenizer } from '../tokenization/tokenizer';
import { AsyncQueue } from './async-queue';
import { assertStateFits, ConversationState } from './conversation-state';
import { generateStream, resolveDecoding } from './decode';
import { DecodeLane, LaneRequest } from './decode-lane';
import { DecoderPool } from './decoder-pool';
import { Decoding, DecodingInput } from './decoding-options';
import { GenerationEvent } from './generation-events';

export interface BatcherOptions {
  /** Most rows decoded together per model (per decoder thread); more requests wait their turn (FIFO). */
  maxBatchSize: number;
  /** Decoder threads (decoder-pool.ts); 0 or 1 decodes in this thread. */
  decoderThreads: number;
  /** This process's backend setting, which decoder threads start as well. */
  backend: BackendChoice;
  /** Told when a decoder thread dies unasked (see DecoderPool). */
  onThreadExit?: (message: string) => void;
}

/** A submitted reply decoded in this thread: its driver request and the stream its consumer reads. */
class StreamedReply extends LaneRequest {
  private consumerLeft = false;
  readonly events = new AsyncQueue<GenerationEvent>(() => (this.consumerLeft = true));

  constructor(tokenizer: Tokenizer, state: ConversationState, decoding: Decoding, maxTokens: number, private readonly signal?: AbortSignal) {
    super(tokenizer, state, decoding, maxTokens);
  }

  get wantsToStop(): boolean {
    return this.consumerLeft || this.signal?.aborted === true;
  }

  emit(event: GenerationEvent): void {
    this.events.push(event);
    if (event.type === 'end') this.events.close();
  }

  fail(error: unknown): void {
    this.events.fail(error);
  }
}

export class ReplyBatcher {
  private readonly lanes = new Map<DialogueModel, DecodeLane<StreamedReply>>();
  private readonly options: BatcherOptions;
  private readonly pool?: DecoderPool;

  constructor(options: Partial<BatcherOptions> = {}) {
    this.options = { maxBatchSize: 32, decoderThreads: 1, backend: 'auto', ...options };
    const { decoderThreads: threads, maxBatchSize, backend, onThreadExit } = this.options;
    if (threads > 1) this.pool = new DecoderPool({ threads, maxBatchSize, backend, onThreadExit });
  }

  /** Streams one reply; decoded together with the other replies in flight on the same model (and thread). */
  submit(
    model: DialogueModel,
    tokenizer: Tokenizer,
    state: ConversationState,
    settings: DecodingInput | Decoding = {},
    signal?: AbortSignal,
  ): AsyncIterable<GenerationEvent> {
    const { decoding, maxTokens } = resolveDecoding(model, settings);
    if (this.pool) {
      checkState(model, state);
      return this.pool.submit(model, tokenizer, state, decoding, maxTokens, signal);
    }
    if (decoding.strategy === 'beam') return generateStream(model, tokenizer, state, decoding, signal);
    checkState(model, state);
    const request = new StreamedReply(tokenizer, state, decoding, maxTokens, signal);
    let lane = this.lanes.get(model);
    if (!lane) {
      const created = new DecodeLane<StreamedReply>(model, this.options.maxBatchSize, () => {
        if (created.waiting.length === 0 && this.lanes.get(model) === created) this.lanes.delete(model);
      });
      this.lanes.set(model, (lane = created));
    }
    lane.enqueue(request);
    return request.events;
  }

  /** With decoder threads: copies the model to each now (else its first reply does). Nothing without. */
  addModel(model: DialogueModel, tokenizer: Tokenizer): void {
    this.pool?.addModel(model, tokenizer);
  }

  /** No reply will be submitted on `model` again (it is being disposed): decoder threads free their copies. */
  removeModel(model: DialogueModel): void {
    this.pool?.removeModel(model);
  }

  /** Replies being decoded and replies waiting, over all models (a sample-and-rank reply counts once). */
  load(): { active: number; waiting: number } {
    if (this.pool) return this.pool.load();
    let active = 0;
    let waiting = 0;
    for (const lane of this.lanes.values()) {
      active += lane.driver.requests.length;
      waiting += lane.waiting.length;
    }
    return { active, waiting };
  }

  /** Stops the decoder threads (their replies in flight fail). */
  async close(): Promise<void> {
    await this.pool?.close();
  }
}

/** A state the model can answer: made by a model of its shape, with a turn to reply to. */
function checkState(model: DialogueModel, state: ConversationState): void {
  assertStateFits(model, state);
  if (state.turns === 0) throw new RangeError('a conversation state with no turn has nothing to reply to');
}
