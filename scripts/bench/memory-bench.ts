/**
 * Memory over a long run (issue #8: flat over 1,000 training steps and 1,000 replies). Not in the default
 * sections (about 15 minutes on one core): `npm run bench -- --only memory`. For HRED `small` on DailyDialog:
 *   memory_tensors, memory_tensor_mb, memory_rss_mb  at the first checkpoint (after warm-up) and at the end
 * of 1,000 greedy 30-token replies at batch 1, then of 1,000 training steps (batches of 16 dialogues). Replies
 * first: the training phase leaves a heap of garbage and data behind that would blur the replies' figures.
 * Tensor counts must not grow at all; the resident set may grow while the WASM heap and V8 settle, then not.
 */
import * as tf from '@tensorflow/tfjs';
import { resolve } from 'node:path';
import { ReplyBatcher } from '../../src/generation/batcher';
import { rebuildState, utteranceIds } from '../../src/generation/conversation-state';
import { lastEvent } from '../../src/generation/decode';
import { DialogueModel } from '../../src/models/dialogue-model';
import { parseModelConfig } from '../../src/models/model-config';
import { stepOnDialogues } from '../../src/training/parallel/data-parallel';
import { epochBatches, loadDialogueIds } from '../../src/training/training-data';
import { BenchContext } from './bench-context';
import { ScaledAdam } from '../../src/tensor/fused-adam';

const mb = (bytes: number) => bytes / 2 ** 20;

/** Calls `work(i)` n times and reports memory after `settle` iterations and at the end. */
async function track(ctx: BenchContext, phase: string, n: number, settle: number, work: (i: number) => Promise<void>): Promise<void> {
  const sample = (at: number) => {
    const m = tf.memory();
    ctx.report({ model: 'hred', metric: 'memory_tensors', phase, at, value: m.numTensors });
    ctx.report({ model: 'hred', metric: 'memory_tensor_mb', phase, at, value: mb(m.numBytes) });
    ctx.report({ model: 'hred', metric: 'memory_rss_mb', phase, at, value: mb(process.memoryUsage().rss) });
  };
  for (let i = 0; i < n; i++) {
    await work(i);
    if (i + 1 === settle || i + 1 === n) sample(i + 1);
  }
}

export async function benchMemory(ctx: BenchContext): Promise<void> {
  const steps = ctx.quick ? 30 : 1000;
  const replies = ctx.quick ? 30 : 1000;
  const settle = ctx.quick ? 10 : 100;
  const model = new DialogueModel(parseModelConfig({ kind: 'hred', vocabSize: ctx.tokenizer.vocabSize }), 1);

  const contexts = (await ctx.testDialogues(200, 3)).map((d) => d.slice(0, 3));
  const batcher = new ReplyBatcher({ maxBatchSize: 1 });
  const decoding = { strategy: 'greedy', latent: 'sample', maxTokens: 30, ignoreEos: true, seed: 1 } as const;
  await track(ctx, 'replies', replies, settle, async (r) => {
    const state = rebuildState(model, contexts[r % contexts.length].map((t) => utteranceIds(ctx.tokenizer, t, model.config)));
    await lastEvent(batcher.submit(model, ctx.tokenizer, state, decoding));
  });

  const { dialogues } = await loadDialogueIds(resolve(ctx.corpusDir, 'train.jsonl'), ctx.tokenizer);
  const perEpoch = epochBatches(dialogues, 16, 1, 0);
  const optimizer = new ScaledAdam(1e-3);
  const layout = { maxTurns: 10, maxUtteranceTokens: 30, wordDrop: 0 };
  await track(ctx, 'training_steps', steps, settle, async (s) => {
    const chosen = perEpoch[s % perEpoch.length].map((i) => dialogues[i]);
    await stepOnDialogues(model, optimizer, chosen, layout, { klWeight: 0, freeBits: 0, bowWeight: 0, seed: s }, 1, undefined);
  });
  optimizer.dispose();
  model.dispose();
}
