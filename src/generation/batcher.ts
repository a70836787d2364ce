/**
 * Continuous batching of concurrent replies (greedy and sampled; beam search runs alone).
 *
 * Design. One lane per model object (rows of a batch must share weights; after a hot swap the old
 * and the new model simply have separate lanes). A lane runs one loop while it has work:
 *   1. yield to the event loop (setImmediate): requests arriving meanwhile queue up, other work runs;
 *   2. at this step boundary: requests whose consumer stopped end with 'cancelled', then waiting requests
 *      join FIFO up to maxBatchSize rows;
 *   3. one step of the lane's decode driver (decode-driver.ts) advances every live row by one token (fair: no
 *      row waits for another);
 *   4. each request's events go to its async queue. A sample-and-rank request owns several rows (its
 *      candidates) and streams the best one's tokens once they have all ended.
 * Requests arriving together are therefore grouped, and later ones join a running batch at the next
 * step instead of waiting for it to drain. Per-row decoding is independent of batch membership
 * (greedy rows give the same tokens as alone; each row has its own seeded random streams).
 * Cancellation: the request's AbortSignal or the consumer leaving its loop; both take effect at the
 * next step boundary. A failing step fails every request of that lane (their iterators throw).
 */
import { DialogueModel } from '../models/dialogue-model';
import { Tokenizer } from '../tokenization/tokenizer';
import { AsyncQueue } from './async-queue';
import { assertStateFits, ConversationState } from './conversation-state';
import { generateStream, nextTurnOfEventLoop, resolveDecoding } from './decode';
import { DecodeDriver } from './decode-driver';
import { DecodeRequest } from './decode-request';
import { Decoding, DecodingInput } from './decoding-options';
import { GenerationEvent } from './generation-events';

export interface BatcherOptions {
  /** Most rows decoded together per model; more requests wait their turn (FIFO). */
  maxBatchSize: number;
}

/** A submitted reply: its driver request, the stream its consumer reads, and what can stop it. */
class StreamedReply extends DecodeRequest {
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

  /** Ends the stream with finish reason cancelled. */
  stop(): void {
    const end = this.cancel();
    if (end) this.emit(end);
  }
}

class Lane {
  readonly waiting: StreamedReply[] = [];
  readonly driver: DecodeDriver<StreamedReply>;
  private running = false;

  constructor(
    model: DialogueModel,
    private readonly maxBatchSize: number,
    private readonly onIdle: () => void,
  ) {
    this.driver = new DecodeDriver(model);
  }

  enqueue(request: StreamedReply): void {
    this.waiting.push(request);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0 || this.driver.rowCount > 0) {
        await nextTurnOfEventLoop();
        this.admit();
        for (const { request, event } of this.driver.step()) request.emit(event);
      }
    } catch (error) {
      for (const request of [...this.driver.requests, ...this.waiting.splice(0)]) request.events.fail(error);
    } finally {
      this.driver.dispose();
      this.running = false;
      this.onIdle();
    }
  }

  /** Step boundary: cancelled requests end, waiting ones join while their rows fit the batch size. */
  private admit(): void {
    for (const request of this.driver.requests) if (request.wantsToStop) request.stop();
    const joining: StreamedReply[] = [];
    let rows = this.driver.rowCount;
    // a request whose candidates exceed the batch size on their own still runs, alone
    while (this.waiting.length > 0 && (rows === 0 || rows + this.waiting[0].rows.length <= this.maxBatchSize)) {
      const request = this.waiting.shift()!;
      if (request.wantsToStop) {
        request.stop();
        continue;
      }
      joining.push(request);
      rows += request.rows.length;
    }
    try {
      this.driver.join(joining);
    } catch (error) {
      for (const request of joining) request.events.fail(error); // the running rows go on
    }
  }
}

export class ReplyBatcher {
  private readonly lanes = new Map<DialogueModel, Lane>();
  private readonly options: BatcherOptions;

  constructor(options: Partial<BatcherOptions> = {}) {
    this.options = { maxBatchSize: 32, ...options };
  }

  /** Streams one reply; decoded together with the other replies in flight on the same model. */
  submit(
    model: DialogueModel,
    tokenizer: Tokenizer,
    state: ConversationState,
    settings: DecodingInput | Decoding = {},
    signal?: AbortSignal,
  ): AsyncIterable<GenerationEvent> {
    const { decoding, maxTokens } = resolveDecoding(model, settings);
    if (decoding.strategy === 'beam') return generateStream(model, tokenizer, state, decoding, signal);
    assertStateFits(model, state);
    if (state.turns === 0) throw new RangeError('a conversation state with no turn has nothing to reply to');
    const request = new StreamedReply(tokenizer, state, decoding, maxTokens, signal);
    let lane = this.lanes.get(model);
    if (!lane) {
      const created = new Lane(model, this.options.maxBatchSize, () => {
        if (created.waiting.length === 0 && this.lanes.get(model) === created) this.lanes.delete(model);
      });
      this.lanes.set(model, (lane = created));
    }
    lane.enqueue(request);
    return request.events;
  }

  /** Replies being decoded and replies waiting, over all models (a sample-and-rank reply counts once). */
  load(): { active: number; waiting: number } {
    let active = 0;
    let waiting = 0;
    for (const lane of this.lanes.values()) {
      active += lane.driver.requests.length;
      waiting += lane.waiting.length;
    }
    return { active, waiting };
  }
}
