import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { type Prisma, PrismaClient } from '../generated/prisma/client';
import { type DatabaseTarget, describeTarget, type OpenDatabase, openDatabase } from './database-target';
import { applyMigrations } from './migrator';

/** Every SQL statement as an event (duration in ms): what the query latency metric observes. */
type WithQueryEvents = Prisma.PrismaClientOptions & { log: [{ emit: 'event'; level: 'query' }] };
export type QueryListener = (event: Prisma.QueryEvent) => void;

/**
 * The Prisma client of the service, on PostgreSQL or embedded PGlite. `PrismaService.open()` connects and applies
 * pending migrations first, so an instance is always ready to query. Nest closes it at shutdown; elsewhere call close().
 */
export class PrismaService extends PrismaClient<WithQueryEvents> implements OnModuleDestroy {
  private static readonly logger = new Logger(PrismaService.name);
  private closing?: Promise<void>;
  private readonly queryListeners = new Set<QueryListener>();

  static async open(target: DatabaseTarget): Promise<PrismaService> {
    const database = await openDatabase(target);
    try {
      const applied = await applyMigrations(database.adapter);
      if (applied.length > 0) this.logger.log(`Applied migrations ${applied.join(', ')} to ${describeTarget(target)}`);
      const service = new PrismaService(target, database);
      await service.$connect();
      return service;
    } catch (error) {
      await database.close();
      throw error;
    }
  }

  private constructor(
    readonly target: DatabaseTarget,
    private readonly database: OpenDatabase,
  ) {
    super({ adapter: database.adapter, log: [{ emit: 'event', level: 'query' }] });
    this.$on('query', (event) => this.queryListeners.forEach((listener) => listener(event)));
  }

  /** Calls `listener` after every SQL statement; returns the unsubscribe function (Prisma's $on has none). */
  onQuery(listener: QueryListener): () => void {
    this.queryListeners.add(listener);
    return () => this.queryListeners.delete(listener);
  }

  get engine() {
    return this.target.engine;
  }

  /** Idempotent: Nest's shutdown and a test's own cleanup may both call it. */
  close(): Promise<void> {
    this.closing ??= this.$disconnect().finally(() => this.database.close());
    return this.closing;
  }

  onModuleDestroy() {
    return this.close();
  }
}
