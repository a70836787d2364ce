import { SeededRandom } from '../common/random';
import { trainWord2Vec } from './skip-gram';

/**
 * A corpus where words of one group fill the same slots of the same templates and never
 * meet words of the other groups: their vectors should end up each other's neighbours.
 */
function syntheticCorpus(sentences: number, seed: number): string[][] {
  const groups = [
    { members: ['cat', 'dog'], templates: ['the X eats its food', 'my X sleeps on the sofa', 'a X chases the ball'] },
    { members: ['car', 'bus'], templates: ['the X drives on the road', 'my X needs more fuel', 'a X stops at the light'] },
    { members: ['tea', 'coffee'], templates: ['i drink hot X', 'a cup of X please', 'the X tastes bitter'] },
  ];
  const random = new SeededRandom(seed);
  return Array.from({ length: sentences }, () => {
    const group = groups[random.nextInt(groups.length)];
    const template = group.templates[random.nextInt(group.templates.length)];
    const member = group.members[random.nextInt(group.members.length)];
    return template.replace('X', member).split(' ');
  });
}

describe('trainWord2Vec', () => {
  const corpus = syntheticCorpus(1500, 1);
  const options = { dim: 24, window: 3, negative: 5, minCount: 1, epochs: 5, sample: 0, seed: 7 };

  test('words that share contexts become nearest neighbours', () => {
    const model = trainWord2Vec(corpus, options);
    expect(model.nearest('cat', 1)[0].word).toBe('dog');
    expect(model.nearest('dog', 1)[0].word).toBe('cat');
    expect(model.nearest('car', 1)[0].word).toBe('bus');
    expect(model.nearest('tea', 1)[0].word).toBe('coffee');
    const catDog = model.nearest('cat', 20).find((n) => n.word === 'dog')!.similarity;
    const catCar = model.nearest('cat', 20).find((n) => n.word === 'car')!.similarity;
    expect(catDog).toBeGreaterThan(catCar + 0.3);
  });

  test('is repeatable for a seed, and the seed matters', () => {
    const small = corpus.slice(0, 300);
    const a = trainWord2Vec(small, { ...options, epochs: 1 });
    const b = trainWord2Vec(small, { ...options, epochs: 1 });
    const c = trainWord2Vec(small, { ...options, epochs: 1, seed: 8 });
    expect(a.vectors).toEqual(b.vectors);
    expect(a.vectors).not.toEqual(c.vectors);
  });

  test('drops words under minCount, orders the vocabulary by frequency, and reports progress', () => {
    const progress: number[] = [];
    const model = trainWord2Vec([['a', 'b', 'a'], ['a', 'c', 'b']], {
      dim: 4,
      minCount: 2,
      epochs: 2,
      onProgress: (p) => progress.push(p.wordsProcessed / p.totalWords),
    });
    expect(model.words).toEqual(['a', 'b']);
    expect(model.has('c')).toBe(false);
    expect(progress.at(-1)).toBe(1);
  });

  test('rejects nonsensical options', () => {
    expect(() => trainWord2Vec(corpus, { dim: 0 })).toThrow(RangeError);
    expect(() => trainWord2Vec(corpus, { negative: 0 })).toThrow(RangeError);
  });
});
