/**
 * The whole training loop on one screen: data → tokenizer → model → epochs of Adam steps with
 * clipping, KL annealing and word drop → validation perplexity each epoch → checkpoint → early stop.
 * A run resumes from its checkpoint folder when one is there.
 */
import * as path from 'path';
import { DialogueModel } from '../models/dialogue-model';
import { loadModel, saveModel } from '../models/model-files';
import { MODEL_PRESETS, parseModelConfig } from '../models/model-config';
import { backendInfo } from '../tensor/backend';
import { ScaledAdam } from '../tensor/fused-adam';
import { buildWordTokenizer, Tokenizer, trainSubwordTokenizer } from '../tokenization';
import { SeededRandom } from '../common/random';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint, TrainerState } from './checkpoint';
import { initEmbeddings } from './init-embeddings';
import { scoreDialogues } from './evaluate-loss';
import { EpochMetrics, TrainingProgress } from './progress';
import { klWeight, learningRate } from './schedules';
import { DataParallel, stepOnDialogues } from './parallel/data-parallel';
import { corpusTexts, epochBatches, loadDialogueIds } from './training-data';
import { effectiveWordDrop, TrainingOptions } from './training-options';

export interface TrainingResult {
  outDir: string;
  state: TrainerState;
  /** Why the loop ended. */
  stoppedBy: 'early-stopping' | 'max-epochs' | 'max-steps' | 'cancelled';
  /** The epoch with the best validation perplexity; undefined when none beat the base model (fine-tuning). */
  best: EpochMetrics | undefined;
}

export interface TrainingHooks {
  onProgress?: (p: TrainingProgress) => void;
  /** Checked between steps; a cancelled run keeps its checkpoint and writes no final model (a fine-tuning run's copy of its base stays). */
  signal?: AbortSignal;
  /** How often (steps) onProgress fires during training. */
  reportEvery?: number;
}

export async function train(o: TrainingOptions, hooks: TrainingHooks = {}): Promise<TrainingResult> {
  const report = hooks.onProgress ?? (() => undefined);
  const checkpointDir = o.checkpointDir ?? path.join(o.outDir, 'checkpoints');
  const makeOptimizer = (lr: number) => new ScaledAdam(lr);
  report({ phase: 'preparing', epoch: 0, step: 0, stepsPerEpoch: 0, message: 'loading data' });

  let model: DialogueModel;
  let tokenizer: Tokenizer;
  let optimizer: ScaledAdam;
  let state: TrainerState;
  if (await hasCheckpoint(checkpointDir)) {
    ({ model, tokenizer, optimizer, state } = await loadCheckpoint(checkpointDir, makeOptimizer));
    report({ phase: 'preparing', epoch: state.epoch, step: state.step, stepsPerEpoch: 0, message: `resumed at step ${state.step}` });
  } else {
    ({ model, tokenizer } = await initialModel(o));
    optimizer = makeOptimizer(o.learningRate);
    state = { epoch: 0, batchInEpoch: 0, step: 0, bestValidationPerplexity: Infinity, epochsWithoutImprovement: 0, learningRate: o.learningRate, history: [] };
  }

  const train = (await loadDialogueIds(o.trainData, tokenizer, o.maxTrainDialogues)).dialogues;
  const validation = o.validationData
    ? (await loadDialogueIds(o.validationData, tokenizer, o.maxValidationDialogues)).dialogues
    : train.slice(0, o.maxValidationDialogues);
  if (train.length === 0) throw new Error(`${o.trainData}: no dialogue with at least two turns`);

  // Fine-tuning for the best model starts from one that already has a score: an epoch must beat it to count as an
  // improvement, and a run that never does leaves the base model as its result rather than a worse one. (keep: last
  // is for runs whose validation score is not the criterion, e.g. a VHRED whose KL grows: no baseline there.)
  if (o.baseModelDir && o.keep === 'best' && state.step === 0 && state.baseValidationPerplexity === undefined) {
    report({ phase: 'validating', epoch: 0, step: 0, stepsPerEpoch: 0, message: 'scoring the base model' });
    state.baseValidationPerplexity = state.bestValidationPerplexity = scoreDialogues(model, validation, o.batchSize).perplexity;
    report({ phase: 'validating', epoch: 0, step: 0, stepsPerEpoch: 0, message: `base model: validation perplexity ${state.baseValidationPerplexity.toFixed(2)}` });
    await saveFinal(o, model, tokenizer, state);
  }

  const wordDrop = effectiveWordDrop(o);
  const parallel = o.threads > 1 ? DataParallel.start(model, o.threads, backendInfo()?.name ?? 'auto') : undefined;
  const reportEvery = hooks.reportEvery ?? 10;
  let stoppedBy: TrainingResult['stoppedBy'] = 'max-epochs';
  try {
    epochs: while (state.epoch < o.maxEpochs) {
      const batches = epochBatches(train, o.batchSize, o.seed, state.epoch);
      const epochStart = Date.now();
      const window = { loss: 0, nll: 0, kl: 0, tokens: 0, replies: 0, steps: 0, ms: 0 };
      const epochTotals = { nll: 0, tokens: 0 };
      while (state.batchInEpoch < batches.length) {
        if (hooks.signal?.aborted) {
          stoppedBy = 'cancelled';
          break epochs;
        }
        if (o.maxSteps !== undefined && state.step >= o.maxSteps) {
          stoppedBy = 'max-steps';
          break epochs;
        }
        const t0 = Date.now();
        const lr = learningRate(state.step, { peak: state.learningRate, warmupSteps: o.warmupSteps, decay: 1, decaySteps: 1 });
        (optimizer as unknown as { learningRate: number }).learningRate = lr;
        const rng = new SeededRandom(o.seed * 7919 + state.step);
        const dialogues = batches[state.batchInEpoch].map((i) => train[i]);
        const layout = { maxTurns: model.config.maxTurns, maxUtteranceTokens: model.config.maxUtteranceTokens, wordDrop, utteranceDrop: o.utteranceDrop, random: () => rng.nextFloat() };
        const lossOptions = { klWeight: klWeight(state.step, o.klSchedule), freeBits: o.freeBits, bowWeight: o.bowWeight, dropout: o.dropout, labelSmoothing: o.labelSmoothing, seed: o.seed + state.step };
        const r = await stepOnDialogues(model, optimizer, dialogues, layout, lossOptions, o.maxGradNorm, parallel);
        state.step++;
        state.batchInEpoch++;
        Object.assign(window, {
          loss: window.loss + r.loss,
          nll: window.nll + r.nll,
          kl: window.kl + r.kl,
          tokens: window.tokens + r.targetTokens,
          replies: window.replies + r.replies,
          steps: window.steps + 1,
          ms: window.ms + (Date.now() - t0),
        });
        epochTotals.nll += r.nll;
        epochTotals.tokens += r.targetTokens;
        if (state.step % reportEvery === 0 || state.batchInEpoch === batches.length) {
          const tokensPerSecond = (window.tokens / window.ms) * 1000;
          const stepsLeft = batches.length - state.batchInEpoch;
          report({
            phase: 'training',
            epoch: state.epoch,
            step: state.step,
            stepsPerEpoch: batches.length,
            loss: window.loss / window.steps,
            perplexity: Math.exp(window.nll / window.tokens),
            klPerReply: window.kl / window.replies,
            klPerToken: window.kl / window.tokens,
            tokensPerSecond,
            secondsLeft: (stepsLeft * window.ms) / window.steps / 1000,
            learningRate: lr,
          });
          Object.assign(window, { loss: 0, nll: 0, kl: 0, tokens: 0, replies: 0, steps: 0, ms: 0 });
        }
        if (state.step % o.checkpointEverySteps === 0) await saveCheckpoint(checkpointDir, model, tokenizer, optimizer, state);
      }

      report({ phase: 'validating', epoch: state.epoch, step: state.step, stepsPerEpoch: batches.length });
      const score = scoreDialogues(model, validation, o.batchSize);
      const metrics: EpochMetrics = {
        epoch: state.epoch,
        step: state.step,
        trainLoss: epochTotals.tokens ? epochTotals.nll / epochTotals.tokens : NaN,
        trainPerplexity: Math.exp(epochTotals.nll / Math.max(1, epochTotals.tokens)),
        validationPerplexity: score.perplexity,
        validationReconstructionPerplexity: score.reconstructionPerplexity,
        validationKlPerToken: score.kl / Math.max(1, score.targetTokens),
        activeUnits: score.activeUnits,
        learningRate: state.learningRate,
        seconds: (Date.now() - epochStart) / 1000,
      };
      state.history.push(metrics);
      if (score.perplexity < state.bestValidationPerplexity) {
        state.bestValidationPerplexity = score.perplexity;
        state.epochsWithoutImprovement = 0;
        if (o.keep === 'best') await saveFinal(o, model, tokenizer, state);
      } else {
        state.epochsWithoutImprovement++;
        state.learningRate *= o.plateauDecay;
      }
      if (o.keep === 'last') await saveFinal(o, model, tokenizer, state);
      state.epoch++;
      state.batchInEpoch = 0;
      await saveCheckpoint(checkpointDir, model, tokenizer, optimizer, state);
      if (state.epochsWithoutImprovement >= o.patience) {
        stoppedBy = 'early-stopping';
        break;
      }
    }
    if (stoppedBy === 'max-steps') await saveCheckpoint(checkpointDir, model, tokenizer, optimizer, state);
    // no epoch ended (max-steps): the model as it is, unless the base model stands as the best so far
    if (stoppedBy !== 'cancelled' && state.history.length === 0 && state.baseValidationPerplexity === undefined) await saveFinal(o, model, tokenizer, state);
  } finally {
    await parallel?.close();
    model.dispose();
    optimizer.dispose();
  }
  // the best epoch, if one beat the base model (fine-tuning)
  const best = state.history
    .filter((m) => m.validationPerplexity < (state.baseValidationPerplexity ?? Infinity))
    .reduce<EpochMetrics | undefined>((b, m) => (b === undefined || m.validationPerplexity < b.validationPerplexity ? m : b), undefined);
  report({ phase: 'done', epoch: state.epoch, step: state.step, stepsPerEpoch: 0, message: stoppedBy });
  return { outDir: o.outDir, state, stoppedBy, best };
}

/** A fresh model (and tokenizer built from the training text), or the base model to fine-tune. */
async function initialModel(o: TrainingOptions): Promise<{ model: DialogueModel; tokenizer: Tokenizer }> {
  if (o.baseModelDir) {
    const base = await loadModel(o.baseModelDir);
    if (base.model.config.kind !== o.kind) {
      base.model.dispose();
      throw new Error(`base model is a ${base.model.config.kind}, cannot fine-tune it as ${o.kind}`);
    }
    return { model: base.model, tokenizer: base.tokenizer };
  }
  const texts = () => (o.tokenizer.from ? corpusTexts(o.tokenizer.from) : corpusTexts(o.trainData, o.maxTrainDialogues ?? Infinity));
  const tokenizer =
    o.tokenizer.kind === 'word'
      ? await buildWordTokenizer(texts(), { maxSize: o.tokenizer.vocabSize, minCount: o.tokenizer.minCount })
      : await trainSubwordTokenizer(texts(), { vocabSize: o.tokenizer.vocabSize });
  const config = parseModelConfig({ ...MODEL_PRESETS[o.preset], ...o.model, kind: o.kind, vocabSize: tokenizer.vocabSize });
  const model = new DialogueModel(config, o.seed);
  if (o.embeddingsFrom) await initEmbeddings(model, tokenizer, o.embeddingsFrom);
  return { model, tokenizer };
}

/** The best model so far, in the run's output folder. */
async function saveFinal(o: TrainingOptions, model: DialogueModel, tokenizer: Tokenizer, state: TrainerState): Promise<void> {
  await saveModel(
    o.outDir,
    model,
    {
      trainedSteps: state.step,
      epochs: state.epoch + 1,
      bestValidationPerplexity: state.bestValidationPerplexity,
      ...(state.baseValidationPerplexity !== undefined ? { baseValidationPerplexity: state.baseValidationPerplexity } : {}),
      trainData: path.basename(o.trainData),
      history: state.history,
      options: { ...o, outDir: undefined, checkpointDir: undefined },
    },
    o.weightStorage,
  );
  await tokenizer.save(o.outDir);
}
