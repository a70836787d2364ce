import { type Admission, admittedUnlessAborted, ReplyScheduler, type SchedulerOptions } from './reply-scheduler';
import { ServerBusyError, TooManyRepliesError } from './serving-errors';

/** A scheduler on a clock the test moves, and the order in which tickets were admitted. */
function setup(options: Partial<SchedulerOptions> = {}) {
  let now = 0;
  const sut = new ReplyScheduler({ maxRows: 1, maxQueued: 100, perClient: 100, ...options }, () => now);
  const admitted: string[] = [];
  const tickets = new Map<string, Admission>();
  const reserve = (name: string, client: string, rows = 1) => {
    const ticket = sut.reserve({ client, rows });
    tickets.set(name, ticket);
    void ticket.admitted.then(() => admitted.push(name));
    return ticket;
  };
  /** Releases a ticket and lets the admissions it causes be recorded. */
  const release = async (name: string) => {
    tickets.get(name)!.release();
    await flush();
  };
  return { sut, admitted, reserve, release, advance: (ms: number) => (now += ms) };
}

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));

describe(ReplyScheduler.name, () => {
  test('admits at once while rows are free, queues the rest', async () => {
    const { sut, admitted, reserve } = setup({ maxRows: 2 });
    reserve('a1', 'a');
    reserve('b1', 'b');
    reserve('c1', 'c');
    await flush();
    expect(admitted).toEqual(['a1', 'b1']);
    expect(sut.load()).toEqual({ activeRows: 2, queued: 1 });
  });

  test("one client's burst does not delay another client's admission past its turn", async () => {
    const { admitted, reserve, release } = setup();
    for (let i = 1; i <= 5; i++) reserve(`a${i}`, 'burst');
    reserve('b1', 'bystander'); // arrives after the whole burst
    reserve('c1', 'late');
    await flush();
    expect(admitted).toEqual(['a1']);
    for (const name of ['a1', 'b1', 'c1', 'a2', 'a3', 'a4']) await release(name);
    // FIFO would have been a1…a5, b1, c1: each other client waits one turn of the burst, not all of it
    expect(admitted).toEqual(['a1', 'b1', 'c1', 'a2', 'a3', 'a4', 'a5']);
  });

  test('clients take turns while each has replies waiting', async () => {
    const { admitted, reserve, release } = setup();
    for (const name of ['a1', 'a2', 'a3', 'b1', 'b2', 'b3']) reserve(name, name[0]);
    for (const name of ['a1', 'b1', 'a2', 'b2', 'a3']) await release(name);
    expect(admitted).toEqual(['a1', 'b1', 'a2', 'b2', 'a3', 'b3']);
  });

  test('with a full queue a new request gets the busy error with a retry time, and nothing is taken', async () => {
    const { sut, reserve, release, advance } = setup({ maxQueued: 1 });
    reserve('a1', 'a');
    reserve('b1', 'b'); // waits: the queue is now full
    const refused = (() => {
      try {
        reserve('c1', 'c');
      } catch (error) {
        return error;
      }
    })();
    expect(refused).toBeInstanceOf(ServerBusyError);
    expect(refused).toMatchObject({ code: 'server_busy', meta: { retryAfterMs: 1000 } }); // no reply has ended yet: the initial estimate
    expect(sut.load()).toEqual({ activeRows: 1, queued: 1 });
    // The retry time follows how long replies hold their rows: here 3 s each (a mean moving from 1 s towards it).
    advance(3000);
    await release('a1');
    advance(3000);
    await release('b1');
    reserve('d1', 'd');
    reserve('e1', 'e');
    expect(() => reserve('f1', 'f')).toThrow(expect.objectContaining({ code: 'server_busy', meta: { retryAfterMs: 1720 } })); // 1000 → 1400 → 1720
  });

  test('a client over its share gets too_many_replies, the others are served', async () => {
    const { admitted, reserve, release } = setup({ perClient: 2 });
    reserve('a1', 'a');
    reserve('a2', 'a');
    expect(() => reserve('a3', 'a')).toThrow(TooManyRepliesError);
    expect(() => reserve('a3', 'a')).toThrow(expect.objectContaining({ code: 'too_many_replies', meta: { max: 2, retryAfterMs: 1000 } }));
    reserve('b1', 'b');
    await release('a1');
    reserve('a3', 'a'); // a place of its own is free again
    await release('b1');
    await release('a2');
    expect(admitted).toEqual(['a1', 'b1', 'a2', 'a3']);
  });

  test('a wide reply waits for rows without being overtaken, and runs alone when wider than them all', async () => {
    const { admitted, reserve, release } = setup({ maxRows: 4 });
    reserve('a1', 'a', 3);
    reserve('wide', 'b', 8);
    reserve('c1', 'c', 1); // would fit beside a1, but the wide one came first
    await flush();
    expect(admitted).toEqual(['a1']);
    await release('a1');
    expect(admitted).toEqual(['a1', 'wide']);
    await release('wide');
    expect(admitted).toEqual(['a1', 'wide', 'c1']);
  });

  test('a withdrawn place leaves the queue and its client; a second release does nothing', async () => {
    const { sut, admitted, reserve, release } = setup({ perClient: 1 });
    reserve('a1', 'a');
    reserve('b1', 'b');
    await release('b1'); // withdrawn while waiting
    expect(sut.load()).toEqual({ activeRows: 1, queued: 0 });
    reserve('b2', 'b'); // b's place is free again
    await release('a1');
    await release('a1');
    expect(admitted).toEqual(['a1', 'b2']);
    expect(sut.load()).toEqual({ activeRows: 1, queued: 0 });
  });
});

describe(admittedUnlessAborted.name, () => {
  test('true once admitted; false when the signal aborts while waiting', async () => {
    const { reserve } = setup();
    const first = reserve('a1', 'a');
    await expect(admittedUnlessAborted(first, new AbortController().signal)).resolves.toBe(true);
    const waiting = reserve('a2', 'a');
    const abort = new AbortController();
    const result = admittedUnlessAborted(waiting, abort.signal);
    abort.abort('cancelled');
    await expect(result).resolves.toBe(false);
  });
});
