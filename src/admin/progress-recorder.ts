import type { TrainingProgress } from '../training/progress';

/** How often, at most, a running run's progress is written to its row. SSE subscribers get every report. */
export const PERSIST_INTERVAL_MS = 2000;

/**
 * Throttles writes of a run's progress: the first report is written at once, later ones at most every
 * `intervalMs`, and the last one of a burst is written when its interval is up (so the row never lags
 * by more than one interval). flush() writes what is pending and waits for writes in flight.
 */
export class ProgressRecorder {
  private latest?: TrainingProgress;
  private dirty = false;
  private lastWrite = -Infinity;
  private timer?: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly write: (progress: TrainingProgress) => Promise<void>,
    private readonly intervalMs = PERSIST_INTERVAL_MS,
  ) {}

  report(progress: TrainingProgress): void {
    this.latest = progress;
    this.dirty = true;
    const wait = this.lastWrite + this.intervalMs - Date.now();
    if (wait <= 0) this.writeNow();
    else this.timer ??= setTimeout(() => this.writeNow(), wait);
  }

  async flush(): Promise<void> {
    if (this.dirty) this.writeNow();
    await this.writing;
  }

  private writeNow(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.dirty || !this.latest) return;
    const progress = this.latest;
    this.dirty = false;
    this.lastWrite = Date.now();
    // Chained: two writes never overlap, so an older report cannot land after a newer one.
    // A failed write is the writer's to log; the next one (or the final status) brings the row up to date.
    this.writing = this.writing.then(() => this.write(progress)).catch(() => undefined);
  }
}
