/**
 * The BullMQ adapter against a real Redis: only when TEST_REDIS_URL is set (CI without Redis skips it).
 *   TEST_REDIS_URL=redis://127.0.0.1:6379 npx jest test/admin/training-queue.bullmq
 */
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { admin, type AdminTestDirs, adminTestDirs, startAdminApp, TINY_HYPERPARAMETERS, waitForRun } from './admin-test-app';

const redisUrl = process.env.TEST_REDIS_URL;

(redisUrl ? describe : describe.skip)('training runs through BullMQ (REDIS_URL)', () => {
  let db: TestDatabase;
  let dirs: AdminTestDirs;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    dirs = await adminTestDirs();
    // A prefix of its own: suites running at the same time on the same Redis must not take each other's jobs.
    app = await startAdminApp(db.prisma, dirs, { REDIS_URL: redisUrl!, REDIS_PREFIX: `hred-test-${randomUUID()}` });
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
  });

  it('queues a second run instead of refusing it, runs both in turn, and cancels a waiting one', async () => {
    const post = () =>
      admin(app)
        .post('/admin/training-runs', { kind: 'hred', dataset: { source: 'corpus', path: 'train.jsonl' }, hyperparameters: { ...TINY_HYPERPARAMETERS, maxEpochs: 1 } })
        .expect(202);
    const [a, b, c] = [(await post()).body.id, (await post()).body.id, (await post()).body.id];
    expect((await admin(app).post(`/admin/training-runs/${c}/cancel`).expect(200)).body.status).toBe('cancelled');
    for (const id of [a, b]) expect((await waitForRun(app, id, (r) => !['queued', 'running'].includes(r.status))).status).toBe('succeeded');
    expect((await admin(app).get(`/admin/training-runs/${c}`).expect(200)).body.status).toBe('cancelled');
  });
});
