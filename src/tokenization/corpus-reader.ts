import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import { CorpusError } from './tokenization-errors';

export interface Dialogue {
  id: string;
  turns: string[];
  /** Which turns are learned (exported conversations: a chatbot's own replies are context only); absent: all after the first. */
  targets?: boolean[];
}

/**
 * `jsonl`: one `{"id", "turns": [...], "targets"?: [...]}` a line (DailyDialog, exported conversations; other fields
 * ignored), `targets` one boolean per turn. `txt`: one utterance a line, a blank line between dialogues.
 */
export type CorpusFormat = 'jsonl' | 'txt';

export interface CorpusIssue {
  file: string;
  line: number;
  message: string;
}

export interface ReadCorpusOptions {
  /** Default: from the extension (.jsonl or .txt). */
  format?: CorpusFormat;
  /** `skip` (default): report a malformed line to `onError` and go on. `throw`: reject it with a CorpusError. */
  malformed?: 'skip' | 'throw';
  onError?: (issue: CorpusIssue) => void;
}

const FORMAT_BY_EXTENSION: Record<string, CorpusFormat> = { '.jsonl': 'jsonl', '.txt': 'txt' };
const WHITESPACE_RUN = /\s+/gu;

/**
 * Streams the dialogues of a corpus file, line by line (the file is never loaded whole).
 * Decoding is UTF-8 with replacement, so a stray byte becomes U+FFFD instead of an error; a leading
 * byte-order mark is dropped; CRLF line ends are accepted. Each turn is whitespace-normalised (as the
 * shared corpora are) and empty turns are dropped; a dialogue left with no turn is not yielded.
 */
export async function* readDialogues(file: string, options: ReadCorpusOptions = {}): AsyncGenerator<Dialogue> {
  const format = options.format ?? FORMAT_BY_EXTENSION[extname(file).toLowerCase()];
  if (!format) throw new CorpusError('CORPUS_FORMAT_UNKNOWN', file, undefined, 'expected a .jsonl or .txt file, or an explicit format');
  const report = (line: number, message: string) => {
    if (options.malformed === 'throw') throw new CorpusError('CORPUS_LINE_MALFORMED', file, line, message);
    options.onError?.({ file, line, message });
  };
  const lines = numberedLines(file);
  yield* format === 'jsonl' ? jsonlDialogues(lines, file, report) : textDialogues(lines, file);
}

type NumberedLine = { text: string; line: number };

async function* numberedLines(file: string): AsyncGenerator<NumberedLine> {
  const input = createReadStream(file, { encoding: 'utf8' });
  let line = 0;
  try {
    for await (const text of createInterface({ input, crlfDelay: Infinity })) {
      line++;
      yield { text: line === 1 ? text.replace(/^\ufeff/, '') : text, line };
    }
  } finally {
    input.destroy();
  }
}

function cleanTurn(turn: string): string {
  return turn.replace(WHITESPACE_RUN, ' ').trim();
}

function cleanTurns(turns: readonly string[]): string[] {
  return turns.map(cleanTurn).filter((turn) => turn !== '');
}

/** The dialogue with its empty turns dropped, each target flag kept with its turn. */
function cleanDialogue(id: string, turns: readonly string[], targets: readonly boolean[] | undefined): Dialogue {
  if (!targets) return { id, turns: cleanTurns(turns) };
  const kept = turns.map((turn, i) => ({ turn: cleanTurn(turn), target: targets[i] })).filter((t) => t.turn !== '');
  return { id, turns: kept.map((t) => t.turn), targets: kept.map((t) => t.target) };
}

async function* jsonlDialogues(
  lines: AsyncIterable<NumberedLine>,
  file: string,
  report: (line: number, message: string) => void,
): AsyncGenerator<Dialogue> {
  for await (const { text, line } of lines) {
    if (text.trim() === '') continue;
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch (error) {
      report(line, `not JSON: ${(error as Error).message}`);
      continue;
    }
    const { id, turns, targets } = (record ?? {}) as { id?: unknown; turns?: unknown; targets?: unknown };
    if (!Array.isArray(turns) || !turns.every((turn) => typeof turn === 'string')) {
      report(line, 'expected "turns": an array of strings');
      continue;
    }
    if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
      report(line, 'expected "id": a string or a number');
      continue;
    }
    if (targets !== undefined && !(Array.isArray(targets) && targets.length === turns.length && targets.every((t) => typeof t === 'boolean'))) {
      report(line, 'expected "targets": an array of booleans, one per turn');
      continue;
    }
    const dialogue = cleanDialogue(id === undefined ? `${basename(file)}:${line}` : String(id), turns, targets as boolean[] | undefined);
    if (dialogue.turns.length > 0) yield dialogue;
  }
}

async function* textDialogues(lines: AsyncIterable<NumberedLine>, file: string): AsyncGenerator<Dialogue> {
  let turns: string[] = [];
  let firstLine = 0;
  for await (const { text, line } of lines) {
    if (text.trim() !== '') {
      if (turns.length === 0) firstLine = line;
      turns.push(text);
    } else if (turns.length > 0) {
      yield { id: `${basename(file)}:${firstLine}`, turns: cleanTurns(turns) };
      turns = [];
    }
  }
  if (turns.length > 0) yield { id: `${basename(file)}:${firstLine}`, turns: cleanTurns(turns) };
}

/** Every turn of every dialogue, for vocabulary building and subword training. */
export async function* readTurns(file: string, options: ReadCorpusOptions = {}): AsyncGenerator<string> {
  for await (const dialogue of readDialogues(file, options)) yield* dialogue.turns;
}
