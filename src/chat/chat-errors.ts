import { AppError } from '../common/errors';
import { ConversationFullError } from '../conversations/conversation-errors';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from '../database/database-errors';
import { GenerationError } from '../generation/generation-errors';
import { ModelUnusableError } from '../model-versions/model-versions.service';

/**
 * Stable codes of `{ ok: false, error: { code, message } }` acks. Clients branch on these, so never rename one;
 * docs/websocket-protocol.md lists them with what the client should do.
 */
export const CHAT_ERROR_CODES = [
  'invalid_payload', // missing or wrong-typed fields; meta.field names the first one
  'unknown_event', // no such client event (a typo, or a client newer than this server)
  'text_empty',
  'text_too_long', // meta.max
  'conversation_not_found',
  'invalid_token', // the resume token does not match the conversation
  'not_authorized', // this socket has not started or resumed the conversation
  'model_not_found', // unknown model version, or no active version of that kind
  'reply_not_found', // not a reply of this conversation, or (reply:cancel) no longer streaming
  'reply_in_progress', // a reply of this conversation is still streaming; cancel it or wait for reply:end
  'conversation_full', // MAX_CONVERSATION_TURNS reached; meta.maxTurns: start a new conversation
  'rate_limited', // meta.retryAfterMs
  'over_limit', // a setting over what this server allows (e.g. decoding.maxTokens); meta.field, meta.max
  'server_busy', // every reply place is taken: retry after meta.retryAfterMs
  'too_many_replies', // this address has meta.max replies streaming or waiting; retry after meta.retryAfterMs
  'too_many_conversations', // this address started meta.max conversations in the last minute; retry after meta.retryAfterMs
  'too_many_sockets', // (connect_error data) this address holds meta.max sockets already
  'shutting_down', // this server is stopping: reconnect (to another instance) and retry
  'unavailable', // the database is down or restarting: send the same event again in a few seconds (same clientMessageId)
  'internal', // a bug or an outage: logged, nothing to fix on the client side
] as const;
export type ChatErrorCode = (typeof CHAT_ERROR_CODES)[number];

export class ChatError extends Error {
  constructor(
    readonly code: ChatErrorCode,
    message: string,
    readonly meta: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export const chatErrors = {
  conversationNotFound: (id: string) => new ChatError('conversation_not_found', `conversation ${id} was not found`, { conversationId: id }),
  invalidToken: (id: string) => new ChatError('invalid_token', `the resume token does not match conversation ${id}`, { conversationId: id }),
  notAuthorized: (id: string) =>
    new ChatError('not_authorized', `this connection may not use conversation ${id}: send conversation:resume with its token first`, {
      conversationId: id,
    }),
  replyNotFound: (id: string) => new ChatError('reply_not_found', `reply ${id} was not found in this conversation`, { replyId: id }),
  replyNotStreaming: (id: string) => new ChatError('reply_not_found', `reply ${id} is not streaming (it has ended or never existed)`, { replyId: id }),
  replyInProgress: (conversationId: string, replyIds: string[]) =>
    new ChatError('reply_in_progress', 'a reply is still streaming in this conversation: wait for reply:end or send reply:cancel', {
      conversationId,
      replyIds,
    }),
  shuttingDown: () => new ChatError('shutting_down', 'this server is shutting down: reconnect and send the message again'),
  unknownEvent: (event: string) => new ChatError('unknown_event', `there is no client event named ${JSON.stringify(event)}`),
  modelNotOffered: (id: string) =>
    new ChatError('model_not_found', `model version ${id} is not its kind's active version, and the chat offers active versions only`, { id }),
  rateLimited: (retryAfterMs: number) =>
    new ChatError('rate_limited', `too many events from this connection; retry in ${retryAfterMs} ms`, { retryAfterMs }),
};

/** A request over a server-side cap (CHAT_MAX_* settings): `field` names it as the client wrote it. */
export class OverLimitError extends ChatError {
  constructor(field: string, max: number | boolean) {
    super('over_limit', typeof max === 'boolean' ? `${field}: not allowed on this server` : `${field}: at most ${max} on this server`, { field, max });
  }
}

/** The reply queue is full (SERVE_MAX_QUEUED): nothing was stored; send the message again after `retryAfterMs`. */
export class ServerBusyError extends ChatError {
  constructor(readonly retryAfterMs: number) {
    super('server_busy', `the service is busy: retry in ${retryAfterMs} ms`, { retryAfterMs });
  }
}

/** This client address already has `max` replies streaming or waiting (SERVE_REPLIES_PER_ADDRESS). */
export class TooManyRepliesError extends ChatError {
  constructor(max: number, readonly retryAfterMs: number) {
    super('too_many_replies', `this address has ${max} replies streaming or waiting already: retry in ${retryAfterMs} ms`, { max, retryAfterMs });
  }
}

/** This client address started `max` conversations in the last minute (CHAT_CONVERSATIONS_PER_MINUTE). */
export class TooManyConversationsError extends ChatError {
  constructor(max: number, readonly retryAfterMs: number) {
    super('too_many_conversations', `this address started ${max} conversations in the last minute: retry in ${retryAfterMs} ms`, { max, retryAfterMs });
  }
}

/** This client address holds `max` sockets already (CHAT_SOCKETS_PER_ADDRESS); sent as the connect_error's data. */
export class TooManySocketsError extends ChatError {
  constructor(max: number) {
    super('too_many_sockets', `this address has ${max} chat connections open already: close one first`, { max });
  }
}

/** NotFoundError's `what` (see common/errors.ts) → the chat code for it. */
const NOT_FOUND: Record<string, ChatErrorCode> = {
  conversation: 'conversation_not_found',
  'bot turn': 'reply_not_found',
  'model version': 'model_not_found',
  'active model of kind': 'model_not_found',
};

/** The error part of an ack. Errors of other modules keep their meaning; anything else is `internal` (and a bug). */
export function toChatError(error: unknown): ChatError {
  if (error instanceof ChatError) return error;
  if (error instanceof ConversationFullError) return new ChatError('conversation_full', error.message, error.meta);
  // Which file is broken is the admins' business (logged on activation and at start-up), not the client's.
  if (error instanceof ModelUnusableError) return new ChatError('model_not_found', `model version ${String(error.meta.id)} cannot be used right now`, { id: error.meta.id });
  if (error instanceof AppError && error.code === 'invalid_input') return new ChatError('invalid_payload', error.message, error.meta);
  const notFound = error instanceof AppError && error.code === 'not_found' ? NOT_FOUND[String(error.meta.what)] : undefined;
  if (notFound) return new ChatError(notFound, (error as AppError).message, (error as AppError).meta);
  if (error instanceof GenerationError && error.code === 'MODEL_NOT_LOADED') return new ChatError('model_not_found', error.message, error.meta);
  // An outage, not a bug: without this a client sees `internal` and cannot tell that a retry will work (issue #9).
  if (isDatabaseUnavailable(error)) return new ChatError('unavailable', DATABASE_UNAVAILABLE_MESSAGE);
  return new ChatError('internal', 'internal error');
}
