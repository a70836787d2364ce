import { Test } from '@nestjs/testing';
import { InvalidInputError, NotFoundError } from '../../src/common/errors';
import { ConversationsModule } from '../../src/conversations/conversations.module';
import { ConversationsService } from '../../src/conversations/conversations.service';
import { isHeldOut } from '../../src/conversations/held-out';
import { PrismaService } from '../../src/database/prisma.service';
import { createTestDatabase, type TestDatabase } from '../support/test-database';

describe(ConversationsService.name, () => {
  let db: TestDatabase;
  let sut: ConversationsService;

  beforeAll(async () => {
    db = await createTestDatabase();
    const moduleRef = await Test.createTestingModule({ imports: [ConversationsModule] })
      .useMocker((token) => (token === PrismaService ? db.prisma : undefined))
      .compile();
    sut = moduleRef.get(ConversationsService);
  });
  afterAll(() => db?.close());

  const userTurn = (text: string, clientMessageId?: string) => ({ speaker: 'user' as const, text, clientMessageId });

  it('starts a conversation whose resume token verifies, and stores only its hash', async () => {
    const { id, resumeToken } = await sut.start({ decoding: { strategy: 'greedy' } });
    expect(resumeToken.length).toBeGreaterThanOrEqual(40);
    expect(await sut.verifyToken(id, resumeToken)).toBe(true);
    expect(await sut.verifyToken(id, `${resumeToken}x`)).toBe(false);
    expect(await sut.verifyToken('6f1c1c1e-8a5b-4c1e-9a53-3d1c2b7f4a10', resumeToken)).toBe(false);
    expect(await sut.verifyToken('not-a-uuid', resumeToken)).toBe(false);
    const stored = await db.prisma.conversation.findUniqueOrThrow({ where: { id } });
    expect(stored.tokenHash).not.toContain(resumeToken);
    expect(await sut.get(id)).not.toHaveProperty('tokenHash');
  });

  it('round-trips turns with every field', async () => {
    const { id } = await sut.start();
    const { turn: question } = await sut.appendTurn(id, { ...userTurn('How are you?', 'm-1'), tokenCount: 4 });
    const { turn: reply } = await sut.appendTurn(id, { speaker: 'bot', text: '', replyId: 'r-1', decoding: { temperature: 0.7 } });
    const finished = await sut.updateBotTurn(reply.id, { text: 'Fine, thanks.', finishReason: 'complete', tokenCount: 4, firstTokenMs: 12, totalMs: 80 });
    expect([question.index, reply.index]).toEqual([0, 1]);
    expect(finished).toMatchObject({ text: 'Fine, thanks.', finishReason: 'complete', firstTokenMs: 12, totalMs: 80, replyId: 'r-1', decoding: { temperature: 0.7 } });
    const { turns, nextBefore } = await sut.history(id);
    expect(turns.map((t) => [t.speaker, t.text, t.clientMessageId])).toEqual([
      ['user', 'How are you?', 'm-1'],
      ['bot', 'Fine, thanks.', null],
    ]);
    expect(nextBefore).toBeUndefined();
  });

  it('gives 50 concurrent appends to one conversation the indexes 0..49', async () => {
    const { id } = await sut.start();
    await Promise.all(Array.from({ length: 50 }, (_, i) => sut.appendTurn(id, userTurn(`message ${i}`))));
    const { turns } = await sut.history(id, { limit: 100 });
    expect(turns.map((t) => t.index)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(new Set(turns.map((t) => t.text)).size).toBe(50);
  });

  it('stores a retried message once (same clientMessageId), even when the retries race', async () => {
    const { id } = await sut.start();
    const results = await Promise.all([1, 2, 3].map(() => sut.appendTurn(id, userTurn('hello', 'same-id'))));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.turn.id)).size).toBe(1);
    expect((await sut.history(id)).turns).toHaveLength(1);
  });

  describe('appendExchange: a user turn and its reply rows in one write', () => {
    const botRow = (replyId: string) => ({ speaker: 'bot' as const, text: '', replyId });

    it('stores them at consecutive indexes from the guessed next index', async () => {
      const { id } = await sut.start();
      const { turns, created } = await sut.appendExchange(id, userTurn('hi', 'm-1'), [botRow('x-1'), botRow('y-1')], { nextIndex: 0 });
      expect(created).toBe(true);
      expect(turns.map((t) => [t.index, t.speaker, t.replyId])).toEqual([[0, 'user', null], [1, 'bot', 'x-1'], [2, 'bot', 'y-1']]);
      expect(turns.every((t) => t.finishReason === null)).toBe(true);
    });

    // A guess made stale by another instance (or a direct append) must not overwrite or skip an index.
    it('a stale guess takes the locked path: the next free index, nothing overwritten', async () => {
      const { id } = await sut.start();
      await sut.appendTurn(id, userTurn('elsewhere'));
      const { turns } = await sut.appendExchange(id, userTurn('here'), [botRow('stale-1')], { nextIndex: 0 });
      expect(turns.map((t) => t.index)).toEqual([1, 2]);
      expect((await sut.history(id)).turns.map((t) => t.text)).toEqual(['elsewhere', 'here', '']);
    });

    it('racing exchanges with the same guess are each stored once, at distinct indexes', async () => {
      const { id } = await sut.start();
      await Promise.all([0, 1, 2].map((i) => sut.appendExchange(id, userTurn(`m${i}`), [botRow(`race-${i}`)], { nextIndex: 0 })));
      const { turns } = await sut.history(id);
      expect(turns.map((t) => t.index)).toEqual([0, 1, 2, 3, 4, 5]);
      expect(turns.filter((t) => t.speaker === 'user').map((t) => t.text).sort()).toEqual(['m0', 'm1', 'm2']);
      for (const t of turns.filter((t) => t.speaker === 'user')) expect(turns[t.index + 1].replyId).toBe(`race-${t.text.slice(1)}`); // each followed by its own reply
    });

    it('a retried clientMessageId stores nothing and returns the stored turn', async () => {
      const { id } = await sut.start();
      const first = await sut.appendExchange(id, userTurn('hello', 'retry'), [botRow('retry-1')], { nextIndex: 0 });
      const again = await sut.appendExchange(id, userTurn('hello', 'retry'), [botRow('retry-2')], { nextIndex: 2 });
      expect(again).toEqual({ turns: [first.turns[0]], created: false });
      expect((await sut.history(id)).turns).toHaveLength(2);
    });

    it('refuses a full conversation, and an unknown one, as appendTurn does', async () => {
      const { id } = await sut.start();
      await sut.appendExchange(id, userTurn('one'), [botRow('full-1')], { nextIndex: 0, maxTurns: 2 });
      await expect(sut.appendExchange(id, userTurn('two'), [botRow('full-2')], { nextIndex: 2, maxTurns: 2 })).rejects.toMatchObject({ code: 'conversation_full', meta: { maxTurns: 2 } });
      await expect(sut.appendExchange('6f1c1c1e-8a5b-4c1e-9a53-3d1c2b7f4a10', userTurn('x'), [], { nextIndex: 0 })).rejects.toBeInstanceOf(NotFoundError);
    });
  });

  it('pages history backwards from the latest turns', async () => {
    const { id } = await sut.start();
    for (let i = 0; i < 5; i++) await sut.appendTurn(id, userTurn(`t${i}`));
    const last = await sut.history(id, { limit: 2 });
    expect(last.turns.map((t) => t.index)).toEqual([3, 4]);
    const before = await sut.history(id, { limit: 2, before: last.nextBefore });
    expect(before.turns.map((t) => t.index)).toEqual([1, 2]);
  });

  it('lists conversations, most recently active first, with cursor pages', async () => {
    const a = await sut.start();
    const b = await sut.start();
    await sut.appendTurn(a.id, userTurn('bump'));
    const page = await sut.list({ limit: 1 });
    expect(page.items[0]).toMatchObject({ id: a.id, turnCount: 1 });
    const next = await sut.list({ limit: 1, cursor: page.nextCursor });
    expect(next.items[0].id).toBe(b.id);
  });

  it('deletes a conversation with its turns and feedback', async () => {
    const { id } = await sut.start();
    await sut.appendTurn(id, userTurn('hi'));
    const { turn } = await sut.appendTurn(id, { speaker: 'bot', text: 'hello', finishReason: 'complete' });
    await sut.addFeedback(id, { turnId: turn.id }, { rating: 1 });
    await sut.delete(id);
    expect(await db.prisma.turn.count({ where: { conversationId: id } })).toBe(0);
    expect(await db.prisma.feedback.count({ where: { turnId: turn.id } })).toBe(0);
    await expect(sut.get(id)).rejects.toThrow(NotFoundError);
    await expect(sut.delete(id)).rejects.toThrow(NotFoundError);
  });

  it('takes feedback on bot turns of the same conversation only; rating again replaces it', async () => {
    const { id } = await sut.start();
    const other = await sut.start();
    const { turn: question } = await sut.appendTurn(id, userTurn('q'));
    const { turn: reply } = await sut.appendTurn(id, { speaker: 'bot', text: 'a', replyId: 'reply-feedback', finishReason: 'complete' });
    await sut.addFeedback(id, { replyId: 'reply-feedback' }, { rating: -1 });
    expect(await sut.addFeedback(id, { turnId: reply.id }, { rating: 1, preferred: true })).toMatchObject({ rating: 1, preferred: true });
    await expect(sut.addFeedback(id, { turnId: question.id }, { rating: 1 })).rejects.toThrow(NotFoundError);
    await expect(sut.addFeedback(other.id, { turnId: reply.id }, { rating: 1 })).rejects.toThrow(NotFoundError);
    await expect(sut.addFeedback(id, { turnId: reply.id }, { rating: 2 as 1 })).rejects.toThrow('rating must be 1 or -1');
  });

  it('keeps one preferred reply per compare group', async () => {
    const { id } = await sut.start();
    const bot = (text: string, replyId: string) => ({ speaker: 'bot' as const, text, replyId, finishReason: 'complete' as const });
    await sut.appendTurn(id, userTurn('q1'));
    const { turn: a } = await sut.appendTurn(id, bot('a1', 'group1-a'));
    const { turn: b } = await sut.appendTurn(id, bot('b1', 'group1-b'));
    await sut.appendTurn(id, userTurn('q2'));
    const { turn: c } = await sut.appendTurn(id, bot('a2', 'group2-a'));
    await sut.addFeedback(id, { turnId: a.id }, { rating: 1, preferred: true });
    await sut.addFeedback(id, { turnId: c.id }, { rating: 1, preferred: true });
    await sut.addFeedback(id, { turnId: b.id }, { rating: 1, preferred: true }); // changes its mind in group 1
    const rows = await db.prisma.feedback.findMany({ where: { turnId: { in: [a.id, b.id, c.id] } } });
    const preferred = Object.fromEntries(rows.map((f) => [f.turnId, f.preferred]));
    expect(preferred).toEqual({ [a.id]: false, [b.id]: true, [c.id]: true });
  });

  it('rejects invalid input with the field name', async () => {
    const { id } = await sut.start();
    await expect(sut.appendTurn(id, { speaker: 'narrator' as 'bot', text: 'x' })).rejects.toThrow(/^speaker: /);
    await expect(sut.start({ modelVersionId: '6f1c1c1e-8a5b-4c1e-9a53-3d1c2b7f4a10' })).rejects.toThrow(InvalidInputError);
    await expect(sut.appendTurn('6f1c1c1e-8a5b-4c1e-9a53-3d1c2b7f4a10', userTurn('x'))).rejects.toThrow(NotFoundError);
  });

  const readExport = async (options: Parameters<ConversationsService['exportJsonl']>[0]) => {
    let text = '';
    for await (const chunk of sut.exportJsonl(options)) text += chunk;
    return text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { id: string; turns: string[]; targets: boolean[] });
  };

  it('exports dialogues as JSONL with the turns to learn, filtered by time and rating', async () => {
    const start = new Date();
    const good = await sut.start();
    await sut.appendTurn(good.id, userTurn('Hi'));
    const { turn: liked } = await sut.appendTurn(good.id, { speaker: 'bot', text: 'Hello!', finishReason: 'complete' });
    await sut.addFeedback(good.id, { turnId: liked.id }, { rating: 1 });
    await sut.appendTurn(good.id, userTurn('How are you?'));
    const bad = await sut.start();
    await sut.appendTurn(bad.id, userTurn('Hi'));
    const { turn } = await sut.appendTurn(bad.id, { speaker: 'bot', text: 'Go away', finishReason: 'complete' });
    await sut.addFeedback(bad.id, { turnId: turn.id }, { rating: -1 });
    await sut.appendTurn(bad.id, userTurn('Rude!'));

    const all = await readExport({ since: start });
    expect(all).toEqual(
      expect.arrayContaining([
        { id: good.id, turns: ['Hi', 'Hello!', 'How are you?'], targets: [false, true, true] },
        { id: bad.id, turns: ['Hi', 'Go away', 'Rude!'], targets: [false, false, true] },
      ]),
    );
    const onlyLiked = await readExport({ since: start, minRating: 1 });
    expect(onlyLiked.map((d) => d.id)).toEqual([good.id]);
    expect(await readExport({ since: start, targets: { userTurns: false } })).toEqual([{ id: good.id, turns: ['Hi', 'Hello!'], targets: [false, true] }]);
    expect(await readExport({ since: new Date(Date.now() + 60_000) })).toEqual([]);
  });

  it('leaves out a conversation whose person opted out, from the start or later, and takes it back when they opt in', async () => {
    const start = new Date();
    const chat = async (options: { allowTraining?: boolean } = {}) => {
      const { id } = await sut.start(options);
      for (const text of ['Hi', 'Hello', 'Nice day']) await sut.appendTurn(id, text === 'Hello' ? { speaker: 'bot', text, finishReason: 'complete' } : userTurn(text));
      return id;
    };
    const [kept, optedOutAtStart, optedOutLater] = [await chat(), await chat({ allowTraining: false }), await chat()];
    await sut.setAllowTraining(optedOutLater, false);
    expect((await sut.get(optedOutAtStart)).allowTraining).toBe(false);
    expect((await readExport({ since: start })).map((d) => d.id)).toEqual([kept]);

    await sut.setAllowTraining(optedOutLater, true);
    expect((await readExport({ since: start })).map((d) => d.id).sort()).toEqual([kept, optedOutLater].sort());
    await expect(sut.setAllowTraining('6f1c1c1e-8a5b-4c1e-9a53-3d1c2b7f4a10', false)).rejects.toThrow(NotFoundError);
  });

  it('splits the export by conversation: no conversation on both sides of the held-out slice, none lost', async () => {
    const start = new Date();
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const { id } = await sut.start();
      ids.push(id);
      await sut.appendTurn(id, userTurn(`hello ${i}`));
      await sut.appendTurn(id, { speaker: 'bot', text: 'hi', finishReason: 'complete' });
      await sut.appendTurn(id, userTurn(`bye ${i}`));
    }
    const heldOutFraction = 0.3;
    const train = (await readExport({ since: start, part: 'train', heldOutFraction })).map((d) => d.id);
    const heldOut = (await readExport({ since: start, part: 'held-out', heldOutFraction })).map((d) => d.id);
    expect(train.filter((id) => heldOut.includes(id))).toEqual([]);
    expect([...train, ...heldOut].sort()).toEqual([...ids].sort());
    expect(heldOut).toEqual(ids.filter((id) => isHeldOut(id, heldOutFraction)).sort());
    // a fixed slice: exported again, the same conversations are held out
    expect((await readExport({ since: start, part: 'held-out', heldOutFraction })).map((d) => d.id)).toEqual(heldOut);
  });
});
