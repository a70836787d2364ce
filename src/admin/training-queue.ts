/**
 * The port between the admin API and whatever executes training runs. The service creates the run row
 * (status `queued`) and hands its id to the queue; the queue calls TrainingRunExecutor.execute(runId,
 * signal) when a slot is free, in this process or another one. Two adapters:
 *   - InProcessTrainingQueue (default): one run at a time in this process; a second one is a 409.
 *   - BullMqTrainingQueue (REDIS_URL set): runs wait in Redis, so any worker process may take them.
 */
export interface TrainingQueue {
  /** true when waiting runs survive a restart (Redis); then only `running` rows are interrupted at start-up. */
  readonly durable: boolean;
  /** false on API instances that leave the runs to worker processes (TRAINING_WORKER=false): they mark none interrupted. */
  readonly executesRuns: boolean;
  /** Of these runs, the ones a live process (another worker) is training now: not leftovers of a stopped one. */
  heldElsewhere(runIds: string[]): Promise<Set<string>>;
  /** Accepts a run whose row is `queued`. Throws ConflictError when it cannot take one more now. */
  enqueue(runId: string): Promise<void>;
  /**
   * Stops a queued or running run and resolves once it has stopped; false when this queue does not
   * hold the run (the caller then marks the row itself).
   */
  cancel(runId: string): Promise<boolean>;
}

/** Nest token of the configured TrainingQueue. */
export const TRAINING_QUEUE = Symbol('TRAINING_QUEUE');
