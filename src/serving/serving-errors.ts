/**
 * The refusals of the serving limits the socket chat and /v1 share (issue 19): a cap on what a client may ask, and
 * the reply queue's admission (ReplyScheduler). common/error-responses.ts maps each code to its wire shapes: an ack's
 * error, and 400 or 429 with Retry-After on HTTP. Nothing is stored when one is thrown.
 */
import { AppError } from '../common/errors';

/** A request over a server-side cap (CHAT_MAX_*, CHAT_IGNORE_EOS): `field` names it as the client wrote it; max false: not allowed at all. */
export class OverLimitError extends AppError<'over_limit'> {
  constructor(field: string, max: number | false) {
    super('over_limit', max === false ? `${field}: not allowed on this server` : `${field}: at most ${max} on this server`, { field, max });
  }
}

/** The reply queue is full (SERVE_MAX_QUEUED): send the message (or request) again after `retryAfterMs`. */
export class ServerBusyError extends AppError<'server_busy'> {
  constructor(retryAfterMs: number) {
    super('server_busy', `the service is busy: retry in ${retryAfterMs} ms`, { retryAfterMs });
  }
}

/** This client address already has `max` replies decoding or waiting (SERVE_REPLIES_PER_ADDRESS). */
export class TooManyRepliesError extends AppError<'too_many_replies'> {
  constructor(max: number, retryAfterMs: number) {
    super('too_many_replies', `this address has ${max} replies streaming or waiting already: retry in ${retryAfterMs} ms`, { max, retryAfterMs });
  }
}
