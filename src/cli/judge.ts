/**
 * Blind judging rounds of Sensibleness and Specificity (SSA, shared/notes/rating.md):
 *   npm run judge -- sheet --data <test.jsonl> --system name=modelDir[:decodingJSON] … --out <round dir> --key <key.json>
 *   npm run judge -- score --round <round dir> --key <key.json> --labels <rater1.tsv> [--labels <rater2.tsv>] [--baseline name]
 * `sheet` writes sheet.md (what raters see: instructions, contexts, shuffled candidates under opaque labels),
 * labels-template.tsv and figures.json (inter-distinct-2 per system); the key goes to --key, a separate path, so a
 * rater given the round folder cannot see it. `score` writes score.json, score.md and score.html into the round.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { drawJudgingContexts, idsOfTsv } from '../evaluation/judging/judging-contexts';
import { writeRoundReport } from '../evaluation/judging/judging-report';
import { parseLabels, scoreRound } from '../evaluation/judging/judging-score';
import { buildSheet, labelsTemplate, renderSheet, type JudgingKey } from '../evaluation/judging/judging-sheet';
import { decodeSystems, parseSystemSpec } from '../evaluation/judging/round-replies';
import { type BackendChoice, initTensorBackend } from '../tensor/backend';
import { UsageError } from './cli-errors';

const HELP = `Usage:
  npm run judge -- sheet --data <test.jsonl> --system name=modelDir[:decodingJSON] [--system …] --out <round dir> --key <key.json>
                         [--contexts 100] [--seed 1] [--exclude <ids.tsv>] [--diversity K] [--round <name>]
  npm run judge -- score --round <round dir> --key <key.json> --labels <rater.tsv> [--labels <rater2.tsv>] [--baseline <system>]
A system's decoding is the chat's (e.g. '{"strategy":"beam","beamWidth":4}'); the human reply is added to every context.
--exclude skips dialogues listed in a TSV's first column (e.g. shared/data/dailydialog/duplicates.tsv: test dialogues
that repeat training ones). --diversity K also decodes K replies per context and records their inter-distinct-2.`;

const int = (name: string, raw: string | undefined, fallback: number) => {
  const value = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new UsageError(`--${name} must be a whole number, got ${raw}`);
  return value;
};

async function writeSheet(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      data: { type: 'string' },
      system: { type: 'string', multiple: true },
      out: { type: 'string' },
      key: { type: 'string' },
      contexts: { type: 'string' },
      seed: { type: 'string' },
      exclude: { type: 'string' },
      diversity: { type: 'string' },
      round: { type: 'string' },
      backend: { type: 'string' },
    },
  });
  if (!values.data || !values.out || !values.key || !values.system?.length) throw new UsageError(`--data, --system, --out and --key are required\n${HELP}`);
  if (path.resolve(path.dirname(values.key)) === path.resolve(values.out)) throw new UsageError('--key must not be inside the round folder raters are given');
  const seed = int('seed', values.seed, 1);
  const systems = values.system.map(parseSystemSpec);
  const exclude = values.exclude ? idsOfTsv(await fs.readFile(values.exclude, 'utf8')) : undefined;
  const set = await drawJudgingContexts(values.data, { count: int('contexts', values.contexts, 100), seed, exclude });
  await initTensorBackend((values.backend ?? 'auto') as BackendChoice);
  const decoded = await decodeSystems(systems, set, seed, Math.max(1, int('diversity', values.diversity, 1)));
  const sheet = buildSheet(values.round ?? path.basename(values.out), set, decoded, seed);
  await fs.mkdir(values.out, { recursive: true });
  await fs.mkdir(path.dirname(values.key), { recursive: true });
  const figures = {
    data: path.basename(values.data),
    contexts: set.contexts.length,
    seed,
    excluded: exclude?.size ?? 0,
    systems: decoded.map((d) => ({ ...d.spec, interDistinct2: d.interDistinct2 })),
  };
  await Promise.all([
    fs.writeFile(path.join(values.out, 'sheet.md'), renderSheet(sheet)),
    fs.writeFile(path.join(values.out, 'labels-template.tsv'), labelsTemplate(sheet)),
    fs.writeFile(values.key, JSON.stringify({ ...sheet.key, figures }, null, 2) + '\n'),
  ]);
  console.log(`${set.contexts.length} contexts × ${systems.length + 1} candidates → ${values.out}/sheet.md; key → ${values.key}`);
}

async function score(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { round: { type: 'string' }, key: { type: 'string' }, labels: { type: 'string', multiple: true }, baseline: { type: 'string' } },
  });
  if (!values.round || !values.key || !values.labels?.length) throw new UsageError(`--round, --key and --labels are required\n${HELP}`);
  const key = JSON.parse(await fs.readFile(values.key, 'utf8')) as JudgingKey & { figures?: { systems: { name: string; interDistinct2?: number }[] } };
  const raters = await Promise.all(values.labels.map(async (file) => parseLabels(await fs.readFile(file, 'utf8'))));
  raters.forEach((r, i) => r.coerced > 0 && console.warn(`${values.labels![i]}: ${r.coerced} labels said specific but not sensible: read as not specific`));
  const result = scoreRound(key, raters.map((r) => r.labels), { baseline: values.baseline });
  const interDistinct2 = Object.fromEntries((key.figures?.systems ?? []).filter((s) => s.interDistinct2 !== undefined).map((s) => [s.name, s.interDistinct2!]));
  const files = await writeRoundReport(values.round, { ...result, interDistinct2 });
  for (const s of [...result.systems].sort((a, b) => b.ssa.value - a.ssa.value)) {
    console.log(`${s.system.padEnd(28)} n ${s.n}  sensible ${s.sensible.value.toFixed(2)}  specific ${s.specific.value.toFixed(2)}  SSA ${s.ssa.value.toFixed(2)} [${s.ssa.low.toFixed(2)}, ${s.ssa.high.toFixed(2)}]`);
  }
  if (result.void) console.log('VOID: the human reply scored below SSA 0.80');
  console.log(`→ ${files.join(', ')}`);
}

async function main(): Promise<void> {
  const [command, ...rest] = process.argv.slice(2);
  if (command === 'sheet') return writeSheet(rest);
  if (command === 'score') return score(rest);
  console.log(HELP);
  if (command !== undefined && command !== '--help') process.exitCode = 2;
}

main().catch((e: Error) => {
  console.error(e.message);
  process.exit(1);
});
