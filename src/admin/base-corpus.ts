/**
 * The corpus a base model learnt from, for a conversations run to replay and to be scored on, found from what the
 * model's model.json recorded about its training (`summary.options`).
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { ModelSummary } from '../models/model-files';
import { resolveDatasetFile } from './dataset-files';

const recordedOptions = z.object({
  options: z.object({
    trainData: z.string().optional(),
    validationData: z.string().optional(),
    replay: z.object({ data: z.string() }).optional(),
    alsoValidate: z.record(z.string(), z.string()).optional(),
  }),
});

/**
 * The corpus files recorded in a model's training summary: for a model that was itself fine-tuned with replay, the
 * corpus it replayed and the corpus set it was scored on (its own training data were conversations); else its
 * training and validation data.
 */
export function recordedCorpus(summary: ModelSummary): { train?: string; validation?: string } {
  const parsed = recordedOptions.safeParse(summary);
  if (!parsed.success) return {};
  const o = parsed.data.options;
  return { train: o.replay?.data ?? o.trainData, validation: o.alsoValidate?.corpus ?? o.validationData };
}

/**
 * A recorded corpus path, found inside one of `roots` (CORPUS_DIR, DATA_DIR), or undefined. The path was relative to
 * wherever that training ran (e.g. `../shared/data/dailydialog/train.jsonl`), so after the path itself its trailing
 * parts are tried under each root, longest first (`dailydialog/train.jsonl` under CORPUS_DIR); resolveDatasetFile
 * keeps every candidate inside the roots.
 */
export async function findRecordedFile(recorded: string, roots: readonly string[]): Promise<string | undefined> {
  const parts = recorded.split(/[\\/]+/).filter((p) => p !== '' && p !== '.' && p !== '..');
  const candidates = [...(path.isAbsolute(recorded) ? [recorded] : []), ...parts.map((_, i) => parts.slice(i).join('/'))];
  for (const candidate of candidates) {
    for (const root of roots) {
      const file = path.resolve(root, candidate);
      if (!(await fs.stat(file).then((s) => s.isFile(), () => false))) continue;
      const found = await resolveDatasetFile('corpus', file, roots).catch(() => undefined);
      if (found) return found;
    }
  }
  return undefined;
}
