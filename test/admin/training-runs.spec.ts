/**
 * Training runs through the API on a tiny model and the six-dialogue corpus: queued → running →
 * succeeded with SSE progress, the model version it registers and activates, cancel mid-run, one run at
 * a time, and the chat answering while a run trains.
 */
import { existsSync, readFileSync } from 'node:fs';
import { realpath } from 'node:fs/promises';
import * as path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { ConversationsService } from '../../src/conversations/conversations.service';
import { isHeldOut } from '../../src/conversations/held-out';
import { TINY_DIALOGUES, writeCorpus } from '../support/tiny-corpus';
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

  /** Conversations stored as the chat stores them: user and bot turns alternating, the bot's unrated. */
  async function storeConversations(count: number, turnsFor: (id: string) => string[], options: { allowTraining?: boolean } = {}): Promise<string[]> {
    const conversations = app.get(ConversationsService);
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const { id } = await conversations.start(options);
      for (const [t, text] of turnsFor(id).entries()) {
        await conversations.appendTurn(id, t % 2 ? { speaker: 'bot', text, finishReason: 'complete' } : { speaker: 'user', text });
      }
      ids.push(id);
    }
    return ids;
  }
  const idsIn = (file: string) =>
    readFileSync(file, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => (JSON.parse(line) as { id: string }).id);

  it('trains on the conversations outside the held-out slice and validates on the slice, never on what it trained on', async () => {
    // The held-out conversations say the same words in another order: a model that only learnt the training
    // conversations must find them much harder. Validated on its own training file (as before), it would not.
    const seen = ['hello there !', 'hi !', 'how are you today ?', 'fine .', 'nice to meet you .'];
    const unseen = ['there hello !', 'hi !', 'today you how are ?', 'fine .', 'meet you nice to .'];
    const heldOutFraction = 0.5;
    const since = new Date().toISOString(); // the conversations of this test only
    const ids = await storeConversations(16, (id) => (isHeldOut(id, heldOutFraction) ? unseen : seen));
    const optedOut = await storeConversations(2, () => seen, { allowTraining: false });
    const { body } = await admin(app)
      .post('/admin/training-runs', {
        kind: 'seq2seq',
        dataset: { source: 'conversations', since, heldOutFraction },
        hyperparameters: { ...TINY_HYPERPARAMETERS, maxEpochs: 4, learningRate: 0.02 },
      })
      .expect(202);
    const run = await waitForRun(app, body.id, (r) => r.status !== 'queued' && r.status !== 'running');
    expect(run).toMatchObject({ status: 'succeeded', dataset: { source: 'conversations', heldOutFraction, replayRatio: 0 } });

    const data = path.join(dirs.dataDir, 'runs', body.id, 'data');
    const trained = idsIn(path.join(data, 'conversations-train.jsonl'));
    const heldOut = idsIn(path.join(data, 'conversations-held-out.jsonl'));
    expect(trained.filter((id) => heldOut.includes(id))).toEqual([]);
    expect(heldOut.sort()).toEqual(ids.filter((id) => isHeldOut(id, heldOutFraction)).sort());
    expect([...trained, ...heldOut].sort()).toEqual(ids.sort());
    expect([...trained, ...heldOut].filter((id) => optedOut.includes(id))).toEqual([]);
    expect(run.metrics).toMatchObject({ criterion: 'conversations', exported: { train: trained.length, heldOut: heldOut.length } });
    expect(run.metrics.baseline).toBeUndefined(); // trained from scratch: no base to compare with

    const last = run.metrics.history.at(-1);
    expect(last.validationPerplexity).toBeGreaterThan(2 * last.trainPerplexity);
  });

  it('fine-tunes on conversations with the base corpus replayed and scored; a version that did not beat its base needs force to go live', async () => {
    await writeCorpus(dirs.corpusDir, TINY_DIALOGUES.slice(0, 3), 'validation.jsonl');
    await storeConversations(12, () => ['hello there !', 'hi , how are you ?', 'what time is it ?', 'fine , thanks .', 'thank you .']);
    // A learning rate far too large: every epoch ends worse than the base model, and keep: last keeps the last one.
    const { body } = await admin(app)
      .post('/admin/training-runs', {
        kind: 'hred',
        baseModelId: versionId,
        dataset: { source: 'conversations', heldOutFraction: 0.5, corpus: { validationPath: 'validation.jsonl' } },
        hyperparameters: { batchSize: 2, maxEpochs: 2, learningRate: 0.5, keep: 'last' },
      })
      .expect(202);
    const run = await waitForRun(app, body.id, (r) => r.status !== 'queued' && r.status !== 'running');
    // The base model recorded its corpus (train.jsonl in CORPUS_DIR): replayed one for one.
    expect(run).toMatchObject({ status: 'succeeded', dataset: { corpusFile: await realpath(path.join(dirs.corpusDir, 'train.jsonl')), replayRatio: 1 } });
    const { baseline } = run.metrics;
    expect(baseline).toMatchObject({ beatBase: false, keptEpoch: 1 });
    expect(Object.keys(baseline.sets).sort()).toEqual(['conversations', 'corpus']);
    // forgotten: worse than the base on the corpus (JSON writes an overflowed perplexity as null)
    expect(run.metrics.history[0].validationSets.corpus ?? Infinity).toBeGreaterThan(baseline.sets.corpus.base);

    const tuned = (await admin(app).get(`/admin/models/${run.modelVersionId}`).expect(200)).body;
    expect(tuned.metrics.baseline).toEqual(baseline);
    const refused = await admin(app).post(`/admin/models/${tuned.id}/activate`).expect(409);
    expect(refused.body.error).toMatchObject({ code: 'conflict', message: expect.stringMatching(/did not beat its base model on held-out data \(conversations perplexity \S+ vs base [\d.]+, corpus perplexity/) });
    await admin(app).post(`/admin/models/${tuned.id}/activate`, { force: 'yes' }).expect(400);
    expect((await admin(app).get(`/admin/models/${versionId}`).expect(200)).body.isActive).toBe(true);

    await admin(app).post(`/admin/models/${tuned.id}/activate`, { force: true }).expect(200);
    expect((await admin(app).get(`/admin/models/${tuned.id}`).expect(200)).body.isActive).toBe(true);
    await admin(app).post(`/admin/models/${versionId}/activate`).expect(200); // the base has no baseline: no force needed
  });
});
