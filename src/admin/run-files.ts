import * as path from 'node:path';

/**
 * Where a run keeps its files: `${DATA_DIR}/runs/<runId>/`
 *   model/         the trained model (outDir); registered in place as the run's model version, so it
 *                  stays here for as long as that version exists (deleting the version removes it)
 *   checkpoints/   resumable trainer state; removed once the run has succeeded
 *   data/conversations-train.jsonl     the export a conversations run trains on, and
 *   data/conversations-held-out.jsonl  the held-out conversations it validates on (both kept: a resume sees the same data)
 */
export function runFiles(dataDir: string, runId: string) {
  const root = path.join(dataDir, 'runs', runId);
  return {
    root,
    modelDir: path.join(root, 'model'),
    checkpointDir: path.join(root, 'checkpoints'),
    conversationsFile: path.join(root, 'data', 'conversations-train.jsonl'),
    heldOutFile: path.join(root, 'data', 'conversations-held-out.jsonl'),
  };
}
export type RunFiles = ReturnType<typeof runFiles>;
