import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { CLUSTER_BUS, type ClusterBus } from '../cluster/cluster-bus';
import type { JobStatus } from '../generated/prisma/client';
import type { TrainingProgress } from '../training/progress';

/** What SSE subscribers of a run receive: every progress report, and each status change. */
export type TrainingRunEvent =
  | { type: 'progress'; runId: string; progress: TrainingProgress }
  | { type: 'status'; runId: string; status: JobStatus; error?: string; modelVersionId?: string };

type Listener = (event: TrainingRunEvent) => void;

/** Cluster topic: run events of a worker process, for SSE subscribers on any instance. */
const EVENTS_TOPIC = 'training-run-events';

/**
 * Publish/subscribe per run: the executor publishes, SSE streams subscribe. Events also cross the cluster
 * bus, so a run trained by `npm run worker` is followed from any instance. Nothing is buffered: a
 * subscriber first reads the run row and then follows the events.
 */
@Injectable()
export class TrainingRunEvents implements OnModuleDestroy {
  private readonly listeners = new Map<string, Set<Listener>>();
  private readonly unsubscribe: () => void;

  constructor(@Inject(CLUSTER_BUS) private readonly cluster: ClusterBus) {
    // Peers are our own processes; the shape is checked where it matters (runId routes, SSE serialises).
    this.unsubscribe = cluster.subscribe(EVENTS_TOPIC, (payload) => {
      const event = payload as TrainingRunEvent;
      if (typeof event?.runId === 'string') this.deliver(event);
    });
  }

  publish(event: TrainingRunEvent): void {
    this.deliver(event);
    void this.cluster.publish(EVENTS_TOPIC, event).catch(() => {}); // the row holds the truth; SSE is best effort
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

  onModuleDestroy(): void {
    this.unsubscribe();
  }

  private deliver(event: TrainingRunEvent): void {
    for (const listener of this.listeners.get(event.runId) ?? []) listener(event);
  }
}
