/**
 * The /chat wire protocol, both directions (docs/websocket-protocol.md is the prose). Every payload, acknowledgement
 * and server event is a zod schema here, and the socket.io typed-event maps are derived from them, so the code's types
 * and the published AsyncAPI document (docs/asyncapi.json, written from CHAT_PROTOCOL) cannot say different things.
 * Client → server events all take an acknowledgement callback answered with an Ack.
 */
import { z } from 'zod';
import { DEFAULT_MAX_MESSAGE_CHARS } from '../config/config';
import { MODEL_KINDS } from '../models/model-config';
import { CHAT_ERROR_CODES } from './chat-errors';
import {
  cancelSchema,
  chatDecodingSchema,
  feedbackSchema,
  historySchema,
  modelRefSchema,
  resumeSchema,
  sendSchema,
  startSchema,
  trainingSchema,
} from './chat.schemas';

/** An error as the socket carries it (common/error-responses.ts makes it): in a failed ack, and in reply:end. */
const socketErrorSchema = z.object({
  code: z.enum(CHAT_ERROR_CODES).describe('stable: branch on it'),
  message: z.string().describe('for people'),
  meta: z.record(z.string(), z.unknown()).optional().describe('details, such as the field that failed'),
});
const ackErrorSchema = z.object({ ok: z.literal(false), error: socketErrorSchema });

export type Ack<T extends object = object> = ({ ok: true } & T) | z.infer<typeof ackErrorSchema>;
export type AckCallback<T extends object = object> = (ack: Ack<T>) => void;

/** How a reply ended on the wire: eos (the model ended it), length (maxTokens), cancelled (reply:cancel), error. */
const wireFinishReasonSchema = z.enum(['eos', 'length', 'cancelled', 'error']);
export type WireFinishReason = z.infer<typeof wireFinishReasonSchema>;

const modelKindSchema = z.enum(MODEL_KINDS);

const replyModelSchema = z.object({
  ref: z.string().describe('the model ref the conversation named: a kind or a version id'),
  versionId: z.string(),
  kind: modelKindSchema,
  name: z.string(),
  slot: z.number().int().min(0).describe('its column in compare mode (0 when not comparing)'),
});
/** The model version that answers; `slot` is its column in compare mode (0 when not comparing). */
export type ReplyModel = z.infer<typeof replyModelSchema>;

const conversationSettingsSchema = z.object({
  models: z.array(modelRefSchema).describe('one model ref, or the compared ones in column order'),
  decoding: chatDecodingSchema,
});
export type ConversationSettings = z.infer<typeof conversationSettingsSchema>;

/** Limits the client should apply before sending (the server enforces them anyway). */
const chatLimitsSchema = z.object({
  maxMessageChars: z.number().int().describe('in UTF-16 code units (String.length, the HTML maxlength attribute)'),
  // The most conversation:start may ask (CHAT_MAX_*, CHAT_IGNORE_EOS); over one it answers over_limit naming the field.
  maxTokens: z.number().int().describe('decoding.maxTokens'),
  maxBeamWidth: z.number().int().describe('decoding.beamWidth'),
  maxCandidates: z.number().int().describe('decoding.candidates'),
  maxCompare: z.number().int().describe('models in compare'),
  ignoreEos: z.boolean().describe('whether decoding.ignoreEos may be true'),
});
export type ChatLimits = z.infer<typeof chatLimitsSchema>;

const storedTurnSchema = z.object({
  index: z.number().int().min(0),
  speaker: z.enum(['user', 'bot']),
  text: z.string(),
  replyId: z.string().optional().describe('bot turns'),
  model: z.object({ versionId: z.string(), kind: modelKindSchema.optional(), name: z.string().optional() }).optional().describe('bot turns'),
  finishReason: z
    .union([wireFinishReasonSchema, z.literal('interrupted'), z.null()])
    .optional()
    .describe('bot turns: null while the reply streams; interrupted when the server stopped before it ended (the text is what was kept)'),
});
export type StoredTurn = z.infer<typeof storedTurnSchema>;

/** A page of stored turns, oldest first; `nextBefore` (absent at the start) is the `before` of the page before it. */
const historyPageSchema = z.object({ turns: z.array(storedTurnSchema), nextBefore: z.number().int().min(0).optional() });
export type HistoryPage = z.infer<typeof historyPageSchema>;

const replyStartEventSchema = z.object({
  conversationId: z.string(),
  replyId: z.string(),
  turnIndex: z.number().int().min(0).describe('the user turn this replies to'),
  model: replyModelSchema,
});
export type ReplyStartEvent = z.infer<typeof replyStartEventSchema>;

const replyTokenEventSchema = z.object({
  conversationId: z.string(),
  replyId: z.string(),
  index: z.number().int().min(0),
  token: z.string(),
  text: z.string().describe('the reply decoded so far'),
});
export type ReplyTokenEvent = z.infer<typeof replyTokenEventSchema>;

const replyEndEventSchema = z.object({
  conversationId: z.string(),
  replyId: z.string(),
  text: z.string(),
  finishReason: wireFinishReasonSchema,
  tokens: z.number().int().min(0),
  firstTokenMs: z.number().nullable().describe('from the server receiving message:send; null when no token came'),
  totalMs: z.number(),
  error: socketErrorSchema.optional().describe("with finishReason error: why, as an ack's error (shutting_down for a shutdown, internal for a bug)"),
});
export type ReplyEndEvent = z.infer<typeof replyEndEventSchema>;

/**
 * Every event of the protocol: what it carries and, for client events, what its acknowledgement answers on success.
 * The source of the typed maps below and of docs/asyncapi.json.
 */
export const CHAT_PROTOCOL = {
  ackError: ackErrorSchema,
  clientEvents: {
    'conversation:start': {
      summary: 'Start a conversation with one model (or compare 2–4); answers its id and the token that resumes it',
      payload: startSchema,
      result: z.object({
        conversationId: z.string(),
        resumeToken: z.string(),
        models: z.array(replyModelSchema),
        settings: conversationSettingsSchema,
        limits: chatLimitsSchema,
        training: z.boolean(),
      }),
    },
    'conversation:resume': {
      summary: 'Join a conversation again (another tab, a reconnect) with its resume token; answers its latest history page',
      payload: resumeSchema,
      result: z.object({
        conversation: historyPageSchema.extend({
          id: z.string(),
          settings: conversationSettingsSchema,
          streaming: z.array(z.string()).describe('replies still streaming'),
          training: z.boolean().describe('whether it may be used to retrain the models'),
        }),
        limits: chatLimitsSchema,
      }),
    },
    'conversation:history': { summary: 'Older turns, a page at a time', payload: historySchema, result: historyPageSchema },
    'message:send': {
      summary: 'Add a user turn; the reply streams as reply:start, reply:token…, reply:end to every socket of the conversation',
      payload: sendSchema(DEFAULT_MAX_MESSAGE_CHARS), // the gateway checks the configured MAX_MESSAGE_CHARS
      result: z.object({
        turnIndex: z.number().int().min(0),
        duplicate: z.literal(true).optional().describe('this clientMessageId was accepted before; nothing was added and no new reply starts'),
      }),
    },
    'conversation:training': {
      summary: 'Opt the conversation out of retraining (training: false) or back in, at any time',
      payload: trainingSchema,
      result: z.object({ training: z.boolean() }),
    },
    'reply:cancel': { summary: 'Stop a streaming reply (it ends with finishReason cancelled)', payload: cancelSchema, result: z.object({}) },
    feedback: { summary: 'Rate a reply (1 or -1), or mark the preferred one in compare mode', payload: feedbackSchema, result: z.object({}) },
  },
  serverEvents: {
    'reply:start': { summary: 'A reply begins (to every socket that started or resumed the conversation)', payload: replyStartEventSchema },
    'reply:token': { summary: 'The next token of a reply', payload: replyTokenEventSchema },
    'reply:end': { summary: 'A reply ended, with its whole text and timings', payload: replyEndEventSchema },
  },
} as const;

type ClientEvents = typeof CHAT_PROTOCOL.clientEvents;
type ServerEvents = typeof CHAT_PROTOCOL.serverEvents;

export type ClientToServerEvents = {
  [E in keyof ClientEvents]: (payload: z.input<ClientEvents[E]['payload']>, ack: AckCallback<z.infer<ClientEvents[E]['result']>>) => void;
};

/** Sent to every socket that started or resumed the conversation (a socket.io room per conversation). */
export type ServerToClientEvents = {
  [E in keyof ServerEvents]: (event: z.infer<ServerEvents[E]['payload']>) => void;
};
