import { z } from 'zod';

/**
 * How a reply is decoded. Conversations store this as a JSON object; parse it with `parseDecoding`.
 * The two sources of variety are independent settings, so they can be studied apart:
 *   token choice: `strategy` greedy | beam (deterministic given z) or sample (temperature, topK, topP);
 *   VHRED's z:    `latent` sample (z ~ p(z | context), once per reply) or mean (z = its mean).
 * `{strategy: 'greedy', latent: 'sample'}` is "greedy tokens, variety from z only".
 */
export const decodingSchema = z.strictObject({
  strategy: z.enum(['greedy', 'sample', 'beam']).default('greedy'),
  /** Most tokens in the reply, eos not counted; default: the model's maxUtteranceTokens. */
  maxTokens: z.number().int().min(1).max(512).optional(),
  /** sample: logits / temperature. */
  temperature: z.number().positive().max(10).default(1),
  /** sample: keep the k most likely tokens; 0 keeps all. */
  topK: z.number().int().min(0).default(0),
  /** sample: nucleus mass; 1 keeps all. */
  topP: z.number().gt(0).max(1).default(1),
  /** beam: hypotheses kept per step. Width 1 is exactly greedy. */
  beamWidth: z.number().int().min(1).max(16).default(4),
  /** beam: α of the GNMT length penalty ((5 + length) / 6)^α; 0 ranks by plain log-probability. */
  lengthPenalty: z.number().min(0).max(5).default(0.6),
  /** beam: finished hypotheses returned (the stream yields the best one's tokens). */
  nBest: z.number().int().min(1).max(16).default(1),
  /** VHRED only: z drawn from the prior or its mean. Ignored by seq2seq and HRED. */
  latent: z.enum(['sample', 'mean']).default('sample'),
  /** Repeatable output: the same seed, model, state and settings give the same reply. Default: random. */
  seed: z.number().int().min(0).max(0xffffffff).optional(),
  /** Keep decoding through eos until maxTokens (the benchmark's fixed-length workload). */
  ignoreEos: z.boolean().default(false),
  /**
   * Sample-and-rank (Adiwardana et al. 2020): decode this many candidates together (greedy or sample; VHRED draws
   * a z for each) and reply with the one of highest log-likelihood per token. 1: one reply, as decoded.
   */
  candidates: z.number().int().min(1).max(32).default(1),
  /** No n-gram of this length twice inside a reply (0: off). Applies to greedy and sampled replies. */
  noRepeatNgram: z.number().int().min(0).max(8).default(0),
});

export type DecodingInput = z.input<typeof decodingSchema>;
export type Decoding = z.output<typeof decodingSchema>;

export function parseDecoding(input: unknown = {}): Decoding {
  const d = decodingSchema.parse(input);
  if (d.strategy === 'beam' && d.candidates > 1) {
    throw new RangeError('candidates applies to greedy and sampled replies; beam search ranks its own hypotheses (beamWidth, nBest)');
  }
  if (d.strategy === 'beam' && d.nBest > d.beamWidth) {
    throw new RangeError(`nBest (${d.nBest}) cannot exceed beamWidth (${d.beamWidth})`);
  }
  return d;
}
