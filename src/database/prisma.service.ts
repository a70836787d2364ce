import { Logger, type OnModuleDestroy } from '@nestjs/common';
import { PrismaClient } from '../generated/prisma/client';
import { type DatabaseTarget, describeTarget, type OpenDatabase, openDatabase } from './database-target';
import { applyMigrations } from './migrator';

/**
 * The Prisma client of the service, on PostgreSQL or embedded PGlite. `PrismaService.open()` connects and applies
 * pending migrations first, so an instance is always ready to query. Nest closes it at shutdown; elsewhere call close().
 */
export class PrismaService extends PrismaClient implements OnModuleDestroy {
  private static readonly logger = new Logger(PrismaService.name);
  private closing?: Promise<void>;

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
    super({ adapter: database.adapter });
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
