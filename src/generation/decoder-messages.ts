/**
 * What the decoder pool (decoder-pool.ts) and its threads (decoder.worker.ts) say to each other. Replies and model
 * replicas are named by numbers the pool hands out; a conversation state crosses as its plain arrays.
 */
import type { BackendChoice } from '../tensor/backend';
import type { ModelReplica } from './model-replica';
import type { ConversationState } from './conversation-state';
import type { Decoding } from './decoding-options';
import type { GenerationEvent } from './generation-events';

/** What a decoder thread starts with. */
export interface DecoderThreadData {
  /** Resolved (resolvedBackend): the backend this process chose, so `auto` is not decided again per thread. */
  backend: BackendChoice;
  maxBatchSize: number;
}

/** What the pool sends a thread, in batches (ToDecoder[]: all it sent within one turn of its event loop). */
export type ToDecoder =
  /** A replica of a model the pool serves (sent to every thread, and to a thread that replaces one). */
  | { type: 'load'; model: number; replica: ModelReplica }
  /** No reply will use the model again: its replica is disposed once its running replies end. */
  | { type: 'unload'; model: number }
  /** `decoding` and `maxTokens` resolved against the model (resolveDecoding), `state` checked to fit it. */
  | { type: 'submit'; reply: number; model: number; state: ConversationState; decoding: Decoding; maxTokens: number }
  /** Ends the reply at its next step boundary with finish reason cancelled (nothing if it has ended). */
  | { type: 'cancel'; reply: number };

/** One event of a reply, or why it cannot go on (no more updates follow then). */
export type ReplyUpdate = { reply: number; event: GenerationEvent } | { reply: number; error: string };

export type FromDecoder =
  /** The thread's backend has started. */
  | { type: 'ready' }
  /**
   * Every update of one turn of the thread's event loop (a step's tokens for all its rows) in one message, and how
   * many of its replies are being decoded (the others wait for a place in a batch).
   */
  | { type: 'replies'; updates: ReplyUpdate[]; active: number };
