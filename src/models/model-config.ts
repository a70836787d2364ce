import { z } from 'zod';

export const MODEL_KINDS = ['seq2seq', 'hred', 'vhred'] as const;
export type ModelKind = (typeof MODEL_KINDS)[number];

/** Shapes of one model of the family. Defaults are the benchmark's `small` model (shared/bench/SPEC.md). */
export const modelConfigSchema = z.object({
  kind: z.enum(MODEL_KINDS),
  /** Vocabulary size including the four special tokens. */
  vocabSize: z.number().int().min(5),
  /** Token embedding, shared by the utterance encoder and the decoder. */
  embeddingDim: z.number().int().positive().default(128),
  /** Units per direction of the bidirectional utterance encoder. */
  encoderUnits: z.number().int().positive().default(256),
  /** Context GRU units (HRED, VHRED). */
  contextUnits: z.number().int().positive().default(256),
  decoderUnits: z.number().int().positive().default(256),
  /** Size of the attention vector tanh(W[h; c]) fed back to the decoder and projected to logits. */
  attentionUnits: z.number().int().positive().default(256),
  /** VHRED latent size and the hidden size of its prior/posterior MLPs. */
  latentDim: z.number().int().positive().default(64),
  latentHidden: z.number().int().positive().default(256),
  /** VHRED: learn the prior's variance (true) or fix it to a standard normal (false). */
  learnedPrior: z.boolean().default(true),
  /** VHRED: an MLP([context; z]) -> vocabulary head for the bag-of-words loss (Zhao et al. 2017). */
  bagOfWords: z.boolean().default(false),
  /**
   * Output logits = (attention vector · P) · embeddingᵀ + b instead of a free [A, V] matrix (Press & Wolf 2017):
   * the output layer shares the token embedding, which halves the vocabulary-sized parameters and lets rare
   * words' input and output meanings train each other.
   */
  tieEmbeddings: z.boolean().default(false),
  /** Longest utterance the encoder reads and the decoder writes (tokens, eos excluded). */
  maxUtteranceTokens: z.number().int().positive().default(30),
  /** Turns of context kept per dialogue in training. */
  maxTurns: z.number().int().min(2).default(10),
});

export type ModelConfig = z.infer<typeof modelConfigSchema>;
export type ModelConfigInput = z.input<typeof modelConfigSchema>;

export function parseModelConfig(input: unknown): ModelConfig {
  return modelConfigSchema.parse(input);
}

/** Size presets; `small` matches the benchmark. */
export const MODEL_PRESETS = {
  tiny: { embeddingDim: 16, encoderUnits: 16, contextUnits: 16, decoderUnits: 24, attentionUnits: 24, latentDim: 8, latentHidden: 16 },
  small: {},
  /** Twice small's recurrent width, a 256-d embedding tied to the output layer: about 2× small's training time. */
  medium: { embeddingDim: 256, encoderUnits: 384, contextUnits: 512, decoderUnits: 512, attentionUnits: 512, latentDim: 96, latentHidden: 384, tieEmbeddings: true },
} satisfies Record<string, Partial<ModelConfigInput>>;
export type ModelPreset = keyof typeof MODEL_PRESETS;
