/**
 * train_tokens_per_s (SPEC): the `small` model on DailyDialog train, batches of 16 whole dialogues cut
 * to 10 turns of 30 tokens, Adam 1e-3, clipping at 1.0; target tokens per second of forward + backward +
 * update, median over the steps after 3 warm-up steps; on one thread, then data-parallel on two.
 */
import * as tf from '@tensorflow/tfjs';
import { resolve } from 'node:path';
import { DialogueModel } from '../../src/models/dialogue-model';
import { ModelKind, parseModelConfig } from '../../src/models/model-config';
import { DataParallel, stepOnDialogues } from '../../src/training/parallel/data-parallel';
import { epochBatches, loadDialogueIds } from '../../src/training/training-data';
import { BenchContext, median, now } from './bench-context';
import { ScaledAdam } from '../../src/tensor/fused-adam';

export async function benchTraining(ctx: BenchContext): Promise<void> {
  const steps = ctx.quick ? 3 : 20;
  const warmup = ctx.quick ? 1 : 3;
  const { dialogues } = await loadDialogueIds(resolve(ctx.corpusDir, 'train.jsonl'), ctx.tokenizer);
  const batches = epochBatches(dialogues, 16, 1, 0);
  // one thread, then data-parallel on two (src/training/parallel): the machine has two cores
  for (const threads of [1, 2]) {
    for (const kind of ['hred', 'vhred'] as ModelKind[]) {
      const model = new DialogueModel(parseModelConfig({ kind, vocabSize: ctx.tokenizer.vocabSize }), 1);
      const optimizer = new ScaledAdam(1e-3);
      const parallel = threads > 1 ? DataParallel.start(model, threads, ctx.backend.name) : undefined;
      const rates: number[] = [];
      let tensorsAfterFirst = 0;
      for (let s = 0; s < warmup + steps; s++) {
        const chosen = batches[s].map((i) => dialogues[i]);
        const layout = { maxTurns: 10, maxUtteranceTokens: 30, wordDrop: kind === 'vhred' ? 0.25 : 0 };
        const lossOptions = { klWeight: Math.min(1, s / 5000), freeBits: 0, bowWeight: 0, seed: s };
        const start = now();
        const r = await stepOnDialogues(model, optimizer, chosen, layout, lossOptions, 1, parallel);
        if (s >= warmup) rates.push(r.targetTokens / ((now() - start) / 1000));
        if (s === 0) tensorsAfterFirst = tf.memory().numTensors; // Adam makes its moments on the first step
      }
      ctx.report({ model: kind, metric: 'train_tokens_per_s', value: median(rates), steps, threads });
      ctx.report({ model: kind, metric: 'train_tensor_growth', value: tf.memory().numTensors - tensorsAfterFirst, threads });
      await parallel?.close();
      optimizer.dispose();
      model.dispose();
    }
  }
}
