/**
 * The admin comparison endpoints on the whole application: auth, 202 then a worker-thread run to
 * `succeeded`, the JSON report with the chat's compare-mode win rate, and the HTML page.
 */
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ModelVersionsService } from '../../src/model-versions/model-versions.service';
import { admin, FINAL, useAdminApp } from '../admin/admin-test-app';
import { useTensorBackend } from '../support/tensor-backend';
import { writeComparisonFixtures } from './comparison-fixtures';

async function waitForComparison(app: INestApplication, id: string, timeoutMs = 90_000): Promise<Record<string, any>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await admin(app).get(`/admin/comparisons/${id}`).expect(200);
    if (FINAL.includes(body.status)) return body;
    if (Date.now() > deadline) throw new Error(`comparison ${id} still ${body.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('/admin/comparisons', () => {
  useTensorBackend(); // the fixtures' models are built in this thread
  const suite = useAdminApp({ prepare: (dirs) => writeComparisonFixtures(dirs.modelsDir, dirs.corpusDir, dirs.dataDir) });

  test('401 without the admin token', async () => {
    await request(suite.app.getHttpServer()).post('/admin/comparisons').send({ models: ['hred', 'vhred'] }).expect(401);
    await request(suite.app.getHttpServer()).get('/admin/comparisons/00000000-0000-0000-0000-000000000000').expect(401);
  });

  test('400 for a data file outside CORPUS_DIR, 404 for an unknown comparison', async () => {
    await admin(suite.app).post('/admin/comparisons', { models: ['hred', 'vhred'], data: '../etc/passwd' }).expect(400);
    await admin(suite.app).get('/admin/comparisons/00000000-0000-0000-0000-000000000000').expect(404);
    await admin(suite.app).post('/admin/comparisons/00000000-0000-0000-0000-000000000000/cancel').expect(404);
  });

  // Issue 22: a request without limit queued 208,940 decodes, and only a restart stopped it.
  test('limit has a maximum (and a default), and the cost is answered before anything runs', async () => {
    const tooMany = await admin(suite.app).post('/admin/comparisons', { models: ['hred', 'vhred'], data: 'test.jsonl', limit: 1001 }).expect(400);
    expect(tooMany.body.error).toMatchObject({ code: 'invalid_input', field: 'limit' });
    const created = await admin(suite.app).post('/admin/comparisons', { models: ['hred', 'vhred'], data: 'test.jsonl', samples: 1, temperatures: [1] }).expect(202);
    await admin(suite.app).post(`/admin/comparisons/${created.body.id}/cancel`);
    const { body } = await admin(suite.app).get(`/admin/comparisons/${created.body.id}`).expect(200);
    expect(body.params).toMatchObject({ limit: 200 });
    expect(created.body.cost.contexts).toBeLessThanOrEqual(200);
  });

  test('cancel: a queued comparison never starts, a running one stops; an ended one answers 409', async () => {
    const heavy = { models: ['hred', 'vhred'], data: 'test.jsonl', samples: 100, temperatures: [0.25, 0.5, 0.75, 1, 1.25, 1.5, 1.75, 2] };
    const first = (await admin(suite.app).post('/admin/comparisons', heavy).expect(202)).body;
    const second = (await admin(suite.app).post('/admin/comparisons', heavy).expect(202)).body;

    const queued = await admin(suite.app).post(`/admin/comparisons/${second.id}/cancel`).expect(200);
    expect(queued.body).toMatchObject({ id: second.id, status: 'cancelled', startedAt: null, error: expect.stringContaining('cancelled') });

    const deadline = Date.now() + 60_000;
    while ((await admin(suite.app).get(`/admin/comparisons/${first.id}`)).body.status !== 'running') {
      if (Date.now() > deadline) throw new Error('the first comparison never started');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const running = await admin(suite.app).post(`/admin/comparisons/${first.id.toUpperCase()}/cancel`).expect(200);
    expect(running.body).toMatchObject({ id: first.id, status: 'cancelled', startedAt: expect.any(String), finishedAt: expect.any(String), report: null });

    const again = await admin(suite.app).post(`/admin/comparisons/${first.id}/cancel`).expect(409);
    expect(again.body.error).toMatchObject({ code: 'conflict', message: expect.stringContaining('is cancelled') });
    expect((await admin(suite.app).get(`/admin/comparisons/${second.id}`).expect(200)).body).toMatchObject({ status: 'cancelled', startedAt: null });
  }, 120_000);

  test('202, then succeeded with the JSON report, the chat win rate and the HTML page', async () => {
    const versions = await suite.app.get(ModelVersionsService).list();
    const id = (kind: string) => versions.find((v) => v.kind === kind)!.id;
    const [hred, vhred] = [id('hred'), id('vhred')];
    // Compare-mode chat: two user messages, each answered by both versions; hred preferred once, vhred twice.
    const conversation = await suite.db.prisma.conversation.create({ data: { tokenHash: 'test', compareModelIds: [hred, vhred] } });
    const winners = [vhred, hred, vhred];
    for (const [i, winner] of winners.entries()) {
      for (const [j, version] of [hred, vhred].entries()) {
        await suite.db.prisma.turn.create({
          data: {
            conversationId: conversation.id,
            index: i * 2 + j,
            speaker: 'bot',
            text: 'reply',
            modelVersionId: version,
            ...(version === winner && { feedback: { create: { rating: 1, preferred: true } } }),
          },
        });
      }
    }

    const created = await admin(suite.app)
      .post('/admin/comparisons', { models: [hred, 'vhred'], data: 'test.jsonl', samples: 2, limit: 4, temperatures: [1], vectors: 'vectors.txt' })
      .expect(202);
    // The cost before it starts: 4 contexts × (VHRED 8 + HRED 4 decodes each, see decoding-modes.spec.ts).
    const cost = { contexts: 4, samples: 2, models: 2, decodes: 48 };
    expect(created.body).toEqual({ id: expect.any(String), status: 'queued', cost });
    expect((await admin(suite.app).get(`/admin/comparisons/${created.body.id}`).expect(200)).body.cost).toEqual(cost);
    await admin(suite.app).get(`/admin/comparisons/${created.body.id}/report`).expect((res) => expect([200, 409]).toContain(res.status));

    const done = await waitForComparison(suite.app, created.body.id);
    expect(done.error).toBeNull();
    expect(done.status).toBe('succeeded');
    expect(done.report.models.map((m: { kind: string }) => m.kind)).toEqual(['hred', 'vhred']);
    expect(done.report.settings.contexts).toBe(4);
    expect(done.report.protocols[0].figures[0].embeddingGreedy).toEqual(expect.any(Number));
    expect(done.report.preferences.winRate).toMatchObject({ wins: 1, losses: 2, n: 3 });
    expect(done.report.preferences.winRate.low).toBeLessThan(done.report.preferences.winRate.rate);

    const page = await admin(suite.app).get(`/admin/comparisons/${created.body.id}/report`).expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.text).toContain('<svg');
    expect(page.text).toContain('Chat preferences (compare mode)');
  });
});
