import { createReadStream } from 'node:fs';
import { basename, extname } from 'node:path';
import { createInterface } from 'node:readline';
import { CorpusError } from './tokenization-errors';

export interface Dialogue {
  id: string;
  turns: string[];
}

/** `jsonl`: one `{"id", "turns": [...]}` a line (DailyDialog, exported conversations; other fields ignored). `txt`: one utterance a line, a blank line between dialogues. */
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

function cleanTurns(turns: readonly string[]): string[] {
  return turns.map((turn) => turn.replace(WHITESPACE_RUN, ' ').trim()).filter((turn) => turn !== '');
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
    const { id, turns } = (record ?? {}) as { id?: unknown; turns?: unknown };
    if (!Array.isArray(turns) || !turns.every((turn) => typeof turn === 'string')) {
      report(line, 'expected "turns": an array of strings');
      continue;
    }
    if (id !== undefined && typeof id !== 'string' && typeof id !== 'number') {
      report(line, 'expected "id": a string or a number');
      continue;
    }
    const cleaned = cleanTurns(turns);
    if (cleaned.length > 0) yield { id: id === undefined ? `${basename(file)}:${line}` : String(id), turns: cleaned };
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
