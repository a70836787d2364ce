import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The service's version, package.json's, as the published API documents state it. Read at run time: the build's
 * rootDir is src/, so package.json cannot be imported; src/api-docs and dist/api-docs both sit two folders below it.
 */
export const SERVICE_VERSION: string = (JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string }).version;
