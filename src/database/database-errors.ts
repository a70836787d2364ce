import { Prisma } from '../generated/prisma/client';

/**
 * Whether an error means "the database cannot be reached right now" (server down, restarting, connection lost),
 * as opposed to a bug or a bad query. Callers answer such errors with a retry-later reply instead of `internal`:
 * pg's Pool drops broken connections and opens new ones, so the same request succeeds once the server is back.
 *
 * The same outage reaches us in several shapes, depending on when it hits (issue #9):
 * - connecting to a stopped server: Prisma P1001 (the adapter's DatabaseNotReachable, from ECONNREFUSED);
 * - a connection closed under a query: P1017, or pg's bare "Connection terminated unexpectedly";
 * - the server shutting down or starting up: SQLSTATE 57P01/57P02/57P03 (Prisma P2039/P2010 with originalCode);
 * - any SQLSTATE of class 08 (connection exception).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (isUnavailableHere(e as ErrorShape)) return true;
    const shape = e as ErrorShape;
    e = shape.meta?.driverAdapterError ?? shape.cause;
  }
  return false;
}

interface ErrorShape {
  code?: unknown;
  errorCode?: unknown;
  message?: unknown;
  cause?: unknown;
  meta?: { driverAdapterError?: unknown };
  /** A DriverAdapterError's cause: the adapter's classification of the driver error. */
  kind?: unknown;
  originalCode?: unknown;
}

/** Prisma: can't reach, timed out reaching or querying, server closed the connection. */
const PRISMA_CODES = new Set(['P1001', 'P1002', 'P1008', 'P1017']);
/** DriverAdapterError kinds behind those codes (seen when the error is not wrapped by the client). */
const ADAPTER_KINDS = new Set(['DatabaseNotReachable', 'ConnectionClosed', 'SocketTimeout']);
/** admin_shutdown, crash_shutdown, cannot_connect_now (starting up, shutting down, in recovery). */
const SQLSTATES = new Set(['57P01', '57P02', '57P03']);
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH']);
/** pg's own errors for a dead connection carry no code. */
const PG_MESSAGES = /^(Connection terminated( unexpectedly| due to connection timeout)?|Client has encountered a connection error and is not queryable)$/;

function isUnavailableHere(e: ErrorShape): boolean {
  if (e instanceof Prisma.PrismaClientInitializationError) return PRISMA_CODES.has(String(e.errorCode));
  if (e instanceof Prisma.PrismaClientKnownRequestError && PRISMA_CODES.has(e.code)) return true;
  if (typeof e.kind === 'string' && ADAPTER_KINDS.has(e.kind)) return true;
  for (const code of [e.originalCode, e.code]) {
    if (typeof code !== 'string') continue;
    if (SQLSTATES.has(code) || /^08[0-9A-Z]{3}$/.test(code) || SOCKET_CODES.has(code)) return true;
  }
  return typeof e.message === 'string' && PG_MESSAGES.test(e.message);
}

/** What a client is told: nothing internal (no host, no SQL), and what to do. */
export const DATABASE_UNAVAILABLE_MESSAGE = 'the database is unavailable right now: retry in a few seconds';
