/**
 * Entry of a decoder thread (decoder-pool.ts; messages in decoder-messages.ts): its own tensor backend, a replica of
 * each model the pool serves, and per replica the decode lane the batcher runs in one thread (decode-lane.ts). Beam
 * search runs its own loop beside the lanes (generateStream). Updates go back batched: what is emitted within one
 * turn of this thread's event loop (a step's tokens for every row) is one message, so the service's thread reads one
 * message per step, not one per token.
 * An error that is not a reply's (the backend cannot start, a message it cannot read) ends the thread: the pool fails
 * its replies and starts another.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { DialogueModel } from '../models/dialogue-model';
import { initTensorBackend } from '../tensor/backend';
import { Tokenizer } from '../tokenization/tokenizer';
import { ConversationState } from './conversation-state';
import { generateStream } from './decode';
import { DecodeLane, LaneRequest } from './decode-lane';
import type { DecoderThreadData, FromDecoder, ReplyUpdate, ToDecoder } from './decoder-messages';
import { Decoding } from './decoding-options';
import { GenerationEvent } from './generation-events';
import { modelFromReplica } from './model-replica';

const port = parentPort!;
const { backend, maxBatchSize } = workerData as DecoderThreadData;

/** Updates waiting for the end of this turn of the event loop. */
const outbox: ReplyUpdate[] = [];
/** How to stop each reply in flight here, by id. */
const cancels = new Map<number, () => void>();

function send(update: ReplyUpdate): void {
  if (outbox.length === 0) queueMicrotask(flush);
  outbox.push(update);
}

function flush(): void {
  let active = 0;
  for (const replica of replicas.values()) active += replica.lane.driver.requests.length + replica.beams;
  port.postMessage({ type: 'replies', updates: outbox.splice(0), active } satisfies FromDecoder);
}

class ThreadReply extends LaneRequest {
  private stopAsked = false;

  constructor(
    readonly id: number,
    tokenizer: Tokenizer,
    state: ConversationState,
    decoding: Decoding,
    maxTokens: number,
  ) {
    super(tokenizer, state, decoding, maxTokens);
    cancels.set(id, () => (this.stopAsked = true));
  }

  get wantsToStop(): boolean {
    return this.stopAsked;
  }

  emit(event: GenerationEvent): void {
    send({ reply: this.id, event });
    if (event.type === 'end') cancels.delete(this.id);
  }

  fail(error: unknown): void {
    send({ reply: this.id, error: (error as Error).message });
    cancels.delete(this.id);
  }
}

/** A model replica, its lane, and its beam searches; disposed once unloaded and idle. */
class Replica {
  readonly lane: DecodeLane<ThreadReply>;
  beams = 0;
  private unloaded = false;

  constructor(
    private readonly id: number,
    readonly model: DialogueModel,
    readonly tokenizer: Tokenizer,
  ) {
    this.lane = new DecodeLane(model, maxBatchSize, () => this.disposeIfDone());
  }

  unload(): void {
    this.unloaded = true;
    this.disposeIfDone();
  }

  disposeIfDone(): void {
    if (!this.unloaded || this.lane.isRunning || this.beams > 0 || replicas.get(this.id) !== this) return;
    replicas.delete(this.id);
    this.model.dispose();
  }
}

const replicas = new Map<number, Replica>();
/** Replicas that could not be built, and why: their replies fail with it. */
const failedLoads = new Map<number, string>();

async function runBeam(replica: Replica, id: number, state: ConversationState, decoding: Decoding): Promise<void> {
  const controller = new AbortController();
  cancels.set(id, () => controller.abort());
  replica.beams++;
  try {
    for await (const event of generateStream(replica.model, replica.tokenizer, state, decoding, controller.signal)) send({ reply: id, event });
  } catch (error) {
    send({ reply: id, error: (error as Error).message });
  } finally {
    cancels.delete(id);
    replica.beams--;
    replica.disposeIfDone();
  }
}

function handle(m: ToDecoder): void {
  switch (m.type) {
    case 'load':
      try {
        const { model, tokenizer } = modelFromReplica(m.replica);
        replicas.set(m.model, new Replica(m.model, model, tokenizer));
      } catch (error) {
        failedLoads.set(m.model, (error as Error).message);
      }
      return;
    case 'unload':
      replicas.get(m.model)?.unload();
      failedLoads.delete(m.model);
      return;
    case 'submit': {
      const replica = replicas.get(m.model);
      if (!replica) {
        const why = failedLoads.get(m.model) ?? 'it was never loaded here';
        send({ reply: m.reply, error: `the model's replica is not on this decoder thread: ${why}` });
        return;
      }
      if (m.decoding.strategy === 'beam') {
        void runBeam(replica, m.reply, m.state, { ...m.decoding, maxTokens: m.maxTokens });
        return;
      }
      replica.lane.enqueue(new ThreadReply(m.reply, replica.tokenizer, m.state, m.decoding, m.maxTokens));
      return;
    }
    case 'cancel':
      cancels.get(m.reply)?.();
      return;
    default:
      throw new Error(`decoder thread: unknown message ${JSON.stringify((m as { type?: unknown }).type)}`);
  }
}

// Messages (sent in batches, decoder-thread.ts) wait for the backend, in the order they came; a backend that cannot
// start ends the thread.
const ready = initTensorBackend(backend);
void ready.then(() => port.postMessage({ type: 'ready' } satisfies FromDecoder));
port.on('message', (messages: ToDecoder[]) => {
  void ready.then(() => messages.forEach(handle));
});
