/**
 * The /chat wire protocol, both directions, as socket.io typed-event maps (docs/websocket-protocol.md is the prose).
 * Client → server events all take an acknowledgement callback answered with an Ack.
 */
import type { ModelKind } from '../models/model-config';
import type { ChatErrorCode } from './chat-errors';
import type {
  CancelPayload,
  ChatDecoding,
  FeedbackPayload,
  HistoryRequest,
  ModelRef,
  ResumePayload,
  SendPayload,
  StartPayload,
  TrainingPayload,
} from './chat.schemas';

export type Ack<T extends object = object> = ({ ok: true } & T) | { ok: false; error: { code: ChatErrorCode; message: string; meta?: Record<string, unknown> } };
export type AckCallback<T extends object = object> = (ack: Ack<T>) => void;

/** How a reply ended on the wire: eos (the model ended it), length (maxTokens), cancelled (reply:cancel), error. */
export type WireFinishReason = 'eos' | 'length' | 'cancelled' | 'error';

/** The model version that answers; `slot` is its column in compare mode (0 when not comparing). */
export interface ReplyModel {
  ref: ModelRef;
  versionId: string;
  kind: ModelKind;
  name: string;
  slot: number;
}

export interface ConversationSettings {
  /** One model ref, or the compared ones in column order. */
  models: ModelRef[];
  decoding: ChatDecoding;
}

/** Limits the client should apply before sending (the server enforces them anyway). */
export interface ChatLimits {
  /** In UTF-16 code units (String.length, the HTML maxlength attribute). */
  maxMessageChars: number;
  /** The most conversation:start may ask: decoding.maxTokens, .beamWidth, .candidates, compared models, and whether decoding.ignoreEos is allowed. */
  maxTokens: number;
  maxBeamWidth: number;
  maxCandidates: number;
  maxCompare: number;
  ignoreEos: boolean;
}

/** A page of stored turns, oldest first; `nextBefore` (absent at the start) is the `before` of the page before it. */
export interface HistoryPage {
  turns: StoredTurn[];
  nextBefore?: number;
}

export interface StoredTurn {
  index: number;
  speaker: 'user' | 'bot';
  text: string;
  /** Bot turns: */
  replyId?: string;
  model?: { versionId: string; kind?: ModelKind; name?: string };
  /** null while the reply streams; `interrupted` when the server stopped before it ended (the text is what was kept). */
  finishReason?: WireFinishReason | 'interrupted' | null;
}

export interface ClientToServerEvents {
  'conversation:start': (
    payload: StartPayload,
    ack: AckCallback<{ conversationId: string; resumeToken: string; models: ReplyModel[]; settings: ConversationSettings; limits: ChatLimits; training: boolean }>,
  ) => void;
  'conversation:resume': (
    payload: ResumePayload,
    ack: AckCallback<{
      /** `turns`: the latest page of history (HistoryPage); `training`: whether it may be used to retrain the models. */
      conversation: HistoryPage & { id: string; settings: ConversationSettings; streaming: string[]; training: boolean };
      limits: ChatLimits;
    }>,
  ) => void;
  'conversation:history': (payload: HistoryRequest, ack: AckCallback<HistoryPage>) => void;
  /** `duplicate`: this clientMessageId was accepted before; nothing was added and no new reply starts. */
  'message:send': (payload: SendPayload, ack: AckCallback<{ turnIndex: number; duplicate?: true }>) => void;
  /** Whether the conversation may be used to retrain the models: opt out (`training: false`) or back in, at any time. */
  'conversation:training': (payload: TrainingPayload, ack: AckCallback<{ training: boolean }>) => void;
  'reply:cancel': (payload: CancelPayload, ack: AckCallback) => void;
  feedback: (payload: FeedbackPayload, ack: AckCallback) => void;
}

export interface ReplyStartEvent {
  conversationId: string;
  replyId: string;
  /** The user turn this replies to. */
  turnIndex: number;
  model: ReplyModel;
}

export interface ReplyTokenEvent {
  conversationId: string;
  replyId: string;
  index: number;
  token: string;
  /** The reply decoded so far. */
  text: string;
}

export interface ReplyEndEvent {
  conversationId: string;
  replyId: string;
  text: string;
  finishReason: WireFinishReason;
  tokens: number;
  /** From the server receiving message:send; null when no token came. */
  firstTokenMs: number | null;
  totalMs: number;
}

/** Sent to every socket that started or resumed the conversation (a socket.io room per conversation). */
export interface ServerToClientEvents {
  'reply:start': (event: ReplyStartEvent) => void;
  'reply:token': (event: ReplyTokenEvent) => void;
  'reply:end': (event: ReplyEndEvent) => void;
}

