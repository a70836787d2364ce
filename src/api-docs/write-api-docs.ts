/**
 * Builds the published API documents from the code: docs/openapi.json (the HTTP API) and docs/asyncapi.json (the
 * socket.io chat). `npm run docs:api` writes them; test/api-docs compares the committed files with these.
 */
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { parseConfig } from '../config';
import { asyncApiDocument } from './asyncapi-document';
import { openApiDocument } from './openapi-document';

export interface ApiDocuments {
  'openapi.json': string;
  'asyncapi.json': string;
}

/** The documents as the files hold them: 2-space JSON and a final newline. */
export async function buildApiDocuments(): Promise<ApiDocuments> {
  // preview: the modules' graph without instantiating a provider, so no database, model or port is touched.
  const app = await NestFactory.create(AppModule.forRoot(parseConfig({ LOG_LEVEL: 'silent' })), { preview: true, logger: false });
  try {
    return { 'openapi.json': asJson(openApiDocument(app)), 'asyncapi.json': asJson(asyncApiDocument()) };
  } finally {
    await app.close();
  }
}

const asJson = (document: unknown) => `${JSON.stringify(document, null, 2)}\n`;
