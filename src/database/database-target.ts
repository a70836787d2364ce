import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Logger } from '@nestjs/common';
import { PrismaPg } from '@prisma/adapter-pg';
import type { SqlMigrationAwareDriverAdapterFactory } from '@prisma/driver-adapter-utils';
import { Pool } from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { AppConfig } from '../config';
import { lockDatabaseFolder } from './data-dir-lock';

/**
 * Where the data lives: a PostgreSQL server, or embedded PGlite in a folder ('memory://' for none).
 * A PGlite `template` (a dumpDataDir() tarball) fills a new folder without running initdb, which takes seconds.
 */
export type DatabaseTarget = { engine: 'postgres'; url: string } | { engine: 'pglite'; dataDir: string; template?: Blob };
export type DatabaseEngine = DatabaseTarget['engine'];

/** An open database: one adapter factory that both the migrator and the Prisma client use. */
export interface OpenDatabase {
  engine: DatabaseEngine;
  adapter: SqlMigrationAwareDriverAdapterFactory;
  close(): Promise<void>;
}

const logger = new Logger('Database');

/** DATABASE_URL when set, else PGlite in DATA_DIR/pglite. */
export function databaseTarget(config: Pick<AppConfig, 'databaseUrl' | 'dataDir'>): DatabaseTarget {
  return config.databaseUrl
    ? { engine: 'postgres', url: config.databaseUrl }
    : { engine: 'pglite', dataDir: path.join(config.dataDir, 'pglite') };
}

/**
 * For entry points, before anything opens the database: takes the embedded database's folder, so a second instance,
 * a read-only DATA_DIR and the like fail at once with one line (DataDirError) instead of deep inside the framework's
 * start-up. Release it once the database is open (it holds the folder itself until it closes), or it goes at exit.
 * Nothing to take on PostgreSQL.
 */
export function claimDataDir(config: Pick<AppConfig, 'databaseUrl' | 'dataDir'>): () => void {
  const target = databaseTarget(config);
  if (target.engine !== 'pglite') return () => {};
  const release = lockDatabaseFolder(target.dataDir);
  process.once('exit', release);
  return release;
}

export function describeTarget(target: DatabaseTarget): string {
  if (target.engine === 'pglite') return `embedded PGlite in ${target.dataDir}`;
  const url = new URL(target.url);
  return `PostgreSQL ${url.host}${url.pathname}`; // no credentials in logs
}

/** Opens the database; an embedded folder is locked for this process until close() (claimDataDir). */
export async function openDatabase(target: DatabaseTarget): Promise<OpenDatabase> {
  if (target.engine === 'pglite') {
    const unlock = target.dataDir.startsWith('memory://') ? () => {} : lockDatabaseFolder(target.dataDir);
    try {
      const db = await PGlite.create({ dataDir: target.dataDir, loadDataDir: target.template });
      const adapter = new PGliteWithClosedShadows(db);
      return { engine: 'pglite', adapter, close: () => adapter.closeShadows().finally(() => db.close()).finally(unlock) };
    } catch (error) {
      unlock();
      throw error;
    }
  }
  // A pool of our own, so that closing is ours too (the adapter leaves an external pool open).
  // connectionTimeoutMillis: a host that never answers fails a request in 10 s (`unavailable`) instead of hanging it.
  const pool = new Pool({ connectionString: target.url, max: 10, connectionTimeoutMillis: 10_000 });
  // A server restart closes the idle connections: the pool drops them and connects again at the next query, and
  // requests that fail meanwhile answer `unavailable` without an error log (issue #9), so the outage is logged here.
  const onPoolError = (error: Error) => logger.warn(`PostgreSQL closed an idle connection (${error.message}); the next query reconnects`);
  return { engine: 'postgres', adapter: new PrismaPg(pool, { onPoolError }), close: () => pool.end() };
}

/** The adapter's own shadow databases (for schema diffs) are never closed, which keeps the process alive. */
class PGliteWithClosedShadows extends PrismaPGlite {
  private readonly shadows: PGlite[] = [];

  override async connectToShadowDb() {
    const shadow = await PGlite.create('memory://');
    this.shadows.push(shadow);
    return new PrismaPGlite(shadow).connect();
  }

  async closeShadows() {
    await Promise.all(this.shadows.splice(0).map((shadow) => shadow.close()));
  }
}
