import { GREEDY_REPLIES } from '../support/greedy-replies';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Injectable, type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { load } from 'js-yaml';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { parseConfig } from '../../src/config';
import { PrismaService } from '../../src/database/prisma.service';
import { type HealthContributor, healthContributor } from '../../src/health';
import { ModelVersionsService } from '../../src/model-versions/model-versions.service';
import { writeTinyModel } from '../chat/chat-test-app';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

const ADMIN_TOKEN = 'health-admin-token-0123456789';

@Injectable()
class FakeBackendHealth implements HealthContributor {
  readonly name = 'backend';
  ok = true;
  async check() {
    return { name: 'wasm', ok: this.ok };
  }
}

/** Stands for a model module registering its contributor without touching health code. */
@Module({ providers: [FakeBackendHealth, healthContributor(FakeBackendHealth)], exports: [FakeBackendHealth] })
class FakeBackendModule {}

describe('health endpoints', () => {
  let db: TestDatabase;
  let app: INestApplication;
  let modelsDir: string;
  const http = () => request(app.getHttpServer());

  beforeAll(async () => {
    db = await createTestDatabase();
    // An empty MODELS_DIR: the service starts with no model, as after a fresh install without shipped models.
    modelsDir = await mkdtemp(path.join(tmpdir(), 'hred-health-models-'));
    const config = parseConfig({ LOG_LEVEL: 'silent', ADMIN_TOKEN, MODELS_DIR: modelsDir, DATA_DIR: modelsDir, TF_BACKEND: 'wasm', DECODER_THREADS: '1', DEFAULT_DECODING: GREEDY_REPLIES });
    const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config), FakeBackendModule] })
      .overrideProvider(PrismaService)
      .useValue(db.prisma)
      .compile();
    app = moduleRef.createNestApplication();
    app.enableShutdownHooks();
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await db?.close();
    await rm(modelsDir, { recursive: true, force: true });
  });

  it('GET /health/live answers while the process serves', async () => {
    expect((await http().get('/health/live').expect(200)).body).toEqual({ status: 'ok' });
  });

  // Before: /health answered ok with no model loaded, while every conversation:start failed.
  it('GET /health/ready is 503 with a reason code until a model of each offered kind is loaded', async () => {
    expect((await http().get('/health/ready').expect(503)).body).toEqual({ status: 'not_ready', reasons: ['model_not_loaded:hred'] });
    const versions = app.get(ModelVersionsService);
    const hred = await versions.register(await writeTinyModel(path.join(modelsDir, 'hred-tiny'), 'hred', 1), { kind: 'hred', name: 'hred-tiny' });
    const vhred = await versions.register(await writeTinyModel(path.join(modelsDir, 'vhred-tiny'), 'vhred', 2), { kind: 'vhred', name: 'vhred-tiny' });
    await versions.activate(hred.id);
    expect((await http().get('/health/ready').expect(200)).body).toEqual({ status: 'ready' });
    // A kind with an active version is offered too: it must be loaded as well.
    await versions.activate(vhred.id);
    expect((await http().get('/health/ready').expect(200)).body).toEqual({ status: 'ready' });
  });

  it('readiness says database_unreachable, and nothing of the error, when the database does not answer', async () => {
    const query = jest.spyOn(db.prisma, '$queryRaw').mockRejectedValue(new Error('connect ECONNREFUSED /var/run/secret-socket'));
    try {
      const ready = await http().get('/health/ready').expect(503);
      expect(ready.body).toEqual({ status: 'not_ready', reasons: ['database_unreachable'] });
      const pub = await http().get('/health').expect(503);
      expect(pub.body).toEqual({ status: 'error' });
      const details = await http().get('/health').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(503);
      expect(details.body).toMatchObject({ status: 'error', reasons: ['database_unreachable'], database: { ok: false, error: expect.stringContaining('ECONNREFUSED') } });
    } finally {
      query.mockRestore();
    }
  });

  // Before: /health told anyone the model folders, version ids, the BLAS build and the database error text.
  it('GET /health is the status alone without the admin token, the details with it', async () => {
    for (const auth of [undefined, 'Bearer wrong-token-0123456789', `Basic ${ADMIN_TOKEN}`]) {
      const test = http().get('/health');
      const response = await (auth ? test.set('Authorization', auth) : test).expect(200);
      expect(response.body).toEqual({ status: 'ok' });
    }
    const details = await http().get('/health').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(200);
    expect(details.body).toMatchObject({
      status: 'ok',
      reasons: [],
      database: { engine: db.target.engine, ok: true },
      backend: { name: 'wasm', ok: true },
      generation: { ok: true, backend: { name: 'wasm' }, models: expect.arrayContaining([expect.objectContaining({ kind: 'hred', dir: expect.any(String) })]) },
      models: { ok: true, active: { hred: expect.any(String), vhred: expect.any(String) } },
    });
  });

  it('a contributor reporting a fault turns /health to 503 (readiness is about serving, not every section)', async () => {
    app.get(FakeBackendHealth).ok = false;
    try {
      expect((await http().get('/health').expect(503)).body).toEqual({ status: 'error' });
      const details = await http().get('/health').set('Authorization', `Bearer ${ADMIN_TOKEN}`).expect(503);
      expect(details.body).toMatchObject({ status: 'error', backend: { ok: false }, database: { ok: true } });
    } finally {
      app.get(FakeBackendHealth).ok = true;
    }
  });
});

describe('container health checks', () => {
  // No Docker engine here: the files are parsed and checked for what the engine would run.
  const root = path.resolve(__dirname, '..', '..');
  const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

  it('the Dockerfile HEALTHCHECK asks /health/ready', () => {
    const healthcheck = /^HEALTHCHECK .*\\\n\s+CMD (.+)$/m.exec(read('Dockerfile'));
    expect(healthcheck?.[1]).toContain("'/health/ready'");
  });

  it('docker-compose.yml parses; every app service checks readiness and the load balancer waits for it', () => {
    type Service = { healthcheck?: { test?: string[]; disable?: boolean }; depends_on?: Record<string, { condition: string }>; profiles?: string[] };
    const parsed = load(read('docker-compose.yml')) as { services: Record<string, Service & { '<<'?: Service }> };
    // js-yaml 5 leaves YAML merge keys (`<<: *app`) to the reader; Compose merges them shallowly, as here.
    const compose = { services: Object.fromEntries(Object.entries(parsed.services).map(([name, { '<<': base, ...own }]) => [name, { ...base, ...own } as Service])) };
    for (const name of ['app', 'app-2']) {
      const test = compose.services[name].healthcheck?.test ?? [];
      expect(test[0]).toBe('CMD');
      expect(test.join(' ')).toContain('/health/ready');
    }
    expect(compose.services.worker.healthcheck).toEqual({ disable: true });
    expect(compose.services.lb.depends_on).toEqual({ app: { condition: 'service_healthy' }, 'app-2': { condition: 'service_healthy' } });
    expect(compose.services.app.depends_on?.db).toEqual({ condition: 'service_healthy' });
  });
});
