/**
 * Errors a caller can act on, each with a stable `code` (for logs, acks and tests) and a `meta`
 * object naming the file (and line) involved, so the message never has to be parsed.
 */
export type TokenizationErrorCode =
  | 'TOKENIZER_FILE_MISSING'
  | 'TOKENIZER_FILE_CORRUPT'
  | 'CORPUS_FORMAT_UNKNOWN'
  | 'CORPUS_LINE_MALFORMED';

export abstract class TokenizationError extends Error {
  abstract readonly code: TokenizationErrorCode;

  constructor(
    message: string,
    readonly meta: Record<string, unknown>,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** `<dir>/tokenizer.json` is absent, unreadable, or not a tokenizer this project wrote. */
export class TokenizerFileError extends TokenizationError {
  constructor(
    readonly code: 'TOKENIZER_FILE_MISSING' | 'TOKENIZER_FILE_CORRUPT',
    readonly file: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`${file}: ${detail}`, { file }, options);
  }
}

/** A corpus file whose format cannot be chosen, or one of its lines when the caller asked to reject bad lines. */
export class CorpusError extends TokenizationError {
  constructor(
    readonly code: 'CORPUS_FORMAT_UNKNOWN' | 'CORPUS_LINE_MALFORMED',
    readonly file: string,
    readonly line: number | undefined,
    detail: string,
  ) {
    super(`${line === undefined ? file : `${file}:${line}`}: ${detail}`, { file, line });
  }
}
