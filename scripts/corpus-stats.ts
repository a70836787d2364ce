/**
 * Corpus statistics: `npm run corpus:stats -- <file.jsonl|file.txt> [--vocab N] [--format jsonl|txt] [--json]`.
 * Malformed lines are reported on stderr and skipped.
 */
import { parseArgs } from 'node:util';
import { readDialogues } from '../src/tokenization/corpus-reader';
import { CorpusStats, computeCorpusStats } from '../src/tokenization/corpus-stats';

const USAGE = 'usage: npm run corpus:stats -- <file.jsonl|file.txt> [--vocab N] [--format jsonl|txt] [--json]';

function render(path: string, s: CorpusStats): string {
  const d = (x: CorpusStats['utteranceLength']) => `p50 ${x.p50}  p90 ${x.p90}  p99 ${x.p99}  max ${x.max}`;
  return [
    `corpus              ${path}`,
    `dialogues           ${s.dialogues.toLocaleString('en')}`,
    `turns               ${s.turns.toLocaleString('en')}`,
    `tokens (word)       ${s.tokens.toLocaleString('en')}`,
    `vocabulary          ${s.vocabularySize.toLocaleString('en')}`,
    `coverage @ ${String(s.coverage.topN).padEnd(8)} ${(s.coverage.share * 100).toFixed(2)}% of tokens`,
    `tokens / utterance  ${d(s.utteranceLength)}`,
    `turns / dialogue    ${d(s.turnsPerDialogue)}`,
  ].join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { vocab: { type: 'string', default: '7996' }, format: { type: 'string' }, json: { type: 'boolean', default: false } },
  });
  const topN = Number(values.vocab);
  const format = values.format;
  if (positionals.length !== 1 || !Number.isInteger(topN) || topN < 0 || (format !== undefined && format !== 'jsonl' && format !== 'txt')) {
    console.error(USAGE);
    process.exit(2);
  }
  const path = positionals[0]!;
  let skipped = 0;
  const dialogues = readDialogues(path, {
    format,
    onError: ({ file, line, message }) => {
      skipped++;
      console.error(`${file}:${line}: skipped, ${message}`);
    },
  });
  const stats = await computeCorpusStats(dialogues, { topN });
  console.log(values.json ? JSON.stringify({ path, ...stats, skippedLines: skipped }) : render(path, stats));
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
