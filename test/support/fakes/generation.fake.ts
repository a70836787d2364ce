import type { DecodingInput, GenerationEvent, GenerationService, ModelRef } from '../../../src/generation';
import type { ConversationHistory } from '../../../src/generation';

type Used = 'reply' | 'contextTurns';

/** What the fake decoder does for one reply: the tokens it produces, then how it stops. */
export interface ScriptedReply {
  tokens: string[];
  /** eos after the tokens (the default); `throw`: fail with `error` after them; `hold`: wait there until cancelled. */
  then?: 'eos' | 'throw' | 'hold';
  error?: unknown;
}

/**
 * GenerationService's reply stream without a model: each reply plays the next script (token events, then an end
 * event, a failure, or a pause until its signal aborts, as the batcher ends a cancelled row). Records what each
 * reply was asked to answer. `contextTurns` is the model's maxTurns, or throws `unloaded` when set.
 */
export class FakeGeneration implements Pick<GenerationService, Used> {
  readonly asked: { versionId: ModelRef; history: ConversationHistory; decoding: DecodingInput }[] = [];
  private readonly scripts: ScriptedReply[] = [];
  maxTurns = 4;
  unloaded?: unknown;

  get asService(): GenerationService {
    return this as Pick<GenerationService, Used> as GenerationService;
  }

  /** The next replies, in the order they start. */
  script(...replies: ScriptedReply[]): void {
    this.scripts.push(...replies);
  }

  contextTurns(_modelRef: ModelRef): number {
    if (this.unloaded) throw this.unloaded;
    return this.maxTurns;
  }

  async *reply(versionId: ModelRef, history: ConversationHistory, decoding: DecodingInput = {}, signal?: AbortSignal): AsyncGenerator<GenerationEvent, void, undefined> {
    this.asked.push({ versionId, history, decoding });
    const { tokens, then = 'eos', error } = this.scripts.shift() ?? { tokens: ['hello'] };
    const ids: number[] = [];
    for (const [index, token] of tokens.entries()) {
      if (signal?.aborted) break;
      ids.push(index + 4);
      const text = tokens.slice(0, index + 1).join(' ');
      yield { type: 'token', index, id: index + 4, token, text, delta: index === 0 ? token : ` ${token}` };
    }
    if (then === 'throw' && !signal?.aborted) throw error;
    if (then === 'hold' && signal && !signal.aborted) await new Promise((resolve) => signal.addEventListener('abort', resolve, { once: true }));
    const finishReason = signal?.aborted ? 'cancelled' : 'eos';
    yield { type: 'end', finishReason, ids, text: tokens.slice(0, ids.length).join(' '), seed: Number(decoding.seed ?? 0) };
  }
}
