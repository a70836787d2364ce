import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Job, Queue, Worker } from 'bullmq';
import type { TrainingQueue } from './training-queue';
import { SHUTDOWN, type TrainingRunExecutor } from './training-run.executor';

const QUEUE_NAME = 'training-runs';

type RunJob = Job<{ runId: string }>;

/**
 * Runs wait in Redis (BullMQ job id = run id) and any number may be queued. This process also works the
 * queue, one run at a time: a training run fills a core, so more workers means more processes.
 *
 * Scope of issue #9, not done here: cancelling a run that another process is training, and forwarding
 * that process's progress to this one's SSE subscribers (both need a Redis channel or QueueEvents feeding
 * TrainingRunEvents); a dedicated worker entry point; telling a crashed worker's run apart from a live one
 * at start-up (today a start marks every `running` row interrupted).
 */
export class BullMqTrainingQueue implements TrainingQueue, OnModuleDestroy {
  readonly durable = true;
  private readonly logger = new Logger(BullMqTrainingQueue.name);
  private readonly local = new Map<string, { abort: AbortController; done: Promise<void> }>();
  private readonly queue: Queue;
  private readonly worker: Worker;

  static async connect(url: string, executor: TrainingRunExecutor): Promise<BullMqTrainingQueue> {
    const queue = new BullMqTrainingQueue(url, executor);
    await queue.queue.waitUntilReady();
    return queue;
  }

  private constructor(url: string, executor: TrainingRunExecutor) {
    const connection = { url, maxRetriesPerRequest: null };
    this.queue = new Queue(QUEUE_NAME, { connection });
    this.worker = new Worker(QUEUE_NAME, (job: RunJob) => this.work(job, executor), { connection, concurrency: 1 });
    this.worker.on('error', (error) => this.logger.error(`training queue: ${error.message}`));
  }

  async enqueue(runId: string): Promise<void> {
    await this.queue.add('train', { runId }, { jobId: runId, removeOnComplete: true, removeOnFail: true });
  }

  async cancel(runId: string): Promise<boolean> {
    const running = this.local.get(runId);
    if (running) {
      running.abort.abort('cancel');
      await running.done;
      return true;
    }
    // Still waiting: drop the job; the caller marks the row cancelled. Active elsewhere: see #9.
    const job = await this.queue.getJob(runId);
    if (job && (await job.getState()) !== 'active') await job.remove();
    return false;
  }

  async onModuleDestroy(): Promise<void> {
    for (const run of this.local.values()) run.abort.abort(SHUTDOWN);
    await Promise.all([...this.local.values()].map((run) => run.done));
    await this.worker.close();
    await this.queue.close();
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
