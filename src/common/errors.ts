/**
 * The service's error family, as Prisma's UserFacingError: a stable `code` (error-codes.ts), a message that names
 * the state and, where it can, the fix, and a `meta` object with the details a caller branches on, so no message
 * is ever parsed. Each domain subclasses it (ChatError, GenerationError, ModelFileError, TokenizationError, …);
 * error-responses.ts maps every code to the socket, HTTP and OpenAI shapes. Anything thrown that is not an AppError
 * is a bug or an outage and is answered `internal` (or `unavailable`, for a database outage).
 */
import type { ErrorCode } from './error-codes';

export type { ErrorCode } from './error-codes';

export class AppError<C extends ErrorCode = ErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    readonly meta: Record<string, unknown> = {},
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** What a NotFoundError can name, with the code it carries: the thing's own where a client can meet it. */
const MISSING = {
  conversation: 'conversation_not_found',
  'bot turn': 'reply_not_found',
  'model version': 'model_not_found',
  'active model of kind': 'model_not_found',
  'training run': 'not_found',
  comparison: 'not_found',
} as const satisfies Record<string, ErrorCode>;
export type MissingThing = keyof typeof MISSING;

export class NotFoundError extends AppError<(typeof MISSING)[MissingThing]> {
  constructor(what: MissingThing, id: string) {
    super(MISSING[what], `${what} ${id} was not found`, { what, id });
  }
}

export class InvalidInputError extends AppError<'invalid_input'> {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super('invalid_input', message, meta);
  }
}

/** The request is valid but clashes with the current state (e.g. deleting the active model). */
export class ConflictError extends AppError<'conflict'> {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super('conflict', message, meta);
  }
}
