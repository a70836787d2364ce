import { Injectable } from '@nestjs/common';
import type { JobStatus } from '../generated/prisma/client';
import type { TrainingProgress } from '../training/progress';

/** What SSE subscribers of a run receive: every progress report, and each status change. */
export type TrainingRunEvent =
  | { type: 'progress'; runId: string; progress: TrainingProgress }
  | { type: 'status'; runId: string; status: JobStatus; error?: string; modelVersionId?: string };

type Listener = (event: TrainingRunEvent) => void;

/**
 * In-process publish/subscribe per run: the executor publishes, SSE streams subscribe. Nothing is
 * buffered, so a subscriber first reads the run row and then follows the events. A queue whose runs
 * execute in another process would republish their events here (see training-queue.ts).
 */
@Injectable()
export class TrainingRunEvents {
  private readonly listeners = new Map<string, Set<Listener>>();

  publish(event: TrainingRunEvent): void {
    for (const listener of this.listeners.get(event.runId) ?? []) listener(event);
  }

  /** Returns the unsubscribe function. */
  subscribe(runId: string, listener: Listener): () => void {
    const set = this.listeners.get(runId) ?? new Set<Listener>();
    this.listeners.set(runId, set.add(listener));
    return () => {
      set.delete(listener);
      if (set.size === 0) this.listeners.delete(runId);
    };
  }
}
