import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { AppConfig } from '../config';
import { EvaluationModule } from '../evaluation/evaluation.module';
import { AdminModule } from './admin.module';

export const ADMIN_DOCS_PATH = 'admin/docs';

/**
 * OpenAPI for the admin API: the UI at /admin/docs, the document at /admin/docs/json. Only when the admin
 * API is on (ADMIN_TOKEN set). The docs themselves need no token: they hold no data, and the UI's
 * "Authorize" button takes the token for the calls it makes.
 */
export function setupAdminDocs(app: INestApplication, config: Pick<AppConfig, 'adminToken'>): void {
  if (!config.adminToken) return;
  const info = new DocumentBuilder()
    .setTitle('hred-chat admin API')
    .setDescription('Training runs, model versions and comparisons. Every route needs `Authorization: Bearer <ADMIN_TOKEN>`.')
    .addBearerAuth()
    .build();
  const document = SwaggerModule.createDocument(app, info, { include: [AdminModule, EvaluationModule] });
  SwaggerModule.setup(ADMIN_DOCS_PATH, app, document, { jsonDocumentUrl: `${ADMIN_DOCS_PATH}/json`, yamlDocumentUrl: `${ADMIN_DOCS_PATH}/yaml` });
}
