import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import * as path from 'node:path';
import { Observable } from 'rxjs';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config';
import type { JobStatus, ModelVersion } from '../generated/prisma/client';
import { readModelFile } from '../models/model-files';
import { ModelVersionsService } from '../model-versions/model-versions.service';
import { findRecordedFile, recordedCorpus } from './base-corpus';
import { resolveDatasetFile } from './dataset-files';
import { TRAINING_QUEUE, type TrainingQueue } from './training-queue';
import { type CreateTrainingRun, SHAPE_HYPERPARAMETERS, type StoredDataset } from './training-run.schemas';
import { isActive, RESUMABLE_STATUSES, toView, type TrainingRunView } from './training-run.view';
import { type TrainingRunEvent, TrainingRunEvents } from './training-run-events';
import { TrainingRunsRepository } from './training-runs.repository';
import { isUuid } from '../common/ids';

const LIST_LIMIT = 100;

/** One server-sent event: `event: <type>` with the JSON data. */
export interface RunMessageEvent {
  type: TrainingRunEvent['type'];
  data: object;
}

/** Training runs for the admin API: accepts, lists, follows, cancels and resumes them. Execution is the queue's. */
@Injectable()
export class TrainingRunsService implements OnModuleInit {
  private readonly logger = new Logger(TrainingRunsService.name);

  constructor(
    private readonly runs: TrainingRunsRepository,
    private readonly bus: TrainingRunEvents,
    private readonly modelVersions: ModelVersionsService,
    @Inject(TRAINING_QUEUE) private readonly queue: TrainingQueue,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** A run that was running when the service last stopped can never finish: mark it resumable. */
  async onModuleInit(): Promise<void> {
    if (!this.queue.executesRuns) return;
    const statuses: JobStatus[] = this.queue.durable ? ['running'] : ['queued', 'running'];
    const ids = await this.runs.interruptLeftovers(statuses, (candidates) => this.queue.heldElsewhere(candidates));
    if (ids.length > 0) this.logger.warn(`marked interrupted: training runs ${ids.join(', ')}`);
  }

  /** Runs per status over the whole deployment (the database's view), for the metrics. */
  countByStatus(): Promise<Partial<Record<JobStatus, number>>> {
    return this.runs.countByStatus();
  }

  async create(input: CreateTrainingRun): Promise<{ id: string; status: JobStatus }> {
    const base = await this.checkBaseModel(input);
    const run = await this.runs.create({
      kind: input.kind,
      dataset: await this.storedDataset(input.dataset, base),
      hyperparameters: input.hyperparameters,
      baseModelId: input.baseModelId,
    });
    try {
      await this.queue.enqueue(run.id);
    } catch (error) {
      await this.runs.delete(run.id); // never seen by anyone: the request failed as a whole
      throw error;
    }
    return { id: run.id, status: run.status };
  }

  async list(): Promise<TrainingRunView[]> {
    return (await this.runs.list(LIST_LIMIT)).map(toView);
  }

  async get(id: string): Promise<TrainingRunView> {
    const row = isUuid(id) ? await this.runs.find(id) : null;
    if (!row) throw new NotFoundError('training run', id);
    return toView(row);
  }

  /** Resolves once the run has stopped (the worker stops between two training steps). */
  async cancel(id: string): Promise<TrainingRunView> {
    const run = await this.get(id);
    if (!isActive(run.status)) throw new ConflictError(`training run ${id} is ${run.status}; only queued or running runs can be cancelled`, { id });
    const stoppedHere = await this.queue.cancel(id);
    // Not held by this queue (e.g. a row left queued): mark it so it never starts.
    if (!stoppedHere) await this.runs.transition(id, ['queued'], 'cancelled', { finishedAt: new Date() });
    return this.get(id);
  }

  /** Re-queues a run that ended without a model; the trainer continues from the run's last checkpoint. */
  async resume(id: string): Promise<{ id: string; status: JobStatus }> {
    const run = await this.get(id);
    const resumable = `only ${RESUMABLE_STATUSES.join(', ')} runs can be resumed`;
    if (!RESUMABLE_STATUSES.includes(run.status)) throw new ConflictError(`training run ${id} is ${run.status}; ${resumable}`, { id });
    if (!(await this.runs.transition(id, [run.status], 'queued', { error: null, finishedAt: null }))) {
      throw new ConflictError(`training run ${id} changed status meanwhile; ${resumable}`, { id });
    }
    try {
      await this.queue.enqueue(id);
    } catch (error) {
      await this.runs.transition(id, ['queued'], run.status, { error: run.error, finishedAt: run.finishedAt });
      throw error;
    }
    return { id, status: 'queued' };
  }

  /**
   * The run's events for SSE: its current status first, then every progress report and status change;
   * completes once the run has ended. Events arriving while the row is read are held, then replayed.
   */
  events(id: string): Observable<RunMessageEvent> {
    return new Observable<RunMessageEvent>((subscriber) => {
      let held: TrainingRunEvent[] | undefined = [];
      const emit = (event: TrainingRunEvent) => {
        const { runId: _, type, ...rest } = event;
        subscriber.next({ type, data: event.type === 'progress' ? event.progress : rest });
        if (event.type === 'status' && !isActive(event.status)) subscriber.complete();
      };
      const unsubscribe = this.bus.subscribe(id, (event) => (held ? held.push(event) : emit(event)));
      this.get(id).then(
        (run) => {
          emit({ type: 'status', runId: id, status: run.status, error: run.error ?? undefined, modelVersionId: run.modelVersionId ?? undefined });
          for (const event of held ?? []) if (!subscriber.closed) emit(event);
          held = undefined;
        },
        (error: unknown) => subscriber.error(error),
      );
      return unsubscribe;
    });
  }

  private async checkBaseModel(input: CreateTrainingRun): Promise<ModelVersion | undefined> {
    if (!input.baseModelId) return undefined;
    const base = await this.modelVersions.get(input.baseModelId).catch(() => {
      throw new InvalidInputError(`baseModelId: model version ${input.baseModelId} not found`, { field: 'baseModelId' });
    });
    if (base.kind !== input.kind) {
      throw new InvalidInputError(`baseModelId: model version ${base.id} is a ${base.kind} model, not ${input.kind}`, { field: 'baseModelId' });
    }
    const shape = SHAPE_HYPERPARAMETERS.find((key) => input.hyperparameters[key] !== undefined);
    if (shape) {
      const field = `hyperparameters.${shape}`;
      throw new InvalidInputError(`${field}: cannot be set with baseModelId (fine-tuning keeps the base model's tokenizer and shapes)`, { field });
    }
    return base;
  }

  private async storedDataset(dataset: CreateTrainingRun['dataset'], base: ModelVersion | undefined): Promise<StoredDataset> {
    const roots = [this.config.corpusDir, this.config.dataDir];
    if (dataset.source === 'conversations') return { ...dataset, ...(await this.baseCorpus(dataset.corpus ?? {}, base)) };
    const trainFile = await resolveDatasetFile('dataset.path', dataset.path, roots);
    const validationFile = dataset.validationPath ? await resolveDatasetFile('dataset.validationPath', dataset.validationPath, roots) : undefined;
    return { ...dataset, trainFile, validationFile };
  }

  /**
   * The corpus a conversations run replays and is scored on: the files named in the request, else those the base
   * model's model.json records. A recorded corpus that cannot be found is a 400 (the run would otherwise say nothing
   * about forgetting it); without a base model and without paths there is none, and nothing is replayed. A base model
   * trained on a run's export of conversations records no corpus: that export is never reused (people may have opted
   * out since).
   */
  private async baseCorpus(
    corpus: { path?: string; validationPath?: string; replayRatio?: number },
    base: ModelVersion | undefined,
  ): Promise<{ corpusFile?: string; corpusValidationFile?: string; replayRatio: number }> {
    const roots = [this.config.corpusDir, this.config.dataDir];
    const recorded = base ? recordedCorpus((await readModelFile(base.filesPath)).summary) : {};
    const runs = path.resolve(this.config.dataDir, 'runs') + path.sep;
    const find = async (field: string, given: string | undefined, recordedPath: string | undefined, hint: string) => {
      if (given) return resolveDatasetFile(field, given, roots);
      if (!recordedPath || path.resolve(recordedPath).startsWith(runs)) return undefined;
      const found = await findRecordedFile(recordedPath, roots);
      if (!found) throw new InvalidInputError(`${field}: the base model's ${recordedPath} is not inside CORPUS_DIR or DATA_DIR; ${hint}`, { field });
      return found;
    };
    const replayWanted = corpus.replayRatio !== 0;
    const corpusFile = replayWanted
      ? await find('dataset.corpus.path', corpus.path, recorded.train, 'name the corpus to replay, or set dataset.corpus.replayRatio to 0')
      : undefined;
    const replayRatio = corpus.replayRatio ?? (corpusFile ? 1 : 0);
    if (replayRatio > 0 && !corpusFile) {
      throw new InvalidInputError('dataset.corpus.path: no corpus to replay (no base model records one): name it, or set dataset.corpus.replayRatio to 0', {
        field: 'dataset.corpus.path',
      });
    }
    const corpusValidationFile = await find('dataset.corpus.validationPath', corpus.validationPath, recorded.validation, 'name its validation split');
    return { corpusFile, corpusValidationFile, replayRatio };
  }
}
