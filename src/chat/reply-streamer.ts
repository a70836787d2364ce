import { Injectable, Logger } from '@nestjs/common';
import { toSocketError } from '../common/error-responses';
import { ConversationsService } from '../conversations/conversations.service';
import type { FinishReason as StoredFinishReason } from '../generated/prisma/client';
import { type GenerationEvent, GenerationService } from '../generation';
import { ServingMetrics } from '../metrics/serving-metrics';
import { type Admission, admittedUnlessAborted } from '../serving/reply-scheduler';
import { chatErrors } from './chat-errors';
import { ChatBroadcaster } from './chat.broadcaster';
import type { ReplyEndEvent, ReplyModel, WireFinishReason } from './chat.events';
import type { ChatDecoding } from './chat.schemas';

/** One reply to a user turn, its bot row stored (no finish reason yet). */
export interface PlannedReply {
  conversationId: string;
  replyId: string;
  /** The bot turn that stores it. */
  row: { id: string; index: number };
  model: ReplyModel;
  /** The latest stored turns as the model reads them (replyContext), ending with the user turn it answers. */
  context: string[];
  /** Older turns exist that `context` leaves out (the model reads its last maxTurns anyway). */
  truncated: boolean;
  /** With the seed it decodes with (stored in its row). */
  decoding: ChatDecoding;
  /** When message:send arrived (Date.now()): latencies are measured from it, as the user feels them. */
  receivedAt: number;
}

type AbortReason = 'cancelled' | 'shutdown';
/** How the decoder ended a reply. */
type GeneratedFinish = 'eos' | 'length' | 'cancelled';

/** How a reply ended: its text, and whether its row holds it (a failed update leaves the row as it started). */
export interface ReplyOutcome {
  reply: PlannedReply;
  text: string;
  stored: boolean;
}

/**
 * Streams replies to the conversation's room and stores how they end. A bot row is stored with its user turn, with
 * no finish reason, and completed at the end: a reply that a crash interrupts never looks complete. reply:end is
 * sent after the row is updated, so a client that sees it can rely on the stored turn.
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

  /**
   * reply:start for each (in column order), then all replies at once, each decoding once `admission` lets it
   * (ReplyScheduler); a reply cancelled while it waits ends without decoding.
   */
  async run(replies: PlannedReply[], turnIndex: number, admission: Admission): Promise<ReplyOutcome[]> {
    for (const reply of replies) if (!this.controllers.has(reply.replyId)) this.controllers.set(reply.replyId, new AbortController());
    try {
      for (const reply of replies) {
        this.broadcaster.toConversation(reply.conversationId, 'reply:start', { conversationId: reply.conversationId, replyId: reply.replyId, turnIndex, model: reply.model });
      }
      return await Promise.all(replies.map((reply) => this.stream(reply, admission)));
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

  private async stream(reply: PlannedReply, admission: Admission): Promise<ReplyOutcome> {
    const { conversationId, replyId } = reply;
    const signal = this.controllers.get(replyId)!.signal;
    const end: ReplyEndEvent = { conversationId, replyId, text: '', finishReason: 'error', tokens: 0, firstTokenMs: null, totalMs: 0 };
    let stored: StoredFinishReason = 'failed';
    const timer = this.metrics.startReply('socket', reply.model.kind, reply.receivedAt);
    try {
      let generated: GeneratedFinish | undefined;
      if (await admittedUnlessAborted(admission, signal)) {
        const history = { id: `${conversationId}#${reply.model.slot}`, turns: reply.context, truncated: reply.truncated };
        const events: AsyncIterable<GenerationEvent> = this.generation.reply(reply.model.versionId, history, reply.decoding, signal);
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
            generated = event.finishReason;
          }
        }
      } else {
        generated = 'cancelled'; // cancelled (or shut down) while it waited for admission: never decoded
      }
      if (generated) {
        [end.finishReason, stored] = finishReasons(generated, signal.reason as AbortReason | undefined);
        if (end.finishReason === 'error') end.error = toSocketError(chatErrors.shuttingDown()); // the one generated end sent as error
      }
    } catch (error) {
      this.logger.error(`reply ${replyId} failed: ${error instanceof Error ? error.message : String(error)}`);
      end.error = toSocketError(error); // its code, as an ack would carry it; the text so far is kept and stored
    }
    end.totalMs = Date.now() - reply.receivedAt;
    timer.end(end.finishReason);
    const update = { text: end.text, tokenCount: end.tokens, finishReason: stored, firstTokenMs: end.firstTokenMs ?? undefined, totalMs: end.totalMs };
    const saved = await this.conversations.updateBotTurn(reply.row.id, update).then(
      () => true,
      (error: unknown) => {
        this.logger.error(`cannot store the end of reply ${replyId}: ${String(error)}`);
        return false;
      },
    );
    this.broadcaster.toConversation(conversationId, 'reply:end', end);
    return { reply, text: end.text, stored: saved };
  }
}

/** The wire and the stored finish reason. A shutdown is not the user's cancel: stored as interrupted, sent as error. */
function finishReasons(generated: GeneratedFinish, abort: AbortReason | undefined): [WireFinishReason, StoredFinishReason] {
  if (generated === 'eos') return ['eos', 'complete'];
  if (generated === 'length') return ['length', 'length'];
  return abort === 'shutdown' ? ['error', 'interrupted'] : ['cancelled', 'cancelled'];
}
