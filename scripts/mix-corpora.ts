/**
 * Training data from several corpora: `npm run corpus:mix -- --out <file.jsonl> [--window 10 --stride 8] a.jsonl b.jsonl …`.
 * Dialogues longer than the window are cut into windows of `window` turns starting every `stride` turns, so turns
 * beyond the trainer's `maxTurns` become targets too (the trainer reads only a dialogue's first `maxTurns`); the
 * `window − stride` turns two windows share give each window's first reply some context. Lines are shuffled with a
 * seed so no corpus sits in one block. Ids keep their corpus' prefix plus `#w<start>`.
 */
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { SeededRandom, shuffle } from '../src/common/random';
import { Dialogue, readDialogues } from '../src/tokenization/corpus-reader';

export function windows(d: Dialogue, window: number, stride: number): Dialogue[] {
  if (d.turns.length <= window) return [d];
  const out: Dialogue[] = [];
  for (let start = 0; start + 1 < d.turns.length; start += stride) {
    out.push({ id: `${d.id}#w${start}`, turns: d.turns.slice(start, start + window) });
    if (start + window >= d.turns.length) break;
  }
  return out;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { out: { type: 'string' }, window: { type: 'string', default: '10' }, stride: { type: 'string', default: '8' }, seed: { type: 'string', default: '1' } },
  });
  const window = Number(values.window);
  const stride = Number(values.stride);
  if (!values.out || positionals.length === 0 || !(window >= 2) || !(stride >= 1 && stride < window)) {
    throw new Error('usage: npm run corpus:mix -- --out <file.jsonl> [--window N>=2] [--stride 1..N-1] [--seed S] <corpus.jsonl>…');
  }
  const all: Dialogue[] = [];
  for (const file of positionals) for await (const d of readDialogues(file, { malformed: 'throw' })) all.push(...windows(d, window, stride));
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
