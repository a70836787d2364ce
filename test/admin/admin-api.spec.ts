/** The HTTP contract of the admin API: auth, validation, 404 and 409. No training runs here. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { INestApplication } from '@nestjs/common';
import request from 'supertest';
import { ModelVersionsService } from '../../src/model-versions/model-versions.service';
import { writeTinyModel } from '../chat/chat-test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';
import { admin, ADMIN_TOKEN, type AdminTestDirs, adminTestDirs, startAdminApp, TINY_HYPERPARAMETERS } from './admin-test-app';

const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';

describe('admin API contract', () => {
  let db: TestDatabase;
  let dirs: AdminTestDirs;
  let app: INestApplication;
  let appWithoutToken: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    dirs = await adminTestDirs();
    app = await startAdminApp(db.prisma, dirs);
    appWithoutToken = await startAdminApp(db.prisma, dirs, { ADMIN_TOKEN: '' });
  });
  afterAll(async () => {
    await appWithoutToken?.close();
    await app?.close();
    await db?.close();
  });

  describe('auth', () => {
    it('answers 401 without an Authorization header, and says how to authenticate', async () => {
      const response = await request(app.getHttpServer()).get('/admin/training-runs').expect(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="admin"');
      expect(response.body.error.code).toBe('unauthorized');
    });

    it.each([
      ['a wrong token', `Bearer ${ADMIN_TOKEN}x`],
      ['a prefix of the token', `Bearer ${ADMIN_TOKEN.slice(0, 10)}`],
      ['another scheme', `Basic ${ADMIN_TOKEN}`],
      ['an empty bearer', 'Bearer '],
    ])('answers 401 for %s, without echoing it', async (_, header) => {
      const response = await request(app.getHttpServer()).get('/admin/models').set('Authorization', header).expect(401);
      expect(JSON.stringify(response.body)).not.toContain(ADMIN_TOKEN.slice(0, 10));
    });

    it('answers 200 with the token', async () => {
      await admin(app).get('/admin/training-runs').expect(200);
    });

    it('is off (404) when no ADMIN_TOKEN is configured, even with a bearer token, and so are the docs', async () => {
      const server = appWithoutToken.getHttpServer();
      await request(server).get('/admin/training-runs').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(404);
      await request(server).post('/admin/training-runs').send({}).expect(404);
      await request(server).get('/admin/docs/json').expect(404);
    });
  });

  it('serves the OpenAPI document with the request body schema', async () => {
    const { body } = await request(app.getHttpServer()).get('/admin/docs/json').expect(200);
    expect(Object.keys(body.paths)).toEqual(
      expect.arrayContaining(['/admin/training-runs', '/admin/training-runs/{id}/events', '/admin/models/{id}/activate']),
    );
    const requestBody = body.paths['/admin/training-runs'].post.requestBody.content['application/json'].schema;
    expect(requestBody.properties.kind.enum).toEqual(['seq2seq', 'hred', 'vhred']);
    expect(body.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  describe('POST /admin/training-runs validation', () => {
    const corpus = { source: 'corpus', path: 'train.jsonl' };
    it.each([
      ['no kind', { dataset: corpus }, 'kind'],
      ['an unknown kind', { kind: 'gpt', dataset: corpus }, 'kind'],
      ['no dataset', { kind: 'hred' }, 'dataset'],
      ['an unknown source', { kind: 'hred', dataset: { source: 'web' } }, 'dataset.source'],
      ['a path outside the corpus and data folders', { kind: 'hred', dataset: { source: 'corpus', path: '../../etc/passwd' } }, 'dataset.path'],
      ['a missing corpus file', { kind: 'hred', dataset: { source: 'corpus', path: 'nope.jsonl' } }, 'dataset.path: file nope.jsonl not found'],
      ['a missing validation file', { kind: 'hred', dataset: { ...corpus, validationPath: 'nope.jsonl' } }, 'dataset.validationPath'],
      ['a bad rating', { kind: 'hred', dataset: { source: 'conversations', minRating: 0 } }, 'dataset.minRating'],
      ['a bad date', { kind: 'hred', dataset: { source: 'conversations', since: 'yesterday' } }, 'dataset.since'],
      ['a path among the hyperparameters', { kind: 'hred', dataset: corpus, hyperparameters: { outDir: '/tmp' } }, 'hyperparameters.outDir: unknown field'],
      ['a zero batch size', { kind: 'hred', dataset: corpus, hyperparameters: { batchSize: 0 } }, 'hyperparameters.batchSize'],
      ['a negative model shape', { kind: 'hred', dataset: corpus, hyperparameters: { model: { decoderUnits: -1 } } }, 'hyperparameters.model.decoderUnits'],
      ['vocabSize as a model shape', { kind: 'hred', dataset: corpus, hyperparameters: { model: { vocabSize: 9 } } }, 'hyperparameters.model.vocabSize'],
      ['a malformed baseModelId', { kind: 'hred', dataset: corpus, baseModelId: 'abc' }, 'baseModelId'],
      ['an unknown baseModelId', { kind: 'hred', dataset: corpus, baseModelId: UNKNOWN_ID }, `baseModelId: model version ${UNKNOWN_ID} not found`],
      ['an unknown field', { kind: 'hred', dataset: corpus, name: 'x' }, 'name: unknown field'],
    ])('answers 400 naming the field for %s', async (_, body, expected) => {
      const response = await admin(app).post('/admin/training-runs', body).expect(400);
      expect(response.body.error.code).toBe('invalid_input');
      expect(response.body.error.message).toContain(expected);
    });

    it('reports every invalid field at once', async () => {
      const response = await admin(app)
        .post('/admin/training-runs', { kind: 'hred', dataset: corpus, hyperparameters: { ...TINY_HYPERPARAMETERS, batchSize: -1, learningRate: 0 } })
        .expect(400);
      expect(response.body.error.message).toMatch(/hyperparameters\.batchSize: .*; hyperparameters\.learningRate: /);
    });
  });

  describe('unknown and malformed ids', () => {
    it.each([
      ['GET', '/admin/training-runs/not-a-uuid'],
      ['GET', `/admin/training-runs/${UNKNOWN_ID}`],
      ['GET', `/admin/training-runs/${UNKNOWN_ID}/events`],
      ['POST', `/admin/training-runs/${UNKNOWN_ID}/cancel`],
      ['POST', '/admin/training-runs/1/resume'],
      ['GET', '/admin/models/not-a-uuid'],
      ['GET', `/admin/models/${UNKNOWN_ID}`],
      ['POST', `/admin/models/${UNKNOWN_ID}/activate`],
      ['DELETE', `/admin/models/${UNKNOWN_ID}`],
    ])('%s %s answers 404', async (method, url) => {
      const client = admin(app);
      const response = await (method === 'GET' ? client.get(url) : method === 'POST' ? client.post(url) : client.delete(url)).expect(404);
      expect(response.body.error.code).toBe('not_found');
    });
  });

  describe('runs in a state that forbids the action', () => {
    let succeededId: string;
    beforeAll(async () => {
      const row = await db.prisma.trainingRun.create({ data: { kind: 'hred', status: 'succeeded', dataset: {}, hyperparameters: {} } });
      succeededId = row.id;
    });

    it('cannot cancel a run that has ended (409)', async () => {
      const response = await admin(app).post(`/admin/training-runs/${succeededId}/cancel`).expect(409);
      expect(response.body.error.message).toContain('is succeeded');
    });

    it('cannot resume a run that succeeded (409)', async () => {
      await admin(app).post(`/admin/training-runs/${succeededId}/resume`).expect(409);
    });

    it('streams the final status of an ended run and closes the stream', async () => {
      const response = await admin(app).get(`/admin/training-runs/${succeededId}/events`).expect(200);
      expect(response.headers['content-type']).toContain('text/event-stream');
      expect(response.text).toContain('event: status');
      expect(response.text).toContain('"status":"succeeded"');
    });
  });

  describe('model versions whose files are broken', () => {
    // Issue 22: a weights.bin replaced by other bytes of the same size was activated and served noise; then a bare 500.
    it('activation refuses weights that fail their checksum, in the documented error shape, naming the file', async () => {
      const dir = await writeTinyModel(path.join(dirs.dataDir, 'tampered-hred'), 'hred', 5);
      const version = await app.get(ModelVersionsService).register(dir, { kind: 'hred', name: 'tampered-hred' });
      const weights = path.join(dir, 'weights.bin');
      const bytes = await fs.readFile(weights);
      await fs.writeFile(weights, bytes.map((b) => b ^ 0x5a)); // same size, other bytes
      const response = await admin(app).post(`/admin/models/${version.id}/activate`).expect(409);
      expect(response.body).toEqual({ error: { code: 'conflict', message: expect.stringContaining(`model version ${version.id} cannot be loaded: ${weights}: sha256`) } });
      expect((await admin(app).get(`/admin/models/${version.id}`).expect(200)).body).toMatchObject({ isActive: false });
    });

    it('ids are canonical: an upper-case id names the same version', async () => {
      const dir = await writeTinyModel(path.join(dirs.dataDir, 'upper-hred'), 'hred', 6);
      const version = await app.get(ModelVersionsService).register(dir, { kind: 'hred', name: 'upper-hred' });
      const response = await admin(app).get(`/admin/models/${version.id.toUpperCase()}`).expect(200);
      expect(response.body.id).toBe(version.id);
    });
  });
});
