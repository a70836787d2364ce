/**
 * Load figures of issue 19: the real server (a child process, the shipped models, their default decoding) answering
 * 50 and 200 socket.io clients, each sending its next message when its reply ends, 5 messages each
 * (scripts/bench/load-clients.ts), on the embedded database and on PostgreSQL:
 *   load_ttft_ms          p50 and p95, from message:send to the reply's first reply:token
 *   load_replies_per_s    replies completed per second over the whole run
 *   load_turns_lost, load_turns_duplicated   turns stored, counted by every client resuming its conversation
 * PostgreSQL: BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres), on a throwaway database;
 * skipped, with a line saying why, when the server cannot be reached. All clients share one address, so the
 * per-address limits are lifted (test/support/permissive-limits.ts); the reply queue keeps its defaults.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startServer } from '../../test/support/server-process';
import { createEmptyDatabase, type EmptyDatabase } from '../../test/support/test-database';
import { BenchContext, percentile } from './bench-context';
import { runLoad } from './load-clients';

const TURNS = 5;
const POSTGRES_URL = process.env.BENCH_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export async function benchLoad(ctx: BenchContext): Promise<void> {
  const dialogues = (await ctx.testDialogues(200, TURNS)).filter((d) => d.slice(0, TURNS).every((turn) => turn.trim() !== ''));
  for (const database of ['pglite', 'postgresql'] as const) {
    const db = database === 'postgresql' ? await createEmptyDatabase({ serverUrl: POSTGRES_URL }).catch((error: Error) => error) : undefined;
    if (db instanceof Error) {
      console.log(JSON.stringify({ impl: 'project', metric: 'load_skipped', database, reason: db.message }));
      continue;
    }
    await onServer(db, async (url) => {
      await runLoad({ url, clients: 5, turns: 1, dialogues }); // warm-up: model weights paged in, kernels compiled
      for (const clients of ctx.quick ? [10] : [50, 200]) {
        const result = await runLoad({ url, clients, turns: TURNS, dialogues });
        const ms = [...result.firstTokenMs].sort((a, b) => a - b);
        const fields = { model: 'hred', database, clients, turns: TURNS };
        ctx.report({ ...fields, metric: 'load_ttft_ms', stat: 'p50', value: percentile(ms, 50) });
        ctx.report({ ...fields, metric: 'load_ttft_ms', stat: 'p95', value: percentile(ms, 95) });
        ctx.report({ ...fields, metric: 'load_replies_per_s', value: result.replies / result.seconds });
        ctx.report({ ...fields, metric: 'load_turns_lost', value: result.stored.lost, expected: result.stored.expected });
        ctx.report({ ...fields, metric: 'load_turns_duplicated', value: result.stored.duplicated, expected: result.stored.expected });
      }
    });
  }
}

/** A server on `db` (PostgreSQL) or on embedded PGlite in a temp folder, for `run`; then everything is removed. */
async function onServer(db: EmptyDatabase | undefined, run: (url: string) => Promise<void>): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), 'hred-load-'));
  try {
    const databaseUrl = db?.target.engine === 'postgres' ? db.target.url : '';
    const server = await startServer({
      DATA_DIR: dataDir,
      MODELS_DIR: resolve('models'),
      DATABASE_URL: databaseUrl,
      TF_BACKEND: process.env.TF_BACKEND ?? 'auto',
      CHAT_RATE_BURST: '1000',
      CHAT_RATE_PER_SECOND: '1000',
    });
    try {
      await run(server.url);
    } finally {
      await server.stop();
    }
  } finally {
    await db?.drop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
