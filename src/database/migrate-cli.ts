/**
 * Offline replacement for the Prisma CLI's migrate commands (its native engine cannot be downloaded here):
 *   deploy        apply pending migrations to DATABASE_URL, or to the embedded database in DATA_DIR (npm run db:migrate)
 *   check         exit 2 and print the SQL when prisma/migrations does not match schema.prisma (npm run db:check)
 *   new <name>    write a migration for the schema changes, like `prisma migrate dev --create-only` (npm run db:migration -- <name>)
 * check and new work on a throwaway in-memory database.
 */
import { loadConfigOrExit } from '../config';
import { databaseTarget, describeTarget, openDatabase } from './database-target';
import { applyMigrations, createMigration, pendingSchemaChanges } from './migrator';

async function main([command = 'deploy', name]: string[]): Promise<number> {
  if (command === 'deploy') {
    const target = databaseTarget(loadConfigOrExit());
    const applied = await withDatabase(target, applyMigrations);
    console.log(applied.length ? `Applied ${applied.join(', ')} to ${describeTarget(target)}` : `${describeTarget(target)} is up to date`);
    return 0;
  }
  const scratch = { engine: 'pglite', dataDir: 'memory://' } as const;
  if (command === 'check') {
    const sql = await withDatabase(scratch, pendingSchemaChanges);
    if (!sql) return console.log('prisma/migrations matches schema.prisma'), 0;
    console.log(`schema.prisma has changes without a migration (npm run db:migration -- <name>):\n${sql}`);
    return 2;
  }
  if (command === 'new' && name && /^\w+$/.test(name)) {
    const created = await withDatabase(scratch, (adapter) => createMigration(adapter, name));
    console.log(created ? `Created prisma/migrations/${created}/migration.sql` : 'No schema changes: no migration created');
    return 0;
  }
  console.error('Usage: migrate-cli deploy | check | new <name_in_snake_case>');
  return 1;
}

async function withDatabase<T>(target: Parameters<typeof openDatabase>[0], run: (adapter: Awaited<ReturnType<typeof openDatabase>>['adapter']) => Promise<T>) {
  const database = await openDatabase(target);
  try {
    return await run(database.adapter);
  } finally {
    await database.close();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`Migration failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
