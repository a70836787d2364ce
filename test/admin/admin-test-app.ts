/**
 * Boots the whole application for admin API tests on a free port, as test/health does, with its own temp DATA_DIR,
 * MODELS_DIR and CORPUS_DIR (holding the tiny corpus as train.jsonl) and the wasm backend.
 */
import { GREEDY_REPLIES } from '../support/greedy-replies';
import type { INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { configureApp } from '../../src/app.setup';
import { parseConfig } from '../../src/config';
import { PrismaService } from '../../src/database/prisma.service';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { tempDir, writeCorpus } from '../support/tiny-corpus';

export const ADMIN_TOKEN = 'test-admin-token-0123456789';

/** A tiny model, two epochs of three steps on the six-dialogue corpus. */
export const TINY_HYPERPARAMETERS = { preset: 'tiny', tokenizer: { kind: 'word', vocabSize: 64 }, batchSize: 2, maxEpochs: 2 };

export interface AdminTestDirs {
  dataDir: string;
  modelsDir: string;
  corpusDir: string;
}

export async function adminTestDirs(): Promise<AdminTestDirs> {
  const dirs = { dataDir: await tempDir('hred-admin-data-'), modelsDir: await tempDir('hred-admin-models-'), corpusDir: await tempDir('hred-admin-corpus-') };
  await writeCorpus(dirs.corpusDir);
  return dirs;
}

export async function startAdminApp(prisma: PrismaService, dirs: AdminTestDirs, env: Record<string, string> = {}): Promise<INestApplication> {
  const config = parseConfig({
    LOG_LEVEL: 'silent',
    ADMIN_TOKEN,
    DATA_DIR: dirs.dataDir,
    MODELS_DIR: dirs.modelsDir,
    CORPUS_DIR: dirs.corpusDir,
    TF_BACKEND: 'wasm',
    DECODER_THREADS: '1', DEFAULT_DECODING: GREEDY_REPLIES, // tests decode in their own thread unless they ask for decoder threads
    ...env,
  });
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config)] })
    .overrideProvider(PrismaService)
    .useValue(prisma)
    .compile();
  const app = moduleRef.createNestApplication();
  configureApp(app, config); // as main.ts: admin docs, shutdown hooks, the socket.io adapter (Redis with REDIS_URL)
  // Listening (not just init) so the tests can chat with it over socket.io as a user would.
  await app.listen(0, '127.0.0.1');
  return app;
}

/**
 * The jest set-up of an admin suite: a test database and folders, `prepare` (e.g. writing fixtures), then the app,
 * started in beforeAll and closed in afterAll. Read the fields inside tests, once beforeAll has set them.
 */
export function useAdminApp(options: { env?: Record<string, string>; prepare?: (dirs: AdminTestDirs) => Promise<unknown> } = {}) {
  const suite = {} as { db: TestDatabase; dirs: AdminTestDirs; app: INestApplication };
  beforeAll(async () => {
    suite.db = await createTestDatabase();
    suite.dirs = await adminTestDirs();
    await options.prepare?.(suite.dirs);
    suite.app = await startAdminApp(suite.db.prisma, suite.dirs, options.env);
  });
  afterAll(async () => {
    await suite.app?.close();
    await suite.db?.close();
  });
  return suite;
}

/** supertest with the admin token. */
export function admin(app: INestApplication) {
  const server = app.getHttpServer();
  const auth = (test: request.Test) => test.set('Authorization', `Bearer ${ADMIN_TOKEN}`);
  return {
    get: (url: string) => auth(request(server).get(url)),
    post: (url: string, body?: object) => auth(request(server).post(url)).send(body),
    delete: (url: string) => auth(request(server).delete(url)),
  };
}

/** Polls GET /admin/training-runs/:id until `done(run)` holds. */
export async function waitForRun(
  app: INestApplication,
  id: string,
  done: (run: { status: string; progress: { step?: number } | null }) => boolean,
  timeoutMs = 60_000,
): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await admin(app).get(`/admin/training-runs/${id}`).expect(200);
    if (done(body)) return body;
    if (Date.now() > deadline) throw new Error(`run ${id} still ${body.status} after ${timeoutMs} ms: ${JSON.stringify(body)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const FINAL = ['succeeded', 'failed', 'cancelled', 'interrupted'];

/** The URL a socket.io client connects to. */
export async function appUrl(app: INestApplication): Promise<string> {
  return (await app.getUrl()).replace('[::1]', '127.0.0.1');
}

export interface ServerSentEvent {
  event: string;
  data: Record<string, any>;
}

/** Reads a run's SSE stream (GET /admin/training-runs/:id/events) to its end, the run's end, and parses its events. */
export async function readRunEvents(app: INestApplication, runId: string): Promise<ServerSentEvent[]> {
  const response = await admin(app)
    .get(`/admin/training-runs/${runId}/events`)
    .buffer(true)
    .parse((res, done) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => done(null, text));
    })
    .expect(200);
  return (response.body as string)
    .split('\n\n')
    .filter((block) => block.includes('data:'))
    .map((block) => {
      const field = (name: string) => block.split('\n').find((line) => line.startsWith(`${name}:`))?.slice(name.length + 1).trim();
      return { event: field('event') ?? 'message', data: JSON.parse(field('data')!) };
    });
}
