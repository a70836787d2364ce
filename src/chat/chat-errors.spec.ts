import { DriverAdapterError } from '@prisma/driver-adapter-utils';
import { InvalidInputError, NotFoundError } from '../common/errors';
import { Prisma } from '../generated/prisma/client';
import { GenerationError } from '../generation/generation-errors';
import { ChatError, toChatError } from './chat-errors';

describe(toChatError.name, () => {
  test.each([
    ['a ChatError as it is', new ChatError('rate_limited', 'slow down'), 'rate_limited'],
    ['invalid input of another module', new InvalidInputError('text: bad'), 'invalid_payload'],
    ['a conversation deleted meanwhile', new NotFoundError('conversation', 'c1'), 'conversation_not_found'],
    ['an unknown bot turn', new NotFoundError('bot turn', 'r1'), 'reply_not_found'],
    ['an unknown model version', new NotFoundError('model version', 'v1'), 'model_not_found'],
    ['a kind with no active version', new NotFoundError('active model of kind', 'seq2seq'), 'model_not_found'],
    ['a model unloaded meanwhile', new GenerationError('MODEL_NOT_LOADED', 'not loaded'), 'model_not_found'],
    ['anything else', new Error('boom'), 'internal'],
    ['a NotFoundError the chat has no code for', new NotFoundError('training run', 't1'), 'internal'],
    // The shapes a PostgreSQL restart takes (issue #9): a retry will work, so not `internal`.
    ['a database server that cannot be reached', prismaError('P1001'), 'unavailable'],
    ['a connection the server closed', prismaError('P1017'), 'unavailable'],
    ['a server shutting down (SQLSTATE 57P01)', prismaError('P2039', postgresError('57P01')), 'unavailable'],
    ['a server starting up (SQLSTATE 57P03)', prismaError('P2010', postgresError('57P03')), 'unavailable'],
    ["pg's own dead-connection error", new Error('Connection terminated unexpectedly'), 'unavailable'],
    ['a database error that is a bug', prismaError('P2039', postgresError('42601')), 'internal'],
    ['a constraint violation', prismaError('P2002'), 'internal'],
  ])('maps %s', (_, error, code) => {
    expect(toChatError(error).code).toBe(code);
  });

  // Internal errors may carry SQL or paths: the client only learns that something failed.
  test('hides the message of internal errors', () => {
    expect(toChatError(new Error('connect ECONNREFUSED 10.0.0.5:5432')).message).toBe('internal error');
  });

  test('tells a client to retry when the database is unavailable, without naming the server', () => {
    const error = toChatError(prismaError('P1001', undefined, "Can't reach database server at 10.0.0.5:5432"));
    expect(error.message).toMatch(/retry/);
    expect(error.message).not.toContain('10.0.0.5');
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
