import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { loadModel, LoadedModel } from '../models/model-files';
import { backendInfo, BackendInfo, describeBackend, initTensorBackend } from '../tensor/backend';
import { ReplyBatcher } from './batcher';
import { ConversationState, initialState, rebuildStates, utteranceIds, utteranceVectors, windowState } from './conversation-state';
import { DecodingInput } from './decoding-options';
import { GenerationEvent } from './generation-events';
import { LruCache } from './lru-cache';
import { prefixDigests } from './prefix-digest';
import { ModelEntry, ModelInfo, ModelRef, ModelRegistry } from './model-registry';

/**
 * A conversation's turns' texts, oldest first (the reply answers the last). The model reads only the last maxTurns
 * of them. `truncated`: `turns` is the tail of a longer conversation (older turns left out). With the `id` of a
 * stored conversation, states are cached by (id, turn count); without one, by a digest of the turns themselves
 * (prefixDigests), so a client that resends the whole conversation each time (the OpenAI API) pays only for the
 * turns it adds.
 */
export interface ConversationHistory {
  id?: string;
  turns: readonly string[];
  truncated?: boolean;
}

/** A conversation as the model read it, and what reading it cost. */
export interface ConversationRead {
  state: ConversationState;
  /** Tokens of the turns the model read (its last maxTurns, each truncated to maxUtteranceTokens, eos included). */
  tokens: number;
  /** Of those, the tokens of turns not encoded again: their state or utterance vector came from a cache. */
  cachedTokens: number;
  /** Turns encoded by this read. */
  encodedTurns: number;
}

/** Conversation states kept in memory; a small-model state is ~60 KB (31 × 512 floats of encoder outputs). */
const STATE_CACHE_ENTRIES = 2000;
/** Utterance vectors by text, for sliding windows; a small-model vector is 2 KB (512 floats), so 20 MB in all. */
const VECTOR_CACHE_ENTRIES = 10_000;
const MAX_BATCH_SIZE = 32;
/**
 * Turns read per synchronous encoder call when a state is rebuilt from stored turns: a conversation of
 * thousands of turns is read in steps of this size with the event loop free between them.
 */
export const REBUILD_CHUNK_TURNS = 32;

/**
 * Replies from the loaded models. Conversation states are cached per (model load, conversation, turn
 * count): a new turn costs one utterance encoding when the previous turn's state is cached, a full
 * rebuild from the stored turns otherwise (after a restart or eviction). States are encoded and cached in
 * this thread; replies are decoded on DECODER_THREADS decoder threads (decoder-pool.ts says why states stay here).
 */
@Injectable()
export class GenerationService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(GenerationService.name);
  private readonly batcher: ReplyBatcher;
  private readonly registry = new ModelRegistry((entry) => this.batcher.removeModel(entry.model));
  private readonly states = new LruCache<string, ConversationState>(STATE_CACHE_ENTRIES);
  private readonly vectors = new LruCache<string, Float32Array>(VECTOR_CACHE_ENTRIES);

  /** Without a config (module tests) replies decode in this thread; the service's config says how many decoder threads. */
  constructor(@Optional() @Inject(APP_CONFIG) private readonly config?: AppConfig) {
    this.batcher = new ReplyBatcher({
      maxBatchSize: MAX_BATCH_SIZE,
      decoderThreads: config?.decoderThreads ?? 1,
      backend: config?.tfBackend ?? 'auto',
      onThreadExit: (message) => this.logger.error(message),
    });
  }

  async onModuleInit(): Promise<void> {
    // one line at start-up; without the native kernels a warning saying why and what to install
    const { level, line } = describeBackend(await initTensorBackend(this.config?.tfBackend ?? 'auto'));
    this.logger[level](line);
  }

  async onModuleDestroy(): Promise<void> {
    this.registry.disposeAll();
    await this.batcher.close();
  }

  /** Loads `dir` (model.json, weights, tokenizer) as `versionId`; a loaded version of that id is swapped out. */
  async loadModel(versionId: string, dir: string): Promise<ModelInfo> {
    await initTensorBackend(this.config?.tfBackend ?? 'auto');
    const loaded = await loadModel(dir);
    if (!loaded.verified) this.logger.warn(`model ${dir} has no checksums (model.json format 1): loaded unverified; npm run model:checksum -- ${dir} records them`);
    return this.registerModel(versionId, loaded);
  }

  /** Adds a model already in memory (the service owns it from now on and disposes it). */
  registerModel(versionId: string, loaded: LoadedModel): ModelInfo {
    const { entry, replaced } = this.registry.add(versionId, loaded);
    this.batcher.addModel(entry.model, entry.tokenizer); // on decoder threads, copied now: a swap reaches each of them
    if (replaced) this.forgetStates(replaced);
    return this.registry.list().find((m) => m.versionId === entry.versionId && !m.retired)!;
  }

  unloadModel(versionId: string): void {
    const entry = this.registry.remove(versionId);
    if (entry) this.forgetStates(entry);
  }

  models(): ModelInfo[] {
    return this.registry.list();
  }

  /** The state after every turn of `conversation` for the model `modelRef` names now. */
  async stateFor(modelRef: ModelRef, conversation: ConversationHistory): Promise<ConversationState> {
    return (await this.read(modelRef, conversation)).state;
  }

  /** stateFor, with the tokens read and how many of them the caches saved. */
  async read(modelRef: ModelRef, conversation: ConversationHistory): Promise<ConversationRead> {
    const lease = this.registry.acquire(modelRef);
    try {
      return await this.stateWith(lease.entry, conversation);
    } finally {
      lease.release();
    }
  }

  /**
   * Streams a reply (token events, then one end event) to a conversation state or a stored history.
   * The model is pinned when iteration starts, so a swap meanwhile does not affect this reply.
   * Leaving the loop early cancels the reply, as does `signal`.
   */
  async *reply(
    modelRef: ModelRef,
    stateOrHistory: ConversationState | ConversationHistory,
    decoding: DecodingInput = {},
    signal?: AbortSignal,
  ): AsyncGenerator<GenerationEvent, void, undefined> {
    const lease = this.registry.acquire(modelRef);
    try {
      const { model, tokenizer } = lease.entry;
      const state = isHistory(stateOrHistory) ? (await this.stateWith(lease.entry, stateOrHistory)).state : stateOrHistory;
      yield* this.batcher.submit(model, tokenizer, state, decoding, signal);
    } finally {
      lease.release();
    }
  }

  /** How many of a conversation's latest turns the model `modelRef` names reads: its maxTurns. */
  contextTurns(modelRef: ModelRef): number {
    return this.registry.resolve(modelRef).model.config.maxTurns;
  }

  /** Replies being decoded and replies waiting for a place in a batch, over all models. */
  load(): { active: number; waiting: number } {
    return this.batcher.load();
  }

  /** For GET /health (see GenerationHealth). */
  healthInfo(): { backend: BackendInfo | null; models: ModelInfo[]; replies: { active: number; waiting: number } } {
    return { backend: backendInfo() ?? null, models: this.registry.list(), replies: this.load() };
  }

  /**
   * The state after the conversation's last maxTurns turns: a model reads no more than a training dialogue holds,
   * so neither the state nor the cost of a turn grows with the conversation (issue 22).
   * While the conversation is no longer than that, states are cached: the cached state, or the longest cached
   * prefix advanced by the turns after it (after a bot reply and a user turn that is two encodings). Stored turns
   * never change, so (conversation id, turn count) names a state for one model load; without an id, the digest of
   * the turns does. Past maxTurns the window slides: the context GRU reads it again at each turn, from utterance
   * vectors cached by text, so only the turns new to the window are encoded (the bot reply and the user turn), not
   * all of them.
   */
  private async stateWith(entry: ModelEntry, conversation: ConversationHistory): Promise<ConversationRead> {
    const turns = conversation.turns.slice(-entry.model.config.maxTurns);
    if (conversation.truncated || turns.length < conversation.turns.length) return this.slidingWindow(entry, turns);
    const digests = conversation.id === undefined ? prefixDigests(turns) : undefined;
    const key = (count: number) => (digests ? `${entry.generation}:#${digests[count - 1]}` : `${entry.generation}:${conversation.id}:${count}`);
    let k = turns.length;
    let state = k > 0 ? this.states.get(key(k)) : undefined;
    while (!state && k > 1) state = this.states.get(key(--k));
    if (!state) k = 0;
    state = await this.advance(entry, state ?? initialState(entry.model), turns.slice(k));
    if (turns.length > 0) this.states.set(key(turns.length), state);
    const tokens = turns.map((text) => tokensRead(entry, text));
    return { state, tokens: sum(tokens), cachedTokens: sum(tokens.slice(0, k)), encodedTurns: turns.length - k };
  }

  /** The state after a window that does not start the conversation; windowState from cached vectors. */
  private async slidingWindow(entry: ModelEntry, turns: readonly string[]): Promise<ConversationRead> {
    if (turns.length === 0) return { state: initialState(entry.model), tokens: 0, cachedTokens: 0, encodedTurns: 0 };
    const ids = (text: string) => utteranceIds(entry.tokenizer, text, entry.model.config);
    const key = (text: string) => `${entry.generation}:${text}`;
    const earlier = turns.slice(0, -1);
    const known = new Map(earlier.flatMap((text) => (this.vectors.get(key(text)) ? [[text, this.vectors.get(key(text))!]] : [])));
    const missing = [...new Set(earlier.filter((text) => !known.has(text)))];
    for (let k = 0; k < missing.length; k += REBUILD_CHUNK_TURNS) {
      if (k > 0) await new Promise((resolve) => setImmediate(resolve));
      const chunk = missing.slice(k, k + REBUILD_CHUNK_TURNS);
      utteranceVectors(entry.model, chunk.map(ids)).forEach((vector, i) => {
        known.set(chunk[i], vector);
        this.vectors.set(key(chunk[i]), vector);
      });
    }
    const last = turns[turns.length - 1];
    const state = windowState(entry.model, earlier.map((text) => known.get(text)!), ids(last));
    this.vectors.set(key(last), state.lastVector); // the next window reads it among the earlier turns
    const tokens = turns.map((text) => tokensRead(entry, text));
    const cachedTokens = sum(earlier.map((text, i) => (missing.includes(text) ? 0 : tokens[i])));
    return { state, tokens: sum(tokens), cachedTokens, encodedTurns: missing.length + 1 };
  }

  /** `state` after reading `turns`, REBUILD_CHUNK_TURNS per synchronous encoder call, the event loop free between. */
  private async advance(entry: ModelEntry, state: ConversationState, turns: readonly string[]): Promise<ConversationState> {
    const ids = (text: string) => utteranceIds(entry.tokenizer, text, entry.model.config);
    for (let k = 0; k < turns.length; k += REBUILD_CHUNK_TURNS) {
      if (k > 0) await new Promise((resolve) => setImmediate(resolve));
      [state] = rebuildStates(entry.model, [turns.slice(k, k + REBUILD_CHUNK_TURNS).map(ids)], [state]);
    }
    return state;
  }

  private forgetStates(entry: ModelEntry): void {
    this.states.deleteWhere((key) => key.startsWith(`${entry.generation}:`));
    this.vectors.deleteWhere((key) => key.startsWith(`${entry.generation}:`));
  }
}

/** Tokens the encoder reads for one turn: its ids (truncated as training reads them) and eos. */
function tokensRead(entry: ModelEntry, text: string): number {
  return utteranceIds(entry.tokenizer, text, entry.model.config).length + 1;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

function isHistory(x: ConversationState | ConversationHistory): x is ConversationHistory {
  return Array.isArray(x.turns);
}
