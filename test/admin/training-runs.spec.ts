/**
 * Training runs through the API on a tiny model and the six-dialogue corpus: queued → running →
 * succeeded with SSE progress, the model version it registers and activates, cancel mid-run, one run at
 * a time, and the chat answering while a run trains.
 */
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { ConversationsService } from '../../src/conversations/conversations.service';
import { callOk, type ChatSocket, connect, recordReplies } from '../chat/chat-test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { admin, type AdminTestDirs, adminTestDirs, appUrl, readRunEvents, startAdminApp, TINY_HYPERPARAMETERS, waitForRun } from './admin-test-app';

/** Sends one message over /chat and waits for the whole reply: its reply:start and reply:end. */
async function chatReply(socket: ChatSocket, conversationId: string, text: string) {
  const recorder = recordReplies(socket);
  await callOk(socket, 'message:send', { conversationId, text });
  const [reply] = await recorder.ended(1);
  socket.off('reply:start');
  socket.off('reply:token');
  socket.off('reply:end');
  return { model: reply.start.model, end: reply.end! };
}

async function startConversation(socket: ChatSocket, model: string): Promise<string> {
  const started = await callOk<{ conversationId: string }>(socket, 'conversation:start', { model, decoding: { strategy: 'greedy', maxTokens: 8 } });
  return started.conversationId;
}

describe('training runs through the admin API', () => {
  let db: TestDatabase;
  let dirs: AdminTestDirs;
  let app: INestApplication;
  let socket: ChatSocket;
  let versionId: string;

  beforeAll(async () => {
    db = await createTestDatabase();
    dirs = await adminTestDirs();
    app = await startAdminApp(db.prisma, dirs);
    socket = await connect(await appUrl(app));
  });
  afterAll(async () => {
    socket?.disconnect();
    await app?.close();
    await db?.close();
  });

  it('trains a model: queued → running → succeeded, with progress over SSE and a model version', async () => {
    const created = await admin(app)
      .post('/admin/training-runs', { kind: 'hred', dataset: { source: 'corpus', path: 'train.jsonl' }, hyperparameters: TINY_HYPERPARAMETERS })
      .expect(202);
    expect(created.body).toEqual({ id: expect.any(String), status: 'queued' });
    const runId: string = created.body.id;

    const events = await readRunEvents(app, runId);
    const statuses = events.filter((e) => e.event === 'status').map((e) => e.data.status);
    expect(statuses).toContain('running');
    expect(statuses[statuses.length - 1]).toBe('succeeded');
    const progress = events.filter((e) => e.event === 'progress').map((e) => e.data);
    expect(progress.some((p) => p.phase === 'training' && p.step > 0 && p.loss > 0)).toBe(true);
    versionId = events[events.length - 1].data.modelVersionId;

    const run = (await admin(app).get(`/admin/training-runs/${runId}`).expect(200)).body;
    expect(run).toMatchObject({ id: runId, status: 'succeeded', kind: 'hred', error: null, modelVersionId: versionId });
    expect(run.progress).toMatchObject({ phase: 'done' });
    expect(run.metrics).toMatchObject({ stoppedBy: 'max-epochs', steps: 6, epochs: 2 });
    expect(run.metrics.best.validationPerplexity).toBeGreaterThan(0);
    expect((await admin(app).get('/admin/training-runs').expect(200)).body.map((r: { id: string }) => r.id)).toContain(runId);

    // Registered in place under DATA_DIR/runs/<id>/model, not activated; its checkpoints are gone.
    const version = (await admin(app).get(`/admin/models/${versionId}`).expect(200)).body;
    expect(version).toMatchObject({ kind: 'hred', name: `hred-${runId.slice(0, 8)}`, isActive: false, trainingRunId: runId });
    expect(version.filesPath).toBe(path.join(dirs.dataDir, 'runs', runId, 'model'));
    expect(version.metrics.best.validationPerplexity).toBe(run.metrics.best.validationPerplexity);
    expect(existsSync(path.join(dirs.dataDir, 'runs', runId, 'checkpoints'))).toBe(false);
    expect((await admin(app).get('/admin/models').expect(200)).body.map((v: { id: string }) => v.id)).toContain(versionId);
  });

  it('activates the new version: the next chat reply carries its version id', async () => {
    // The temp MODELS_DIR is empty, so the new version is the only hred: a conversation needs it active to start.
    const refused = await socket.timeout(30_000).emitWithAck('conversation:start', { model: 'hred' });
    expect(refused).toMatchObject({ ok: false });

    const activated = await admin(app).post(`/admin/models/${versionId}/activate`).expect(200);
    expect(activated.body).toMatchObject({ id: versionId, isActive: true });
    const conversationId = await startConversation(socket, 'hred');
    const reply = await chatReply(socket, conversationId, 'hello there !');
    expect(reply.model).toMatchObject({ versionId, kind: 'hred' });
    expect(reply.end.finishReason).toMatch(/^(eos|length)$/);
  });

  it('refuses to delete the active version (409)', async () => {
    const response = await admin(app).delete(`/admin/models/${versionId}`).expect(409);
    expect(response.body.error.code).toBe('conflict');
  });

  it('fine-tunes the version with baseModelId, keeping its tokenizer', async () => {
    const dataset = { source: 'corpus', path: path.join(dirs.corpusDir, 'train.jsonl') }; // absolute, inside CORPUS_DIR
    const refused = await admin(app)
      .post('/admin/training-runs', { kind: 'hred', dataset, baseModelId: versionId, hyperparameters: { tokenizer: { vocabSize: 32 } } })
      .expect(400);
    expect(refused.body.error.message).toContain('hyperparameters.tokenizer');
    await admin(app).post('/admin/training-runs', { kind: 'vhred', dataset, baseModelId: versionId }).expect(400);

    const { body } = await admin(app)
      .post('/admin/training-runs', { kind: 'hred', dataset, baseModelId: versionId, hyperparameters: { batchSize: 3, maxEpochs: 1 } })
      .expect(202);
    const run = await waitForRun(app, body.id, (r) => r.status !== 'queued' && r.status !== 'running');
    expect(run).toMatchObject({ status: 'succeeded', baseModelId: versionId });
    const tuned = (await admin(app).get(`/admin/models/${run.modelVersionId}`).expect(200)).body;
    const base = (await admin(app).get(`/admin/models/${versionId}`).expect(200)).body;
    expect(tuned.config).toEqual(base.config);

    // Not active, so it can go; its files under DATA_DIR/runs go with it.
    await admin(app).delete(`/admin/models/${tuned.id}`).expect(204);
    await admin(app).get(`/admin/models/${tuned.id}`).expect(404);
    expect(existsSync(tuned.filesPath)).toBe(false);
  });

  it('keeps chatting while a run trains, refuses a second run (409), and cancels mid-run', async () => {
    const long = { ...TINY_HYPERPARAMETERS, batchSize: 1, maxEpochs: 1000 };
    const { body } = await admin(app)
      .post('/admin/training-runs', { kind: 'hred', dataset: { source: 'corpus', path: 'train.jsonl' }, hyperparameters: long })
      .expect(202);
    const runId: string = body.id;
    await waitForRun(app, runId, (r) => r.status === 'running' && (r.progress?.step ?? 0) > 0);

    const second = await admin(app).post('/admin/training-runs', { kind: 'hred', dataset: { source: 'corpus', path: 'train.jsonl' } }).expect(409);
    expect(second.body.error.message).toContain(runId);

    // A user chats over the socket while the run trains: the reply streams to its end on the active version.
    const conversationId = await startConversation(socket, 'hred');
    const started = Date.now();
    const firstReply = await chatReply(socket, conversationId, 'hello there !');
    const secondReply = await chatReply(socket, conversationId, 'hi , how are you ?');
    const replyMs = Date.now() - started;
    expect([firstReply.model.versionId, secondReply.model.versionId]).toEqual([versionId, versionId]);
    expect(secondReply.end.finishReason).toMatch(/^(eos|length)$/);
    expect((await admin(app).get(`/admin/training-runs/${runId}`).expect(200)).body.status).toBe('running');

    const cancelled = await admin(app).post(`/admin/training-runs/${runId}/cancel`).expect(200);
    expect(cancelled.body).toMatchObject({ id: runId, status: 'cancelled', finishedAt: expect.any(String), modelVersionId: null });
    expect(replyMs).toBeLessThan(10_000);
    // The slot is free again, and a cancelled run can be resumed.
    await admin(app).post(`/admin/training-runs/${runId}/resume`).expect(202);
    await admin(app).post(`/admin/training-runs/${runId}/cancel`).expect(200);
  });

  it('trains on exported conversations', async () => {
    const conversations = app.get(ConversationsService);
    for (const turns of [['hi there', 'hello !', 'how are you ?'], ['good morning', 'morning !']]) {
      const { id } = await conversations.start();
      for (const [i, text] of turns.entries()) {
        await conversations.appendTurn(id, i % 2 ? { speaker: 'bot', text, finishReason: 'complete' } : { speaker: 'user', text });
      }
    }
    const { body } = await admin(app)
      .post('/admin/training-runs', { kind: 'seq2seq', dataset: { source: 'conversations' }, hyperparameters: { ...TINY_HYPERPARAMETERS, maxEpochs: 1 } })
      .expect(202);
    const run = await waitForRun(app, body.id, (r) => r.status !== 'queued' && r.status !== 'running');
    expect(run).toMatchObject({ status: 'succeeded', dataset: { source: 'conversations' } });
    expect(existsSync(path.join(dirs.dataDir, 'runs', body.id, 'data', 'conversations.jsonl'))).toBe(true);
  });
});
