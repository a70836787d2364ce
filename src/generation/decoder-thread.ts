/**
 * One decoder thread as the pool sees it (decoder-pool.ts): the worker, the replies it decodes, and the relay of its
 * updates into each reply's event stream. A reply's stream behaves as one decoded in this thread (batcher.ts): the
 * consumer leaving its loop or the signal aborting cancels it at the thread's next step boundary, where it ends with
 * finish reason cancelled; an error fails the stream.
 */
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../common/run-in-worker';
import { BackendChoice } from '../tensor/backend';
import { AsyncQueue } from './async-queue';
import { ConversationState } from './conversation-state';
import type { DecoderThreadData, FromDecoder, ReplyUpdate, ToDecoder } from './decoder-messages';
import { Decoding } from './decoding-options';
import { GenerationError } from './generation-errors';
import { GenerationEvent } from './generation-events';

class PooledReply {
  readonly events = new AsyncQueue<GenerationEvent>(() => this.cancel());
  private cancelSent = false;

  constructor(
    readonly id: number,
    /** What it weighs in routing: its rows (candidates, or beam hypotheses). */
    readonly rows: number,
    private readonly thread: DecoderThread,
    private readonly signal?: AbortSignal,
  ) {
    signal?.addEventListener('abort', this.cancel);
  }

  readonly cancel = (): void => {
    if (this.cancelSent) return;
    this.cancelSent = true;
    this.thread.post({ type: 'cancel', reply: this.id });
  };

  /** No more updates will come. */
  settle(): void {
    this.signal?.removeEventListener('abort', this.cancel);
  }
}

export class DecoderThread {
  readonly worker: Worker;
  private readonly replies = new Map<number, PooledReply>();
  /** Rows of its unfinished replies: what the pool balances. */
  private rowsInFlight = 0;
  /** Replies being decoded, as the thread last said. */
  private active = 0;
  private readonly outbox: ToDecoder[] = [];
  private started = false;
  private closing = false;
  private error?: Error;

  /** `onExit` runs when the thread dies unasked, after its replies have failed. */
  constructor(
    readonly index: number,
    backend: BackendChoice,
    maxBatchSize: number,
    private readonly onExit: (thread: DecoderThread, reason: string) => void,
  ) {
    const entry = workerEntry(__dirname, 'decoder.worker');
    const workerData: DecoderThreadData = { backend, maxBatchSize };
    this.worker = new Worker(entry.file, { workerData, execArgv: entry.execArgv });
    // Held only while a reply is in flight: an idle pool never keeps the process alive, a reply awaited does.
    this.worker.unref();
    this.worker.on('message', (m: FromDecoder) => this.receive(m));
    this.worker.on('error', (error) => (this.error = error));
    this.worker.on('exit', (code) => this.exited(code));
  }

  /** The backend started: a thread that dies after this is worth replacing. */
  get ready(): boolean {
    return this.started;
  }

  get rows(): number {
    return this.rowsInFlight;
  }

  /**
   * Sends at the end of this turn of the event loop, with whatever else is sent to the thread meanwhile, in order:
   * replies submitted together reach the thread together and join the same step (sent one by one, a burst arrived
   * over several of the thread's steps, each a decoder call for a part of the batch).
   */
  post(message: ToDecoder): void {
    if (this.outbox.length === 0) queueMicrotask(() => this.worker.postMessage(this.outbox.splice(0)));
    this.outbox.push(message);
  }

  /** Starts a reply on this thread; `decoding` and `maxTokens` resolved, `state` checked against the model. */
  submit(id: number, model: number, state: ConversationState, decoding: Decoding, maxTokens: number, signal?: AbortSignal): AsyncIterable<GenerationEvent> {
    const reply = new PooledReply(id, decoding.strategy === 'beam' ? decoding.beamWidth : decoding.candidates, this, signal);
    if (this.replies.size === 0) this.worker.ref();
    this.replies.set(id, reply);
    this.rowsInFlight += reply.rows;
    this.post({ type: 'submit', reply: id, model, state, decoding, maxTokens });
    if (signal?.aborted) reply.cancel();
    return reply.events;
  }

  /** Replies being decoded here and replies waiting for a place in one of its batches. */
  load(): { active: number; waiting: number } {
    const active = Math.min(this.active, this.replies.size); // replies sent since the thread last said are waiting
    return { active, waiting: this.replies.size - active };
  }

  /** Stops the thread; replies still in flight fail. */
  async terminate(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }

  private receive(m: FromDecoder): void {
    if (m.type === 'ready') {
      this.started = true;
      return;
    }
    this.active = m.active;
    for (const update of m.updates) this.apply(update);
  }

  private apply(update: ReplyUpdate): void {
    const reply = this.replies.get(update.reply);
    if (!reply) return;
    if ('error' in update) {
      this.finish(reply);
      reply.events.fail(new Error(update.error));
      return;
    }
    reply.events.push(update.event);
    if (update.event.type === 'end') {
      this.finish(reply);
      reply.events.close();
    }
  }

  private finish(reply: PooledReply): void {
    reply.settle();
    this.replies.delete(reply.id);
    this.rowsInFlight -= reply.rows;
    if (this.replies.size === 0) this.worker.unref();
  }

  private exited(code: number): void {
    const reason = this.closing ? 'the decoder pool was closed' : `decoder thread ${this.index} stopped (${this.error?.message ?? `exit code ${code}`})`;
    const error = new GenerationError('DECODER_THREAD_EXITED', `${reason}: its replies were lost`, { thread: this.index });
    for (const reply of [...this.replies.values()]) {
      this.finish(reply);
      reply.events.fail(error);
    }
    if (!this.closing) this.onExit(this, reason);
  }
}
