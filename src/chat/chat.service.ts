import { randomInt, randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { AppError, NotFoundError } from '../common/errors';
import { ConversationsService } from '../conversations/conversations.service';
import { isUuid } from '../common/ids';
import type { Turn } from '../generated/prisma/client';
import { GenerationService, LruCache, withDefaultDecoding } from '../generation';
import { ModelVersionsService } from '../model-versions/model-versions.service';
import { decodingRows, overCap } from '../serving/decoding-caps';
import { type Admission, ReplyScheduler } from '../serving/reply-scheduler';
import { OverLimitError } from '../serving/serving-errors';
import { chatErrors } from './chat-errors';
import type { ChatLimits, ConversationSettings, ReplyModel, StoredTurn, WireFinishReason } from './chat.events';
import { CHAT_OPTIONS, type ChatOptions } from './chat.options';
import type { CancelPayload, FeedbackPayload, HistoryPayload, ModelRef, ResumePayload, SendPayload, StartPayload, TrainingPayload } from './chat.schemas';
import { advance, type ConversationSession, ConversationSessions, truncated, type WindowTurn, windowOf } from './conversation-sessions';
import { DEFAULT_MODEL, readSettings, toNewConversation } from './conversation-settings';
import { TokenBucket } from './rate-limiter';
import { replyContext } from './reply-context';
import { type PlannedReply, type ReplyOutcome, ReplyStreamer } from './reply-streamer';

/** The connection a request came from, as the service needs it (the gateway adapts a socket). */
export interface ChatClient {
  /** Where the connection comes from (clientAddress): what the per-client limits count. */
  readonly address: string;
  isAuthorized(conversationId: string): boolean;
  /** From now on this connection may write to the conversation and receives its replies. */
  authorize(conversationId: string): void;
}

/** The user message a conversation is answering; a second message waits for its replies to end (reply_in_progress). */
interface BusyTurn {
  clientMessageId?: string;
  accepted: Promise<number>;
  replyIds: string[];
  /** Nobody listens to the conversation any more (abandon): its replies stop as soon as they are known. */
  abandoned?: true;
}

/** A message stored and the replies it gets (none for a retry that was answered before). */
interface Accepted {
  turnIndex: number;
  created: boolean;
  replies: PlannedReply[];
  /** The replies' place in the reply queue, released when they end (already released when there are none). */
  admission: Admission;
}

/** Turns in the resume ack: the latest page; conversation:history gives the ones before it. */
export const RESUME_PAGE = 50;
/** The most turns ConversationsService reads at once (its history limit). */
const STORED_PAGE_MAX = 500;
/** Client addresses whose conversation starts are counted; an address evicted meanwhile starts afresh. */
const COUNTED_ADDRESSES = 10_000;

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
  private readonly sessions = new ConversationSessions();
  /** Conversations started, per client address (CHAT_CONVERSATIONS_PER_MINUTE). */
  private readonly starts = new LruCache<string, TokenBucket>(COUNTED_ADDRESSES);

  constructor(
    private readonly conversations: ConversationsService,
    private readonly modelVersions: ModelVersionsService,
    private readonly streamer: ReplyStreamer,
    private readonly generation: GenerationService,
    @Inject(CHAT_OPTIONS) private readonly options: ChatOptions,
    private readonly scheduler: ReplyScheduler,
  ) {}

  async start(client: ChatClient, payload: StartPayload) {
    const settings: ConversationSettings = { models: payload.compare ?? [payload.model ?? DEFAULT_MODEL], decoding: withDefaultDecoding(payload.decoding ?? {}, this.options.defaultDecoding) };
    this.requireWithinCaps(settings);
    if (!this.options.inactiveVersions) await this.requireOffered(settings.models); // before loading anything
    const models = await this.resolveModels(settings.models); // fail now, not at the first message
    const training = payload.training ?? true;
    this.countStart(client.address);
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
    const accepted = this.accept(client, payload, receivedAt);
    // Claimed in the same tick as the check above: two messages arriving together cannot both pass.
    const turn: BusyTurn = { clientMessageId, replyIds: [], accepted: accepted.then((a) => a.turnIndex) };
    turn.accepted.catch(() => {}); // awaited only by retries, if any; the failure itself is acked below
    this.busy.set(conversationId, turn);
    try {
      const { turnIndex, created, replies, admission } = await accepted;
      if (replies.length === 0) this.busy.delete(conversationId);
      else this.answer(turn, turnIndex, replies, admission);
      return created ? { turnIndex } : { turnIndex, duplicate: true };
    } catch (error) {
      this.busy.delete(conversationId);
      throw error;
    }
  }

  /**
   * A connection listening to the conversation has closed, `remaining` still listen (the gateway tells). When none
   * does, its replies stop, within a decoder step, instead of decoding for nobody (another tab keeps them going).
   */
  listenerLeft(conversationId: string, remaining: number): void {
    if (remaining === 0) this.abandon(conversationId);
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

  /**
   * Stores the user turn with its reply rows (one write), after taking the replies' place in the reply queue: a
   * busy service refuses the message before anything is stored. The conversation's settings and latest turns come
   * from its session, so a message costs no read (conversation-sessions.ts).
   */
  private async accept(client: ChatClient, { conversationId, text, clientMessageId }: SendPayload, receivedAt: number): Promise<Accepted> {
    let session = await this.session(conversationId);
    const models = await this.resolveModels(session.settings.models);
    const size = this.windowSize(models);
    if (size > session.size) session = await this.readSession(conversationId, session.settings, size); // a model now reads more turns
    const decoding = session.settings.decoding;
    // A seed per reply, stored with it: every stored reply can be reproduced.
    const planned = models.map((model) => ({ model, replyId: randomUUID(), decoding: { ...decoding, seed: decoding.seed ?? randomInt(0x100000000) } }));
    const admission = this.scheduler.reserve({ client: client.address, rows: planned.reduce((rows, p) => rows + decodingRows(p.decoding), 0) });
    try {
      const user = { speaker: 'user' as const, text, clientMessageId };
      const bots = planned.map((p) => ({ speaker: 'bot' as const, text: '', replyId: p.replyId, modelVersionId: p.model.versionId, decoding: p.decoding }));
      const { maxConversationTurns: maxTurns } = this.options;
      const { turns: stored, created } = await this.conversations.appendExchange(conversationId, user, bots, { maxTurns, nextIndex: session.nextIndex });
      if (!created) return await this.retried(conversationId, stored[0], planned, size, receivedAt, admission);
      if (stored[0].index === session.nextIndex) advance(session, stored.map(windowTurn));
      else session = await this.readSession(conversationId, session.settings, size); // another instance appended meanwhile
      const window = session.turns.filter((t) => t.index <= stored[0].index);
      const replies = planned.map((p, k) => ({ ...p, conversationId, row: { id: stored[k + 1].id, index: stored[k + 1].index }, context: replyContext(window, p.model.slot), truncated: truncated(window), receivedAt }));
      return { turnIndex: stored[0].index, created: true, replies, admission };
    } catch (error) {
      admission.release();
      throw error;
    }
  }

  /**
   * A clientMessageId stored before: answered again only when nothing came after it (a crash stopped its replies),
   * with reply rows appended after it; otherwise acked as a duplicate, with no reply.
   */
  private async retried(conversationId: string, turn: Turn, planned: Pick<PlannedReply, 'model' | 'replyId' | 'decoding'>[], size: number, receivedAt: number, admission: Admission): Promise<Accepted> {
    this.sessions.forget(conversationId); // read again at the next message
    const window = windowOf((await this.conversations.latestTurns(conversationId, size)).map(windowTurn), size);
    if (window.some((t) => t.index > turn.index)) {
      admission.release();
      return { turnIndex: turn.index, created: false, replies: [], admission };
    }
    const replies: PlannedReply[] = [];
    for (const p of planned) {
      const row = { speaker: 'bot' as const, text: '', replyId: p.replyId, modelVersionId: p.model.versionId, decoding: p.decoding };
      const { turn: stored } = await this.conversations.appendTurn(conversationId, row);
      replies.push({ ...p, conversationId, row: { id: stored.id, index: stored.index }, context: replyContext(window, p.model.slot), truncated: truncated(window), receivedAt });
    }
    return { turnIndex: turn.index, created: false, replies, admission };
  }

  /** Streams after the ack is sent (setImmediate runs after Nest acks), so reply:start never comes before the ack. */
  private answer(turn: BusyTurn, turnIndex: number, replies: PlannedReply[], admission: Admission): void {
    const { conversationId } = replies[0];
    turn.replyIds.push(...replies.map((r) => r.replyId));
    this.streamer.register(replies);
    if (turn.abandoned) this.abandon(conversationId);
    const done: Promise<void> = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.streamer.run(replies, turnIndex, admission))
      .then((outcomes) => this.remember(conversationId, outcomes))
      .catch((error: unknown) => this.logger.error(`replies in conversation ${conversationId} failed: ${String(error)}`))
      .finally(() => {
        admission.release();
        this.busy.delete(conversationId);
        this.answering.delete(done);
      });
    this.answering.add(done);
  }

  /** Stops the conversation's replies (nobody listens); a message still being stored stops once its replies exist. */
  private abandon(conversationId: string): void {
    const turn = this.busy.get(conversationId);
    if (!turn) return;
    turn.abandoned = true;
    for (const replyId of turn.replyIds) this.streamer.cancel(replyId);
  }

  /** The session learns each reply's stored text; a reply whose end could not be stored makes it read again. */
  private remember(conversationId: string, outcomes: ReplyOutcome[]): void {
    for (const { reply, text, stored } of outcomes) {
      if (stored) this.sessions.replyStored(conversationId, reply.row.index, text);
      else this.sessions.forget(conversationId);
    }
  }

  /** The conversation's session: kept from its last message, or read (its settings and latest turns). */
  private async session(conversationId: string): Promise<ConversationSession> {
    const kept = this.sessions.get(conversationId);
    if (kept) return kept;
    const settings = readSettings(await this.conversations.get(conversationId));
    return this.readSession(conversationId, settings, this.windowSize(await this.resolveModels(settings.models)));
  }

  /**
   * Reads the conversation's window and keeps it, unless a reply in it has not ended: streaming on another instance
   * (two tabs on two instances), its text is not final yet (or a crash left it so): read again next time.
   */
  private async readSession(conversationId: string, settings: ConversationSettings, size: number): Promise<ConversationSession> {
    const stored = windowOf(await this.conversations.latestTurns(conversationId, size), size);
    const session: ConversationSession = { settings, turns: stored.map(windowTurn), size, nextIndex: (stored.at(-1)?.index ?? -1) + 1 };
    if (stored.every((t) => t.speaker === 'user' || t.finishReason !== null)) this.sessions.set(conversationId, session);
    else this.sessions.forget(conversationId);
    return session;
  }

  /**
   * Turns a reply reads at most: every model's maxTurns utterances (a user turn is followed by one bot turn per
   * model), never the whole conversation: what a reply reads and costs stays bounded however long it grows.
   */
  private windowSize(models: ReplyModel[]): number {
    const utterances = Math.max(...models.map((m) => this.generation.contextTurns(m.versionId)));
    return Math.min(STORED_PAGE_MAX, utterances * (models.length + 1));
  }

  /** Server-side caps on what a client may ask (CHAT_MAX_*): refused with the field named, as the client wrote it. */
  private requireWithinCaps(settings: ConversationSettings): void {
    if (settings.models.length > this.options.maxCompare) throw new OverLimitError('compare', this.options.maxCompare);
    const over = overCap(settings.decoding, this.options.decodingCaps);
    if (over) throw new OverLimitError(`decoding.${over.field}`, over.max);
  }

  /** CHAT_CONVERSATIONS_PER_MINUTE per client address: a bucket of that many, refilled over a minute. */
  private countStart(address: string): void {
    const perMinute = this.options.conversationsPerMinute;
    let bucket = this.starts.get(address);
    if (!bucket) this.starts.set(address, (bucket = new TokenBucket({ burst: perMinute, perSecond: perMinute / 60 })));
    const retryAfterMs = bucket.take();
    if (retryAfterMs > 0) throw chatErrors.tooManyConversations(perMinute, retryAfterMs);
  }

  private limits(): ChatLimits {
    const { maxMessageChars, maxCompare, decodingCaps: caps } = this.options;
    return { maxMessageChars, maxTokens: caps.maxTokens, maxBeamWidth: caps.beamWidth, maxCandidates: caps.candidates, maxCompare, ignoreEos: caps.ignoreEos };
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

function windowTurn(turn: Turn): WindowTurn {
  return { index: turn.index, speaker: turn.speaker, text: turn.text };
}

function toWireFinish(stored: Turn['finishReason'] | 'interrupted' | null): StoredTurn['finishReason'] {
  const wire: Record<string, WireFinishReason | 'interrupted'> = { complete: 'eos', failed: 'error', length: 'length', cancelled: 'cancelled', interrupted: 'interrupted' };
  return stored === null ? null : wire[stored];
}
