import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { openDatabase } from '../../src/database/database-target';
import { applyMigrations, pendingSchemaChanges, PRISMA_DIR } from '../../src/database/migrator';
import { PrismaService } from '../../src/database/prisma.service';
import { createEmptyDatabase, type EmptyDatabase } from '../support/test-database';

const migrationsDir = path.join(PRISMA_DIR, 'migrations');
const migrationNames = readdirSync(migrationsDir, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

describe('migrations', () => {
  let empty: EmptyDatabase;
  beforeAll(async () => {
    empty = await createEmptyDatabase();
  });
  afterAll(() => empty?.drop());

  it(`apply to an empty database; a second run changes nothing; the SQL is what Prisma generates for schema.prisma`, async () => {
    const database = await openDatabase(empty.target);
    try {
      expect(await applyMigrations(database.adapter)).toEqual(migrationNames);
      expect(await applyMigrations(database.adapter)).toEqual([]);
      // Drift (`npm run db:check`) needs a shadow database: PGlite brings one in memory. On PostgreSQL, adapter-pg 7.10
      // would use the main database as the shadow (it keeps the connection string), so this runs on PGlite only.
      if (database.engine === 'pglite') expect(await pendingSchemaChanges(database.adapter)).toBe('');
    } finally {
      await database.close();
    }
  });

  it('are recorded like `prisma migrate deploy` does, and the data survives reopening', async () => {
    const prisma = await PrismaService.open(empty.target);
    try {
      const rows = await prisma.$queryRaw<{ migration_name: string; checksum: string; finished_at: Date | null }[]>`
        SELECT migration_name, checksum, finished_at FROM _prisma_migrations ORDER BY migration_name`;
      expect(rows.map((r) => r.migration_name)).toEqual(migrationNames);
      for (const row of rows) {
        const sql = readFileSync(path.join(migrationsDir, row.migration_name, 'migration.sql'));
        expect(row.checksum).toBe(createHash('sha256').update(sql).digest('hex'));
        expect(row.finished_at).not.toBeNull();
      }
      await prisma.conversation.create({ data: { id: '6f1c1c1e-8a5b-4c1e-9a53-3d1c2b7f4a10', tokenHash: 'x' } });
    } finally {
      await prisma.close();
    }
    const reopened = await PrismaService.open(empty.target);
    try {
      expect(await reopened.conversation.count()).toBe(1);
    } finally {
      await reopened.close();
    }
  });

  it('keep the lock file Prisma writes', () => {
    expect(readFileSync(path.join(migrationsDir, 'migration_lock.toml'), 'utf8')).toMatch(/^provider = "postgresql"$/m);
  });
});
