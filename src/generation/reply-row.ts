import { SeededRandom } from '../common/random';
import { EOS_ID, StreamDecoder, Tokenizer } from '../tokenization/tokenizer';
import { Decoding } from './decoding-options';
import { EndEvent, FinishReason, TokenEvent } from './generation-events';
import { argmax, sampleToken } from './sampling';

/** A fresh 32-bit seed when the settings give none (reported back in the end event). */
export function randomSeed(): number {
  return Math.floor(Math.random() * 0x100000000);
}

/**
 * One greedy or sampled reply being decoded: its random streams, the ids so far and the streamed text.
 * Knows nothing about tensors; DecoderBatch hands it logits and asks for its next token.
 */
export class ReplyRow {
  readonly ids: number[] = [];
  readonly seed: number;
  /** Two streams from one seed: z does not change when the token strategy does, and vice versa. */
  readonly tokenRandom: SeededRandom;
  readonly latentRandom: SeededRandom;
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

  /** Sampling needs the whole logits row; greedy only the argmax (computed on device). */
  get needsLogits(): boolean {
    return this.decoding.strategy === 'sample';
  }

  /** The next token from this row's logits (`logits[offset .. offset+V)`) or the device argmax. */
  choose(argmaxId: number | undefined, logits: Float32Array | undefined, offset: number, vocabSize: number): number {
    if (!this.needsLogits) return argmaxId ?? argmax(logits!, offset, vocabSize);
    return sampleToken(logits!.subarray(offset, offset + vocabSize), this.decoding, this.tokenRandom.nextFloat());
  }

  /** Records a decoded token: the event to stream, and a finish reason when the reply is over. */
  accept(id: number): { event?: TokenEvent; finish?: FinishReason } {
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
