import { drawFrom, idsOfTsv } from './judging-contexts';
import { cohensKappa, LabelFileError, parseLabels, scoreRound } from './judging-score';
import { buildSheet, HUMAN, labelsTemplate, renderSheet, type JudgingKey } from './judging-sheet';
import { roundTables } from './judging-report';
import { surfaceForm } from './surface-form';

const DIALOGUES = Array.from({ length: 30 }, (_, d) => ({ id: `d${d}`, turns: Array.from({ length: 2 + (d % 5) }, (__, t) => `Turn ${t} of dialogue ${d}, OK?`) }));

describe('judging contexts', () => {
  it('draws one position per dialogue, repeatably for a seed, the reference being the turn after the context', () => {
    const set = drawFrom(DIALOGUES, { count: 20, seed: 4 });
    expect(new Set(set.contexts.map((c) => c.dialogueId)).size).toBe(20);
    for (const c of set.contexts) {
      const d = DIALOGUES.find((x) => x.id === c.dialogueId)!;
      expect(c.position).toBeGreaterThanOrEqual(1);
      expect(c.reference).toBe(d.turns[c.position]);
      expect(set.dialogues[c.dialogue].turns).toEqual(d.turns.slice(0, c.position + 1));
    }
    expect(drawFrom(DIALOGUES, { count: 20, seed: 4 })).toEqual(set);
    expect(drawFrom(DIALOGUES, { count: 20, seed: 5 }).contexts.map((c) => c.dialogueId)).not.toEqual(set.contexts.map((c) => c.dialogueId));
  });

  it('refuses more contexts than dialogues, and reads excluded ids from a TSV', () => {
    expect(() => drawFrom(DIALOGUES, { count: 31, seed: 1 })).toThrow(/only 30 dialogues/);
    expect(idsOfTsv('id\tduplicate_of\ntest-1\ttrain-9\ntest-2\ttrain-3\n')).toEqual(new Set(['test-1', 'test-2']));
  });
});

describe('judging sheet', () => {
  const set = drawFrom(DIALOGUES, { count: 12, seed: 2 });
  const systems = [
    { name: 'hred-greedy-SECRET', replies: set.contexts.map(() => "i don't know .") },
    { name: 'vhred-z-SECRET', replies: set.contexts.map((_, i) => `reply number ${i} !`) },
  ];
  const sheet = buildSheet('r1', set, systems, 7);
  const text = renderSheet(sheet);

  it('names no system, and gives the human reply the surface form of the models', () => {
    expect(text).not.toMatch(/SECRET|human|hred|vhred/i);
    expect(surfaceForm('Turn 3 of dialogue 9, OK?')).toBe('turn 3 of dialogue 9, ok?');
    expect(surfaceForm("i don't know .")).toBe("i don't know.");
    for (const item of sheet.items) {
      const human = item.candidates.find((c) => sheet.key.labels[c.label] === HUMAN)!;
      expect(human.reply).toBe(surfaceForm(set.contexts[item.number - 1].reference));
      expect(human.reply).toBe(human.reply.toLowerCase());
      expect(text).toContain(`[${human.label}] ${human.reply}`);
    }
  });

  it('labels every candidate opaquely, with the systems in a different order from context to context', () => {
    expect(Object.keys(sheet.key.labels)).toHaveLength(12 * 3);
    const orders = new Set(sheet.items.map((item) => item.candidates.map((c) => sheet.key.labels[c.label]).join()));
    expect(orders.size).toBeGreaterThan(1);
    const humanSlots = new Set(sheet.items.map((item) => item.candidates.findIndex((c) => sheet.key.labels[c.label] === HUMAN)));
    expect(humanSlots.size).toBeGreaterThan(1);
    expect(labelsTemplate(sheet).split('\n')[1]).toBe('1.a\t\t');
  });

  it('refuses a system called human and replies that do not match the contexts', () => {
    expect(() => buildSheet('r', set, [{ name: HUMAN, replies: systems[0].replies }], 1)).toThrow(/unique/);
    expect(() => buildSheet('r', set, [{ name: 'x', replies: ['a'] }], 1)).toThrow(/1 replies for 12 contexts/);
  });
});

describe('scoring labels', () => {
  // Two contexts, systems A and human: hand-made labels.
  const key: JudgingKey = {
    round: 'hand',
    seed: 1,
    systems: ['A', HUMAN],
    contexts: [
      { number: 1, dialogueId: 'x', position: 1 },
      { number: 2, dialogueId: 'y', position: 1 },
    ],
    labels: { '1.a': 'A', '1.b': HUMAN, '2.a': HUMAN, '2.b': 'A' },
  };
  const rater = (lines: string[]) => parseLabels(['label\tsensible\tspecific', ...lines].join('\n')).labels;

  it('gives sensible, specific and SSA per system; intervals from resampling contexts', () => {
    const r = scoreRound(key, [rater(['1.a\t1\t0', '1.b\t1\t1', '2.a\t1\t1', '2.b\t0\t0'])], { resamples: 2000 });
    const a = r.systems.find((s) => s.system === 'A')!;
    expect(a.n).toBe(2);
    expect(a.sensible.value).toBe(0.5);
    expect(a.specific.value).toBe(0);
    expect(a.ssa.value).toBe(0.25); // contexts (1 + 0) / 2 and (0 + 0) / 2
    // resampling two contexts: SSA is 0.5, 0.25 or 0 → the 95 % interval spans [0, 0.5]
    expect(a.ssa.low).toBe(0);
    expect(a.ssa.high).toBe(0.5);
    const human = r.systems.find((s) => s.system === HUMAN)!;
    expect(human.ssa).toEqual({ value: 1, low: 1, high: 1 });
    expect(r.void).toBe(false);
  });

  it('averages raters per candidate, reports their agreement, and voids a round whose human reply scores < 0.80', () => {
    const one = rater(['1.a\t1\t1', '1.b\t1\t0', '2.a\t1\t0', '2.b\t1\t1']);
    const two = rater(['1.a\t1\t0', '1.b\t1\t0', '2.a\t0\t0', '2.b\t1\t1']);
    const r = scoreRound(key, [one, two], { baseline: HUMAN, resamples: 500 });
    const human = r.systems.find((s) => s.system === HUMAN)!;
    expect(human.sensible.value).toBe(0.75);
    expect(human.ssa.value).toBe(0.375);
    expect(r.void).toBe(true);
    expect(r.agreement).toMatchObject({ raters: 2, sensible: 0.75, specific: 0.75 });
    expect(r.differences).toEqual([expect.objectContaining({ system: 'A', baseline: HUMAN, diff: expect.objectContaining({ value: 0.875 - 0.375 }) })]);
    expect(roundTables({ ...r })[0].caption).toMatch(/VOID/);
  });

  it('refuses unknown or missing labels, malformed lines, and reads specific-without-sensible as not specific', () => {
    expect(() => scoreRound(key, [rater(['1.a\t1\t1', '1.b\t1\t1', '2.a\t1\t1'])])).toThrow(/1 labels missing/);
    expect(() => scoreRound(key, [rater(['1.a\t1\t1', '1.b\t1\t1', '2.a\t1\t1', '2.b\t1\t1', '9.z\t1\t1'])])).toThrow(/9.z is not on the sheet/);
    expect(() => parseLabels('1.a\t2\t0')).toThrow(LabelFileError);
    expect(() => parseLabels('1.a\t1')).toThrow(/line 1/);
    expect(() => parseLabels('1.a\t1\t0\n1.a\t1\t0')).toThrow(/twice/);
    const { labels, coerced } = parseLabels('1.a\t0\t1\n');
    expect(labels.get('1.a')).toEqual({ sensible: 0, specific: 0 });
    expect(coerced).toBe(1);
  });

  it("Cohen's κ against hand values", () => {
    // p_o = 0.75; p_a = 0.5, p_b = 0.25: p_e = 0.125 + 0.375 = 0.5; κ = (0.75 − 0.5) / 0.5
    expect(cohensKappa([1, 1, 0, 0], [1, 0, 0, 0])).toBeCloseTo(0.5, 10);
    expect(cohensKappa([1, 1], [1, 1])).toBe(1);
    expect(cohensKappa([1, 0], [0, 1])).toBe(-1);
  });
});
