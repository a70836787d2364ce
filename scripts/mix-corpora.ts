/**
 * Training data from several corpora: `npm run corpus:mix -- --out <file.jsonl> [--window 10 --stride 8] a.jsonl b.jsonl …`.
 * Dialogues longer than the window are cut into windows (src/tokenization/dialogue-windows.ts), so turns beyond the
 * trainer's `maxTurns` become targets too. Lines are shuffled with a seed so no corpus sits in one block.
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { SeededRandom, shuffle } from '../src/common/random';
import { Dialogue, readDialogues } from '../src/tokenization/corpus-reader';
import { dialogueWindows } from '../src/tokenization/dialogue-windows';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, window: { type: 'string', default: '10' }, stride: { type: 'string', default: '8' }, seed: { type: 'string', default: '1' } },
  });
  const window = Number(values.window);
  const stride = Number(values.stride);
  if (!values.out || positionals.length === 0) {
    throw new Error('usage: npm run corpus:mix -- --out <file.jsonl> [--window N>=2] [--stride 1..N-1] [--seed S] <corpus.jsonl>…');
  }
  const all: Dialogue[] = [];
  for (const file of positionals) for await (const d of readDialogues(file, { malformed: 'throw' })) all.push(...dialogueWindows(d, window, stride));
  shuffle(all, new SeededRandom(Number(values.seed)));
  const out = createWriteStream(values.out);
  for (const d of all) out.write(`${JSON.stringify({ id: d.id, turns: d.turns })}\n`);
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  console.log(`${all.length} dialogues (windows of ≤ ${window} turns every ${stride}) → ${values.out}`);
}

if (require.main === module) {
  main().catch((e: Error) => {
    console.error(e.message);
    process.exit(1);
  });
}
