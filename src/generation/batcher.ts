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
 *   4. each row's token goes to its request's async queue; finished rows leave the batch. A sample-and-rank
 *      request owns several rows (its candidates) and streams the best one's tokens once they have all ended.
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
import { candidateDecodings, CandidateGroup, replayBest } from './sample-and-rank';

export interface BatcherOptions {
  /** Most rows decoded together per model; more requests wait their turn (FIFO). */
  maxBatchSize: number;
}

/**
 * One submitted reply: its event stream and the rows it decodes — one, or its sample-and-rank candidates, whose
 * tokens are not streamed; once the last candidate ends, the best one's tokens are (src/generation/sample-and-rank.ts).
 */
class ReplyRequest {
  cancelled = false;
  readonly events = new AsyncQueue<GenerationEvent>(() => (this.cancelled = true));
  readonly rows: LaneRow[];
  private readonly reply: ReplyRow;
  private readonly group?: CandidateGroup<LaneRow>;

  constructor(
    private readonly tokenizer: Tokenizer,
    private readonly decoding: Decoding,
    private readonly maxTokens: number,
    readonly state: ConversationState,
    private readonly signal?: AbortSignal,
  ) {
    this.reply = new LaneRow(tokenizer, decoding, maxTokens, this);
    if (decoding.candidates === 1) {
      this.rows = [this.reply as LaneRow];
    } else {
      this.rows = candidateDecodings(decoding, this.reply.seed).map((d) => new LaneRow(tokenizer, d, maxTokens, this));
      this.group = new CandidateGroup(this.rows, tokenizer);
    }
  }

  get wantsToStop(): boolean {
    return this.cancelled || this.signal?.aborted === true;
  }

  get done(): boolean {
    return this.events.isClosed;
  }

  /** A row's token: streamed (one row), or kept until every candidate has ended. */
  accept(row: LaneRow, id: number): void {
    const { event, finish } = row.accept(id);
    if (!this.group) {
      if (event) this.events.push(event);
      if (finish) this.end(row.end(finish));
      return;
    }
    const ranked = finish ? this.group.finish(row, finish) : undefined;
    if (ranked) {
      for (const e of replayBest(this.tokenizer, this.decoding, this.maxTokens, this.reply.seed, ranked)) this.events.push(e);
      this.events.close();
    }
    row.ended = finish !== undefined;
  }

  cancel(): void {
    this.end(this.reply.end('cancelled'));
  }

  private end(event: GenerationEvent): void {
    this.events.push(event);
    this.events.close();
  }
}

class LaneRow extends ReplyRow {
  /** A candidate that has ended while others of its request still decode. */
  ended = false;

  constructor(
    tokenizer: Tokenizer,
    decoding: Decoding,
    maxTokens: number,
    readonly request: ReplyRequest,
  ) {
    super(tokenizer, decoding, maxTokens);
  }

  get finished(): boolean {
    return this.ended || this.request.done;
  }
}

class Lane {
  readonly waiting: ReplyRequest[] = [];
  readonly batch: DecoderBatch<LaneRow>;
  private running = false;

  constructor(
    model: DialogueModel,
    private readonly maxBatchSize: number,
    private readonly onIdle: () => void,
  ) {
    this.batch = new DecoderBatch(model);
  }

  enqueue(request: ReplyRequest): void {
    this.waiting.push(request);
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
        this.batch.rows.forEach((row, i) => row.request.accept(row, tokens[i]));
        this.batch.keep((row) => !row.finished);
      }
    } catch (error) {
      const requests = new Set([...this.batch.rows.map((r) => r.request), ...this.waiting.splice(0)]);
      for (const request of requests) request.events.fail(error);
    } finally {
      this.batch.dispose();
      this.running = false;
      this.onIdle();
    }
  }

  /** Step boundary: cancelled requests leave, waiting ones join while their rows fit the batch size. */
  private admit(): void {
    for (const row of this.batch.rows) if (row.request.wantsToStop && !row.request.done) row.request.cancel();
    this.batch.keep((row) => !row.finished);
    const joining: ReplyRequest[] = [];
    let rows = this.batch.rows.length;
    // a request whose candidates exceed the batch size on their own still runs, alone
    while (this.waiting.length > 0 && (rows === 0 || rows + this.waiting[0].rows.length <= this.maxBatchSize)) {
      const request = this.waiting.shift()!;
      if (request.wantsToStop) {
        request.cancel();
        continue;
      }
      joining.push(request);
      rows += request.rows.length;
    }
    try {
      this.batch.add(joining.flatMap((request) => request.rows.map((row) => ({ state: request.state, row }))));
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
    const request = new ReplyRequest(tokenizer, decoding, maxTokens, state, signal);
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
      active += new Set(lane.batch.rows.map((r) => r.request)).size;
      waiting += lane.waiting.length;
    }
    return { active, waiting };
  }
}
