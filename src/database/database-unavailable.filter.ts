import { type ArgumentsHost, Catch } from '@nestjs/common';
import { BaseExceptionFilter } from '@nestjs/core';
import { sendError } from '../common/app-error.filter';
import { toHttpError } from '../common/error-responses';
import { Prisma } from '../generated/prisma/client';
import { isDatabaseUnavailable } from './database-errors';

/**
 * HTTP only: a query that failed because the database is down or restarting answers 503 `unavailable` with
 * Retry-After (toHttpError), instead of Nest's bare 500 "Internal server error" (issue #9). Every other Prisma error
 * goes on to Nest's default handling (500, logged). Only Prisma's error classes are caught, so AppErrorFilter keeps
 * the errors it maps whatever the order of the two filters.
 */
@Catch(Prisma.PrismaClientKnownRequestError, Prisma.PrismaClientUnknownRequestError, Prisma.PrismaClientInitializationError)
export class DatabaseUnavailableFilter extends BaseExceptionFilter {
  override catch(error: unknown, host: ArgumentsHost) {
    if (host.getType() !== 'http') throw error; // gateways map errors themselves (the chat: toSocketError)
    if (!isDatabaseUnavailable(error)) return super.catch(error, host);
    sendError(host, toHttpError(error));
  }
}
