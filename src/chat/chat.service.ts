import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AppError, NotFoundError } from '../common/errors';
import { ConversationsService } from '../conversations/conversations.service';
import { isUuid } from '../common/ids';
import type { Turn } from '../generated/prisma/client';
import { GenerationService, withDefaultDecoding } from '../generation';
import { ModelVersionsService } from '../model-versions/model-versions.service';
import { chatErrors } from './chat-errors';
import type { ConversationSettings, ReplyModel, StoredTurn, WireFinishReason } from './chat.events';
import { CHAT_OPTIONS, type ChatOptions } from './chat.options';
import type { CancelPayload, FeedbackPayload, HistoryPayload, ModelRef, ResumePayload, SendPayload, StartPayload, TrainingPayload } from './chat.schemas';
import { DEFAULT_MODEL, readSettings, toNewConversation } from './conversation-settings';
import { replyContext } from './reply-context';
import { type PlannedReply, ReplyStreamer } from './reply-streamer';

/** The connection a request came from, as the service needs it (the gateway adapts a socket). */
export interface ChatClient {
  isAuthorized(conversationId: string): boolean;
  /** From now on this connection may write to the conversation and receives its replies. */
  authorize(conversationId: string): void;
}

/** The user message a conversation is answering; a second message waits for its replies to end (reply_in_progress). */
interface BusyTurn {
  clientMessageId?: string;
  accepted: Promise<number>;
  replyIds: string[];
}

/** Turns in the resume ack: the latest page; conversation:history gives the ones before it. */
export const RESUME_PAGE = 50;
/** The most turns ConversationsService reads at once (its history limit). */
const STORED_PAGE_MAX = 500;

/**
 * The chat use cases behind the gateway: start and resume conversations, take a message and stream its replies,
 * cancel, rate. Authorization is per connection: only a connection that started a conversation or resumed it with
 * its token may use it.
 */
@Injectable()
export class ChatService implements OnModuleDestroy {
  private readonly logger = new Logger(ChatService.name);
  private readonly busy = new Map<string, BusyTurn>();
  private closing = false;
  /** Turns being answered, awaited at shutdown so every reply row gets its finish reason before the database closes. */
  private readonly answering = new Set<Promise<void>>();

  constructor(
    private readonly conversations: ConversationsService,
    private readonly modelVersions: ModelVersionsService,
    private readonly streamer: ReplyStreamer,
    private readonly generation: GenerationService,
    @Inject(CHAT_OPTIONS) private readonly options: ChatOptions,
  ) {}

  async start(client: ChatClient, payload: StartPayload) {
    const settings: ConversationSettings = { models: payload.compare ?? [payload.model ?? DEFAULT_MODEL], decoding: withDefaultDecoding(payload.decoding ?? {}, this.options.defaultDecoding) };
    if (!this.options.inactiveVersions) await this.requireOffered(settings.models); // before loading anything
    const models = await this.resolveModels(settings.models); // fail now, not at the first message
    const training = payload.training ?? true;
    const { id, resumeToken } = await this.conversations.start({ ...toNewConversation(settings), allowTraining: training });
    client.authorize(id);
    return { conversationId: id, resumeToken, models, settings, limits: this.limits(), training };
  }

  async resume(client: ChatClient, { conversationId, resumeToken }: ResumePayload) {
    if (!(await this.conversations.verifyToken(conversationId, resumeToken))) {
      throw (await this.exists(conversationId)) ? chatErrors.invalidToken(conversationId) : chatErrors.conversationNotFound(conversationId);
    }
    client.authorize(conversationId);
    const [conversation, page] = await Promise.all([this.conversations.get(conversationId), this.historyPage(conversationId, { limit: RESUME_PAGE })]);
    const streaming = this.busy.get(conversationId)?.replyIds ?? [];
    return {
      conversation: { id: conversationId, ...page, settings: readSettings(conversation), streaming, training: conversation.allowTraining },
      limits: this.limits(),
    };
  }

  /** Older turns of a conversation this connection may use, oldest first; `nextBefore` asks for the page before. */
  async history(client: ChatClient, { conversationId, before, limit }: HistoryPayload) {
    await this.requireAccess(client, conversationId);
    return this.historyPage(conversationId, { before, limit });
  }

  /**
   * Stores the user turn and acks with its index; the replies stream afterwards. A clientMessageId seen before
   * answers `duplicate` and adds nothing (a retry of a message whose reply a crash prevented is answered, though).
   */
  async send(client: ChatClient, payload: SendPayload, receivedAt = Date.now()): Promise<{ turnIndex: number; duplicate?: true }> {
    const { conversationId, clientMessageId } = payload;
    if (this.closing) throw chatErrors.shuttingDown();
    await this.requireAccess(client, conversationId);
    const busy = this.busy.get(conversationId);
    if (busy) {
      if (clientMessageId !== undefined && busy.clientMessageId === clientMessageId) return { turnIndex: await busy.accepted, duplicate: true };
      throw chatErrors.replyInProgress(conversationId, busy.replyIds);
    }
    const accepted = this.accept(payload);
    // Claimed in the same tick as the check above: two messages arriving together cannot both pass.
    const turn: BusyTurn = { clientMessageId, replyIds: [], accepted: accepted.then((a) => a.turnIndex) };
    turn.accepted.catch(() => {}); // awaited only by retries, if any; the failure itself is acked below
    this.busy.set(conversationId, turn);
    try {
      const { turnIndex, created, replies } = await accepted;
      if (replies.length === 0) this.busy.delete(conversationId);
      else this.answer(turn, turnIndex, replies.map((r) => ({ ...r, conversationId, replyId: randomUUID(), receivedAt })));
      return created ? { turnIndex } : { turnIndex, duplicate: true };
    } catch (error) {
      this.busy.delete(conversationId);
      throw error;
    }
  }

  /** The person opts this conversation out of retraining, or back in (exports read the flag when a run starts). */
  async setTraining(client: ChatClient, { conversationId, training }: TrainingPayload): Promise<{ training: boolean }> {
    await this.requireAccess(client, conversationId);
    await this.conversations.setAllowTraining(conversationId, training);
    return { training };
  }

  async cancel(client: ChatClient, { conversationId, replyId }: CancelPayload): Promise<object> {
    await this.requireAccess(client, conversationId);
    if (!this.busy.get(conversationId)?.replyIds.includes(replyId) || !this.streamer.cancel(replyId)) {
      throw chatErrors.replyNotStreaming(replyId);
    }
    return {};
  }

  async feedback(client: ChatClient, { conversationId, replyId, rating, preferred }: FeedbackPayload): Promise<object> {
    await this.requireAccess(client, conversationId);
    await this.conversations.addFeedback(conversationId, { replyId }, { rating, preferred }).catch((error: unknown) => {
      throw error instanceof NotFoundError ? chatErrors.replyNotFound(replyId) : error;
    });
    return {};
  }

  /** Shutdown: stop the replies and wait until each is stored as interrupted. */
  async onModuleDestroy(): Promise<void> {
    this.closing = true; // a message arriving from now on would start a reply nobody waits for
    this.streamer.cancelAll('shutdown');
    await Promise.allSettled([...this.answering]);
  }

  private async accept({ conversationId, text, clientMessageId }: SendPayload) {
    const settings = readSettings(await this.conversations.get(conversationId));
    const models = await this.resolveModels(settings.models);
    const { maxConversationTurns: maxTurns } = this.options;
    const { turn, created } = await this.conversations.appendTurn(conversationId, { speaker: 'user', text, clientMessageId }, { maxTurns });
    const { turns, truncated } = await this.recentTurns(conversationId, models);
    // A retried message is answered again only when nothing came after it (a crash stopped its replies).
    const answered = turns.some((t) => t.index > turn.index);
    const replies = !created && answered ? [] : models.map((model) => ({ model, context: replyContext(turns, model.slot), truncated, decoding: settings.decoding }));
    return { turnIndex: turn.index, created, replies };
  }

  /** Streams after the ack is sent (setImmediate runs after Nest acks), so reply:start never comes before the ack. */
  private answer(turn: BusyTurn, turnIndex: number, replies: PlannedReply[]): void {
    const { conversationId } = replies[0];
    turn.replyIds.push(...replies.map((r) => r.replyId));
    this.streamer.register(replies);
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.streamer.run(replies, turnIndex))
      .catch((error: unknown) => this.logger.error(`replies in conversation ${conversationId} failed: ${String(error)}`))
      .finally(() => {
        this.busy.delete(conversationId);
        this.answering.delete(done);
      });
    this.answering.add(done);
  }

  private limits() {
    return { maxMessageChars: this.options.maxMessageChars };
  }

  private async requireAccess(client: ChatClient, conversationId: string): Promise<void> {
    if (client.isAuthorized(conversationId)) return;
    throw (await this.exists(conversationId)) ? chatErrors.notAuthorized(conversationId) : chatErrors.conversationNotFound(conversationId);
  }

  private exists(conversationId: string): Promise<boolean> {
    return this.conversations.get(conversationId).then(
      () => true,
      (error: unknown) => (error instanceof AppError && error.code === 'conversation_not_found' ? false : Promise.reject(error)),
    );
  }

  private resolveModels(refs: ModelRef[]): Promise<ReplyModel[]> {
    return Promise.all(refs.map(async (ref, slot) => ({ ref, slot, ...(await this.modelVersions.resolve(ref)) })));
  }

  /**
   * Anonymous clients chat with the active version of each kind; a version id must name one of those unless
   * CHAT_INACTIVE_VERSIONS allows any (an unreleased or retired version is the admins' to try, not everyone's).
   * Checked at the start only: a conversation pinned to a version while it was active goes on with it.
   */
  private async requireOffered(refs: ModelRef[]): Promise<void> {
    for (const ref of refs.filter(isUuid)) {
      const version = await this.modelVersions.get(ref);
      if (this.modelVersions.activeVersionId(version.kind) !== version.id) throw chatErrors.modelNotOffered(version.id);
    }
  }

  /**
   * The latest stored turns, enough for every model's maxTurns utterances (a user turn is followed by one bot turn
   * per model), never the whole conversation: what a reply reads and costs stays bounded however long it grows.
   * `truncated`: older turns exist and were left out.
   */
  private async recentTurns(conversationId: string, models: ReplyModel[]): Promise<{ turns: Turn[]; truncated: boolean }> {
    const utterances = Math.max(...models.map((m) => this.generation.contextTurns(m.versionId)));
    const page = await this.conversations.history(conversationId, { limit: Math.min(STORED_PAGE_MAX, utterances * (models.length + 1)) });
    const truncated = page.nextBefore !== undefined;
    // A page that starts inside a compare group would read as a group of its own: start it at a user turn.
    const start = truncated ? Math.max(0, page.turns.findIndex((t) => t.speaker === 'user')) : 0;
    return { turns: page.turns.slice(start), truncated };
  }

  private async historyPage(conversationId: string, query: { before?: number; limit: number }): Promise<{ turns: StoredTurn[]; nextBefore?: number }> {
    const page = await this.conversations.history(conversationId, query);
    const turns = await this.describeTurns(page.turns, this.busy.get(conversationId)?.replyIds ?? []);
    return page.nextBefore === undefined ? { turns } : { turns, nextBefore: page.nextBefore };
  }

  private async describeTurns(turns: Turn[], streaming: string[]): Promise<StoredTurn[]> {
    const ids = [...new Set(turns.map((t) => t.modelVersionId).filter((id): id is string => id !== null))];
    const versions = new Map(await Promise.all(ids.map(async (id) => [id, await this.modelVersions.get(id).catch(() => null)] as const)));
    return turns.map((t): StoredTurn => {
      if (t.speaker === 'user') return { index: t.index, speaker: 'user', text: t.text };
      const version = t.modelVersionId ? versions.get(t.modelVersionId) : null;
      const finishReason = t.finishReason ?? (t.replyId && streaming.includes(t.replyId) ? null : 'interrupted');
      return {
        index: t.index,
        speaker: 'bot',
        text: t.text,
        replyId: t.replyId ?? undefined,
        model: t.modelVersionId ? { versionId: t.modelVersionId, kind: version?.kind, name: version?.name } : undefined,
        finishReason: toWireFinish(finishReason),
      };
    });
  }
}

function toWireFinish(stored: Turn['finishReason'] | 'interrupted' | null): StoredTurn['finishReason'] {
  const wire: Record<string, WireFinishReason | 'interrupted'> = { complete: 'eos', failed: 'error', length: 'length', cancelled: 'cancelled', interrupted: 'interrupted' };
  return stored === null ? null : wire[stored];
}
