import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { ChatDecoding } from '../chat/chat.schemas';
import { AppError } from '../common/errors';
import { isUuid } from '../common/ids';
import { type ConversationRead, type EndEvent, GenerationService } from '../generation';
import { ServingMetrics } from '../metrics/serving-metrics';
import { ModelVersionsService, type ResolvedModel } from '../model-versions/model-versions.service';
import { overCap } from '../serving/decoding-caps';
import { type Admission, admittedUnlessAborted, ReplyScheduler } from '../serving/reply-scheduler';
import { type ChatCompletionRequest, conversationTurns } from './chat-completion.schema';
import { type ChoicePlan, planChoices, planRows } from './choice-plan';
import { type CompletionHeader, completionHeader, type FinishedChoice, type OpenAiFinishReason, openAiFinishReason, usage, type Usage } from './completion-format';
import { ExchangeRecorder, type ExchangeTurn, type RecordedReply } from './exchange-recorder';
import { OPENAI_API_OPTIONS, type OpenAiApiOptions } from './openai-api.options';
import { openAiErrors } from './openai-errors';

/** A request that passed every check (model, caps, capacity) with its conversation read: nothing has been sent yet. */
export interface PreparedCompletion {
  header: CompletionHeader;
  request: ChatCompletionRequest;
  model: ResolvedModel;
  plan: ChoicePlan;
  /** Number of choices in the response. */
  choices: number;
  read: ConversationRead;
  /** Date.now() when the request arrived: latencies are measured from it. */
  requestedAt: number;
  /** Its place in the reply queue (ReplyScheduler), released when run() ends. */
  admission: Admission;
}

/** Hears each choice's text as it grows (a streamed response); a whole response needs none of it. */
export interface CompletionListener {
  delta?(index: number, text: string): void;
  finish?(index: number, reason: OpenAiFinishReason): void;
}

export interface CompletionResult {
  choices: FinishedChoice[];
  usage: Usage;
}

/** What one decoded reply (a row, or the beam search) ended with. */
interface ReplyEnd {
  end: EndEvent;
  decoding: ChatDecoding;
  firstTokenMs?: number;
  totalMs: number;
}

const SHUTDOWN = 'shutdown';

/**
 * /v1/chat/completions on the generation service the socket chat uses (same batches, same model leases, same
 * conversation-state cache: a conversation resent with one more turn encodes that turn only).
 */
@Injectable()
export class ChatCompletionsService implements OnModuleDestroy {
  private readonly logger = new Logger(ChatCompletionsService.name);
  /** Requests being answered: a shutdown stops their replies and waits for them (storage included). */
  private readonly running = new Map<AbortController, Promise<unknown>>();
  private closing = false;

  constructor(
    private readonly modelVersions: ModelVersionsService,
    private readonly generation: GenerationService,
    private readonly metrics: ServingMetrics,
    private readonly recorder: ExchangeRecorder,
    @Inject(OPENAI_API_OPTIONS) private readonly options: OpenAiApiOptions,
    private readonly scheduler: ReplyScheduler,
  ) {}

  /**
   * Every check that can refuse the request, before a byte of the response: the model (404), the caps (400), the
   * load (429: the reply queue is full, or `client`, the caller's address, has too many replies in flight).
   */
  async prepare(request: ChatCompletionRequest, requestedAt: number, client: string): Promise<PreparedCompletion> {
    if (this.closing) throw openAiErrors.shuttingDown();
    const turns = conversationTurns(request.messages);
    const model = await this.resolveModel(request.model);
    const plan = planChoices(request, model.kind, this.options.defaultDecoding);
    this.requireWithinCaps(request, plan);
    // Before reading the conversation: a refusal under load costs no encoding.
    const admission = this.scheduler.reserve({ client, rows: planRows(plan) });
    try {
      const read = await this.generation.read(model.versionId, { turns });
      const choices = plan.strategy === 'rows' ? plan.decodings.length : plan.n;
      return { header: completionHeader(model.versionId, requestedAt), request, model, plan, choices, read, requestedAt, admission };
    } catch (error) {
      admission.release();
      throw error;
    }
  }

  /**
   * Decodes every choice; resolves once all have ended, or null when `signal` aborted (the client left: nothing
   * to answer). A shutdown meanwhile is a 503; a failing choice stops the others and fails the request.
   */
  async run(prepared: PreparedCompletion, listener: CompletionListener, signal: AbortSignal): Promise<CompletionResult | null> {
    const abort = new AbortController();
    const onAbort = () => abort.abort(signal.reason);
    if (signal.aborted) onAbort(); // the client left while the request was prepared
    signal.addEventListener('abort', onAbort, { once: true });
    const work = this.answer(prepared, listener, abort);
    this.running.set(abort, work);
    try {
      return await work;
    } finally {
      signal.removeEventListener('abort', onAbort);
      this.running.delete(abort);
      prepared.admission.release();
    }
  }

  /**
   * A kind's active version, or the version an id names. Unless CHAT_INACTIVE_VERSIONS allows any, a version id must
   * name an active version, as in the socket chat; another one is "not found" (OpenAI's answer for no access).
   */
  private async resolveModel(ref: string): Promise<ResolvedModel> {
    if (!this.options.inactiveVersions && isUuid(ref)) {
      const version = await this.modelVersions.get(ref).catch((error: unknown) => {
        if (error instanceof AppError && error.code === 'model_not_found') return null;
        throw error; // e.g. the database is down: 503, not "not found"
      });
      if (!version || this.modelVersions.activeVersionId(version.kind) !== version.id) throw openAiErrors.modelNotFound(ref);
    }
    return this.modelVersions.resolve(ref);
  }

  /** The socket chat's caps (CHAT_MAX_*), each named as the request gave it: 400 over one. */
  private requireWithinCaps(request: ChatCompletionRequest, plan: ChoicePlan): void {
    for (const decoding of plan.strategy === 'rows' ? plan.decodings : [plan.decoding]) {
      const over = overCap(decoding, this.options.decodingCaps);
      if (!over) continue;
      const given = request.decoding ?? {};
      const param =
        over.field === 'maxTokens' && given.maxTokens === undefined ? (request.max_completion_tokens != null ? 'max_completion_tokens' : 'max_tokens')
        : over.field === 'beamWidth' && given.beamWidth === undefined ? 'n' // the search is as wide as n when decoding.beamWidth is not given
        : `decoding.${over.field}`;
      throw openAiErrors.overLimit(param, over.max);
    }
  }

  /** Shutdown: stop every reply and wait until each request has answered 503 (or ended its stream with that error). */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    for (const abort of this.running.keys()) abort.abort(SHUTDOWN);
    await Promise.allSettled(this.running.values());
  }

  private async answer(prepared: PreparedCompletion, listener: CompletionListener, abort: AbortController): Promise<CompletionResult | null> {
    const ends = (await admittedUnlessAborted(prepared.admission, abort.signal)) ? await this.decode(prepared, listener, abort) : [];
    if (abort.signal.aborted) {
      if (abort.signal.reason === SHUTDOWN) throw openAiErrors.shuttingDown();
      return null;
    }
    const result = resultOf(prepared, ends);
    if (this.options.storeConversations) await this.record(prepared, ends);
    return result;
  }

  private async decode(prepared: PreparedCompletion, listener: CompletionListener, abort: AbortController): Promise<ReplyEnd[]> {
    const { plan } = prepared;
    if (plan.strategy === 'beam') {
      const reply = await this.reply(prepared, plan.decoding, abort.signal, {}); // tokens arrive only once the search ends
      if (reply.end.finishReason !== 'cancelled') {
        reply.end.hypotheses!.forEach((h, index) => {
          listener.delta?.(index, h.text);
          listener.finish?.(index, openAiFinishReason(h.finishReason));
        });
      }
      return [reply];
    }
    const settled = await Promise.allSettled(
      plan.decodings.map((decoding, index) =>
        this.reply(prepared, decoding, abort.signal, {
          delta: (text) => listener.delta?.(index, text),
          finish: (reason) => listener.finish?.(index, reason),
        }).catch((error: unknown) => {
          abort.abort(error); // the other choices stop too: the request fails as a whole
          throw error;
        }),
      ),
    );
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) throw failed.reason;
    return settled.map((s) => (s as PromiseFulfilledResult<ReplyEnd>).value);
  }

  /** One reply: its text as it grows (what it adds to what was sent), its finish, and its metrics. */
  private async reply(
    prepared: PreparedCompletion,
    decoding: ChatDecoding,
    signal: AbortSignal,
    listener: { delta?(text: string): void; finish?(reason: OpenAiFinishReason): void },
  ): Promise<ReplyEnd> {
    const { model, read, requestedAt } = prepared;
    const timer = this.metrics.startReply('openai', model.kind, requestedAt);
    let sent = '';
    let firstTokenMs: number | undefined;
    try {
      for await (const event of this.generation.reply(model.versionId, read.state, decoding, signal)) {
        if (event.type === 'token') {
          timer.token();
          firstTokenMs ??= Date.now() - requestedAt;
          if (event.delta) listener.delta?.(event.delta);
          sent += event.delta;
          continue;
        }
        timer.end(event.finishReason);
        if (event.finishReason !== 'cancelled') {
          // The stream decoder may hold back an incomplete character until the end: send what the text still lacks.
          if (event.text.length > sent.length) listener.delta?.(event.text.slice(sent.length));
          listener.finish?.(openAiFinishReason(event.finishReason));
        }
        return { end: event, decoding: { ...decoding, seed: event.seed }, firstTokenMs, totalMs: Date.now() - requestedAt };
      }
      // An invariant of GenerationService (every stream ends with an end event), not a client's error: `internal` if broken.
      throw new Error('the reply stream ended without an end event');
    } catch (error) {
      timer.end('error');
      throw error;
    }
  }

  private async record(prepared: PreparedCompletion, ends: ReplyEnd[]): Promise<void> {
    const { header, request, model } = prepared;
    const turns = request.messages.flatMap((m): ExchangeTurn[] =>
      m.role === 'user' ? [{ speaker: 'user', text: m.text }] : m.role === 'assistant' ? [{ speaker: 'bot', text: m.text }] : [],
    );
    const replies: RecordedReply[] = finishedTexts(prepared, ends).map((choice) => {
      const reply = ends[prepared.plan.strategy === 'beam' ? 0 : choice.index];
      return {
        replyId: `${header.id}-${choice.index}`,
        text: choice.text,
        finishReason: choice.finishReason,
        tokens: choice.tokens,
        decoding: reply.decoding,
        firstTokenMs: reply.firstTokenMs,
        totalMs: reply.totalMs,
      };
    });
    try {
      await this.recorder.record({ modelRef: request.model, versionId: model.versionId, decoding: request.decoding ?? {}, turns, replies });
    } catch (error) {
      // The client gets its reply anyway: storage is a record of the exchange, not part of the answer.
      this.logger.error(`cannot store exchange ${header.id}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Each choice's text, finish reason and token count (beam search: its hypotheses, best first). */
function finishedTexts(prepared: PreparedCompletion, ends: ReplyEnd[]): (FinishedChoice & { tokens: number })[] {
  if (prepared.plan.strategy === 'beam') {
    return ends[0].end.hypotheses!.map((h, index) => ({ index, text: h.text, finishReason: openAiFinishReason(h.finishReason), tokens: h.ids.length }));
  }
  return ends.map(({ end }, index) => ({
    index,
    text: end.text,
    finishReason: openAiFinishReason(end.finishReason as 'eos' | 'length'),
    tokens: end.ids.length,
  }));
}

function resultOf(prepared: PreparedCompletion, ends: ReplyEnd[]): CompletionResult {
  const choices = finishedTexts(prepared, ends);
  const completionTokens = choices.reduce((sum, c) => sum + c.tokens, 0);
  return {
    choices: choices.map(({ index, text, finishReason }) => ({ index, text, finishReason })),
    usage: usage(prepared.read.tokens, prepared.read.cachedTokens, completionTokens),
  };
}
