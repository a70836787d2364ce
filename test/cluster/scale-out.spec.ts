/**
 * Two app instances and a training worker on one database and one Redis (TEST_REDIS_URL; skipped without it):
 * the socket.io Redis adapter joins their rooms, an activation on one instance reaches the other, and a run
 * submitted to one is trained by the worker with its progress visible on the other.
 *   TEST_REDIS_URL=redis://127.0.0.1:6379 npx jest test/cluster
 */
import { GREEDY_REPLIES } from '../support/greedy-replies';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { INestApplicationContext, INestApplication } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { parseConfig } from '../../src/config';
import { PrismaService } from '../../src/database/prisma.service';
import { ModelVersionsService } from '../../src/model-versions/model-versions.service';
import { WorkerModule } from '../../src/worker.module';
import { admin, ADMIN_TOKEN, type AdminTestDirs, adminTestDirs, appUrl, readRunEvents, startAdminApp, TINY_HYPERPARAMETERS } from '../admin/admin-test-app';
import { callOk, type ChatSocket, connect, keepOpen, recordReplies, writeTinyModel } from '../chat/chat-test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const redisUrl = process.env.TEST_REDIS_URL;

(redisUrl ? describe : describe.skip)('scale-out on Redis: two instances and a worker', () => {
  let db: TestDatabase;
  let dirs: AdminTestDirs;
  let a: INestApplication;
  let b: INestApplication;
  let worker: INestApplicationContext;
  const sockets: ChatSocket[] = [];
  let shippedId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dirs = await adminTestDirs();
    await writeTinyModel(path.join(dirs.modelsDir, 'hred-tiny'), 'hred', 1);
    // Its own prefix: other suites on the same Redis must not take these jobs or hear these messages.
    const env = { REDIS_URL: redisUrl!, REDIS_PREFIX: `hred-test-${randomUUID()}`, TRAINING_WORKER: 'false' };
    a = await startAdminApp(keepOpen(db.prisma), dirs, env);
    b = await startAdminApp(keepOpen(db.prisma), dirs, env);
    const config = parseConfig({ LOG_LEVEL: 'silent', ADMIN_TOKEN, DATA_DIR: dirs.dataDir, MODELS_DIR: dirs.modelsDir, CORPUS_DIR: dirs.corpusDir, TF_BACKEND: 'wasm', DECODER_THREADS: '1', DEFAULT_DECODING: GREEDY_REPLIES, ...env, TRAINING_WORKER: 'true' });
    const moduleRef = await Test.createTestingModule({ imports: [WorkerModule.forRoot(config)] })
      .overrideProvider(PrismaService)
      .useValue(keepOpen(db.prisma))
      .compile();
    worker = await moduleRef.init();
    shippedId = a.get(ModelVersionsService).activeVersionId('hred')!;
  });
  afterAll(async () => {
    sockets.forEach((s) => s.disconnect());
    await Promise.allSettled([a?.close(), b?.close(), worker?.close()]);
    await db?.close();
  });

  const client = async (app: INestApplication) => {
    const socket = await connect(await appUrl(app));
    sockets.push(socket);
    return socket;
  };

  it('a reply generated on instance A reaches the same conversation resumed on instance B', async () => {
    expect(shippedId).toBeDefined();
    const onA = await client(a);
    const started = await callOk<{ conversationId: string; resumeToken: string }>(onA, 'conversation:start', { model: 'hred', decoding: { maxTokens: 6 } });
    const onB = await client(b);
    await callOk(onB, 'conversation:resume', { conversationId: started.conversationId, resumeToken: started.resumeToken });

    const [seenOnA, seenOnB] = [recordReplies(onA), recordReplies(onB)];
    await callOk(onA, 'message:send', { conversationId: started.conversationId, text: 'hello there !' });
    const [replyA] = await seenOnA.ended(1);
    const [replyB] = await seenOnB.ended(1);
    expect(replyB.start.replyId).toBe(replyA.start.replyId);
    expect(replyB.tokens.map((t) => t.token)).toEqual(replyA.tokens.map((t) => t.token));
    expect(replyB.end!.text).toBe(replyA.end!.text);
    expect(replyA.start.model.versionId).toBe(shippedId);
  });

  it('a run submitted to B is trained by the worker, followed over SSE on A; activating it on B swaps A', async () => {
    const created = await admin(b)
      .post('/admin/training-runs', { kind: 'hred', dataset: { source: 'corpus', path: 'train.jsonl' }, hyperparameters: { ...TINY_HYPERPARAMETERS, maxEpochs: 1 } })
      .expect(202);
    const events = await readRunEvents(a, created.body.id);
    expect(events.some((e) => e.event === 'progress' && e.data.step > 0)).toBe(true);
    const final = events[events.length - 1];
    expect(final).toMatchObject({ event: 'status', data: { status: 'succeeded', modelVersionId: expect.any(String) } });
    const trainedId: string = final.data.modelVersionId;

    const onA = await client(a);
    const { conversationId } = await callOk<{ conversationId: string }>(onA, 'conversation:start', { model: 'hred', decoding: { maxTokens: 6 } });
    await admin(b).post(`/admin/models/${trainedId}/activate`).expect(200);
    const versionsOnA = a.get(ModelVersionsService);
    const deadline = Date.now() + 20_000;
    while (versionsOnA.activeVersionId('hred') !== trainedId && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    const replies = recordReplies(onA);
    await callOk(onA, 'message:send', { conversationId, text: 'good morning !' });
    const [reply] = await replies.ended(1);
    expect(reply.start.model.versionId).toBe(trainedId);
    expect(reply.end!.finishReason).toMatch(/^(eos|length)$/);
  });

  it('cancels on B a run that the worker is training', async () => {
    const long = { ...TINY_HYPERPARAMETERS, batchSize: 1, maxEpochs: 1000 };
    const { body } = await admin(b).post('/admin/training-runs', { kind: 'hred', dataset: { source: 'corpus', path: 'train.jsonl' }, hyperparameters: long }).expect(202);
    const deadline = Date.now() + 30_000;
    let run: { status: string; progress: { step?: number } | null } = (await admin(a).get(`/admin/training-runs/${body.id}`)).body;
    while (!(run.status === 'running' && (run.progress?.step ?? 0) > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      run = (await admin(a).get(`/admin/training-runs/${body.id}`)).body;
    }
    expect(run.status).toBe('running');
    const cancelled = await admin(b).post(`/admin/training-runs/${body.id}/cancel`).expect(200);
    expect(cancelled.body).toMatchObject({ id: body.id, status: 'cancelled' });
  });
});
