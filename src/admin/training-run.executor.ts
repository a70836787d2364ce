import { createWriteStream, promises as fs } from 'node:fs';
import * as path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config';
import type { ExportOptions } from '../conversations/conversation.types';
import { ConversationsService } from '../conversations/conversations.service';
import { DEFAULT_HELD_OUT_FRACTION } from '../conversations/held-out';
import type { JobStatus } from '../generated/prisma/client';
import { ModelVersionsService } from '../model-versions/model-versions.service';
import { compareWithBase } from '../training/base-comparison';
import type { EpochMetrics } from '../training/progress';
import { trainInWorker } from '../training/run-in-worker';
import type { TrainingResult } from '../training/trainer';
import { type TrainingOptions, trainingOptionsSchema } from '../training/training-options';
import { ProgressRecorder } from './progress-recorder';
import { readCheckpointHistory } from '../training/checkpoint';
import { TrainingError } from '../training/training-errors';
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
      const { options, report } = await this.prepare(run, files);
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
        return await this.end(runId, status, { ...outcome, metrics: summary(result, options, report) });
      }
      const metrics = summary(result, options, report);
      const version = await this.modelVersions.register(files.modelDir, {
        kind: run.kind,
        name: `${run.kind}-${run.id.slice(0, 8)}`,
        metrics,
        trainingRunId: run.id,
      });
      // Checkpoints only serve a resume, and a succeeded run is not resumed: free their space.
      await fs.rm(files.checkpointDir, { recursive: true, force: true });
      await this.end(runId, 'succeeded', { metrics }, version.id);
    } catch (error) {
      await recorder.flush();
      const message = error instanceof Error ? error.message : String(error);
      this.logger.warn(`training run ${runId} failed: ${message}`);
      await this.end(runId, 'failed', { error: message });
    }
  }

  /**
   * The trainer's options (the caller's hyperparameters, with the data and paths only the service decides), and what
   * the run's report names: the criterion validation set and, for conversations, how many dialogues each side holds.
   */
  private async prepare(run: TrainingRunRow, files: RunFiles): Promise<{ options: TrainingOptions; report: RunReport }> {
    const dataset = run.dataset as StoredDataset;
    const base = run.baseModelId ? await this.modelVersions.get(run.baseModelId) : undefined;
    const { data, report } =
      dataset.source === 'corpus'
        ? { data: { trainData: dataset.trainFile, validationData: dataset.validationFile }, report: { criterion: dataset.validationFile ? 'validation' : 'train' } }
        : await this.conversationData(dataset, files);
    const options = trainingOptionsSchema.parse({
      ...(run.hyperparameters as object),
      ...data,
      kind: run.kind,
      outDir: files.modelDir,
      checkpointDir: files.checkpointDir,
      baseModelDir: base?.filesPath,
    });
    return { options, report };
  }

  /**
   * A conversations run trains on the export outside the held-out slice and validates on the slice (the criterion);
   * the base model's corpus is replayed beside them and its validation split scored too (`corpus`).
   */
  private async conversationData(dataset: Extract<StoredDataset, { source: 'conversations' }>, files: RunFiles) {
    const heldOutFraction = dataset.heldOutFraction ?? DEFAULT_HELD_OUT_FRACTION;
    const exportOptions = { since: dataset.since, minRating: dataset.minRating, targets: dataset.targets, heldOutFraction };
    const trainData = await this.exportConversations({ ...exportOptions, part: 'train' }, files.conversationsFile);
    const validationData = await this.exportConversations({ ...exportOptions, part: 'held-out' }, files.heldOutFile);
    const exported = { train: await countLines(trainData), heldOut: await countLines(validationData) };
    if (exported.heldOut === 0) {
      throw new TrainingError(
        'TRAINING_DATA_EMPTY',
        `none of the collected conversations with a turn to learn is in the held-out slice (heldOutFraction ${heldOutFraction}, ${exported.train} to train on): collect more conversations, or raise dataset.heldOutFraction`,
        { heldOutFraction, train: exported.train },
      );
    }
    const data = {
      trainData,
      validationData,
      alsoValidate: dataset.corpusValidationFile ? { corpus: dataset.corpusValidationFile } : {},
      replay: dataset.corpusFile && dataset.replayRatio ? { data: dataset.corpusFile, ratio: dataset.replayRatio } : undefined,
    };
    return { data, report: { criterion: 'conversations', exported } };
  }

  /** Written once per run (a resume trains on the same export); to a temporary name first, so a crash leaves none half-written. */
  private async exportConversations(options: ExportOptions, file: string): Promise<string> {
    if (await fs.access(file).then(() => true, () => false)) return file;
    await fs.mkdir(path.dirname(file), { recursive: true });
    const partial = `${file}.partial`;
    await pipeline(this.conversations.exportJsonl(options), createWriteStream(partial));
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

/**
 * What a run's metrics name: its criterion validation set (`train` when a corpus run has no validation file and the
 * trainer validates on its first training dialogues), and for conversations how many dialogues were exported.
 */
interface RunReport {
  criterion: string;
  exported?: { train: number; heldOut: number };
}

/**
 * A run's metrics, on the run and on its model version. `baseline` (fine-tuning) holds its model's validation
 * perplexities beside its base model's, set by set: activating a version that did not beat its base takes `force`.
 */
function summary(result: TrainingResult, options: TrainingOptions, report: RunReport) {
  const history = result.state.history;
  // Scores on data the run trained on say nothing about a regression: no baseline then (nor a 409 at activation).
  const baseline = report.criterion === 'train' ? undefined : compareWithBase(result.state, options.keep, report.criterion);
  return {
    stoppedBy: result.stoppedBy,
    steps: result.state.step,
    epochs: history.length,
    best: result.best ?? null,
    criterion: report.criterion,
    ...(report.exported ? { exported: report.exported } : {}),
    ...(baseline ? { baseline } : {}),
    history,
  };
}

async function countLines(file: string): Promise<number> {
  const text = await fs.readFile(file, 'utf8');
  return text.split('\n').filter((line) => line.trim() !== '').length;
}

function bestEpoch(history: EpochMetrics[]): EpochMetrics {
  return history.reduce((best, m) => (m.validationPerplexity < best.validationPerplexity ? m : best));
}
