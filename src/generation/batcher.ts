/**
 * Continuous batching of concurrent replies (greedy and sampled; beam search runs alone).
 *
 * Design. One lane per model object (rows of a batch must share weights; after a hot swap the old
 * and the new model simply have separate lanes). A lane runs one loop while it has work:
 *   1. yield to the event loop (setImmediate): requests arriving meanwhile queue up, other work runs;
 *   2. at this step boundary: drop cancelled rows (their stream ends with 'cancelled'), then admit
 *      waiting requests FIFO up to maxBatchSize: their decoder rows are started (attention memory,
 *      z) and appended to the running batch;
 *   3. one decoder step advances every active row by one token (fair: no row waits for another);
 *   4. each row's token goes to its own async queue; finished rows leave the batch.
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
import { DecoderBatch } from './decoder-batch';
import { Decoding, DecodingInput } from './decoding-options';
import { GenerationEvent } from './generation-events';
import { ReplyRow } from './reply-row';

export interface BatcherOptions {
  /** Most rows decoded together per model; more requests wait their turn (FIFO). */
  maxBatchSize: number;
}

class BatchedReply extends ReplyRow {
  cancelled = false;
  readonly events = new AsyncQueue<GenerationEvent>(() => (this.cancelled = true));

  constructor(
    tokenizer: Tokenizer,
    decoding: Decoding,
    maxTokens: number,
    readonly state: ConversationState,
    private readonly signal?: AbortSignal,
  ) {
    super(tokenizer, decoding, maxTokens);
  }

  get wantsToStop(): boolean {
    return this.cancelled || this.signal?.aborted === true;
  }

  finish(reason: Parameters<ReplyRow['end']>[0]): void {
    this.events.push(this.end(reason));
    this.events.close();
  }
}

class Lane {
  readonly waiting: BatchedReply[] = [];
  readonly batch: DecoderBatch<BatchedReply>;
  private running = false;

  constructor(
    model: DialogueModel,
    private readonly maxBatchSize: number,
    private readonly onIdle: () => void,
  ) {
    this.batch = new DecoderBatch(model);
  }

  enqueue(reply: BatchedReply): void {
    this.waiting.push(reply);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0 || this.batch.rows.length > 0) {
        await nextTurnOfEventLoop();
        this.admit();
        if (this.batch.rows.length === 0) continue;
        const tokens = this.batch.step();
        this.batch.rows.forEach((row, i) => {
          const { event, finish } = row.accept(tokens[i]);
          if (event) row.events.push(event);
          if (finish) row.finish(finish);
        });
        this.batch.keep((row) => !row.events.isClosed);
      }
    } catch (error) {
      for (const row of [...this.batch.rows, ...this.waiting.splice(0)]) row.events.fail(error);
    } finally {
      this.batch.dispose();
      this.running = false;
      this.onIdle();
    }
  }

  /** Step boundary: cancelled rows leave, waiting requests join up to the batch size. */
  private admit(): void {
    for (const row of this.batch.rows) if (row.wantsToStop) row.finish('cancelled');
    this.batch.keep((row) => !row.events.isClosed);
    const joining: BatchedReply[] = [];
    while (this.waiting.length > 0 && this.batch.rows.length + joining.length < this.maxBatchSize) {
      const reply = this.waiting.shift()!;
      if (reply.wantsToStop) reply.finish('cancelled');
      else joining.push(reply);
    }
    try {
      this.batch.add(joining.map((row) => ({ state: row.state, row })));
    } catch (error) {
      for (const row of joining) row.events.fail(error); // the running rows go on
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
    const reply = new BatchedReply(tokenizer, decoding, maxTokens, state, signal);
    let lane = this.lanes.get(model);
    if (!lane) {
      const created = new Lane(model, this.options.maxBatchSize, () => {
        if (created.waiting.length === 0 && this.lanes.get(model) === created) this.lanes.delete(model);
      });
      this.lanes.set(model, (lane = created));
    }
    lane.enqueue(reply);
    return reply.events;
  }

  /** Rows being decoded and requests waiting, over all models. */
  load(): { active: number; waiting: number } {
    let active = 0;
    let waiting = 0;
    for (const lane of this.lanes.values()) {
      active += lane.batch.rows.length;
      waiting += lane.waiting.length;
    }
    return { active, waiting };
  }
}
