/**
 * Generation workload of shared/bench/SPEC.md on the `small` model with random weights (vocabulary 8,000),
 * one JSON line per figure: {"impl":"project","model":"hred"|"vhred","metric":...,"value":...,"backend":"wasm","threads":1}.
 *   gen_ttft_ms       batch 1: from the 3-turn context text (tokenizing and encoding included) to the first token
 *   gen_ms_per_token  batch 1: mean time per token over tokens 2–30 (exactly 30 greedy tokens, eos ignored)
 *   gen_replies_per_s 32 different contexts decoded together through ReplyBatcher, from text to the 32nd reply
 * Batch-1 figures are medians over `--replies` contexts, replies/s the median of `--runs` rounds, after warm-up.
 * Contexts: the first three turns of DailyDialog test dialogues ($CORPUS_DIR, default ../shared/data).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DialogueModel } from '../src/models/dialogue-model';
import { ModelKind, parseModelConfig } from '../src/models/model-config';
import { initTensorBackend } from '../src/tensor/backend';
import { buildWordTokenizer } from '../src/tokenization/build-word-tokenizer';
import { readDialogues, readTurns } from '../src/tokenization/corpus-reader';
import { Tokenizer } from '../src/tokenization/tokenizer';
import { ReplyBatcher } from '../src/generation/batcher';
import { rebuildState, rebuildStates, utteranceIds } from '../src/generation/conversation-state';
import { generateStream, lastEvent } from '../src/generation/decode';

const TOKENS = 30;
const BATCH = 32;
const DECODING = { strategy: 'greedy', latent: 'sample', maxTokens: TOKENS, ignoreEos: true, seed: 1 } as const;

const now = () => performance.now();
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/** Batch 1: context text → state → 30 streamed tokens; returns [ttft, mean ms per token 2..30]. */
async function timeOneReply(model: DialogueModel, tokenizer: Tokenizer, context: string[]): Promise<[number, number]> {
  const start = now();
  const state = rebuildState(model, context.map((t) => utteranceIds(tokenizer, t, model.config)));
  const at: number[] = [];
  for await (const event of generateStream(model, tokenizer, state, DECODING)) if (event.type === 'token') at.push(now());
  if (at.length !== TOKENS) throw new Error(`expected ${TOKENS} tokens, got ${at.length}`);
  return [at[0] - start, (at[TOKENS - 1] - at[0]) / (TOKENS - 1)];
}

/** Batch 32: all 96 context turns encoded in one call (rebuildStates), then 32 replies through the batcher. */
async function timeBatch(model: DialogueModel, tokenizer: Tokenizer, contexts: string[][]): Promise<number> {
  const start = now();
  const states = rebuildStates(model, contexts.map((c) => c.map((t) => utteranceIds(tokenizer, t, model.config))));
  const batcher = new ReplyBatcher({ maxBatchSize: BATCH });
  const ends = await Promise.all(states.map((s) => lastEvent(batcher.submit(model, tokenizer, s, DECODING))));
  if (ends.some((e) => e.ids.length !== TOKENS)) throw new Error('a batched reply was not 30 tokens');
  return contexts.length / ((now() - start) / 1000);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { replies: { type: 'string', default: '20' }, runs: { type: 'string', default: '3' } } });
  const backend = await initTensorBackend('wasm');
  const corpus = resolve(process.env.CORPUS_DIR ?? '../shared/data', 'dailydialog');
  const train: string[] = [];
  for await (const turn of readTurns(resolve(corpus, 'train.jsonl'))) train.push(turn);
  const tokenizer = await buildWordTokenizer(train, { maxSize: 8000 });
  const contexts: string[][] = [];
  for await (const d of readDialogues(resolve(corpus, 'test.jsonl'))) {
    if (d.turns.length >= 3) contexts.push(d.turns.slice(0, 3));
    if (contexts.length === BATCH + Number(values.replies)) break;
  }
  for (const kind of ['hred', 'vhred'] as ModelKind[]) {
    const model = new DialogueModel(parseModelConfig({ kind, vocabSize: tokenizer.vocabSize }), 1);
    const report = (metric: string, value: number) =>
      console.log(JSON.stringify({ impl: 'project', model: kind, metric, value: Number(value.toFixed(3)), backend: backend.name, threads: backend.threads }));
    for (const c of contexts.slice(0, 3)) await timeOneReply(model, tokenizer, c); // warm-up: kernels, allocator
    const single: [number, number][] = [];
    for (const c of contexts.slice(BATCH, BATCH + Number(values.replies))) single.push(await timeOneReply(model, tokenizer, c));
    report('gen_ttft_ms', median(single.map((s) => s[0])));
    report('gen_ms_per_token', median(single.map((s) => s[1])));
    await timeBatch(model, tokenizer, contexts.slice(0, BATCH)); // warm-up
    const rates: number[] = [];
    for (let r = 0; r < Number(values.runs); r++) rates.push(await timeBatch(model, tokenizer, contexts.slice(0, BATCH)));
    report('gen_replies_per_s', median(rates));
    model.dispose();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
