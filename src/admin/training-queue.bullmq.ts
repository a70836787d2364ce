import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Job, Queue, Worker } from 'bullmq';
import type { ClusterBus } from '../cluster/cluster-bus';
import type { TrainingQueue } from './training-queue';
import { SHUTDOWN, type TrainingRunExecutor } from './training-run.executor';
import type { TrainingRunEvents } from './training-run-events';

const QUEUE_NAME = 'training-runs';
/** Cluster topic: cancel a run that another process is training. */
const CANCEL_TOPIC = 'training-run-cancel';
/** A cancelled run stops between two training steps; past this the caller sees it still running. */
const REMOTE_CANCEL_WAIT_MS = 30_000;

type RunJob = Job<{ runId: string }>;

export interface BullMqQueueOptions {
  url: string;
  prefix: string;
  /** Whether this process takes runs (TRAINING_WORKER); API instances beside `npm run worker` only enqueue. */
  executesRuns: boolean;
}

/**
 * Runs wait in Redis (BullMQ job id = run id) and any number may be queued. Processes with TRAINING_WORKER
 * work the queue, one run at a time each (a run fills a core: more workers means more processes). A run
 * is cancelled wherever it trains, through the cluster bus; its events reach every instance the same way.
 */
export class BullMqTrainingQueue implements TrainingQueue, OnModuleDestroy {
  readonly durable = true;
  readonly executesRuns: boolean;
  private readonly logger = new Logger(BullMqTrainingQueue.name);
  private readonly local = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly queue: Queue;
  private readonly worker?: Worker;
  private readonly unsubscribe: () => void;

  static async connect(options: BullMqQueueOptions, executor: TrainingRunExecutor, events: TrainingRunEvents, cluster: ClusterBus): Promise<BullMqTrainingQueue> {
    const queue = new BullMqTrainingQueue(options, executor, events, cluster);
    await queue.queue.waitUntilReady();
    return queue;
  }

  private constructor(
    options: BullMqQueueOptions,
    executor: TrainingRunExecutor,
    private readonly events: TrainingRunEvents,
    private readonly cluster: ClusterBus,
  ) {
    const connection = { url: options.url, maxRetriesPerRequest: null };
    this.executesRuns = options.executesRuns;
    this.queue = new Queue(QUEUE_NAME, { connection, prefix: options.prefix });
    if (options.executesRuns) {
      this.worker = new Worker(QUEUE_NAME, (job: RunJob) => this.work(job, executor), { connection, prefix: options.prefix, concurrency: 1 });
      this.worker.on('error', (error) => this.logger.error(`training queue: ${error.message}`));
    }
    this.unsubscribe = cluster.subscribe(CANCEL_TOPIC, (payload) => {
      const runId = (payload as { runId?: unknown })?.runId;
      if (typeof runId === 'string') this.local.get(runId)?.abort.abort('cancel');
    });
  }

  async enqueue(runId: string): Promise<void> {
    await this.queue.add('train', { runId }, { jobId: runId, removeOnComplete: true, removeOnFail: true });
  }

  async heldElsewhere(runIds: string[]): Promise<Set<string>> {
    const states = await Promise.all(runIds.map(async (id) => [id, await this.queue.getJobState(id)] as const));
    return new Set(states.filter(([id, state]) => state === 'active' && !this.local.has(id)).map(([id]) => id));
  }

  async cancel(runId: string): Promise<boolean> {
    const running = this.local.get(runId);
    if (running) {
      running.abort.abort('cancel');
      await running.done;
      return true;
    }
    const job = await this.queue.getJob(runId);
    const state = job ? await job.getState() : undefined;
    if (state === 'active') return this.cancelElsewhere(runId);
    // Still waiting: drop the job; the caller marks the row cancelled.
    if (job) await job.remove();
    return false;
  }

  async onModuleDestroy(): Promise<void> {
    this.unsubscribe();
    for (const run of this.local.values()) run.abort.abort(SHUTDOWN);
    await Promise.all([...this.local.values()].map((run) => run.done));
    await this.worker?.close();
    await this.queue.close();
  }

  /** Asks the process training the run to stop it, and waits for its final status event. */
  private async cancelElsewhere(runId: string): Promise<boolean> {
    let unsubscribe = () => {};
    const ended = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), REMOTE_CANCEL_WAIT_MS);
      unsubscribe = this.events.subscribe(runId, (event) => {
        if (event.type === 'status' && event.status !== 'running' && event.status !== 'queued') {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
    try {
      await this.cluster.publish(CANCEL_TOPIC, { runId });
      return await ended;
    } finally {
      unsubscribe();
    }
  }

  private async work(job: RunJob, executor: TrainingRunExecutor): Promise<void> {
    const abort = new AbortController();
    const done = executor.execute(job.data.runId, abort.signal);
    this.local.set(job.data.runId, { abort, done });
    try {
      await done;
    } finally {
      this.local.delete(job.data.runId);
    }
  }
}
