/**
 * Every metric the service exports, in one registry (one per application, so test apps in one process do not
 * share counters). Names follow Prometheus' conventions: base units (seconds), `_total` on counters. Rates are
 * the scraper's job: tokens per second is `rate(hred_generated_tokens_total[1m])`.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { JobStatus } from '../generated/prisma/enums';
import type { ModelKind } from '../models/model-config';

/** Where a reply was asked for: the socket.io chat or the OpenAI-compatible HTTP API. */
export type ReplyPath = 'socket' | 'openai';
/** How a reply ended, as the metrics count it. */
export type ReplyOutcome = 'eos' | 'length' | 'cancelled' | 'error';
/** Where a request was refused: a socket.io error ack, or an HTTP status of 400 and over. */
export type RefusalChannel = 'socket' | 'http';

/** What the pulled gauges read at scrape time. */
export interface MetricSources {
  /** Replies being decoded and waiting for a place in a batch (the generation batcher). */
  replyLoad(): { active: number; waiting: number };
  /** Training runs per status, over the deployment (read from the database). */
  trainingRunsByStatus(): Promise<Partial<Record<JobStatus, number>>>;
  /** A pulled gauge could not be read (e.g. the database is down): the scrape goes on without it. */
  onCollectError?(metric: string, error: unknown): void;
}

const JOB_STATUSES: JobStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'];
/** Seconds. The first-token target of the serving work is 150 ms (p95), so the buckets are fine around it. */
const FIRST_TOKEN_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.15, 0.25, 0.5, 1, 2.5, 5, 10];
const REPLY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const QUERY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export class ServingMetrics {
  readonly registry = new Registry();
  private readonly firstToken = new Histogram({
    name: 'hred_reply_first_token_seconds',
    help: 'Time from the request (chat message or HTTP request) to the first token of a reply',
    labelNames: ['kind', 'path'] as const,
    buckets: FIRST_TOKEN_BUCKETS,
    registers: [this.registry],
  });
  private readonly duration = new Histogram({
    name: 'hred_reply_duration_seconds',
    help: 'Time from the request to the end of a reply, however it ended',
    labelNames: ['kind', 'path'] as const,
    buckets: REPLY_BUCKETS,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'hred_generated_tokens_total',
    help: 'Tokens generated (eos not counted); tokens per second is rate() of this',
    labelNames: ['kind', 'path'] as const,
    registers: [this.registry],
  });
  private readonly replies = new Counter({
    name: 'hred_replies_total',
    help: 'Replies ended, by how they ended (eos, length, cancelled, error)',
    labelNames: ['kind', 'path', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly refusals = new Counter({
    name: 'hred_refusals_total',
    help: 'Requests refused: chat error acks by error code, HTTP responses by status (400 and over)',
    labelNames: ['channel', 'code'] as const,
    registers: [this.registry],
  });
  private readonly queries = new Histogram({
    name: 'hred_db_query_duration_seconds',
    help: 'Database statements as Prisma ran them, by SQL command',
    labelNames: ['command'] as const,
    buckets: QUERY_BUCKETS,
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    new Gauge({
      name: 'hred_replies_active',
      help: 'Replies being decoded now (rows of the generation batches)',
      registers: [this.registry],
      collect() {
        this.set(sources.replyLoad().active);
      },
    });
    new Gauge({
      name: 'hred_replies_waiting',
      help: 'Replies waiting for a place in a generation batch',
      registers: [this.registry],
      collect() {
        this.set(sources.replyLoad().waiting);
      },
    });
    new Gauge({
      name: 'hred_training_runs',
      help: 'Training runs by state, over the deployment (every instance reports the same database: use max, not sum)',
      labelNames: ['state'] as const,
      registers: [this.registry],
      async collect() {
        this.reset(); // a failed read leaves no stale figures behind
        try {
          const counts = await sources.trainingRunsByStatus();
          for (const state of JOB_STATUSES) this.set({ state }, counts[state] ?? 0);
        } catch (error) {
          sources.onCollectError?.('hred_training_runs', error);
        }
      },
    });
  }

  /** Starts timing one reply from `requestedAt` (Date.now() when the request arrived, as the user feels it). */
  startReply(path: ReplyPath, kind: ModelKind, requestedAt: number): ReplyTimer {
    return new ReplyTimer(this.firstToken, this.duration, this.tokens.labels(kind, path), this.replies, { kind, path }, requestedAt);
  }

  refused(channel: RefusalChannel, code: string): void {
    this.refusals.inc({ channel, code });
  }

  /** One SQL statement; `command` is its first keyword (select, insert, …), so the label set stays small. */
  queryRan(sql: string, durationMs: number): void {
    this.queries.observe({ command: sqlCommand(sql) }, durationMs / 1000);
  }

  /** The Prometheus text exposition of every metric. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}

/** One reply's observations: the first token (once), every token, and its end (once). */
export class ReplyTimer {
  private sawToken = false;
  private ended = false;

  constructor(
    private readonly firstToken: Histogram<'kind' | 'path'>,
    private readonly duration: Histogram<'kind' | 'path'>,
    private readonly tokens: { inc(): void },
    private readonly replies: Counter<'kind' | 'path' | 'outcome'>,
    private readonly labels: { kind: ModelKind; path: ReplyPath },
    private readonly requestedAt: number,
  ) {}

  token(now = Date.now()): void {
    if (!this.sawToken) this.firstToken.observe(this.labels, (now - this.requestedAt) / 1000);
    this.sawToken = true;
    this.tokens.inc();
  }

  end(outcome: ReplyOutcome, now = Date.now()): void {
    if (this.ended) return;
    this.ended = true;
    this.duration.observe(this.labels, (now - this.requestedAt) / 1000);
    this.replies.inc({ ...this.labels, outcome });
  }
}

const SQL_COMMANDS = new Set(['select', 'insert', 'update', 'delete', 'begin', 'commit', 'rollback']);

/** select, insert, update, delete, begin, commit, rollback, or other (Prisma prefixes some statements with a comment). */
export function sqlCommand(sql: string): string {
  const word = /^\s*(?:--[^\n]*\n\s*|\/\*[\s\S]*?\*\/\s*)*(\w+)/.exec(sql)?.[1]?.toLowerCase();
  return word && SQL_COMMANDS.has(word) ? word : 'other';
}
