/** The body of POST /admin/comparisons (validated by the admin API's zod pipe, documented in OpenAPI). */
import { z } from 'zod';

export const DEFAULT_COMPARISON_DATA = 'dailydialog/test.jsonl';

export const createComparisonSchema = z.strictObject({
  /** Model A then model B: a version id, or a kind (its active version). */
  models: z.tuple([z.string().min(1), z.string().min(1)]),
  /** Test dialogues, relative to CORPUS_DIR. */
  data: z.string().min(1).default(DEFAULT_COMPARISON_DATA),
  samples: z.number().int().min(1).max(100).default(10),
  limit: z.number().int().min(1).optional(),
  temperatures: z.array(z.number().positive().max(10)).min(1).max(8).default([0.5, 1, 1.5]),
  seed: z.number().int().min(0).max(0xffffffff).default(1),
  /** word2vec text vectors, relative to DATA_DIR; default DATA_DIR/word2vec-dailydialog.txt when it exists. */
  vectors: z.string().min(1).optional(),
});

export type CreateComparison = z.output<typeof createComparisonSchema>;
