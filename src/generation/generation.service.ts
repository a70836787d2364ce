import { Inject, Injectable, Logger, OnModuleDestroy, OnModuleInit, Optional } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config';
import { loadModel, LoadedModel } from '../models/model-files';
import { backendInfo, BackendInfo, describeBackend, initTensorBackend } from '../tensor/backend';
import { ReplyBatcher } from './batcher';
import { ConversationState, initialState, rebuildStates, utteranceIds } from './conversation-state';
import { DecodingInput } from './decoding-options';
import { GenerationEvent } from './generation-events';
import { LruCache } from './lru-cache';
import { ModelEntry, ModelInfo, ModelRef, ModelRegistry } from './model-registry';

/** A stored conversation: its id and every turn's text so far, oldest first (the reply answers the last). */
export interface ConversationHistory {
  id: string;
  turns: readonly string[];
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
  private readonly states = new LruCache<string, ConversationState>(STATE_CACHE_ENTRIES);
  private readonly logger = new Logger(GenerationService.name);

  constructor(@Optional() @Inject(APP_CONFIG) private readonly config?: AppConfig) {}

  async onModuleInit(): Promise<void> {
    // one line at start-up; without the native kernels a warning saying why and what to install
    const { level, line } = describeBackend(await initTensorBackend(this.config?.tfBackend ?? 'auto'));
    this.logger[level](line);
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
      const state = isHistory(stateOrHistory) ? await this.stateWith(lease.entry, stateOrHistory) : stateOrHistory;
      yield* this.batcher.submit(model, tokenizer, state, decoding, signal);
    } finally {
      lease.release();
    }
  }

  /** For GET /health (see GenerationHealth). */
  healthInfo(): { backend: BackendInfo | null; models: ModelInfo[]; replies: { active: number; waiting: number } } {
    return { backend: backendInfo() ?? null, models: this.registry.list(), replies: this.batcher.load() };
  }

  /**
   * Cached state, or the longest cached prefix advanced by the turns after it (after a bot reply and a
   * user turn that is two encodings), or a rebuild from every stored turn, REBUILD_CHUNK_TURNS at a time.
   * Stored turns never change, so (conversation id, turn count) names a state for one model load.
   */
  private async stateWith(entry: ModelEntry, conversation: ConversationHistory): Promise<ConversationState> {
    const key = (turns: number) => `${entry.generation}:${conversation.id}:${turns}`;
    const n = conversation.turns.length;
    const ids = (text: string) => utteranceIds(entry.tokenizer, text, entry.model.config);
    let k = n;
    let state = this.states.get(key(k));
    while (!state && k > 0) state = this.states.get(key(--k));
    state ??= initialState(entry.model);
    while (k < n) {
      const chunk = conversation.turns.slice(k, k + REBUILD_CHUNK_TURNS).map(ids);
      [state] = rebuildStates(entry.model, [chunk], [state]);
      k += chunk.length;
      if (k < n) await new Promise((resolve) => setImmediate(resolve));
    }
    this.states.set(key(n), state);
    return state;
  }

  private forgetStates(entry: ModelEntry): void {
    this.states.deleteWhere((key) => key.startsWith(`${entry.generation}:`));
  }
}

function isHistory(x: ConversationState | ConversationHistory): x is ConversationHistory {
  return Array.isArray(x.turns);
}
