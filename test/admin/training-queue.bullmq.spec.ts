/**
 * The BullMQ adapter against a real Redis: only when TEST_REDIS_URL is set (CI without Redis skips it).
 *   TEST_REDIS_URL=redis://127.0.0.1:6379 npx jest test/admin/training-queue.bullmq
 */
import { randomUUID } from 'node:crypto';
import { admin, TINY_HYPERPARAMETERS, useAdminApp, waitForRun } from './admin-test-app';

const redisUrl = process.env.TEST_REDIS_URL;

(redisUrl ? describe : describe.skip)('training runs through BullMQ (REDIS_URL)', () => {
  // A prefix of its own: suites running at the same time on the same Redis must not take each other's jobs.
  const suite = useAdminApp({ env: { REDIS_URL: redisUrl!, REDIS_PREFIX: `hred-test-${randomUUID()}` } });

  it('queues a second run instead of refusing it, runs both in turn, and cancels a waiting one', async () => {
    const post = () =>
      admin(suite.app)
        .post('/admin/training-runs', { kind: 'hred', dataset: { source: 'corpus', path: 'train.jsonl' }, hyperparameters: { ...TINY_HYPERPARAMETERS, maxEpochs: 1 } })
        .expect(202);
    const [a, b, c] = [(await post()).body.id, (await post()).body.id, (await post()).body.id];
    expect((await admin(suite.app).post(`/admin/training-runs/${c}/cancel`).expect(200)).body.status).toBe('cancelled');
    for (const id of [a, b]) expect((await waitForRun(suite.app, id, (r) => !['queued', 'running'].includes(r.status))).status).toBe('succeeded');
    expect((await admin(suite.app).get(`/admin/training-runs/${c}`).expect(200)).body.status).toBe('cancelled');
  });
});
