import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { resolveDatasetFile } from '../admin/dataset-files';
import { ConflictError, InvalidInputError, NotFoundError } from '../common/errors';
import { APP_CONFIG, type AppConfig } from '../config';
import type { Comparison } from '../generated/prisma/client';
import { ModelVersionsService } from '../model-versions/model-versions.service';
import { MODEL_KINDS, type ModelKind } from '../models/model-config';
import { compareInWorker } from './comparison/compare-in-worker';
import type { ComparisonReport } from './comparison/comparison-report';
import { decodesPerContext } from './comparison/decoding-modes';
import type { ComparisonProgress } from './comparison/model-outputs';
import { readTestContexts } from './comparison/test-contexts';
import { renderHtml } from './comparison/report/html-report';
import type { CreateComparison } from './comparison-request';
import { ComparisonsRepository } from './comparisons.repository';
import { winRate } from './metrics/win-rate';
import { isUuid } from '../common/ids';

/** Used when a request names no vectors and this file exists in DATA_DIR (where `npm run word2vec` output is kept). */
const DEFAULT_VECTORS = 'word2vec-dailydialog.txt';
/** How long shutdown (or a cancel) waits for a running comparison to stop; past it the next start marks the row interrupted. */
const SHUTDOWN_WAIT_MS = 10_000;
const CANCELLED = 'cancelled by an admin (POST /admin/comparisons/:id/cancel)';

/** What a comparison will cost, known before it starts: decoder runs of both models over every test context. */
export interface ComparisonCost {
  contexts: number;
  samples: number;
  models: number;
  /** Replies decoded (N per context where sampling is involved, 1 where it is deterministic) and beam searches. */
  decodes: number;
}

/** What a comparison row stores as params: the request resolved to files and versions. */
interface ComparisonParams {
  models: { id: string; name: string; kind: ModelKind; filesPath: string }[];
  data: string;
  samples: number;
  limit: number;
  temperatures: number[];
  seed: number;
  vectors?: string;
  cost: ComparisonCost;
}

export interface ComparisonView {
  id: string;
  status: Comparison['status'];
  params: unknown;
  cost?: ComparisonCost;
  /** While running: the latest progress report of the worker. */
  progress?: ComparisonProgress;
  report: unknown;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

/**
 * Model comparisons for the admin API. One runs at a time, in a worker thread, in this process (the
 * queue is a promise chain: a restart marks what it held interrupted). The report gets the chat's
 * compare-mode win rate of the two versions before it is stored.
 */
@Injectable()
export class ComparisonsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ComparisonsService.name);
  private readonly progress = new Map<string, ComparisonProgress>();
  /** The comparison running now: its own stop (cancel), and when it has ended. */
  private readonly running = new Map<string, { stop: AbortController; ended: Promise<void> }>();
  private readonly shutdown = new AbortController();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly comparisons: ComparisonsRepository,
    private readonly modelVersions: ModelVersionsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    const count = await this.comparisons.interruptLeftovers();
    if (count > 0) this.logger.warn(`marked ${count} comparison(s) interrupted`);
  }

  /**
   * Stops a running comparison (at its next decoder step) and waits for its row to say `interrupted`;
   * modules are destroyed before the database module they import, so the row can still be written.
   */
  async onModuleDestroy(): Promise<void> {
    this.shutdown.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.queue, new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)))]);
    clearTimeout(timer);
  }

  async create(input: CreateComparison): Promise<{ id: string; status: Comparison['status']; cost: ComparisonCost }> {
    const models = await Promise.all(input.models.map((ref) => this.version(ref)));
    const data = await resolveDatasetFile('data', input.data, [this.config.corpusDir]);
    const contexts = await countContexts(data, input.limit);
    const decodes = contexts * models.reduce((sum, m) => sum + decodesPerContext(m.kind, input.samples, input.temperatures), 0);
    const cost: ComparisonCost = { contexts, samples: input.samples, models: models.length, decodes };
    const params: ComparisonParams = {
      models,
      data,
      samples: input.samples,
      limit: input.limit,
      temperatures: input.temperatures,
      seed: input.seed,
      vectors: await this.vectors(input.vectors),
      cost,
    };
    const row = await this.comparisons.create(params);
    // execute() records every outcome in the row; the catch keeps a database outage there from breaking the chain.
    this.queue = this.queue
      .then(() => this.execute(row.id, params))
      .catch((err: Error) => this.logger.error(`comparison ${row.id} could not be recorded: ${err.message}`));
    return { id: row.id, status: row.status, cost };
  }

  /** A queued comparison is cancelled at once; a running one stops at its next decoder step. 409 once it has ended. */
  async cancel(id: string): Promise<ComparisonView> {
    const row = await this.find(id);
    if (!(await this.comparisons.cancelQueued(id, `${CANCELLED} before it started`))) {
      const run = this.running.get(id);
      if (!run) throw new ConflictError(`comparison ${id} is ${row.status}: only a queued or running comparison can be cancelled`, { id, status: row.status });
      run.stop.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([run.ended, new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)))]);
      clearTimeout(timer);
    }
    return this.get(id);
  }

  async get(id: string): Promise<ComparisonView> {
    const row = await this.find(id);
    const progress = row.status === 'running' ? this.progress.get(id) : undefined;
    return {
      id: row.id,
      status: row.status,
      params: row.params,
      ...(costOf(row) && { cost: costOf(row) }),
      ...(progress && { progress }),
      report: row.report,
      error: row.error,
      createdAt: row.createdAt,
      startedAt: row.startedAt,
      finishedAt: row.finishedAt,
    };
  }

  /** The HTML page of a finished comparison. */
  async reportPage(id: string): Promise<string> {
    const row = await this.find(id);
    if (row.status !== 'succeeded' || !row.report) throw new ConflictError(`comparison ${id} has no report (status ${row.status})`, { id, status: row.status });
    return renderHtml(row.report as unknown as ComparisonReport);
  }

  private async find(id: string): Promise<Comparison> {
    const row = isUuid(id) ? await this.comparisons.find(id) : null;
    if (!row) throw new NotFoundError('comparison', id);
    return row;
  }

  /** Every outcome ends in the row (it rejects only when the database itself fails). */
  private async execute(id: string, params: ComparisonParams): Promise<void> {
    // Registered before the row says running, so a cancel that sees `running` finds it.
    const stop = new AbortController();
    let ended!: () => void;
    this.running.set(id, { stop, ended: new Promise<void>((resolve) => (ended = resolve)) });
    try {
      if (this.shutdown.signal.aborted || !(await this.comparisons.markRunning(id))) return;
      await this.run(id, params, stop.signal);
    } finally {
      this.running.delete(id);
      ended();
    }
  }

  private async run(id: string, params: ComparisonParams, cancelled: AbortSignal): Promise<void> {
    try {
      const [a, b] = params.models;
      const report = await compareInWorker(
        {
          models: [
            { dir: a.filesPath, label: a.name },
            { dir: b.filesPath, label: b.name },
          ],
          data: params.data,
          samples: params.samples,
          limit: params.limit,
          temperatures: params.temperatures,
          seed: params.seed,
          vectors: params.vectors,
        },
        { signal: AbortSignal.any([this.shutdown.signal, cancelled]), backend: this.config.tfBackend, onProgress: (p) => this.progress.set(id, p) },
      );
      report.preferences = { versions: [a.id, b.id], winRate: winRate(await this.comparisons.preferences(a.id, b.id)) };
      await this.comparisons.finish(id, 'succeeded', { report });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const stopped = this.shutdown.signal.aborted;
      if (!stopped && !cancelled.aborted) this.logger.warn(`comparison ${id} failed: ${message}`);
      const [status, text] = stopped ? (['interrupted', message] as const) : cancelled.aborted ? (['cancelled', CANCELLED] as const) : (['failed', message] as const);
      await this.comparisons.finish(id, status, { error: text }).catch(() => undefined);
    } finally {
      this.progress.delete(id);
    }
  }

  /** A kind → its active version; an id → that version (404 when unknown). */
  private async version(ref: string): Promise<ComparisonParams['models'][number]> {
    const isKind = (MODEL_KINDS as readonly string[]).includes(ref);
    const id = isKind ? this.modelVersions.activeVersionId(ref as ModelKind) : ref;
    if (!id) throw new NotFoundError('active model of kind', ref);
    const v = await this.modelVersions.get(id);
    return { id: v.id, name: v.name, kind: v.kind, filesPath: v.filesPath };
  }

  private async vectors(given: string | undefined): Promise<string | undefined> {
    if (given) return resolveDatasetFile('vectors', given, [this.config.dataDir, this.config.corpusDir]);
    const fallback = path.join(this.config.dataDir, DEFAULT_VECTORS);
    return (await fs.stat(fallback).then((s) => s.isFile(), () => false)) ? fallback : undefined;
  }
}

/** The test contexts a comparison will read (the worker reads the file again); a file that holds none is a 400. */
async function countContexts(data: string, limit: number): Promise<number> {
  try {
    return (await readTestContexts(data, limit)).contexts.length;
  } catch (error) {
    throw new InvalidInputError(`data: ${error instanceof Error ? error.message : String(error)}`, { field: 'data' });
  }
}

/** Comparisons queued before costs were recorded have none. */
function costOf(row: Comparison): ComparisonCost | undefined {
  return (row.params as unknown as Partial<ComparisonParams> | null)?.cost;
}
