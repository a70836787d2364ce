/**
 * The whole training loop on one screen: data → tokenizer → model → epochs of Adam steps with
 * clipping, KL annealing and word drop → validation perplexity each epoch → checkpoint → early stop.
 * A run resumes from its checkpoint folder when one is there. Fine-tuning may replay the base model's corpus and
 * is judged against the base on every validation set (base-comparison.ts).
 */
import * as path from 'path';
import { TrainingDialogue } from '../models/batch';
import { DialogueModel } from '../models/dialogue-model';
import { loadModel, saveModel } from '../models/model-files';
import { backendInfo } from '../tensor/backend';
import { ScaledAdam } from '../tensor/fused-adam';
import { buildWordTokenizer, Tokenizer, trainSubwordTokenizer } from '../tokenization';
import { baseFigures, beatsBase, bestEpoch } from './base-comparison';
import { hasCheckpoint, loadCheckpoint, saveCheckpoint, TrainerState } from './checkpoint';
import { initEmbeddings } from './init-embeddings';
import { scoreDialogues } from './evaluate-loss';
import { EpochMetrics, TrainingProgress } from './progress';
import { learningRate } from './schedules';
import { DataParallel, stepOnDialogues } from './parallel/data-parallel';
import { corpusTexts, epochBatches, loadDialogueIds, replaySample } from './training-data';
import { modelConfigOf, stepOptions, TrainingOptions } from './training-options';
import { TrainingError } from './training-errors';

export interface TrainingResult {
  outDir: string;
  state: TrainerState;
  /** Why the loop ended. */
  stoppedBy: 'early-stopping' | 'max-epochs' | 'max-steps' | 'cancelled';
  /** The epoch with the best validation perplexity; undefined when none beat the base model on every set (fine-tuning). */
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

  const load = (file: string, limit?: number) => loadDialogueIds(file, tokenizer, limit, model.config.maxTurns).then((r) => r.dialogues);
  const train = await load(o.trainData, o.maxTrainDialogues);
  const validation = o.validationData ? await load(o.validationData, o.maxValidationDialogues) : train.slice(0, o.maxValidationDialogues);
  if (train.length === 0) throw new TrainingError('TRAINING_DATA_EMPTY', `${o.trainData}: no dialogue with a turn to learn`, { file: o.trainData });
  if (validation.length === 0) throw new TrainingError('TRAINING_DATA_EMPTY', `${o.validationData}: no dialogue to validate on`, { file: o.validationData });
  const validationSets: Record<string, TrainingDialogue[]> = {};
  for (const [name, file] of Object.entries(o.alsoValidate)) validationSets[name] = await load(file, o.maxValidationDialogues);
  const replay = o.replay ? await load(o.replay.data) : [];
  const replayCount = o.replay ? Math.min(replay.length, Math.round(o.replay.ratio * train.length)) : 0;
  if (o.replay) report({ phase: 'preparing', epoch: state.epoch, step: state.step, stepsPerEpoch: 0, message: `replaying ${replayCount} of ${replay.length} corpus dialogues each epoch` });
  const validate = () => ({
    score: scoreDialogues(model, validation, o.batchSize),
    sets: Object.fromEntries(Object.entries(validationSets).map(([name, d]) => [name, scoreDialogues(model, d, o.batchSize).perplexity])),
  });

  // Fine-tuning starts from a model that already has scores: an epoch must beat them all to count as an improvement,
  // and with keep: best a run that never does leaves the base model as its result rather than a worse one. (keep: last
  // is for runs whose validation score is not the criterion, e.g. a VHRED whose KL grows: the base is only reported.)
  if (o.baseModelDir && state.step === 0 && state.baseValidationPerplexity === undefined) {
    report({ phase: 'validating', epoch: 0, step: 0, stepsPerEpoch: 0, message: 'scoring the base model' });
    const base = validate();
    state.baseValidationPerplexity = base.score.perplexity;
    state.baseValidationSets = base.sets;
    const sets = Object.entries(base.sets).map(([name, p]) => `, ${name} ${p.toFixed(2)}`);
    report({ phase: 'validating', epoch: 0, step: 0, stepsPerEpoch: 0, message: `base model: validation perplexity ${base.score.perplexity.toFixed(2)}${sets.join('')}` });
    if (o.keep === 'best') {
      state.bestValidationPerplexity = base.score.perplexity;
      await saveFinal(o, model, tokenizer, state);
    }
  }

  const parallel = o.threads > 1 ? DataParallel.start(model, o.threads, backendInfo()?.name ?? 'auto') : undefined;
  const reportEvery = hooks.reportEvery ?? 10;
  let stoppedBy: TrainingResult['stoppedBy'] = 'max-epochs';
  try {
    epochs: while (state.epoch < o.maxEpochs) {
      const epochData = replayCount > 0 ? [...train, ...replaySample(replay, replayCount, o.seed, state.epoch)] : train;
      const batches = epochBatches(epochData, o.batchSize, o.seed, state.epoch);
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
        optimizer.learningRate = lr;
        const dialogues = batches[state.batchInEpoch].map((i) => epochData[i]);
        const { layout, lossOptions } = stepOptions(o, model.config, state.step);
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
      const { score, sets } = validate();
      const metrics: EpochMetrics = {
        epoch: state.epoch,
        step: state.step,
        trainLoss: epochTotals.tokens ? epochTotals.nll / epochTotals.tokens : NaN,
        trainPerplexity: Math.exp(epochTotals.nll / Math.max(1, epochTotals.tokens)),
        validationPerplexity: score.perplexity,
        validationReconstructionPerplexity: score.reconstructionPerplexity,
        validationKlPerToken: score.kl / Math.max(1, score.targetTokens),
        ...(Object.keys(sets).length > 0 ? { validationSets: sets } : {}),
        activeUnits: score.activeUnits,
        learningRate: state.learningRate,
        seconds: (Date.now() - epochStart) / 1000,
      };
      state.history.push(metrics);
      if (score.perplexity < state.bestValidationPerplexity && beatsBase(metrics, baseFigures(state))) {
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
    const baseSaved = o.keep === 'best' && state.baseValidationPerplexity !== undefined;
    if (stoppedBy !== 'cancelled' && state.history.length === 0 && !baseSaved) await saveFinal(o, model, tokenizer, state);
  } finally {
    await parallel?.close();
    model.dispose();
    optimizer.dispose();
  }
  const best = bestEpoch(state.history, baseFigures(state)); // one that beat the base model, when fine-tuning
  report({ phase: 'done', epoch: state.epoch, step: state.step, stepsPerEpoch: 0, message: stoppedBy });
  return { outDir: o.outDir, state, stoppedBy, best };
}

/** A fresh model (and tokenizer built from the training text), or the base model to fine-tune. */
async function initialModel(o: TrainingOptions): Promise<{ model: DialogueModel; tokenizer: Tokenizer }> {
  if (o.baseModelDir) {
    const base = await loadModel(o.baseModelDir);
    if (base.model.config.kind !== o.kind) {
      base.model.dispose();
      throw new TrainingError('BASE_MODEL_MISMATCH', `base model is a ${base.model.config.kind}, cannot fine-tune it as ${o.kind}`, { base: base.model.config.kind, kind: o.kind });
    }
    return { model: base.model, tokenizer: base.tokenizer };
  }
  const texts = () => (o.tokenizer.from ? corpusTexts(o.tokenizer.from) : corpusTexts(o.trainData, o.maxTrainDialogues ?? Infinity));
  const tokenizer =
    o.tokenizer.kind === 'word'
      ? await buildWordTokenizer(texts(), { maxSize: o.tokenizer.vocabSize, minCount: o.tokenizer.minCount })
      : await trainSubwordTokenizer(texts(), { vocabSize: o.tokenizer.vocabSize });
  const model = new DialogueModel(modelConfigOf(o, tokenizer.vocabSize), o.seed);
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
      ...(state.baseValidationPerplexity !== undefined ? { baseValidationPerplexity: state.baseValidationPerplexity, baseValidationSets: state.baseValidationSets } : {}),
      trainData: path.basename(o.trainData),
      history: state.history,
      options: { ...o, outDir: undefined, checkpointDir: undefined },
    },
    o.weightStorage,
  );
  await tokenizer.save(o.outDir);
}
