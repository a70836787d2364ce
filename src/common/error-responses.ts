/**
 * Every error as each surface answers it, decided in one place (`meaning`, a switch over every ErrorCode):
 * - a socket ack's `{ code, message, meta }` and reply:end's `error` (docs/websocket-protocol.md);
 * - the HTTP API's status and `{ error: { code, message, field? } }` (README, "Admin API");
 * - the /v1 API's status and OpenAI's `{ error: { message, type, param, code } }` (docs/openai-api.md), with the
 *   status the official clients map to their error classes (400 BadRequestError, 401 AuthenticationError,
 *   404 NotFoundError, 429 RateLimitError, 5xx InternalServerError).
 * Anything thrown that is not an AppError is classified first (asAppError): a database outage is `unavailable`
 * (a retry will work), anything else `internal`, whose message (SQL, hosts, paths) never leaves the server.
 */
import { HttpException, HttpStatus } from '@nestjs/common';
import type { ChatErrorCode } from '../chat/chat-errors';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../database/database-errors';
import { assertNever } from './assert-never';
import { AppError } from './errors';

/** The codes of the HTTP API's error body (Nest's own refusals add their status names: bad_request, …). */
export type HttpErrorCode = 'invalid_input' | 'unauthorized' | 'forbidden' | 'not_found' | 'conflict' | 'rate_limited' | 'unavailable' | 'shutting_down' | 'internal';
export type OpenAiErrorType = 'invalid_request_error' | 'authentication_error' | 'rate_limit_error' | 'server_error';

/** What one error means on the wire. */
interface Meaning {
  /** On HTTP: the admin API and /v1 alike. */
  status: number;
  http: HttpErrorCode;
  socket: ChatErrorCode;
  /** OpenAI's `code` where it has its own (the HTTP code otherwise). */
  openAi?: string;
  /** Seconds after which a retry can work: Retry-After on HTTP. */
  retryAfter?: number;
  /** What clients of the chat and /v1 read instead of the message and meta meant for the admin. */
  forClients?: { message: string; meta: Record<string, unknown> };
}

/** Seconds to wait: another instance takes over at once, a database restart takes a few seconds. */
const SHUTDOWN_RETRY_SECONDS = 1;
const UNAVAILABLE_RETRY_SECONDS = 5;

/** All a client learns of a bug or an unknown failure. */
const INTERNAL_MESSAGE = 'internal error';

function meaning(error: AppError): Meaning {
  const code = error.code;
  switch (code) {
    case 'invalid_input':
      return { status: 400, http: 'invalid_input', socket: 'invalid_payload' };
    case 'over_limit':
      return { status: 400, http: 'invalid_input', socket: code, openAi: code };
    case 'text_empty':
    case 'text_too_long':
      return { status: 400, http: 'invalid_input', socket: code };
    case 'unauthorized':
      return { status: 401, http: 'unauthorized', socket: 'not_authorized' };
    case 'invalid_api_key':
      return { status: 401, http: 'unauthorized', socket: 'not_authorized', openAi: code };
    case 'invalid_token':
      return { status: 401, http: 'unauthorized', socket: code };
    case 'not_authorized':
      return { status: 403, http: 'forbidden', socket: code };
    case 'unknown_event':
      return { status: 404, http: 'not_found', socket: code };
    case 'conversation_not_found':
    case 'reply_not_found':
      return { status: 404, http: 'not_found', socket: code };
    case 'model_not_found':
    case 'MODEL_NOT_LOADED': // unloaded between resolving the version and replying (an activation swapped it)
      return { status: 404, http: 'not_found', socket: 'model_not_found', openAi: 'model_not_found' };
    case 'not_found': // a training run or a comparison: no chat event can name one, so in an ack it is a bug
      return { status: 404, http: 'not_found', socket: 'internal' };
    case 'conflict':
      return { status: 409, http: 'conflict', socket: 'internal' };
    case 'reply_in_progress':
    case 'conversation_full':
      return { status: 409, http: 'conflict', socket: code };
    case 'model_unusable': {
      // Which file is broken is the admins' business (logged on activation and at start-up), not a client's.
      const id = error.meta.id;
      return { status: 409, http: 'conflict', socket: 'model_not_found', forClients: { message: `model version ${String(id)} cannot be used right now`, meta: { id } } };
    }
    case 'rate_limited':
    case 'server_busy':
    case 'too_many_replies':
    case 'too_many_conversations':
      return { status: 429, http: 'rate_limited', socket: code, openAi: code, retryAfter: Math.ceil(Number(error.meta.retryAfterMs) / 1000) || 1 };
    case 'too_many_sockets': // no retry time: a socket must close first
      return { status: 429, http: 'rate_limited', socket: code, openAi: code };
    case 'shutting_down':
      return { status: 503, http: 'shutting_down', socket: code, retryAfter: SHUTDOWN_RETRY_SECONDS };
    case 'unavailable':
      return { status: 503, http: 'unavailable', socket: code, retryAfter: UNAVAILABLE_RETRY_SECONDS };
    // A broken file, setting or engine state behind a request is the operator's to fix: a client learns only that it failed.
    case 'internal':
    case 'MODEL_FILE_MISSING':
    case 'MODEL_FILE_CORRUPT':
    case 'MODEL_CHECKSUM_MISMATCH':
    case 'MODEL_FORMAT_UNSUPPORTED':
    case 'TOKENIZER_FILE_MISSING':
    case 'TOKENIZER_FILE_CORRUPT':
    case 'CORPUS_FORMAT_UNKNOWN':
    case 'CORPUS_LINE_MALFORMED':
    case 'EMBEDDINGS_FILE_INVALID':
    case 'EMBEDDINGS_MISMATCH':
    case 'TRAINING_DATA_EMPTY':
    case 'BASE_MODEL_MISMATCH':
    case 'CHECKPOINT_MISSING':
    case 'CHECKPOINT_MISMATCH':
    case 'LABEL_FILE_INVALID':
    case 'BLEU_UNDEFINED':
    case 'CONFIG_INVALID':
    case 'BACKEND_UNAVAILABLE':
    case 'DATA_DIR_IN_USE':
    case 'DATA_DIR_NOT_WRITABLE':
    case 'DECODER_THREAD_EXITED':
    case 'DECODER_THREADS_DOWN':
    case 'USAGE':
      return { status: 500, http: 'internal', socket: 'internal' };
    default:
      return assertNever(code);
  }
}

/** An AppError as it is; a database outage as `unavailable`; anything else as `internal` (a bug, or an outage we cannot name). */
export function asAppError(thrown: unknown): AppError {
  if (thrown instanceof AppError) return thrown;
  // An outage, not a bug: without this a client sees `internal` and cannot tell that a retry will work (issue #9).
  if (isDatabaseUnavailable(thrown)) return new AppError('unavailable', DATABASE_UNAVAILABLE_MESSAGE, {}, { cause: thrown });
  return new AppError('internal', INTERNAL_MESSAGE, {}, { cause: thrown });
}

export interface SocketError {
  code: ChatErrorCode;
  message: string;
  meta: Record<string, unknown>;
}

/** The error part of a socket ack (and of reply:end). */
export function toSocketError(thrown: unknown): SocketError {
  const error = asAppError(thrown);
  const { socket, forClients } = meaning(error);
  if (socket === 'internal') return { code: socket, message: INTERNAL_MESSAGE, meta: {} };
  return { code: socket, ...(forClients ?? { message: error.message, meta: error.meta }) };
}

export interface HttpErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: { error: { code: string; message: string; field?: string } };
}

/**
 * The HTTP API's answer: `field` names the first invalid input when the error knows it. Nest's own refusals
 * (a body that is not JSON or too large, an unknown route) keep their status, with its name in snake case as code.
 */
export function toHttpError(thrown: unknown): HttpErrorResponse {
  if (thrown instanceof HttpException) {
    const status = thrown.getStatus();
    return { status, headers: {}, body: { error: { code: (HttpStatus[status] ?? 'error').toLowerCase(), message: httpExceptionMessage(thrown) } } };
  }
  const error = asAppError(thrown);
  const { status, http, retryAfter } = meaning(error);
  const field = typeof error.meta.field === 'string' ? { field: error.meta.field } : {};
  const message = http === 'internal' ? INTERNAL_MESSAGE : error.message;
  return { status, headers: retryAfterHeader(retryAfter), body: { error: { code: http, message, ...field } } };
}

export interface OpenAiErrorBody {
  error: { message: string; type: OpenAiErrorType; param: string | null; code: string | null };
}

export interface OpenAiErrorResponse {
  status: number;
  headers: Record<string, string>;
  body: OpenAiErrorBody;
}

/**
 * The /v1 API's answer. `param` names the request field at fault in OpenAI's notation (`messages[0].content`):
 * its request errors carry it, with OpenAI's own code, as meta.param and meta.openAiCode (openai-errors.ts).
 */
export function toOpenAiError(thrown: unknown): OpenAiErrorResponse {
  if (thrown instanceof HttpException) {
    // Raised by Nest before the route runs: a body that is not JSON (400), too large (413), an unknown /v1 path (404).
    const status = thrown.getStatus();
    return { status, headers: {}, body: { error: { message: thrown.message, type: openAiType(status), param: null, code: null } } };
  }
  const error = asAppError(thrown);
  const { status, http, openAi, retryAfter, forClients } = meaning(error);
  const headers = { ...retryAfterHeader(retryAfter), ...(status === 401 ? { 'WWW-Authenticate': 'Bearer realm="v1"' } : {}) };
  const answer = (message: string, param: string | null, code: string | null) => ({ status, headers, body: { error: { message, type: openAiType(status), param, code } } });
  if (http === 'internal') return answer('The server had an error while processing your request', null, null);
  if (openAi === 'model_not_found') {
    return answer(`The model \`${modelRef(error.meta)}\` does not exist: use a kind (seq2seq, hred, vhred) or a version id from GET /v1/models`, 'model', openAi);
  }
  // A cap's field is named as the request wrote it (max_tokens, n, decoding.beamWidth): OpenAI's param.
  if (openAi === 'over_limit') return answer(error.message, String(error.meta.field), openAi);
  if (http === 'invalid_input') {
    const param = typeof error.meta.param === 'string' ? error.meta.param : null;
    return answer(error.message, param, typeof error.meta.openAiCode === 'string' ? error.meta.openAiCode : http);
  }
  return answer(forClients?.message ?? error.message, null, openAi ?? http);
}

function openAiType(status: number): OpenAiErrorType {
  if (status === 401) return 'authentication_error';
  if (status === 429) return 'rate_limit_error';
  return status >= 500 ? 'server_error' : 'invalid_request_error';
}

/** The model a request named: NotFoundError's id, or the generation registry's ref (a version id or `{ kind }`). */
function modelRef(meta: Record<string, unknown>): string {
  const ref = meta.id ?? meta.ref;
  return typeof ref === 'object' && ref !== null ? String((ref as { kind?: unknown }).kind) : String(ref);
}

function retryAfterHeader(seconds: number | undefined): Record<string, string> {
  return seconds === undefined ? {} : { 'Retry-After': String(seconds) };
}

function httpExceptionMessage(error: HttpException): string {
  const body = error.getResponse();
  const detail = typeof body === 'string' ? body : (body as { message?: unknown }).message;
  return Array.isArray(detail) ? detail.join('; ') : typeof detail === 'string' ? detail : error.message;
}
