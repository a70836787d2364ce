/**
 * Continuous batching on one model: the loop the batcher runs in this thread and each decoder thread runs in its own
 * (decoder.worker.ts). A lane runs while it has work:
 *   1. yield to the event loop (setImmediate): requests arriving meanwhile queue up, other work runs;
 *   2. at this step boundary: requests that want to stop end with 'cancelled', then waiting requests join FIFO up to
 *      maxBatchSize rows;
 *   3. one step of the lane's decode driver (decode-driver.ts) advances every live row by one token (fair: no row
 *      waits for another);
 *   4. each request's events go where the request sends them (LaneRequest.emit).
 * Requests arriving together are therefore grouped, and later ones join a running batch at the next step instead of
 * waiting for it to drain. A failing step fails every request of the lane; a failing join fails only the joining ones.
 */
import { DialogueModel } from '../models/dialogue-model';
import { nextTurnOfEventLoop } from './decode';
import { DecodeDriver } from './decode-driver';
import { DecodeRequest } from './decode-request';
import { GenerationEvent } from './generation-events';

/** A driver request with somewhere to send its events and a way to ask it to stop. */
export abstract class LaneRequest extends DecodeRequest {
  /** Checked at every step boundary: true ends the request with finish reason cancelled. */
  abstract readonly wantsToStop: boolean;
  /** One event, in order; the end event is the last. */
  abstract emit(event: GenerationEvent): void;
  /** The request cannot go on: no more events follow. */
  abstract fail(error: unknown): void;

  /** Ends the request with finish reason cancelled (nothing when it has already ended). */
  stop(): void {
    const end = this.cancel();
    if (end) this.emit(end);
  }
}

export class DecodeLane<Q extends LaneRequest> {
  readonly waiting: Q[] = [];
  readonly driver: DecodeDriver<Q>;
  private running = false;

  /** `onIdle` runs each time the lane has run out of work (the lane can be fed again afterwards). */
  constructor(
    model: DialogueModel,
    private readonly maxBatchSize: number,
    private readonly onIdle: () => void,
  ) {
    this.driver = new DecodeDriver(model);
  }

  get isRunning(): boolean {
    return this.running;
  }

  enqueue(request: Q): void {
    this.waiting.push(request);
    if (!this.running) void this.run();
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      while (this.waiting.length > 0 || this.driver.rowCount > 0) {
        await nextTurnOfEventLoop();
        this.admit();
        for (const { request, event } of this.driver.step()) request.emit(event);
      }
    } catch (error) {
      for (const request of [...this.driver.requests, ...this.waiting.splice(0)]) request.fail(error);
    } finally {
      this.driver.dispose();
      this.running = false;
      this.onIdle();
    }
  }

  /** Step boundary: requests that want to stop end, waiting ones join while their rows fit the batch size. */
  private admit(): void {
    for (const request of this.driver.requests) if (request.wantsToStop) request.stop();
    const joining: Q[] = [];
    let rows = this.driver.rowCount;
    // a request whose candidates exceed the batch size on their own still runs, alone
    while (this.waiting.length > 0 && (rows === 0 || rows + this.waiting[0].rows.length <= this.maxBatchSize)) {
      const request = this.waiting.shift()!;
      if (request.wantsToStop) {
        request.stop();
        continue;
      }
      joining.push(request);
      rows += request.rows.length;
    }
    try {
      this.driver.join(joining);
    } catch (error) {
      for (const request of joining) request.fail(error); // the running rows go on
    }
  }
}
