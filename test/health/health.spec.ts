import { Injectable, type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AppModule } from '../../src/app.module';
import { parseConfig } from '../../src/config';
import { PrismaService } from '../../src/database/prisma.service';
import { type HealthContributor, healthContributor } from '../../src/health';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

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

describe('GET /health', () => {
  let db: TestDatabase;
  let app: INestApplication;

  beforeAll(async () => {
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({
      imports: [AppModule.forRoot(parseConfig({ LOG_LEVEL: 'silent' })), FakeBackendModule],
    })
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
  });

  it('reports the database engine and each registered contributor', async () => {
    const response = await request(app.getHttpServer()).get('/health').expect(200);
    expect(response.body).toMatchObject({
      status: 'ok',
      database: { engine: db.target.engine, ok: true },
      backend: { name: 'wasm', ok: true },
      generation: { ok: true, models: expect.any(Array) },
    });
  });

  it('answers 503 when a contributor reports a fault', async () => {
    app.get(FakeBackendHealth).ok = false;
    const response = await request(app.getHttpServer()).get('/health').expect(503);
    expect(response.body).toMatchObject({ status: 'error', backend: { ok: false }, database: { ok: true } });
    app.get(FakeBackendHealth).ok = true;
  });
});
