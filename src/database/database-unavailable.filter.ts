import { type ArgumentsHost, Catch, HttpStatus } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { sendError } from '../common/app-error.filter';
import { Prisma } from '../generated/prisma/client';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from './database-errors';

/** Seconds a client should wait before retrying: PostgreSQL restarts in a few seconds. */
const RETRY_AFTER_SECONDS = 5;

/**
 * HTTP only: a query that failed because the database is down or restarting answers 503 `unavailable` with
 * Retry-After, in the shape of AppErrorFilter's errors, instead of Nest's bare 500 "Internal server error" (issue #9).
 * Every other Prisma error goes on to Nest's default handling (500, logged). Only Prisma's error classes are caught,
 * so AppErrorFilter keeps the errors it maps whatever the order of the two filters.
 */
@Catch(Prisma.PrismaClientKnownRequestError, Prisma.PrismaClientUnknownRequestError, Prisma.PrismaClientInitializationError)
export class DatabaseUnavailableFilter extends BaseExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') throw error; // gateways map errors themselves (chat: toChatError)
    if (!isDatabaseUnavailable(error)) return super.catch(error, host);
    sendError(host, HttpStatus.SERVICE_UNAVAILABLE, { code: 'unavailable', message: DATABASE_UNAVAILABLE_MESSAGE }, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
  }
}
