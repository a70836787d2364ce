/**
 * Errors of the OpenAI-compatible API in OpenAI's shape, `{ error: { message, type, param, code } }`, with the HTTP
 * status the official clients map to their error classes (400 BadRequestError, 401 AuthenticationError,
 * 404 NotFoundError, 429 RateLimitError, 5xx InternalServerError). `param` names the request field at fault in
 * OpenAI's notation (`messages[0].content`).
 */
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { ServerBusyError, TooManyRepliesError } from '../chat/chat-errors';
import { AppError } from '../common/errors';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../database/database-errors';
import { GenerationError } from '../generation/generation-errors';

export type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'rate_limit_error' | 'server_error';

export class OpenAiError extends Error {
  constructor(
    readonly status: number,
    readonly type: OpenAiErrorType,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }

  toJSON(): { error: { message: string; type: OpenAiErrorType; param: string | null; code: string | null } } {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }
}

/** Requests under this path are the OpenAI-compatible API's, answered in its error shape even before routing. */
export function isOpenAiApiPath(url: string): boolean {
  return url === '/v1' || url.startsWith('/v1/') || url.startsWith('/v1?');
}

/** Seconds a client waits before retrying after a database outage: a restart takes a few seconds. */
const UNAVAILABLE_RETRY_SECONDS = 5;

export const openAiErrors = {
  invalid: (message: string, param: string | null, code: string | null = 'invalid_value') =>
    new OpenAiError(400, 'invalid_request_error', message, param, code),
  modelNotFound: (model: string) =>
    new OpenAiError(404, 'invalid_request_error', `The model \`${model}\` does not exist: use a kind (seq2seq, hred, vhred) or a version id from GET /v1/models`, 'model', 'model_not_found'),
  unauthorized: (sent: boolean) =>
    new OpenAiError(401, 'authentication_error', sent ? 'Incorrect API key provided' : 'Missing API key: send Authorization: Bearer <key>', null, 'invalid_api_key', {
      'WWW-Authenticate': 'Bearer realm="v1"',
    }),
  /** The reply scheduler's refusals (a full queue, or too many replies from this address), with its retry time. */
  busy: (error: ServerBusyError | TooManyRepliesError) => {
    const seconds = Math.ceil(error.retryAfterMs / 1000);
    const what = error instanceof ServerBusyError ? 'The service is busy' : `This address has ${String(error.meta.max)} replies in flight already`;
    return new OpenAiError(429, 'rate_limit_error', `${what}: retry in ${seconds} s`, null, error.code, { 'Retry-After': String(seconds) });
  },
  /** A setting over the server's cap (CHAT_MAX_*), named as the request wrote it. */
  overLimit: (param: string, max: number | false) =>
    new OpenAiError(400, 'invalid_request_error', `Invalid '${param}': ${max === false ? 'not allowed on this server' : `at most ${max} on this server`}`, param, 'over_limit'),
  shuttingDown: () => new OpenAiError(503, 'server_error', 'The server is shutting down: retry (on another instance)', null, 'shutting_down', { 'Retry-After': '1' }),
};

/** What NotFoundError's `what` means for a model reference (see ModelVersionsService.resolve). */
const MODEL_NOT_FOUND = new Set(['model version', 'active model of kind']);

/** Any error as the API answers it; anything unknown is a 500 whose details stay in the log. */
export function toOpenAiError(error: unknown): OpenAiError {
  if (error instanceof OpenAiError) return error;
  if (error instanceof ServerBusyError || error instanceof TooManyRepliesError) return openAiErrors.busy(error);
  if (error instanceof AppError && error.code === 'not_found' && MODEL_NOT_FOUND.has(String(error.meta.what))) {
    return openAiErrors.modelNotFound(String(error.meta.id));
  }
  if (error instanceof GenerationError && error.code === 'MODEL_NOT_LOADED') {
    const ref = error.meta.ref as string | { kind: string };
    return openAiErrors.modelNotFound(typeof ref === 'string' ? ref : ref.kind);
  }
  if (error instanceof AppError) {
    const status = { not_found: 404, invalid_input: 400, unauthorized: 401, conflict: 409 }[error.code];
    return new OpenAiError(status, status === 401 ? 'authentication_error' : 'invalid_request_error', error.message, null, error.code);
  }
  if (error instanceof HttpException) {
    // Raised by Nest before the route runs: a body that is not JSON (400), too large (413), an unknown /v1 path (404).
    const status = error.getStatus();
    const type = status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
    return new OpenAiError(status, type, error.message, null, null);
  }
  if (isDatabaseUnavailable(error)) {
    return new OpenAiError(503, 'server_error', DATABASE_UNAVAILABLE_MESSAGE, null, 'unavailable', { 'Retry-After': String(UNAVAILABLE_RETRY_SECONDS) });
  }
  return new OpenAiError(500, 'server_error', 'The server had an error while processing your request', null, null);
}

type JsonResponse = { headersSent: boolean; setHeader(name: string, value: string): void; status(code: number): { json(body: unknown): void } };

/** The /v1 controllers' filter: every error in OpenAI's shape (the app's own filters use `{ error: { code, message } }`). */
@Catch()
export class OpenAiErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('OpenAiApi');

  catch(thrown: unknown, host: ArgumentsHost): void {
    const error = toOpenAiError(thrown);
    if (error.status >= 500 && !(thrown instanceof OpenAiError)) this.logger.error(thrown instanceof Error ? (thrown.stack ?? thrown.message) : String(thrown));
    const response = host.switchToHttp().getResponse<JsonResponse>();
    if (response.headersSent) return; // a stream already started reports its errors in the stream
    for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
    response.status(error.status).json(error.toJSON());
  }
}
