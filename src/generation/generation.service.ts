import { Inject, Injectable, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { loadModel, LoadedModel } from '../models/model-files';
import { backendInfo, BackendInfo, initTensorBackend } from '../tensor/backend';
import { ReplyBatcher } from './batcher';
import { ConversationState, initialState, rebuildStates, utteranceIds } from './conversation-state';
import { DecodingInput } from './decoding-options';
import { GenerationEvent } from './generation-events';
import { LruCache } from './lru-cache';
import { prefixDigests } from './prefix-digest';
import { ModelEntry, ModelInfo, ModelRef, ModelRegistry } from './model-registry';

/**
 * A conversation's turns so far, oldest first (the reply answers the last). With the `id` of a stored conversation,
 * states are cached by (id, turn count); without one, by a digest of the turns themselves (prefixDigests), so a
 * client that resends the whole conversation each time (the OpenAI API) pays only for the turns not seen before.
 */
export interface ConversationHistory {
  id?: string;
  turns: readonly string[];
}

/** A conversation as the model read it, and what reading it cost. */
export interface ConversationRead {
  state: ConversationState;
  /** Tokens of every turn as the model reads them (truncated to maxUtteranceTokens, eos included). */
  tokens: number;
  /** Of those, the tokens of turns whose state came from the cache (not encoded again). */
  cachedTokens: number;
  /** Turns encoded by this read. */
  encodedTurns: number;
}

/** A cached state and the tokens read to reach it (usage figures count them as cached later). */
interface CachedState {
  state: ConversationState;
  tokens: number;
}

/** Conversation states kept in memory; a small-model state is ~60 KB (31 × 512 floats of encoder outputs). */
const STATE_CACHE_ENTRIES = 2000;
const MAX_BATCH_SIZE = 32;
/**
 * Turns read per synchronous encoder call when a state is rebuilt from stored turns: a conversation of
 * thousands of turns is read in steps of this size with the event loop free between them.
 */
export const REBUILD_CHUNK_TURNS = 32;

/**
 * Replies from the loaded models. Conversation states are cached per (model load, conversation, turn
 * count): a new turn costs one utterance encoding when the previous turn's state is cached, a full
 * rebuild from the stored turns otherwise (after a restart or eviction).
 */
@Injectable()
export class GenerationService implements OnModuleInit, OnModuleDestroy {
  private readonly registry = new ModelRegistry();
  private readonly batcher = new ReplyBatcher({ maxBatchSize: MAX_BATCH_SIZE });
  private readonly states = new LruCache<string, CachedState>(STATE_CACHE_ENTRIES);

  constructor(@Optional() @Inject(APP_CONFIG) private readonly config?: AppConfig) {}

  async onModuleInit(): Promise<void> {
    await initTensorBackend(this.config?.tfBackend ?? 'auto');
  }

  onModuleDestroy(): void {
    this.registry.disposeAll();
  }

  /** Loads `dir` (model.json, weights, tokenizer) as `versionId`; a loaded version of that id is swapped out. */
  async loadModel(versionId: string, dir: string): Promise<ModelInfo> {
    await initTensorBackend(this.config?.tfBackend ?? 'auto');
    return this.registerModel(versionId, await loadModel(dir));
  }

  /** Adds a model already in memory (the service owns it from now on and disposes it). */
  registerModel(versionId: string, loaded: LoadedModel): ModelInfo {
    const { entry, replaced } = this.registry.add(versionId, loaded);
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

  /** stateFor, with the tokens read and how many of them the cache saved. */
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

  /** Replies being decoded and replies waiting for a place in a batch, over all models. */
  load(): { active: number; waiting: number } {
    return this.batcher.load();
  }

  /** For GET /health (see GenerationHealth). */
  healthInfo(): { backend: BackendInfo | null; models: ModelInfo[]; replies: { active: number; waiting: number } } {
    return { backend: backendInfo() ?? null, models: this.registry.list(), replies: this.load() };
  }

  /**
   * Cached state, or the longest cached prefix advanced by the turns after it (after a bot reply and a
   * user turn that is two encodings), or a rebuild from every turn, REBUILD_CHUNK_TURNS at a time.
   * Stored turns never change, so (conversation id, turn count) names a state for one model load; without an
   * id, the digest of the turns does.
   */
  private async stateWith(entry: ModelEntry, conversation: ConversationHistory): Promise<ConversationRead> {
    const { id, turns } = conversation;
    const digests = id === undefined ? prefixDigests(turns) : undefined;
    const key = (k: number) => (digests ? `${entry.generation}:#${digests[k - 1]}` : `${entry.generation}:${id}:${k}`);
    const n = turns.length;
    const ids = (text: string) => utteranceIds(entry.tokenizer, text, entry.model.config);
    let k = n;
    let cached = n > 0 ? this.states.get(key(k)) : undefined;
    while (!cached && k > 1) cached = this.states.get(key(--k));
    if (!cached) k = 0;
    const from = k;
    let state = cached?.state ?? initialState(entry.model);
    let tokens = cached?.tokens ?? 0;
    const cachedTokens = tokens;
    while (k < n) {
      const chunk = turns.slice(k, k + REBUILD_CHUNK_TURNS).map(ids);
      [state] = rebuildStates(entry.model, [chunk], [state]);
      tokens += chunk.reduce((sum, u) => sum + u.length + 1, 0); // + eos, as the encoder reads it
      k += chunk.length;
      if (k < n) await new Promise((resolve) => setImmediate(resolve));
    }
    if (n > 0) this.states.set(key(n), { state, tokens });
    return { state, tokens, cachedTokens, encodedTurns: n - from };
  }

  private forgetStates(entry: ModelEntry): void {
    this.states.deleteWhere((key) => key.startsWith(`${entry.generation}:`));
  }
}

function isHistory(x: ConversationState | ConversationHistory): x is ConversationHistory {
  return Array.isArray(x.turns);
}
