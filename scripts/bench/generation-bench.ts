/**
 * Generation workload of shared/bench/SPEC.md on the `small` model (random weights: speed does not
 * depend on them), greedy, exactly 30 tokens with eos ignored. Replies go through ReplyBatcher, the service's path:
 * on DECODER_THREADS decoder threads (as the service reads it: default one per core; 0 or 1 in this thread).
 *   gen_ttft_ms        batch 1, from the 3-turn context text (tokenizing and encoding included) to the first token
 *   gen_ms_per_token   batch 1, mean time per token over tokens 2–30
 *   gen_replies_per_s  32 different contexts decoded together, text to the 32nd reply
 *   turn_latency_ms    a reply at turn 2 and at turn 40 of one conversation whose state is kept (equal if a
 *                      turn costs only its own encoding)
 */
import * as tf from '@tensorflow/tfjs';
import { ReplyBatcher } from '../../src/generation/batcher';
import { parseConfig } from '../../src/config/config';
import { ConversationState, observeUtterances, rebuildState, rebuildStates, utteranceIds, initialState } from '../../src/generation/conversation-state';
import { generateStream, lastEvent } from '../../src/generation/decode';
import { DialogueModel } from '../../src/models/dialogue-model';
import { ModelKind, parseModelConfig } from '../../src/models/model-config';
import { Tokenizer } from '../../src/tokenization/tokenizer';
import { BenchContext, median, now } from './bench-context';

const TOKENS = 30;
const BATCH = 32;
const DECODING = { strategy: 'greedy', latent: 'sample', maxTokens: TOKENS, ignoreEos: true, seed: 1 } as const;

/** Batch 1: context text → state → 30 streamed tokens; returns [ttft, mean ms per token 2..30]. */
async function timeOneReply(batcher: ReplyBatcher, model: DialogueModel, tokenizer: Tokenizer, context: string[]): Promise<[number, number]> {
  const start = now();
  const state = rebuildState(model, context.map((t) => utteranceIds(tokenizer, t, model.config)));
  const at: number[] = [];
  for await (const event of batcher.submit(model, tokenizer, state, DECODING)) if (event.type === 'token') at.push(now());
  if (at.length !== TOKENS) throw new Error(`expected ${TOKENS} tokens, got ${at.length}`);
  return [at[0] - start, (at[TOKENS - 1] - at[0]) / (TOKENS - 1)];
}

/** Batch 32: all 96 context turns encoded in one call, then 32 replies through the batcher. */
async function timeBatch(batcher: ReplyBatcher, model: DialogueModel, tokenizer: Tokenizer, contexts: string[][]): Promise<number> {
  const start = now();
  const states = rebuildStates(model, contexts.map((c) => c.map((t) => utteranceIds(tokenizer, t, model.config))));
  const ends = await Promise.all(states.map((s) => lastEvent(batcher.submit(model, tokenizer, s, DECODING))));
  if (ends.some((e) => e.ids.length !== TOKENS)) throw new Error('a batched reply was not 30 tokens');
  return contexts.length / ((now() - start) / 1000);
}

/** One conversation of `turns` user turns: the time from a user's text to the end of the reply, per turn. */
async function turnLatencies(model: DialogueModel, tokenizer: Tokenizer, userTurns: string[]): Promise<number[]> {
  let state: ConversationState = initialState(model);
  const observe = (text: string) => ([state] = observeUtterances(model, [state], [utteranceIds(tokenizer, text, model.config)]));
  const out: number[] = [];
  for (const text of userTurns) {
    const start = now();
    observe(text);
    const end = await lastEvent(generateStream(model, tokenizer, state, DECODING));
    out.push(now() - start);
    observe(end.text);
  }
  return out;
}

export async function benchGeneration(ctx: BenchContext): Promise<void> {
  const singles = ctx.quick ? 3 : 20;
  const runs = ctx.quick ? 1 : 3;
  const dialogues = await ctx.testDialogues(BATCH + singles, 3);
  const contexts = dialogues.map((d) => d.slice(0, 3));
  const userTurns = dialogues.flat().slice(0, ctx.quick ? 4 : 40);
  const { decoderThreads } = parseConfig({ DECODER_THREADS: process.env.DECODER_THREADS });
  const batcher = new ReplyBatcher({ maxBatchSize: BATCH, decoderThreads, backend: ctx.backend.name });
  for (const kind of ['hred', 'vhred'] as ModelKind[]) {
    const model = new DialogueModel(parseModelConfig({ kind, vocabSize: ctx.tokenizer.vocabSize }), 1);
    batcher.addModel(model, ctx.tokenizer);
    for (const c of contexts.slice(0, 3)) await timeOneReply(batcher, model, ctx.tokenizer, c); // warm-up: threads, kernels, allocator
    const single: [number, number][] = [];
    for (const c of contexts.slice(BATCH, BATCH + singles)) single.push(await timeOneReply(batcher, model, ctx.tokenizer, c));
    ctx.report({ model: kind, metric: 'gen_ttft_ms', decoderThreads, value: median(single.map((s) => s[0])) });
    ctx.report({ model: kind, metric: 'gen_ms_per_token', decoderThreads, value: median(single.map((s) => s[1])) });
    await timeBatch(batcher, model, ctx.tokenizer, contexts.slice(0, BATCH)); // warm-up
    const rates: number[] = [];
    for (let r = 0; r < runs; r++) rates.push(await timeBatch(batcher, model, ctx.tokenizer, contexts.slice(0, BATCH)));
    ctx.report({ model: kind, metric: 'gen_replies_per_s', decoderThreads, value: median(rates) });
    // one turn first: this thread's first decoder step keeps the model's split input weight (with decoder threads it
    // is the first step here), which is a cache and not growth
    await turnLatencies(model, ctx.tokenizer, userTurns.slice(0, 1));
    const tensors = tf.memory().numTensors;
    const latencies = await turnLatencies(model, ctx.tokenizer, userTurns);
    ctx.report({ model: kind, metric: 'turn_latency_ms', turn: 2, value: latencies[1] });
    ctx.report({ model: kind, metric: 'turn_latency_ms', turn: latencies.length, value: latencies[latencies.length - 1] });
    ctx.report({ model: kind, metric: 'gen_tensor_growth', replies: latencies.length, value: tf.memory().numTensors - tensors });
    batcher.removeModel(model);
    model.dispose();
  }
  await batcher.close();
}
