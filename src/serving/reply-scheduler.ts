import { ServerBusyError, TooManyRepliesError } from './serving-errors';

/** How much decoding the service admits at once, and how much it lets wait (SERVE_* settings). */
export interface SchedulerOptions {
  /** SERVE_MAX_ROWS: decoder rows admitted at once over the whole service; further replies wait their turn. */
  maxRows: number;
  /** SERVE_MAX_QUEUED: replies waiting for admission; past that a new one is refused (server_busy) with a retry time. */
  maxQueued: number;
  /** SERVE_REPLIES_PER_ADDRESS: replies one client address may have admitted or waiting (too_many_replies past it). */
  perClient: number;
}

export interface AdmissionRequest {
  /** Who asks: the client's address (clientAddress), the unit of fairness. */
  client: string;
  /** Decoder rows the reply (or the replies of one message, in compare mode) will decode: decodingRows. */
  rows: number;
}

/** A place taken by reserve(): admitted at once or queued. */
export interface Admission {
  /** Resolves once the rows are admitted (never rejects; a withdrawn place never resolves). */
  readonly admitted: Promise<void>;
  /** Frees the rows, or withdraws the place from the queue. Call it once the replies have ended; again is a no-op. */
  release(): void;
}

/** A reply lasts well under a second on the shipped models; the first estimate before any has ended. */
const INITIAL_HOLD_MS = 1000;
/** Weight of the latest reply in the mean hold time (an exponential moving average: follows the load within ~10 replies). */
const HOLD_SMOOTHING = 0.2;
const MIN_RETRY_MS = 500;
const MAX_RETRY_MS = 30_000;

class Ticket implements Admission {
  readonly admitted: Promise<void>;
  state: 'queued' | 'active' | 'released' = 'queued';
  admittedAt = 0;
  private resolve!: () => void;

  constructor(
    readonly client: string,
    readonly rows: number,
    private readonly scheduler: ReplyScheduler,
  ) {
    this.admitted = new Promise<void>((resolve) => (this.resolve = resolve));
  }

  admit(now: number): void {
    this.state = 'active';
    this.admittedAt = now;
    this.resolve();
  }

  release(): void {
    this.scheduler.release(this);
  }
}

interface ClientState {
  /** Tickets queued or active. */
  held: number;
  /** When this client was last admitted (the scheduler's admission counter); -1: not while it has held tickets. */
  lastServed: number;
}

/**
 * Fair admission in front of the generation batcher, shared by the socket chat and /v1 (issue 19). The batcher
 * admits FIFO, so one client's burst would fill its batches ahead of everyone; here replies wait in a bounded queue
 * and are admitted round-robin between client addresses: whenever rows free up, the waiting client served least
 * recently goes first, so a client waits at most one turn of each other waiting client, however much another queued.
 * The head waits for rows rather than letting smaller replies overtake it, so a wide reply is never starved.
 * Refusals are immediate and carry a retry time: the mean time a reply has held its rows lately.
 */
export class ReplyScheduler {
  private activeRows = 0;
  /** In arrival order. */
  private readonly queue: Ticket[] = [];
  private readonly clients = new Map<string, ClientState>();
  private admissions = 0;
  private meanHoldMs = INITIAL_HOLD_MS;

  constructor(
    private readonly options: SchedulerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes a place for a reply, or throws TooManyRepliesError / ServerBusyError (nothing is taken then). */
  reserve({ client, rows }: AdmissionRequest): Admission {
    const state = this.clients.get(client) ?? { held: 0, lastServed: -1 };
    if (state.held >= this.options.perClient) throw new TooManyRepliesError(this.options.perClient, this.retryAfterMs());
    if (this.queue.length >= this.options.maxQueued && !(this.queue.length === 0 && this.fits(rows))) throw new ServerBusyError(this.retryAfterMs());
    state.held++;
    this.clients.set(client, state);
    const ticket = new Ticket(client, rows, this);
    this.queue.push(ticket);
    this.pump();
    return ticket;
  }

  /** Rows decoding now and replies waiting (for health and metrics). */
  load(): { activeRows: number; queued: number } {
    return { activeRows: this.activeRows, queued: this.queue.length };
  }

  /** @internal Ticket.release. */
  release(ticket: Ticket): void {
    if (ticket.state === 'released') return;
    if (ticket.state === 'active') {
      this.activeRows -= ticket.rows;
      this.meanHoldMs += HOLD_SMOOTHING * (this.now() - ticket.admittedAt - this.meanHoldMs);
    } else {
      this.queue.splice(this.queue.indexOf(ticket), 1);
    }
    ticket.state = 'released';
    const state = this.clients.get(ticket.client)!;
    if (--state.held === 0) this.clients.delete(ticket.client);
    this.pump();
  }

  private pump(): void {
    for (let next = this.next(); next && this.fits(next.rows); next = this.next()) {
      this.queue.splice(this.queue.indexOf(next), 1);
      this.activeRows += next.rows;
      this.clients.get(next.client)!.lastServed = this.admissions++;
      next.admit(this.now());
    }
  }

  /** The first queued ticket of the waiting client admitted least recently (the queue is short: bounded by maxQueued). */
  private next(): Ticket | undefined {
    let best: Ticket | undefined;
    for (const ticket of this.queue) {
      if (!best || this.clients.get(ticket.client)!.lastServed < this.clients.get(best.client)!.lastServed) best = ticket;
    }
    return best;
  }

  /** A reply wider than maxRows on its own still runs, alone. */
  private fits(rows: number): boolean {
    return this.activeRows === 0 || this.activeRows + rows <= this.options.maxRows;
  }

  private retryAfterMs(): number {
    return Math.round(Math.min(MAX_RETRY_MS, Math.max(MIN_RETRY_MS, this.meanHoldMs)));
  }
}

/** Waits for the admission; false when `signal` aborted first (the place is the caller's to release either way). */
export async function admittedUnlessAborted(admission: Admission, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  let onAbort!: () => void;
  const aborted = new Promise<false>((resolve) => signal.addEventListener('abort', (onAbort = () => resolve(false)), { once: true }));
  try {
    return await Promise.race([admission.admitted.then(() => !signal.aborted), aborted]);
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
