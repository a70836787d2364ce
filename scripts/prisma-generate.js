#!/usr/bin/env node
// Generates the Prisma client (src/generated/prisma, gitignored) offline.
// `prisma generate` only needs the schema, but the CLI first tries to download its native schema
// engine; pointing PRISMA_SCHEMA_ENGINE_BINARY at any existing file skips that download.
// Skips the work when the schema and the Prisma version are unchanged since the last run.
'use strict';
const { spawnSync } = require('node:child_process');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const schemaPath = path.join(root, 'prisma', 'schema.prisma');
const outputDir = path.join(root, 'src', 'generated', 'prisma');
const stampPath = path.join(outputDir, '.schema-hash');

const prismaVersion = require(path.join(root, 'node_modules', 'prisma', 'package.json')).version;
const hash = createHash('sha256')
  .update(prismaVersion)
  .update(fs.readFileSync(schemaPath))
  .update(fs.readFileSync(__filename))
  .digest('hex');

if (readOrNull(stampPath) === hash && fs.existsSync(path.join(outputDir, 'client.ts'))) process.exit(0);

const cli = path.join(root, 'node_modules', 'prisma', 'build', 'index.js');
const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schemaPath], {
  cwd: root,
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || __filename,
    CHECKPOINT_DISABLE: '1', // no update check: there is no network
    PRISMA_HIDE_UPDATE_MESSAGE: '1',
  },
});
if (result.status !== 0) {
  console.error(`prisma-generate: \`prisma generate\` failed (exit ${result.status ?? result.signal})`);
  process.exit(1);
}
fs.writeFileSync(stampPath, hash);

function readOrNull(file) {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}
