import { TokenBucket } from './rate-limiter';

describe(TokenBucket.name, () => {
  let now = 0;
  const clock = () => now;
  beforeEach(() => (now = 0));

  test('allows a burst, then says how long to wait for the next token', () => {
    const sut = new TokenBucket({ burst: 3, perSecond: 2 }, clock);
    expect([sut.take(), sut.take(), sut.take()]).toEqual([0, 0, 0]);
    expect(sut.take()).toBe(500);
  });

  test('refills at the steady rate, never beyond the burst', () => {
    const sut = new TokenBucket({ burst: 2, perSecond: 4 }, clock);
    sut.take();
    sut.take();
    now = 250;
    expect(sut.take()).toBe(0);
    expect(sut.take()).toBeGreaterThan(0);
    now = 60_000;
    expect([sut.take(), sut.take(), sut.take()]).toEqual([0, 0, 250]);
  });

  test('refused events cost nothing, so a client that waits as told gets through', () => {
    const sut = new TokenBucket({ burst: 1, perSecond: 1 }, clock);
    sut.take();
    for (let i = 0; i < 5; i++) expect(sut.take()).toBe(1000);
    now = 1000;
    expect(sut.take()).toBe(0);
  });
});
