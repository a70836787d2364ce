// npm run docs:api: writes docs/openapi.json and docs/asyncapi.json from the code (src/api-docs).
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildApiDocuments } from '../src/api-docs/write-api-docs';

void buildApiDocuments().then((documents) => {
  for (const [file, text] of Object.entries(documents)) {
    writeFileSync(path.join(__dirname, '..', 'docs', file), text);
    console.log(`docs/${file} written`);
  }
});
