import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { ConflictError } from '../common/errors';
import type { TrainingQueue } from './training-queue';
import { SHUTDOWN, type TrainingRunExecutor } from './training-run.executor';

/** How long shutdown waits for the run to stop; past it the row stays `running` and the next start marks it interrupted. */
const SHUTDOWN_WAIT_MS = 10_000;

/**
 * One run at a time, executed in this process (its training steps run in a worker thread). Nothing waits
 * here: a run is accepted only when no other is in progress, otherwise enqueue() throws a ConflictError.
 */
export class InProcessTrainingQueue implements TrainingQueue, OnModuleDestroy {
  readonly durable = false;
  readonly executesRuns = true;
  private readonly logger = new Logger(InProcessTrainingQueue.name);
  private current?: { runId: string; abort: AbortController; done: Promise<void> };

  constructor(private readonly executor: TrainingRunExecutor) {}

  /** Nobody else trains: every run left running belonged to a stopped process. */
  async heldElsewhere(): Promise<Set<string>> {
    return new Set();
  }

  async enqueue(runId: string): Promise<void> {
    if (this.current) {
      throw new ConflictError(
        `training run ${this.current.runId} is in progress; without a queue (REDIS_URL) runs go one at a time`,
        { activeRunId: this.current.runId },
      );
    }
    const abort = new AbortController();
    // Claimed synchronously, so two requests at once cannot both start a run.
    const slot = { runId, abort, done: Promise.resolve() };
    this.current = slot;
    slot.done = this.executor
      .execute(runId, abort.signal)
      // execute() records every outcome in the run row; this only guards the process against a database outage there.
      .catch((err: Error) => this.logger.error(`training run ${runId} could not be recorded: ${err.message}`))
      .finally(() => {
        if (this.current === slot) this.current = undefined;
      });
  }

  async cancel(runId: string): Promise<boolean> {
    const slot = this.current;
    if (slot?.runId !== runId) return false;
    slot.abort.abort('cancel');
    await slot.done;
    return true;
  }

  /** Stops the run as `interrupted`, so POST …/resume can continue it after the restart. */
  async onModuleDestroy(): Promise<void> {
    const slot = this.current;
    if (!slot) return;
    slot.abort.abort(SHUTDOWN);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, SHUTDOWN_WAIT_MS)));
    await Promise.race([slot.done, timeout]);
    clearTimeout(timer);
    if (this.current === slot) this.logger.warn(`training run ${slot.runId} did not stop within ${SHUTDOWN_WAIT_MS} ms`);
  }
}
