import { AppError } from '../common/errors';

/**
 * Stable codes of `{ ok: false, error: { code, message } }` acks. Clients branch on these, so never rename one;
 * docs/websocket-protocol.md lists them with what the client should do. Errors of every module reach an ack
 * through common/error-responses.ts, which names the code each of theirs becomes.
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

/** The errors the chat raises itself (other modules' errors keep their own codes). */
type ChatOwnCode = Extract<ChatErrorCode, 'unknown_event' | 'text_empty' | 'text_too_long' | 'conversation_not_found' | 'invalid_token' | 'not_authorized' | 'model_not_found' | 'reply_not_found' | 'reply_in_progress' | 'rate_limited' | 'too_many_conversations' | 'too_many_sockets' | 'shutting_down'>;

export class ChatError extends AppError<ChatOwnCode> {}

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
  textEmpty: (message: string, field: string) => new ChatError('text_empty', message, { field }),
  textTooLong: (message: string, field: string, max: number) => new ChatError('text_too_long', message, { field, max }),
  /** CHAT_CONVERSATIONS_PER_MINUTE reached by this client address. */
  tooManyConversations: (max: number, retryAfterMs: number) =>
    new ChatError('too_many_conversations', `this address started ${max} conversations in the last minute: retry in ${retryAfterMs} ms`, { max, retryAfterMs }),
  /** CHAT_SOCKETS_PER_ADDRESS reached: sent as the connect_error's data. */
  tooManySockets: (max: number) => new ChatError('too_many_sockets', `this address has ${max} chat connections open already: close one first`, { max }),
};
