/** The body of POST /admin/comparisons (validated by the admin API's zod pipe, documented in OpenAPI). */
import { z } from 'zod';

export const DEFAULT_COMPARISON_DATA = 'dailydialog/test.jsonl';
/**
 * Test contexts per comparison through the admin API: a default, and a maximum (issue 22: without one, the whole
 * DailyDialog test set queued 208,940 decodes). At the maximum, the default settings decode 84,000 replies.
 * Larger runs are `npm run compare`'s, on a machine set aside for them.
 */
export const COMPARISON_CONTEXTS = { default: 200, max: 1000 } as const;

export const createComparisonSchema = z.strictObject({
  /** Model A then model B: a version id, or a kind (its active version). */
  models: z.tuple([z.string().min(1), z.string().min(1)]),
  /** Test dialogues, relative to CORPUS_DIR. */
  data: z.string().min(1).default(DEFAULT_COMPARISON_DATA),
  samples: z.number().int().min(1).max(100).default(10),
  /** The first N test contexts. */
  limit: z.number().int().min(1).max(COMPARISON_CONTEXTS.max).default(COMPARISON_CONTEXTS.default),
  temperatures: z.array(z.number().positive().max(10)).min(1).max(8).default([0.5, 1, 1.5]),
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  /** word2vec text vectors, relative to DATA_DIR; default DATA_DIR/word2vec-dailydialog.txt when it exists. */
  vectors: z.string().min(1).optional(),
});

export type CreateComparison = z.output<typeof createComparisonSchema>;
