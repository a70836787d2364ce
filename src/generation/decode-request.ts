/**
 * One reply on the decode driver (decode-driver.ts): the rows it owns and what their tokens mean. Knows no tensors;
 * the driver hands it each of its rows' tokens.
 *   - One row (candidates = 1): every token is streamed as it is chosen; eos or maxTokens ends the reply.
 *   - Sample-and-rank (candidates N > 1, sample-and-rank.ts): N rows whose tokens are held back. A candidate that
 *     ends is scored and leaves; once the last has ended, the best one's tokens are streamed, then the end event
 *     with every candidate ranked.
 */
import { Tokenizer } from '../tokenization/tokenizer';
import { ConversationState } from './conversation-state';
import { Decoding } from './decoding-options';
import { EndEvent, GenerationEvent, ScoredReply } from './generation-events';
import { ReplyRow } from './reply-row';
import { candidateDecodings, rankCandidates, replayBest, scoredCandidate } from './sample-and-rank';

export class DecodeRequest {
  /** The rows decoded for this reply: one, or its candidates. */
  readonly rows: readonly ReplyRow[];
  /** The reply's own row: its only row, or (candidates) the seed they derive from and the end of a cancel. */
  private readonly reply: ReplyRow;
  /** Candidates that have ended, scored. */
  private readonly scored = new Map<ReplyRow, ScoredReply>();
  private ended = false;

  /** `maxTokens` resolved (resolveDecoding); `state` is the conversation the reply answers. */
  constructor(
    private readonly tokenizer: Tokenizer,
    readonly state: ConversationState,
    decoding: Decoding,
    maxTokens: number,
  ) {
    // the reply's row first: its seed (random when none is given) is drawn before any candidate's is derived
    this.reply = new ReplyRow(tokenizer, decoding, maxTokens);
    this.rows =
      decoding.candidates === 1 ? [this.reply] : candidateDecodings(decoding, this.reply.seed).map((d) => new ReplyRow(tokenizer, d, maxTokens));
  }

  /** The end event has been given (finished, ranked or cancelled); the driver drops its rows at its next step. */
  get done(): boolean {
    return this.ended;
  }

  /** Whether `row` (one of `rows`) still takes tokens. */
  decodes(row: ReplyRow): boolean {
    return !this.ended && !this.scored.has(row);
  }

  /** `row` chose `id`: the events that follow, in order (none while candidates are still decoding). */
  accept(row: ReplyRow, id: number): GenerationEvent[] {
    const { event, finish } = row.accept(id);
    if (this.rows.length === 1) {
      const events: GenerationEvent[] = event ? [event] : [];
      if (finish) {
        this.ended = true;
        events.push(row.end(finish));
      }
      return events;
    }
    if (!finish) return [];
    this.scored.set(row, scoredCandidate(row, finish, this.tokenizer));
    if (this.scored.size < this.rows.length) return [];
    this.ended = true;
    const ranked = rankCandidates(this.rows.map((r) => this.scored.get(r)!));
    return replayBest(this.tokenizer, this.reply.decoding, this.reply.maxTokens, this.reply.seed, ranked);
  }

  /**
   * Ends the reply now with finish reason 'cancelled' (the ids streamed so far; none for a ranked reply). Undefined
   * when it had already ended: a cancel racing the last token is no error.
   */
  cancel(): EndEvent | undefined {
    if (this.ended) return undefined;
    this.ended = true;
    return this.reply.end('cancelled');
  }
}
