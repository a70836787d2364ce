/**
 * npm run load -- --url http://127.0.0.1:3000 [--clients 50] [--turns 5] [--decoding '{"strategy":"sample"}']
 * The chat load of issue 19 against a running server (scripts/bench/load-clients.ts), e.g. one started with
 * `node --cpu-prof -r @swc-node/register src/main.ts` to see where its main thread spends the time.
 * Prints one JSON line: first-token p50/p95, replies/s, turns stored (lost, duplicated).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { readDialogues } from '../src/tokenization/corpus-reader';
import { percentile } from './bench/bench-context';
import { runLoad } from './bench/load-clients';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { url: { type: 'string', default: 'http://127.0.0.1:3000' }, clients: { type: 'string', default: '50' }, turns: { type: 'string', default: '5' }, decoding: { type: 'string' } },
  });
  const clients = Number(values.clients);
  const turns = Number(values.turns);
  const dialogues: string[][] = [];
  for await (const d of readDialogues(resolve(process.env.CORPUS_DIR ?? '../shared/data', 'dailydialog', 'test.jsonl'))) {
    if (d.turns.length >= turns) dialogues.push(d.turns);
    if (dialogues.length === clients) break;
  }
  const start = values.decoding ? { decoding: JSON.parse(values.decoding) as object } : {};
  const result = await runLoad({ url: values.url, clients, turns, dialogues, start });
  const ms = [...result.firstTokenMs].sort((a, b) => a - b);
  console.log(JSON.stringify({ clients, turns, ttftP50: percentile(ms, 50), ttftP95: percentile(ms, 95), repliesPerS: result.replies / result.seconds, stored: result.stored }));
}

main().catch((error: Error) => {
  console.error(`load: ${error.message}`);
  process.exit(1);
});
