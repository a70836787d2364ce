import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import { ConversationsService } from '../conversations/conversations.service';
import type { JobStatus } from '../generated/prisma/client';
import { ModelVersionsService } from '../model-versions/model-versions.service';
import type { EpochMetrics } from '../training/progress';
import { trainInWorker } from '../training/run-in-worker';
import type { TrainingResult } from '../training/trainer';
import { type TrainingOptions, trainingOptionsSchema } from '../training/training-options';
import { ProgressRecorder } from './progress-recorder';
import { readCheckpointHistory } from '../training/checkpoint';
import { type RunFiles, runFiles } from './run-files';
import type { StoredDataset } from './training-run.schemas';
import { TrainingRunEvents } from './training-run-events';
import { INTERRUPTED_HINT, type TrainingRunRow, TrainingRunsRepository } from './training-runs.repository';

/** The abort reason a queue gives when the service stops: the run ends `interrupted`, not `cancelled`. */
export const SHUTDOWN = 'shutdown';

/**
 * Executes one queued run, whichever queue hands it over: dataset → trainer in a worker thread (off the
 * event loop, so chat replies keep flowing) → model version registered (not activated). Every outcome
 * ends up in the run's row and as a status event; execute() rejects only when the database itself fails.
 */
@Injectable()
export class TrainingRunExecutor {
  private readonly logger = new Logger(TrainingRunExecutor.name);

  constructor(
    private readonly runs: TrainingRunsRepository,
    private readonly events: TrainingRunEvents,
    private readonly conversations: ConversationsService,
    private readonly modelVersions: ModelVersionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute(runId: string, signal: AbortSignal): Promise<void> {
    const files = runFiles(this.config.dataDir, runId);
    if (signal.aborted) return void (await this.runs.transition(runId, ['queued'], 'cancelled', { finishedAt: new Date() }));
    if (!(await this.runs.markRunning(runId, files.checkpointDir))) return; // no longer queued: cancelled meanwhile
    this.events.publish({ type: 'status', runId, status: 'running' });
    const recorder = new ProgressRecorder((progress) => this.saveProgress(runId, files, progress));
    try {
      const run = (await this.runs.find(runId))!;
      const options = await this.trainingOptions(run, files);
      if (signal.aborted) return await this.end(runId, ...stopped(signal));
      const result = await trainInWorker(options, {
        signal,
        backend: this.config.tfBackend,
        onProgress: (progress) => {
          this.events.publish({ type: 'progress', runId, progress });
          recorder.report(progress);
        },
      });
      await recorder.flush();
      if (result.stoppedBy === 'cancelled') {
        const [status, outcome] = stopped(signal);
        return await this.end(runId, status, { ...outcome, metrics: summary(result) });
      }
      const version = await this.modelVersions.register(files.modelDir, {
        kind: run.kind,
        name: `${run.kind}-${run.id.slice(0, 8)}`,
        metrics: summary(result),
        trainingRunId: run.id,
      });
      // Checkpoints only serve a resume, and a succeeded run is not resumed: free their space.
      await fs.rm(files.checkpointDir, { recursive: true, force: true });
      await this.end(runId, 'succeeded', { metrics: summary(result) }, version.id);
    } catch (error) {
      await recorder.flush();
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`training run ${runId} failed: ${message}`);
      await this.end(runId, 'failed', { error: message });
    }
  }

  /** The trainer's options: the caller's hyperparameters, with the paths only the service decides. */
  private async trainingOptions(run: TrainingRunRow, files: RunFiles): Promise<TrainingOptions> {
    const dataset = run.dataset as StoredDataset;
    const base = run.baseModelId ? await this.modelVersions.get(run.baseModelId) : undefined;
    return trainingOptionsSchema.parse({
      ...(run.hyperparameters as object),
      kind: run.kind,
      trainData: dataset.source === 'corpus' ? dataset.trainFile : await this.exportConversations(dataset, files.conversationsFile),
      // Conversations: validation runs on the training file (the trainer's default), see README.
      validationData: dataset.source === 'corpus' ? dataset.validationFile : undefined,
      outDir: files.modelDir,
      checkpointDir: files.checkpointDir,
      baseModelDir: base?.filesPath,
    });
  }

  /** Written once per run (a resume trains on the same export); to a temporary name first, so a crash leaves none half-written. */
  private async exportConversations(dataset: Extract<StoredDataset, { source: 'conversations' }>, file: string): Promise<string> {
    if (await fs.access(file).then(() => true, () => false)) return file;
    await fs.mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.partial`;
    await pipeline(this.conversations.exportJsonl({ since: dataset.since, minRating: dataset.minRating }), createWriteStream(partial));
    await fs.rename(partial, file);
    return file;
  }

  private async saveProgress(runId: string, files: RunFiles, progress: object): Promise<void> {
    const history = await readCheckpointHistory(files.checkpointDir);
    await this.runs
      .saveProgress(runId, progress, history.length > 0 ? { epochs: history.length, best: bestEpoch(history), history } : undefined)
      .catch((error: Error) => this.logger.warn(`training run ${runId}: progress not saved (${error.message})`));
  }

  private async end(runId: string, status: JobStatus, result: { metrics?: object; error?: string }, modelVersionId?: string): Promise<void> {
    try {
      await this.runs.finish(runId, status, result);
    } catch (error) {
      // Shutdown may have closed the database: the next start marks the run interrupted instead.
      this.logger.error(`training run ${runId}: could not record status ${status} (${(error as Error).message})`);
    }
    this.events.publish({ type: 'status', runId, status, error: result.error, modelVersionId });
  }
}

/** A run stopped by its signal: cancelled by a caller, or interrupted by the service stopping. */
function stopped(signal: AbortSignal): [JobStatus, { error?: string }] {
  return signal.reason === SHUTDOWN ? ['interrupted', { error: INTERRUPTED_HINT }] : ['cancelled', {}];
}

function summary(result: TrainingResult) {
  const history = result.state.history;
  return { stoppedBy: result.stoppedBy, steps: result.state.step, epochs: history.length, best: result.best ?? null, history };
}

function bestEpoch(history: EpochMetrics[]): EpochMetrics {
  return history.reduce((best, m) => (m.validationPerplexity < best.validationPerplexity ? m : best));
}
