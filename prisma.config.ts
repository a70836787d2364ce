// Prisma CLI configuration. The app itself never reads this file: it applies migrations with the
// wasm schema engine (src/database/migrator.ts) because the CLI's native engine cannot be downloaded offline.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'prisma/schema.prisma',
  migrations: { path: 'prisma/migrations' },
  // Only CLI commands that touch a database need it (e.g. `prisma migrate deploy` where the native engine exists).
  datasource: { url: process.env.DATABASE_URL ?? '' },
});
