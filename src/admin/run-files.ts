import { promises as fs } from 'node:fs';
import * as path from 'node:path';

/**
 * Where a run keeps its files: `${DATA_DIR}/runs/<runId>/`
 *   model/         the trained model (outDir); registered in place as the run's model version, so it
 *                  stays here for as long as that version exists (deleting the version removes it)
 *   checkpoints/   resumable trainer state; removed once the run has succeeded
 *   data/conversations.jsonl   the export a conversations run trains on (kept, so a resume sees the same data)
 */
export function runFiles(dataDir: string, runId: string) {
  const root = path.join(dataDir, 'runs', runId);
  return {
    root,
    modelDir: path.join(root, 'model'),
    checkpointDir: path.join(root, 'checkpoints'),
    conversationsFile: path.join(root, 'data', 'conversations.jsonl'),
  };
}
export type RunFiles = ReturnType<typeof runFiles>;

/** Same name as in training/checkpoint.ts (not exported there): the trainer's state, with its epoch history. */
const TRAINER_STATE_FILE = 'trainer-state.json';

/** The validation metrics of the epochs finished so far, from the run's last checkpoint ([] before the first). */
export async function checkpointHistory(checkpointDir: string): Promise<unknown[]> {
  try {
    const saved = JSON.parse(await fs.readFile(path.join(checkpointDir, TRAINER_STATE_FILE), 'utf8')) as { state?: { history?: unknown[] } };
    return saved.state?.history ?? [];
  } catch {
    return []; // no checkpoint yet, or it is being swapped in
  }
}
