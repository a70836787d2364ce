import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AdminModule } from '../admin/admin.module';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { HealthModule } from '../health';
import { OpenAiApiModule } from '../openai-api/openai-api.module';
import { SERVICE_VERSION } from './service-version';

/**
 * The HTTP API as OpenAPI 3: the OpenAI-compatible chat (/v1), the probes (/health), and the admin API (training
 * runs, model versions, comparisons; Bearer ADMIN_TOKEN). The same document is served at /admin/docs and committed
 * as docs/openapi.json (`npm run docs:api` writes it; test/api-docs checks that the file matches the code).
 */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const info = new DocumentBuilder()
    .setTitle('hred-chat HTTP API')
    .setVersion(SERVICE_VERSION)
    .setDescription(
      'The OpenAI-compatible chat (/v1: Bearer CHAT_API_KEYS when set), the health probes, and the admin API (/admin: every route ' +
        'needs `Authorization: Bearer <ADMIN_TOKEN>`). The chat over websockets is in docs/asyncapi.json.',
    )
    .addBearerAuth()
    .build();
  return SwaggerModule.createDocument(app, info, { include: [OpenAiApiModule, HealthModule, AdminModule, EvaluationModule] });
}
