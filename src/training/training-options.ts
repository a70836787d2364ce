import { z } from 'zod';
import { SeededRandom } from '../common/random';
import type { BatchOptions } from '../models/batch';
import type { LossOptions } from '../models/loss';
import { MODEL_KINDS, MODEL_PRESETS, ModelConfig, ModelPreset, parseModelConfig } from '../models/model-config';
import { klWeight } from './schedules';

const klScheduleSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('linear'), steps: z.number().int().min(0) }),
  z.object({
    kind: z.literal('cyclical'),
    steps: z.number().int().positive(),
    cycles: z.number().int().positive(),
    ratio: z.number().gt(0).max(1),
  }),
  z.object({ kind: z.literal('constant'), weight: z.number().min(0) }),
]);

/** Everything a training run needs; defaults follow the benchmark workload (shared/bench/SPEC.md). */
export const trainingOptionsSchema = z
  .object({
    kind: z.enum(MODEL_KINDS),
    preset: z.enum(Object.keys(MODEL_PRESETS) as [ModelPreset, ...ModelPreset[]]).default('small'),
    /** Overrides of the preset's shapes (e.g. { decoderUnits: 512 }). */
    model: z.record(z.string(), z.unknown()).default({}),
    trainData: z.string().min(1),
    /** The validation set whose perplexity is the criterion (early stopping, keep: best); default: the first training dialogues. */
    validationData: z.string().min(1).optional(),
    /**
     * More validation sets scored after every epoch beside validationData, by name: e.g. the corpus a fine-tuning run
     * must not forget. A fine-tuning run scores its base model on each of them too, and an epoch then counts as an
     * improvement only if it beats the base on every one of them as well as on the criterion.
     */
    alsoValidate: z.record(z.string().min(1), z.string().min(1)).default({}),
    /**
     * Rehearsal: every epoch also trains on round(ratio × training dialogues) dialogues of this corpus (the one the base
     * model learnt from), drawn afresh each epoch, so fine-tuning on a small dataset adapts without forgetting it.
     */
    replay: z.strictObject({ data: z.string().min(1), ratio: z.number().gt(0).max(100) }).optional(),
    outDir: z.string().min(1),
    /** Defaults to `<outDir>/checkpoints`. */
    checkpointDir: z.string().min(1).optional(),
    /** Fine-tune from this model directory (its tokenizer and shapes are kept). */
    baseModelDir: z.string().min(1).optional(),
    /** Word2vec text vectors (npm run word2vec) to start a new model's token embeddings from. */
    embeddingsFrom: z.string().min(1).optional(),
    tokenizer: z
      .object({
        kind: z.enum(['word', 'subword']).default('word'),
        vocabSize: z.number().int().min(16).default(8000),
        minCount: z.number().int().min(1).default(1),
        /**
         * Corpus the vocabulary is counted over (default: the training data). Training on DailyDialog plus another
         * corpus with DailyDialog's vocabulary keeps perplexities comparable with models trained on DailyDialog alone.
         */
        from: z.string().min(1).optional(),
      })
      .default({ kind: 'word', vocabSize: 8000, minCount: 1 }),
    batchSize: z.number().int().positive().default(16),
    /** Threads computing each step's gradients (data-parallel, one tensor backend each): up to the cores to spare. */
    threads: z.number().int().min(1).max(16).default(1),
    learningRate: z.number().positive().default(1e-3),
    warmupSteps: z.number().int().min(0).default(0),
    /** The learning rate is multiplied by this each time validation perplexity fails to improve. */
    plateauDecay: z.number().gt(0).max(1).default(0.5),
    maxGradNorm: z.number().positive().default(1),
    maxEpochs: z.number().int().positive().default(30),
    /**
     * Which epoch's weights the run's model is: `best`, the best validation perplexity (for VHRED the ELBO bound), or
     * `last`. The ELBO counts the information z carries as KL, so for VHRED `best` can keep a collapsed early epoch
     * (see README, the VHRED latent); `last` keeps the end of training.
     */
    keep: z.enum(['best', 'last']).default('best'),
    /** Epochs without a better validation perplexity before stopping. */
    patience: z.number().int().positive().default(3),
    /** Stop after this many updates in all (tests, benchmarks). */
    maxSteps: z.number().int().positive().optional(),
    /** Also checkpoint every N steps within an epoch, so long epochs survive interruption. */
    checkpointEverySteps: z.number().int().positive().default(200),
    maxTrainDialogues: z.number().int().positive().optional(),
    maxValidationDialogues: z.number().int().positive().default(1000),
    /** VHRED: decoder word drop, KL schedule, free bits per dimension, bag-of-words loss weight. */
    wordDrop: z.number().min(0).max(1).optional(),
    /** Probability that a reply's decoder inputs are all dropped (Bowman et al. 2016's extreme of word drop). */
    utteranceDrop: z.number().min(0).max(1).default(0),
    klSchedule: klScheduleSchema.default({ kind: 'linear', steps: 5000 }),
    freeBits: z.number().min(0).default(0),
    bowWeight: z.number().min(0).default(0),
    /** Dropout rate in training (embeddings, encoder outputs, context state, attention vectors); off at inference. */
    dropout: z.number().min(0).lt(1).default(0),
    /** Label smoothing ε of the token loss (0: plain cross-entropy). */
    labelSmoothing: z.number().min(0).lt(1).default(0),
    /** Weights of the final model: float32, float16, or uint8 (to ship small files). */
    weightStorage: z.enum(['float32', 'float16', 'uint8']).default('float32'),
    seed: z.number().int().default(1),
  })
  .strict();

export type TrainingOptions = z.infer<typeof trainingOptionsSchema>;
export type TrainingOptionsInput = z.input<typeof trainingOptionsSchema>;

/** VHRED drops a quarter of decoder inputs by default (the benchmark); the others none. */
export function effectiveWordDrop(o: TrainingOptions): number {
  return o.wordDrop ?? (o.kind === 'vhred' ? 0.25 : 0);
}

/** The shapes of a new model for this run: the preset, the run's `model` overrides, its kind and the tokenizer's vocabulary. */
export function modelConfigOf(o: TrainingOptions, vocabSize: number): ModelConfig {
  return parseModelConfig({ ...MODEL_PRESETS[o.preset], ...o.model, kind: o.kind, vocabSize });
}

/**
 * What one training step takes from the run's options: how its batch is laid out (word and utterance drop, drawn from
 * the step's own seeded generator) and what its loss weighs (the KL schedule at this step, free bits, bag of words,
 * dropout, label smoothing; ε seeded by the step).
 */
export function stepOptions(o: TrainingOptions, config: ModelConfig, step: number): { layout: BatchOptions; lossOptions: LossOptions } {
  const rng = new SeededRandom(o.seed * 7919 + step);
  return {
    layout: { maxTurns: config.maxTurns, maxUtteranceTokens: config.maxUtteranceTokens, wordDrop: effectiveWordDrop(o), utteranceDrop: o.utteranceDrop, random: () => rng.nextFloat() },
    lossOptions: { klWeight: klWeight(step, o.klSchedule), freeBits: o.freeBits, bowWeight: o.bowWeight, dropout: o.dropout, labelSmoothing: o.labelSmoothing, seed: o.seed + step },
  };
}
