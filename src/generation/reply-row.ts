import { SeededRandom } from '../common/random';
import { EOS_ID, StreamDecoder, Tokenizer } from '../tokenization/tokenizer';
import { Decoding } from './decoding-options';
import { EndEvent, FinishReason, TokenEvent } from './generation-events';
import { argmax, blockRepeatedNgrams, logProbability, sampleToken } from './sampling';

/** A fresh 32-bit seed when the settings give none (reported back in the end event). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x100000000);
}

/**
 * One greedy or sampled reply being decoded: its random streams, the ids so far and the streamed text.
 * Knows nothing about tensors; the decode driver hands it logits and asks for its next token.
 */
export class ReplyRow {
  readonly ids: number[] = [];
  readonly seed: number;
  /** Two streams from one seed: z does not change when the token strategy does, and vice versa. */
  readonly tokenRandom: SeededRandom;
  readonly latentRandom: SeededRandom;
  /** Σ log p(token) under the model of the tokens chosen so far (eos included), when logits were read. */
  logLikelihood = 0;
  /** Tokens in logLikelihood. */
  scoredTokens = 0;
  private readonly stream: StreamDecoder;

  constructor(
    private readonly tokenizer: Tokenizer,
    readonly decoding: Decoding,
    readonly maxTokens: number,
  ) {
    this.seed = decoding.seed ?? randomSeed();
    this.tokenRandom = new SeededRandom(this.seed);
    this.latentRandom = new SeededRandom((this.seed ^ 0x5bd1e995) >>> 0);
    this.stream = tokenizer.createStreamDecoder();
  }

  /**
   * Sampling, n-gram blocking and candidate ranking (a likelihood to rank by) need the whole logits row; plain
   * greedy only the argmax (computed on device).
   */
  get needsLogits(): boolean {
    const d = this.decoding;
    return d.strategy === 'sample' || d.candidates > 1 || d.noRepeatNgram > 0;
  }

  /** The next token from this row's logits (`logits[offset .. offset+V)`) or the device argmax. */
  choose(argmaxId: number | undefined, logits: Float32Array | undefined, offset: number, vocabSize: number): number {
    if (!this.needsLogits) return argmaxId ?? argmax(logits!, offset, vocabSize);
    const row = logits!.subarray(offset, offset + vocabSize);
    const allowed = this.decoding.noRepeatNgram > 0 ? blockRepeatedNgrams(row, this.ids, this.decoding.noRepeatNgram) : row;
    const id = this.decoding.strategy === 'sample' ? sampleToken(allowed, this.decoding, this.tokenRandom.nextFloat()) : argmax(allowed);
    this.logLikelihood += logProbability(row, id);
    this.scoredTokens++;
    return id;
  }

  /** Records a decoded token: the event to stream, and a finish reason when the reply is over. */
  accept(id: number): { event?: TokenEvent; finish?: Exclude<FinishReason, 'cancelled'> } {
    if (id === EOS_ID && !this.decoding.ignoreEos) return { finish: 'eos' };
    this.ids.push(id);
    const { text, delta } = this.stream.push(id);
    const event: TokenEvent = { type: 'token', index: this.ids.length - 1, id, token: this.tokenizer.idToToken(id), text, delta };
    return { event, finish: this.ids.length >= this.maxTokens ? 'length' : undefined };
  }

  end(finishReason: FinishReason): EndEvent {
    this.stream.finish();
    return { type: 'end', finishReason, ids: [...this.ids], text: this.tokenizer.decode(this.ids), seed: this.seed };
  }
}
