/**
 * Errors a caller can act on, with a stable code for HTTP / websocket replies.
 * Anything else thrown is a bug or an outage and is reported as an internal error.
 */
export type AppErrorCode = 'not_found' | 'invalid_input' | 'unauthorized' | 'conflict';

export class AppError extends Error {
  constructor(
    readonly code: AppErrorCode,
    message: string,
    readonly meta: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, id: string) {
    super('not_found', `${what} ${id} was not found`, { what, id });
  }
}

export class InvalidInputError extends AppError {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super('invalid_input', message, meta);
  }
}

/** The request is valid but clashes with the current state (e.g. deleting the active model). */
export class ConflictError extends AppError {
  constructor(message: string, meta: Record<string, unknown> = {}) {
    super('conflict', message, meta);
  }
}
