import { randomInt } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { toSocketError } from '../common/error-responses';
import { ConversationsService } from '../conversations/conversations.service';
import type { FinishReason as StoredFinishReason } from '../generated/prisma/client';
import { type GenerationEvent, GenerationService } from '../generation';
import { ServingMetrics } from '../metrics/serving-metrics';
import { chatErrors } from './chat-errors';
import { ChatBroadcaster } from './chat.broadcaster';
import type { ReplyEndEvent, ReplyModel, WireFinishReason } from './chat.events';
import type { ChatDecoding } from './chat.schemas';

/** One reply to a user turn, before its bot row exists. */
export interface PlannedReply {
  conversationId: string;
  replyId: string;
  model: ReplyModel;
  /** The latest stored turns as the model reads them (replyContext), ending with the user turn it answers. */
  context: string[];
  /** Older turns exist that `context` leaves out (the model reads its last maxTurns anyway). */
  truncated: boolean;
  decoding: ChatDecoding;
  /** When message:send arrived (Date.now()): latencies are measured from it, as the user feels them. */
  receivedAt: number;
}

type AbortReason = 'cancelled' | 'shutdown';

/** The reply's bot row, or why it could not be stored. */
type StoredRow = { turnId: string; error?: never } | { turnId?: never; error: unknown };

/**
 * Streams replies to the conversation's room and stores them. A bot row is stored when its reply starts, with no
 * finish reason, and completed at the end: a reply that a crash interrupts never looks complete. reply:end is sent
 * after the row is updated, so a client that sees it can rely on the stored turn.
 */
@Injectable()
export class ReplyStreamer {
  private readonly logger = new Logger(ReplyStreamer.name);
  private readonly controllers = new Map<string, AbortController>();

  constructor(
    private readonly generation: GenerationService,
    private readonly conversations: ConversationsService,
    private readonly broadcaster: ChatBroadcaster,
    private readonly metrics: ServingMetrics,
  ) {}

  /**
   * Makes the replies cancellable from the moment their ids are known (the send ack), before run() starts:
   * a reply:cancel or a shutdown in between stops them instead of missing them.
   */
  register(replies: PlannedReply[]): void {
    for (const reply of replies) this.controllers.set(reply.replyId, new AbortController());
  }

  /** Rows first, in column order (a compare group is stored in column order), then all replies at once. */
  async run(replies: PlannedReply[], turnIndex: number): Promise<void> {
    for (const reply of replies) if (!this.controllers.has(reply.replyId)) this.controllers.set(reply.replyId, new AbortController());
    try {
      const started: { reply: PlannedReply; row: StoredRow; decoding: ChatDecoding }[] = [];
      for (const reply of replies) {
        // A seed per reply, stored with it: every stored reply can be reproduced.
        const decoding = { ...reply.decoding, seed: reply.decoding.seed ?? randomInt(0x100000000) };
        const row = await this.conversations
          .appendTurn(reply.conversationId, { speaker: 'bot', text: '', replyId: reply.replyId, modelVersionId: reply.model.versionId, decoding })
          .then((r): StoredRow => ({ turnId: r.turn.id }))
          .catch((error: unknown): StoredRow => (this.logger.error(`cannot store reply ${reply.replyId}: ${String(error)}`), { error }));
        started.push({ reply, row, decoding });
      }
      for (const { reply } of started) {
        this.broadcaster.toConversation(reply.conversationId, 'reply:start', { conversationId: reply.conversationId, replyId: reply.replyId, turnIndex, model: reply.model });
      }
      await Promise.all(started.map((s) => this.stream(s.reply, s.decoding, s.row)));
    } finally {
      for (const reply of replies) this.controllers.delete(reply.replyId);
    }
  }

  /** False when the reply is not streaming (any more). */
  cancel(replyId: string, reason: AbortReason = 'cancelled'): boolean {
    const controller = this.controllers.get(replyId);
    if (!controller || controller.signal.aborted) return false;
    controller.abort(reason);
    return true;
  }

  cancelAll(reason: AbortReason): void {
    for (const replyId of this.controllers.keys()) this.cancel(replyId, reason);
  }

  private async stream(reply: PlannedReply, decoding: ChatDecoding, row: StoredRow): Promise<void> {
    const { conversationId, replyId } = reply;
    const { turnId } = row;
    const signal = this.controllers.get(replyId)!.signal;
    const end: ReplyEndEvent = { conversationId, replyId, text: '', finishReason: 'error', tokens: 0, firstTokenMs: null, totalMs: 0 };
    let stored: StoredFinishReason = 'failed';
    const timer = this.metrics.startReply('socket', reply.model.kind, reply.receivedAt);
    try {
      if (!turnId) throw row.error; // not streamed: a reply that cannot be stored would be lost at the next resume
      const events: AsyncIterable<GenerationEvent> = this.generation.reply(reply.model.versionId, { id: `${conversationId}#${reply.model.slot}`, turns: reply.context, truncated: reply.truncated }, decoding, signal);
      for await (const event of events) {
        if (event.type === 'token') {
          timer.token();
          end.firstTokenMs ??= Date.now() - reply.receivedAt;
          end.text = event.text;
          end.tokens = event.index + 1;
          this.broadcaster.toConversation(conversationId, 'reply:token', { conversationId, replyId, index: event.index, token: event.token, text: event.text });
        } else {
          end.text = event.text;
          end.tokens = event.ids.length;
          [end.finishReason, stored] = finishReasons(event.finishReason, signal.reason as AbortReason | undefined);
          if (end.finishReason === 'error') end.error = toSocketError(chatErrors.shuttingDown()); // the one generated end sent as error
        }
      }
    } catch (error) {
      this.logger.error(`reply ${replyId} failed: ${error instanceof Error ? error.message : String(error)}`);
      end.error = toSocketError(error); // its code, as an ack would carry it; the text so far is kept and stored
    }
    end.totalMs = Date.now() - reply.receivedAt;
    timer.end(end.finishReason);
    if (turnId) {
      const update = { text: end.text, tokenCount: end.tokens, finishReason: stored, firstTokenMs: end.firstTokenMs ?? undefined, totalMs: end.totalMs };
      await this.conversations.updateBotTurn(turnId, update).catch((error: unknown) => this.logger.error(`cannot store the end of reply ${replyId}: ${String(error)}`));
    }
    this.broadcaster.toConversation(conversationId, 'reply:end', end);
  }
}

/** The wire and the stored finish reason. A shutdown is not the user's cancel: stored as interrupted, sent as error. */
function finishReasons(generated: 'eos' | 'length' | 'cancelled', abort: AbortReason | undefined): [WireFinishReason, StoredFinishReason] {
  if (generated === 'eos') return ['eos', 'complete'];
  if (generated === 'length') return ['length', 'length'];
  return abort === 'shutdown' ? ['error', 'interrupted'] : ['cancelled', 'cancelled'];
}
