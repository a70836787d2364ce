/**
 * Request bodies of the admin API. The zod schemas validate (see zod-validation.ts) and, through
 * Standard JSON Schema, document the bodies in OpenAPI (@nestjs/swagger reads `@Body({ schema })`).
 */
import { z } from 'zod';
import { trainingTargetsSchema } from '../conversations/conversation.types';
import { MODEL_KINDS, modelConfigSchema } from '../models/model-config';
import { trainingOptionsSchema } from '../training/training-options';

const options = trainingOptionsSchema.shape;

/**
 * Model shapes that may override the preset; kind and vocabSize come from the run and its tokenizer.
 * Without their defaults: a default would override the preset's value for a shape the caller never set.
 */
const modelShapesSchema = z.strictObject(
  Object.fromEntries(
    Object.entries(modelConfigSchema.omit({ kind: true, vocabSize: true }).shape).map(([key, field]) => [
      key,
      (field instanceof z.ZodDefault ? field.unwrap() : field).optional(),
    ]),
  ),
);

/**
 * The trainer options a caller may set: never paths (data, outDir, checkpoints, base model folder), which
 * the service derives. Defaults are left out on purpose: the stored hyperparameters are what the caller
 * asked for, and trainingOptionsSchema fills in the rest when the run starts.
 */
export const hyperparametersSchema = z.strictObject({
  preset: options.preset.unwrap().optional(),
  model: modelShapesSchema.optional(),
  tokenizer: options.tokenizer.unwrap().omit({ from: true }).strict().optional(),
  batchSize: options.batchSize.unwrap().optional(),
  threads: options.threads.unwrap().optional(),
  learningRate: options.learningRate.unwrap().optional(),
  warmupSteps: options.warmupSteps.unwrap().optional(),
  plateauDecay: options.plateauDecay.unwrap().optional(),
  maxGradNorm: options.maxGradNorm.unwrap().optional(),
  maxEpochs: options.maxEpochs.unwrap().optional(),
  patience: options.patience.unwrap().optional(),
  keep: options.keep.unwrap().optional(),
  maxSteps: options.maxSteps,
  checkpointEverySteps: options.checkpointEverySteps.unwrap().optional(),
  maxTrainDialogues: options.maxTrainDialogues,
  maxValidationDialogues: options.maxValidationDialogues.unwrap().optional(),
  wordDrop: options.wordDrop,
  utteranceDrop: options.utteranceDrop.unwrap().optional(),
  klSchedule: options.klSchedule.unwrap().optional(),
  freeBits: options.freeBits.unwrap().optional(),
  bowWeight: options.bowWeight.unwrap().optional(),
  dropout: options.dropout.unwrap().optional(),
  labelSmoothing: options.labelSmoothing.unwrap().optional(),
  weightStorage: options.weightStorage.unwrap().optional(),
  seed: options.seed.unwrap().optional(),
});
export type Hyperparameters = z.infer<typeof hyperparametersSchema>;

/** Fine-tuning keeps the base model's tokenizer and shapes, so these cannot be combined with baseModelId. */
export const SHAPE_HYPERPARAMETERS = ['preset', 'model', 'tokenizer'] as const;

export const datasetSchema = z.discriminatedUnion('source', [
  z.strictObject({
    source: z.literal('corpus'),
    /** A JSONL corpus file, relative to CORPUS_DIR, or an absolute path inside CORPUS_DIR or DATA_DIR. */
    path: z.string().min(1),
    /**
     * Optional validation file (same rules); without it the trainer validates on the training file, and a fine-tuning
     * run then has no comparison with its base (nothing was held out).
     */
    validationPath: z.string().min(1).optional(),
  }),
  z.strictObject({
    source: z.literal('conversations'),
    /** Conversations active at or after this time (ISO 8601). */
    since: z.iso.datetime({ offset: true }).optional(),
    /** Cut each dialogue before its first bot turn rated below this (1 or -1). */
    minRating: z.union([z.literal(1), z.literal(-1)]).optional(),
    // The descriptions below are the admin API's documentation (OpenAPI at /admin/docs).
    targets: trainingTargetsSchema
      .optional()
      .describe(
        'Which turns are learned, the others being context only. userTurns (default true): what people wrote. botTurns: "good" (default: only replies a person rated good or preferred), "not-bad" (every reply not rated bad), "none".',
      ),
    heldOutFraction: z
      .number()
      .gt(0)
      .max(0.5)
      .optional()
      .describe('Share of the conversations held out to validate on and never trained on, chosen by a hash of the conversation id so that the slice is the same in every run (default 0.1).'),
    corpus: z
      .strictObject({
        path: z.string().min(1).optional(),
        validationPath: z.string().min(1).optional(),
        replayRatio: z.number().min(0).max(100).optional(),
      })
      .optional()
      .describe(
        "The corpus the base model learnt from: replayRatio corpus dialogues per conversation are mixed into each epoch (default 1 when there is a corpus, else 0), and its validation split is scored beside the held-out conversations. Paths as for corpus runs; by default those the base model's model.json records.",
      ),
  }),
]);
export type DatasetInput = z.infer<typeof datasetSchema>;

export const createTrainingRunSchema = z.strictObject({
  kind: z.enum(MODEL_KINDS),
  dataset: datasetSchema,
  hyperparameters: hyperparametersSchema.default({}),
  /** Fine-tune this model version (same kind) instead of training from scratch. */
  baseModelId: z.uuid().optional(),
});
export type CreateTrainingRun = z.infer<typeof createTrainingRunSchema>;

/** The dataset as stored on the run: the request, plus the corpus files (and replay ratio) it resolved to when accepted. */
export type StoredDataset =
  | (Extract<DatasetInput, { source: 'corpus' }> & { trainFile: string; validationFile?: string })
  | (Extract<DatasetInput, { source: 'conversations' }> & { corpusFile?: string; corpusValidationFile?: string; replayRatio?: number });
