import type { INestApplication } from '@nestjs/common';
import { SwaggerModule } from '@nestjs/swagger';
import { openApiDocument } from '../api-docs/openapi-document';
import type { AppConfig } from '../config';

export const ADMIN_DOCS_PATH = 'admin/docs';

/**
 * The OpenAPI UI at /admin/docs, the document at /admin/docs/json (docs/openapi.json, the same). Only when the admin
 * API is on (ADMIN_TOKEN set). The docs themselves need no token: they hold no data, and the UI's "Authorize" button
 * takes the token for the calls it makes.
 */
export function setupAdminDocs(app: INestApplication, config: Pick<AppConfig, 'adminToken'>): void {
  if (!config.adminToken) return;
  const document = openApiDocument(app);
  SwaggerModule.setup(ADMIN_DOCS_PATH, app, document, { jsonDocumentUrl: `${ADMIN_DOCS_PATH}/json`, yamlDocumentUrl: `${ADMIN_DOCS_PATH}/yaml` });
}
