/**
 * Batched decoding on several cores: decoder threads (decoder.worker.ts), each with its own tensor backend (WASM
 * computes on one thread in Node), a replica of every model served and its own decode lanes. The service's thread
 * only routes: a new reply goes to the thread with the fewest rows in flight, and that thread's updates come back as
 * the reply's event stream (decoder-thread.ts), the same stream as a reply decoded in this thread.
 *
 * Where conversation states live: in the service's thread, as before (GenerationService's caches, encoded there). A
 * state is plain arrays (about 60 KB on the small model) that travel with each reply, so any thread can take any
 * reply: routing is by load alone, a thread that dies loses no cached state, and there is one cache, not one per
 * thread to keep apart and to clear on a model swap. States owned by the thread of their conversation would save that
 * copy (tens of microseconds, beside 30 decoder steps) but pin a conversation to one thread however busy it is.
 *
 * Models: every model the pool is given (addModel, or the first reply on it) is copied to every thread, and to a
 * thread that replaces one; removeModel frees the copies once their replies end. A swap in the model registry is an
 * addModel of the new model and, once the old one's last reply has ended, a removeModel of the old.
 *
 * A thread that dies fails its own replies (DECODER_THREAD_EXITED) and another takes its place; the other threads'
 * replies go on. A thread that dies before its backend started is not replaced: it would fail the same way.
 */
import { Worker } from 'node:worker_threads';
import { DialogueModel } from '../models/dialogue-model';
import { BackendChoice, resolvedBackend } from '../tensor/backend';
import { Tokenizer } from '../tokenization/tokenizer';
import { ConversationState } from './conversation-state';
import { DecoderThread } from './decoder-thread';
import { Decoding } from './decoding-options';
import { GenerationError } from './generation-errors';
import { GenerationEvent } from './generation-events';
import { replicaOf } from './model-replica';

export interface DecoderPoolOptions {
  threads: number;
  /** Most rows one thread decodes together per model. */
  maxBatchSize: number;
  /** This process's backend setting: the threads start the backend it resolved to (resolvedBackend). */
  backend: BackendChoice;
  /** Told (one line) when a thread dies unasked, and whether another takes its place. */
  onThreadExit?: (message: string) => void;
}

export class DecoderPool {
  /** Running threads, oldest first; undefined until first used. */
  private threads?: DecoderThread[];
  private readonly models = new Map<DialogueModel, { id: number; tokenizer: Tokenizer }>();
  private nextModelId = 1;
  private nextReplyId = 1;
  private nextThreadIndex = 0;
  private closed = false;

  constructor(private readonly options: DecoderPoolOptions) {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new RangeError(`a decoder pool needs at least 1 thread, got ${options.threads}`);
  }

  /** The running threads' workers, oldest first. */
  get workers(): readonly Worker[] {
    return (this.threads ?? []).map((t) => t.worker);
  }

  /** Copies `model` (decoding with `tokenizer`) to every thread now, so its first reply does not wait for that. */
  addModel(model: DialogueModel, tokenizer: Tokenizer): void {
    this.replicate(model, tokenizer);
  }

  /** No reply will be submitted on `model` again: the threads free their copies once its replies end. */
  removeModel(model: DialogueModel): void {
    const known = this.models.get(model);
    if (!known) return;
    this.models.delete(model);
    for (const thread of this.threads ?? []) thread.post({ type: 'unload', model: known.id });
  }

  /** Streams a reply decoded on the least busy thread; `decoding`, `maxTokens` resolved and `state` checked against `model`. */
  submit(model: DialogueModel, tokenizer: Tokenizer, state: ConversationState, decoding: Decoding, maxTokens: number, signal?: AbortSignal): AsyncIterable<GenerationEvent> {
    const modelId = this.replicate(model, tokenizer);
    const threads = this.running();
    if (threads.length === 0) {
      throw new GenerationError('DECODER_THREADS_DOWN', 'no decoder thread is running: they failed to start (see the log); DECODER_THREADS=1 decodes in the service thread');
    }
    const thread = threads.reduce((least, t) => (t.rows < least.rows ? t : least));
    return thread.submit(this.nextReplyId++, modelId, state, decoding, maxTokens, signal);
  }

  /** Replies being decoded and replies waiting for a place in a batch, over all threads. */
  load(): { active: number; waiting: number } {
    let active = 0;
    let waiting = 0;
    for (const thread of this.threads ?? []) {
      const load = thread.load();
      active += load.active;
      waiting += load.waiting;
    }
    return { active, waiting };
  }

  /** Stops every thread; replies in flight fail. */
  async close(): Promise<void> {
    this.closed = true;
    const threads = this.threads ?? [];
    this.threads = [];
    await Promise.all(threads.map((t) => t.terminate()));
  }

  /** The threads, started on first use: by then this process has chosen its backend, which they start as well. */
  private running(): DecoderThread[] {
    if (this.closed) throw new Error('the decoder pool is closed');
    this.threads ??= Array.from({ length: this.options.threads }, () => this.startThread());
    return this.threads;
  }

  private startThread(): DecoderThread {
    const thread = new DecoderThread(this.nextThreadIndex++, resolvedBackend(this.options.backend), this.options.maxBatchSize, (t, reason) => this.threadExited(t, reason));
    for (const [model, { id, tokenizer }] of this.models) thread.post({ type: 'load', model: id, replica: replicaOf(model, tokenizer) });
    return thread;
  }

  private threadExited(thread: DecoderThread, reason: string): void {
    if (this.closed) return;
    const threads = this.running();
    threads.splice(threads.indexOf(thread), 1);
    if (thread.ready) threads.push(this.startThread());
    this.options.onThreadExit?.(`${reason}; ${thread.ready ? 'a new thread takes its place' : 'not replaced: it never started'}`);
  }

  /** The id of `model`'s replicas, copying it to every thread the first time. */
  private replicate(model: DialogueModel, tokenizer: Tokenizer): number {
    const known = this.models.get(model);
    if (known) {
      if (known.tokenizer !== tokenizer) throw new RangeError('a model decodes with the tokenizer it was first given to the decoder pool');
      return known.id;
    }
    const threads = this.running();
    const id = this.nextModelId++;
    this.models.set(model, { id, tokenizer });
    const replica = replicaOf(model, tokenizer);
    for (const thread of threads) thread.post({ type: 'load', model: id, replica });
    return id;
  }
}
