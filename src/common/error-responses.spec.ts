import { BadRequestException, PayloadTooLargeException } from '@nestjs/common';
import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import { ChatError } from '../chat/chat-errors';
import { ConversationFullError } from '../conversations/conversation-errors';
import { Prisma } from '../generated/prisma/client';
import { GenerationError } from '../generation';
import { ModelFileError } from '../models/model-files';
import { ModelUnusableError } from '../model-versions/model-versions.service';
import { openAiErrors } from '../openai-api/openai-errors';
import { OverLimitError, ServerBusyError, TooManyRepliesError } from '../serving/serving-errors';
import { AppError, ConflictError, InvalidInputError, NotFoundError } from './errors';
import { toHttpError, toOpenAiError, toSocketError } from './error-responses';

const unusable = () => new ModelUnusableError('v1', new ModelFileError('MODEL_CHECKSUM_MISMATCH', '/models/v1/weights.bin', 'sha256 differs'));

describe(toSocketError.name, () => {
  test.each([
    ['a ChatError as it is', new ChatError('rate_limited', 'slow down'), 'rate_limited'],
    ['invalid input of another module', new InvalidInputError('text: bad'), 'invalid_payload'],
    ['a conversation deleted meanwhile', new NotFoundError('conversation', 'c1'), 'conversation_not_found'],
    ['an unknown bot turn', new NotFoundError('bot turn', 'r1'), 'reply_not_found'],
    ['an unknown model version', new NotFoundError('model version', 'v1'), 'model_not_found'],
    ['a kind with no active version', new NotFoundError('active model of kind', 'seq2seq'), 'model_not_found'],
    ['a model unloaded meanwhile', new GenerationError('MODEL_NOT_LOADED', 'not loaded'), 'model_not_found'],
    ['a model whose files fail their checks', unusable(), 'model_not_found'],
    ['a full conversation', new ConversationFullError('c1', 3), 'conversation_full'],
    ['a setting over a cap', new OverLimitError('decoding.maxTokens', 128), 'over_limit'],
    ['a full reply queue', new ServerBusyError(1500), 'server_busy'],
    ['an address with too many replies', new TooManyRepliesError(8, 900), 'too_many_replies'],
    ['anything else', new Error('boom'), 'internal'],
    ['a NotFoundError the chat has no code for', new NotFoundError('training run', 't1'), 'internal'],
    ['a conflict the chat has no code for', new ConflictError('run t1 is running'), 'internal'],
    ['a broken file behind the request', new ModelFileError('MODEL_FILE_CORRUPT', '/models/v1/model.json', 'not JSON'), 'internal'],
    // The shapes a PostgreSQL restart takes (issue #9): a retry will work, so not `internal`.
    ['a database server that cannot be reached', prismaError('P1001'), 'unavailable'],
    ['a connection the server closed', prismaError('P1017'), 'unavailable'],
    ['a server shutting down (SQLSTATE 57P01)', prismaError('P2039', postgresError('57P01')), 'unavailable'],
    ['a server starting up (SQLSTATE 57P03)', prismaError('P2010', postgresError('57P03')), 'unavailable'],
    ["pg's own dead-connection error", new Error('Connection terminated unexpectedly'), 'unavailable'],
    ['a database error that is a bug', prismaError('P2039', postgresError('42601')), 'internal'],
    ['a constraint violation', prismaError('P2002'), 'internal'],
  ])('maps %s', (_, error, code) => {
    expect(toSocketError(error).code).toBe(code);
  });

  test('keeps the message and meta of the errors it names', () => {
    expect(toSocketError(new ConversationFullError('c1', 3))).toEqual({
      code: 'conversation_full',
      message: 'this conversation has reached the limit of 3 turns: start a new conversation',
      meta: { conversationId: 'c1', maxTurns: 3 },
    });
  });

  // Internal errors may carry SQL or paths: the client only learns that something failed.
  test('hides the message of internal errors', () => {
    expect(toSocketError(new Error('connect ECONNREFUSED 10.0.0.5:5432'))).toEqual({ code: 'internal', message: 'internal error', meta: {} });
    expect(toSocketError(new ModelFileError('MODEL_FILE_CORRUPT', '/models/v1/model.json', 'not JSON')).message).toBe('internal error');
  });

  test('names the cap a request is over, and when a refused message can be sent again', () => {
    expect(toSocketError(new OverLimitError('decoding.ignoreEos', false))).toEqual({ code: 'over_limit', message: 'decoding.ignoreEos: not allowed on this server', meta: { field: 'decoding.ignoreEos', max: false } });
    expect(toSocketError(new ServerBusyError(1500)).meta).toEqual({ retryAfterMs: 1500 });
  });

  test('names the unusable version to a client, not its broken file', () => {
    expect(toSocketError(unusable())).toEqual({ code: 'model_not_found', message: 'model version v1 cannot be used right now', meta: { id: 'v1' } });
  });

  test('tells a client to retry when the database is unavailable, without naming the server', () => {
    const error = toSocketError(prismaError('P1001', undefined, "Can't reach database server at 10.0.0.5:5432"));
    expect(error.message).toMatch(/retry/);
    expect(error.message).not.toContain('10.0.0.5');
  });
});

describe(toHttpError.name, () => {
  test.each([
    ['invalid input, naming its field', new InvalidInputError('batchSize: too small', { field: 'batchSize' }), 400, { code: 'invalid_input', message: 'batchSize: too small', field: 'batchSize' }],
    ['a missing row', new NotFoundError('training run', 't1'), 404, { code: 'not_found', message: 'training run t1 was not found' }],
    ['a missing model version', new NotFoundError('model version', 'v1'), 404, { code: 'not_found', message: 'model version v1 was not found' }],
    ['a wrong token', new AppError('unauthorized', 'missing or wrong admin token'), 401, { code: 'unauthorized', message: 'missing or wrong admin token' }],
    ['a conflict', new ConflictError('model version v1 is active; activate another first'), 409, { code: 'conflict', message: 'model version v1 is active; activate another first' }],
    // The admin activated it: the file at fault is for them to see (issue 22).
    ['a model whose files fail their checks', unusable(), 409, { code: 'conflict', message: 'model version v1 cannot be loaded: /models/v1/weights.bin: sha256 differs' }],
    ['a bug', new Error('boom at /srv/x.ts'), 500, { code: 'internal', message: 'internal error' }],
    ["Nest's refusal of a bad body", new BadRequestException('Unexpected token } in JSON'), 400, { code: 'bad_request', message: 'Unexpected token } in JSON' }],
    ["Nest's refusal of a large body", new PayloadTooLargeException(), 413, { code: 'payload_too_large', message: 'Payload Too Large' }],
  ])('answers %s', (_, error, status, body) => {
    expect(toHttpError(error)).toMatchObject({ status, body: { error: body } });
  });

  test('a refusal under load is a 429 with Retry-After', () => {
    expect(toHttpError(new ServerBusyError(2100))).toMatchObject({ status: 429, headers: { 'Retry-After': '3' }, body: { error: { code: 'rate_limited' } } });
  });

  test('a database outage is a 503 with Retry-After', () => {
    expect(toHttpError(prismaError('P1001'))).toMatchObject({ status: 503, headers: { 'Retry-After': '5' }, body: { error: { code: 'unavailable' } } });
  });
});

describe(toOpenAiError.name, () => {
  test.each([
    ['a request field at fault', openAiErrors.invalid("Invalid 'n': too big", 'n'), 400, { type: 'invalid_request_error', param: 'n', code: 'invalid_value' }, {}],
    ['a model the API does not offer', openAiErrors.modelNotFound('gpt-4o'), 404, { type: 'invalid_request_error', param: 'model', code: 'model_not_found' }, {}],
    ['a kind with no active version', new NotFoundError('active model of kind', 'vhred'), 404, { param: 'model', code: 'model_not_found', message: expect.stringContaining('`vhred`') }, {}],
    ['a model unloaded meanwhile', new GenerationError('MODEL_NOT_LOADED', 'a hred model is not loaded', { ref: { kind: 'hred' } }), 404, { code: 'model_not_found', message: expect.stringContaining('`hred`') }, {}],
    ['a wrong key', openAiErrors.unauthorized(true), 401, { type: 'authentication_error', code: 'invalid_api_key' }, { 'WWW-Authenticate': 'Bearer realm="v1"' }],
    ['a setting over a cap, named as the request wrote it', openAiErrors.overLimit('max_tokens', 128), 400, { type: 'invalid_request_error', param: 'max_tokens', code: 'over_limit' }, {}],
    ['a full reply queue, Retry-After in whole seconds', new ServerBusyError(1500), 429, { type: 'rate_limit_error', param: null, code: 'server_busy' }, { 'Retry-After': '2' }],
    ['an address with too many replies in flight', new TooManyRepliesError(8, 400), 429, { type: 'rate_limit_error', code: 'too_many_replies' }, { 'Retry-After': '1' }],
    ['a shutdown', openAiErrors.shuttingDown(), 503, { type: 'server_error', code: 'shutting_down' }, { 'Retry-After': '1' }],
    ['a database outage', prismaError('P1001'), 503, { type: 'server_error', code: 'unavailable' }, { 'Retry-After': '5' }],
    ['a bug', new Error('boom'), 500, { type: 'server_error', param: null, code: null, message: 'The server had an error while processing your request' }, {}],
    ["Nest's refusal of a bad body", new BadRequestException('Unexpected token'), 400, { type: 'invalid_request_error', code: null }, {}],
  ])('answers %s', (_, error, status, body, headers) => {
    const response = toOpenAiError(error);
    expect(response).toMatchObject({ status, body: { error: body } });
    expect(response.headers).toEqual(headers);
  });
});

function prismaError(code: string, driverAdapterError?: DriverAdapterError, message = `error ${code}`) {
  return new Prisma.PrismaClientKnownRequestError(message, { code, clientVersion: 'test', meta: driverAdapterError && { driverAdapterError } });
}

function postgresError(sqlState: string) {
  return new DriverAdapterError({
    kind: 'postgres',
    code: sqlState,
    severity: 'FATAL',
    message: `SQLSTATE ${sqlState}`,
    detail: undefined,
    column: undefined,
    hint: undefined,
  });
}
