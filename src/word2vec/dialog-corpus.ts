/**
 * Reads a dialogue JSONL file ({"id", "turns": [...]} a line) into word-tokenised sentences,
 * one per turn, for word2vec training.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { CorpusError } from '../tokenization';
import { tokenizeWords } from '../tokenization/word-tokens';

export async function readDialogSentences(path: string): Promise<string[][]> {
  const sentences: string[][] = [];
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber++;
    if (line.trim() === '') continue;
    const record = JSON.parse(line) as { turns?: unknown };
    if (!Array.isArray(record.turns)) throw new CorpusError('CORPUS_LINE_MALFORMED', path, lineNumber, 'expected a "turns" array');
    for (const turn of record.turns) {
      const tokens = tokenizeWords(String(turn));
      if (tokens.length > 0) sentences.push(tokens);
    }
  }
  return sentences;
}
