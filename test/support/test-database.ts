/**
 * Databases for tests, on the engine the environment selects:
 * - TEST_DATABASE_URL or DATABASE_URL set: a new database on that PostgreSQL server, dropped by close();
 * - otherwise: embedded PGlite in a new temp folder, removed by close().
 *
 *   const db = await createTestDatabase();   // migrated; db.prisma is a ready PrismaService
 *   afterAll(() => db.close());
 *
 * Provide it to a Nest testing module with `{ provide: PrismaService, useValue: db.prisma }`.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { Client } from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import type { DatabaseTarget } from '../../src/database/database-target';
import { applyMigrations, PRISMA_DIR } from '../../src/database/migrator';
import { PrismaService } from '../../src/database/prisma.service';

export interface TestDatabase {
  prisma: PrismaService;
  target: DatabaseTarget;
  close(): Promise<void>;
}

export interface EmptyDatabase {
  target: DatabaseTarget;
  /** Removes the database (PG: DROP DATABASE; PGlite: its folder). Close every connection to it first. */
  drop(): Promise<void>;
}

export function testServerUrl(): string | undefined {
  return process.env.TEST_DATABASE_URL || process.env.DATABASE_URL || undefined;
}

/**
 * A migrated database with a PrismaService on it. `serverUrl` puts it on that PostgreSQL server instead of the one
 * the environment selects (e.g. a throwaway cluster a test starts and stops itself).
 */
export async function createTestDatabase(options: { serverUrl?: string } = {}): Promise<TestDatabase> {
  const empty = await createEmptyDatabase({ migratedTemplate: true, serverUrl: options.serverUrl });
  try {
    const prisma = await PrismaService.open(empty.target);
    return { prisma, target: empty.target, close: () => prisma.close().finally(() => empty.drop()) };
  } catch (error) {
    await empty.drop();
    throw error;
  }
}

/**
 * A database with nothing in it, for migration tests. `migratedTemplate` (PGlite only) starts it from a
 * cached copy of a migrated database instead, which skips PGlite's initdb (seconds per database).
 */
export async function createEmptyDatabase(options: { migratedTemplate?: boolean; serverUrl?: string } = {}): Promise<EmptyDatabase> {
  const serverUrl = options.serverUrl ?? testServerUrl();
  if (serverUrl) return createServerDatabase(serverUrl);
  const dataDir = await mkdtemp(path.join(tmpdir(), 'hred-chat-test-'));
  const template = options.migratedTemplate ? await migratedTemplate() : undefined;
  return { target: { engine: 'pglite', dataDir, template }, drop: () => rm(dataDir, { recursive: true, force: true }) };
}

async function createServerDatabase(serverUrl: string): Promise<EmptyDatabase> {
  const name = `hred_chat_test_${randomBytes(6).toString('hex')}`;
  await withServer(serverUrl, (client) => client.query(`CREATE DATABASE "${name}"`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    target: { engine: 'postgres', url: url.toString() },
    drop: () => withServer(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

async function withServer<T>(url: string, run: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

/**
 * A PGlite dump of a freshly migrated database, cached in the OS temp folder across test files and runs.
 * Keyed by the migrations and the PGlite version, so a new migration makes a new template.
 */
async function migratedTemplate(): Promise<Blob> {
  const file = path.join(tmpdir(), `hred-chat-pglite-template-${await templateKey()}.tar`);
  const cached = await readFile(file).catch(() => null);
  if (cached) return new Blob([cached]);
  const db = await PGlite.create('memory://');
  try {
    await applyMigrations(new PrismaPGlite(db));
    const dump = await db.dumpDataDir('none');
    const partial = `${file}.${process.pid}`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, file); // atomic: parallel jest workers never read half a file
    return dump;
  } finally {
    await db.close();
  }
}

async function templateKey(): Promise<string> {
  const pglitePackage = path.join(path.dirname(require.resolve('@electric-sql/pglite')), '..', 'package.json');
  const hash = createHash('sha256').update(await readFile(pglitePackage));
  const migrations = path.join(PRISMA_DIR, 'migrations');
  for (const folder of (await readdir(migrations)).sort()) {
    const sql = await readFile(path.join(migrations, folder, 'migration.sql')).catch(() => null);
    if (sql) hash.update(folder).update(sql);
  }
  return hash.digest('hex').slice(0, 16);
}
