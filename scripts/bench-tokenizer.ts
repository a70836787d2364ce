/**
 * Tokenizer encode throughput on DailyDialog train text, one JSON line per kind:
 * {"impl":"project","metric":"tokenizer_encode_mb_per_s","kind":"word"|"subword","value":...}
 * MB = 10^6 bytes of raw UTF-8 turn text. Both tokenizers are built on the same text with 8,000 entries
 * (the benchmark's `small`), then encode every turn once to warm up (the subword word cache fills) and
 * `--runs` more times; the figure is the median run. Corpus: $CORPUS_DIR (default ../shared/data).
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildWordTokenizer } from '../src/tokenization/build-word-tokenizer';
import { readTurns } from '../src/tokenization/corpus-reader';
import { trainSubwordTokenizer } from '../src/tokenization/train-subword-tokenizer';
import { Tokenizer } from '../src/tokenization/tokenizer';

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

function encodeMbPerS(tokenizer: Tokenizer, turns: readonly string[], bytes: number, runs: number): number {
  for (const turn of turns) tokenizer.encode(turn);
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    const start = process.hrtime.bigint();
    for (const turn of turns) tokenizer.encode(turn);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    rates.push(bytes / 1e6 / seconds);
  }
  return median(rates);
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } });
  const corpusDir = resolve(process.env.CORPUS_DIR ?? '../shared/data');
  const turns: string[] = [];
  for await (const turn of readTurns(resolve(corpusDir, 'dailydialog/train.jsonl'))) turns.push(turn);
  const bytes = turns.reduce((sum, turn) => sum + Buffer.byteLength(turn, 'utf8'), 0);
  const tokenizers: Tokenizer[] = [
    await buildWordTokenizer(turns, { maxSize: 8000 }),
    await trainSubwordTokenizer(turns, { vocabSize: 8000 }),
  ];
  for (const tokenizer of tokenizers) {
    const value = encodeMbPerS(tokenizer, turns, bytes, Number(values.runs));
    console.log(JSON.stringify({ impl: 'project', metric: 'tokenizer_encode_mb_per_s', kind: tokenizer.kind, value: Number(value.toFixed(2)) }));
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
