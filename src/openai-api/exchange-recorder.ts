import { Injectable } from '@nestjs/common';
import { ConversationsService } from '../conversations/conversations.service';
import { LruCache, prefixDigests } from '../generation';
import type { ChatDecoding } from '../chat/chat.schemas';
import type { OpenAiFinishReason } from './completion-format';

/** One message of the request, as stored: system messages are not part of the conversation. */
export interface ExchangeTurn {
  speaker: 'user' | 'bot';
  text: string;
}

export interface RecordedReply {
  replyId: string;
  text: string;
  finishReason: OpenAiFinishReason;
  tokens: number;
  /** The settings as decoded, seed included, so the reply can be reproduced. */
  decoding: ChatDecoding;
  firstTokenMs?: number;
  totalMs: number;
}

export interface Exchange {
  /** The request's model field (a kind or a version id) and the version that answered. */
  modelRef: string;
  versionId: string;
  decoding: ChatDecoding;
  turns: ExchangeTurn[];
  replies: RecordedReply[];
}

/** Conversations whose continuation this instance can recognise; older ones start a new conversation. */
const KNOWN_CONTINUATIONS = 10_000;

/**
 * Stores API exchanges as conversations (CHAT_API_STORE), through ConversationsService like the socket chat.
 * An OpenAI client resends the whole conversation each time: a request that continues an exchange stored here (its
 * messages are a stored conversation plus one of its replies, then new messages) appends only the new turns to that
 * conversation, so collected conversations hold each turn once. The n choices of a request are stored as a group of
 * bot turns after the turn they answer, as the socket chat's compare mode stores its columns.
 */
@Injectable()
export class ExchangeRecorder {
  /** Digest of the turns a client will resend (stored turns + one reply) → the conversation holding them. */
  private readonly continuations = new LruCache<string, string>(KNOWN_CONTINUATIONS);

  constructor(private readonly conversations: ConversationsService) {}

  /** Stores the exchange; returns the conversation id. */
  async record(exchange: Exchange): Promise<string> {
    const continued = this.takeContinuation(prefixDigests(exchange.turns.map(asDigestInput)));
    const conversationId = continued?.conversationId ?? (await this.start(exchange));
    for (const turn of exchange.turns.slice(continued?.storedTurns ?? 0)) {
      const finished = turn.speaker === 'bot' ? { finishReason: 'complete' as const } : {}; // a reply the client sent is whole
      await this.conversations.appendTurn(conversationId, { speaker: turn.speaker, text: turn.text, ...finished });
    }
    for (const reply of exchange.replies) {
      await this.conversations.appendTurn(conversationId, {
        speaker: 'bot',
        text: reply.text,
        replyId: reply.replyId,
        modelVersionId: exchange.versionId,
        decoding: reply.decoding,
        tokenCount: reply.tokens,
        finishReason: reply.finishReason === 'stop' ? 'complete' : 'length',
        firstTokenMs: reply.firstTokenMs,
        totalMs: reply.totalMs,
      });
      const resent = [...exchange.turns, { speaker: 'bot', text: reply.text } as const];
      this.continuations.set(prefixDigests(resent.map(asDigestInput)).at(-1)!, conversationId);
    }
    return conversationId;
  }

  private async start(exchange: Exchange): Promise<string> {
    const decoding = { models: [exchange.modelRef], decoding: exchange.decoding, source: 'openai-api' };
    return (await this.conversations.start({ modelVersionId: exchange.versionId, decoding })).id;
  }

  /**
   * The stored conversation whose turns (with one of its replies) are the longest prefix of these, if any. Taken,
   * not read: two requests continuing the same exchange differently store a conversation each.
   */
  private takeContinuation(digests: string[]): { conversationId: string; storedTurns: number } | undefined {
    for (let k = digests.length; k > 0; k--) {
      const conversationId = this.continuations.get(digests[k - 1]);
      if (conversationId === undefined) continue;
      this.continuations.delete(digests[k - 1]);
      return { conversationId, storedTurns: k };
    }
    return undefined;
  }
}

/** The speaker is part of what identifies a stored conversation (the models do not read it, storage does). */
function asDigestInput(turn: ExchangeTurn): string {
  return `${turn.speaker}:${turn.text}`;
}
