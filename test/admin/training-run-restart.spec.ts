/**
 * A run survives the service stopping: shutdown marks it interrupted, a start-up after a crash (row left
 * `running`) does too, and POST …/resume finishes it from its last checkpoint.
 */
import type { INestApplication } from '@nestjs/common';
import { TrainingRunEvents, type TrainingRunEvent } from '../../src/admin/training-run-events';
import type { DatabaseTarget } from '../../src/database/database-target';
import { PrismaService } from '../../src/database/prisma.service';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { admin, type AdminTestDirs, adminTestDirs, startAdminApp, TINY_HYPERPARAMETERS, waitForRun } from './admin-test-app';

/** Three epochs of six steps; a checkpoint at each epoch's end. */
const HYPERPARAMETERS = { ...TINY_HYPERPARAMETERS, batchSize: 1, maxEpochs: 3 };

/** The same database again, for the next "process" (the first app's close closed its client). */
function reopened(target: DatabaseTarget): DatabaseTarget {
  return target.engine === 'pglite' ? { engine: 'pglite', dataDir: target.dataDir } : target;
}

function nextEvent(app: INestApplication, runId: string, matches: (e: TrainingRunEvent) => boolean): Promise<TrainingRunEvent> {
  return new Promise((resolve) => {
    const unsubscribe = app.get(TrainingRunEvents).subscribe(runId, (event) => {
      if (!matches(event)) return;
      unsubscribe();
      resolve(event);
    });
  });
}

describe('training runs across a restart', () => {
  let db: TestDatabase;
  let dirs: AdminTestDirs;
  let restarted: INestApplication | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
    dirs = await adminTestDirs();
  });
  afterAll(async () => {
    await restarted?.close();
    await db?.close();
  });

  it('marks the run interrupted at shutdown and at the next start, and resume finishes it from its checkpoint', async () => {
    const first = await startAdminApp(db.prisma, dirs);
    const { body } = await admin(first)
      .post('/admin/training-runs', { kind: 'hred', dataset: { source: 'corpus', path: 'train.jsonl' }, hyperparameters: HYPERPARAMETERS })
      .expect(202);
    const runId: string = body.id;
    // The first epoch has ended (so a checkpoint exists) and two remain: stop the service now.
    await nextEvent(first, runId, (e) => e.type === 'progress' && e.progress.phase === 'training' && e.progress.epoch === 1);
    await first.close();

    const prisma = await PrismaService.open(reopened(db.target));
    const afterShutdown = await prisma.trainingRun.findUniqueOrThrow({ where: { id: runId } });
    expect(afterShutdown.status).toBe('interrupted');

    // A crash leaves the row `running`; the next start must not leave it so.
    await prisma.trainingRun.update({ where: { id: runId }, data: { status: 'running' } });
    restarted = await startAdminApp(prisma, dirs);
    const interrupted = (await admin(restarted).get(`/admin/training-runs/${runId}`).expect(200)).body;
    expect(interrupted).toMatchObject({ status: 'interrupted', error: expect.stringContaining('resume') });

    const resumedAt = nextEvent(restarted, runId, (e) => e.type === 'progress' && /^resumed at step/.test(e.progress.message ?? ''));
    expect((await admin(restarted).post(`/admin/training-runs/${runId}/resume`).expect(202)).body).toEqual({ id: runId, status: 'queued' });
    const resumed = await resumedAt;
    expect(resumed.type === 'progress' && resumed.progress.step).toBeGreaterThanOrEqual(6);

    const done = await waitForRun(restarted, runId, (r) => !['queued', 'running'].includes(r.status));
    expect(done).toMatchObject({ status: 'succeeded', error: null, metrics: { steps: 18, epochs: 3 }, modelVersionId: expect.any(String) });
  });
});
