import { randomUUID } from 'node:crypto';
import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { Redis } from 'ioredis';

type Handler = (payload: unknown) => void;

/**
 * Messages between the instances of one deployment (model activations, training-run events): each domain
 * publishes on its own topic and validates what it receives. A publisher never receives its own messages.
 */
export interface ClusterBus {
  publish(topic: string, payload: unknown): Promise<void>;
  /** Messages other instances publish on `topic`; returns the unsubscribe function. */
  subscribe(topic: string, handler: Handler): () => void;
}

export const CLUSTER_BUS = Symbol('CLUSTER_BUS');

/** One process, no Redis: there is nobody else to tell. */
export class LocalClusterBus implements ClusterBus {
  async publish(): Promise<void> {}

  subscribe(): () => void {
    return () => {};
  }
}

/** Redis pub/sub on one channel per deployment (`<prefix>:cluster`), topics inside the JSON envelope. */
export class RedisClusterBus implements ClusterBus, OnModuleDestroy {
  private readonly logger = new Logger(RedisClusterBus.name);
  private readonly instance = randomUUID();
  private readonly handlers = new Map<string, Set<Handler>>();
  private readonly channel: string;

  static async connect(url: string, prefix: string): Promise<RedisClusterBus> {
    const bus = new RedisClusterBus(new Redis(url), new Redis(url), prefix);
    await bus.subscriber.subscribe(bus.channel);
    return bus;
  }

  private constructor(
    private readonly publisher: Redis,
    private readonly subscriber: Redis,
    prefix: string,
  ) {
    this.channel = `${prefix}:cluster`;
    for (const client of [publisher, subscriber]) client.on('error', (error) => this.logger.error(`redis: ${error.message}`));
    subscriber.on('message', (_channel: string, text: string) => this.receive(text));
  }

  async publish(topic: string, payload: unknown): Promise<void> {
    await this.publisher.publish(this.channel, JSON.stringify({ origin: this.instance, topic, payload }));
  }

  subscribe(topic: string, handler: Handler): () => void {
    const set = this.handlers.get(topic) ?? new Set<Handler>();
    this.handlers.set(topic, set.add(handler));
    return () => set.delete(handler);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([this.subscriber.quit(), this.publisher.quit()]);
  }

  private receive(text: string): void {
    let envelope: { origin?: unknown; topic?: unknown; payload?: unknown };
    try {
      envelope = JSON.parse(text) as typeof envelope;
    } catch {
      return this.logger.warn(`ignored a malformed cluster message on ${this.channel}`);
    }
    if (envelope.origin === this.instance || typeof envelope.topic !== 'string') return;
    for (const handler of this.handlers.get(envelope.topic) ?? []) {
      try {
        handler(envelope.payload);
      } catch (error) {
        this.logger.error(`cluster message on ${envelope.topic}: ${(error as Error).message}`);
      }
    }
  }
}
