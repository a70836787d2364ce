import { Dialogue } from './corpus-reader';
import { computeCorpusStats, distribution } from './corpus-stats';

async function* from(dialogues: Dialogue[]): AsyncGenerator<Dialogue> {
  yield* dialogues;
}

describe(computeCorpusStats.name, () => {
  it('counts dialogues, turns, word tokens, vocabulary and coverage', async () => {
    const stats = await computeCorpusStats(
      from([
        { id: '1', turns: ["I don't know.", 'I know.'] }, // 6 + 3 tokens
        { id: '2', turns: ['Know it?', 'Yes', 'No'] }, // 3 + 1 + 1
      ]),
      { topN: 2 },
    );
    expect(stats).toMatchObject({ dialogues: 2, turns: 5, tokens: 14, vocabularySize: 10 });
    // "know" x3, then "." x2 and "i" x2 tie, broken alphabetically: "." wins.
    expect(stats.coverage).toEqual({ topN: 2, share: 5 / 14 });
    expect(stats.utteranceLength).toEqual({ p50: 3, p90: 6, p99: 6, max: 6 });
    expect(stats.turnsPerDialogue).toEqual({ p50: 2, p90: 3, p99: 3, max: 3 });
  });

  it('gives zeros for an empty corpus', async () => {
    const stats = await computeCorpusStats(from([]), { topN: 10 });
    expect(stats).toMatchObject({ dialogues: 0, tokens: 0, coverage: { share: 0 }, utteranceLength: { p50: 0, max: 0 } });
  });
});

describe(distribution.name, () => {
  it('uses nearest-rank percentiles', () => {
    const hundred = new Map(Array.from({ length: 100 }, (_, i) => [i + 1, 1] as const));
    expect(distribution(hundred)).toEqual({ p50: 50, p90: 90, p99: 99, max: 100 });
  });
});
