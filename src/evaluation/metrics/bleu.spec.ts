import { DIALOGWAE_BLEU, sentenceBleu } from './bleu';
import { brevityPenalty, closestReferenceLength, modifiedPrecision } from './modified-precision';

const words = (text: string): string[] => (text === '' ? [] : text.split(' '));

// The NLTK docstring sentences (nltk/translate/bleu_score.py).
const hypothesis1 = words('It is a guide to action which ensures that the military always obeys the commands of the party');
const hypothesis2 = words('It is to insure the troops forever hearing the activity guidebook that party direct');
const reference1 = words('It is a guide to action that ensures that the military will forever heed Party commands');
const reference2 = words('It is the guiding principle which guarantees the military forces always being under the command of the Party');
const reference3 = words('It is the practical guide for the army always to heed the directions of the party');
const references = [reference1, reference2, reference3];

describe('modifiedPrecision', () => {
  test('clips the "the the the" hypothesis by the largest reference count (NLTK doc: 0.2857…)', () => {
    const refs = [words('the cat is on the mat'), words('there is a cat on the mat')];
    const hyp = words('the the the the the the the');
    expect(modifiedPrecision(refs, hyp, 1)).toEqual({ numerator: 2, denominator: 7 });
    expect(modifiedPrecision(refs, hyp, 2)).toEqual({ numerator: 0, denominator: 6 });
  });

  test.each([
    [hypothesis1, 1, 17, 18],
    [hypothesis2, 1, 8, 14],
    [hypothesis1, 2, 10, 17],
    [hypothesis2, 2, 1, 13],
  ])('NLTK doc example %#: order %i gives %i/%i', (hyp, n, numerator, denominator) => {
    expect(modifiedPrecision(references, hyp, n)).toEqual({ numerator, denominator });
  });

  test('keeps an unreduced fraction and a denominator of at least 1 when the hypothesis is shorter than n', () => {
    expect(modifiedPrecision([words('a b c')], words('a b'), 3)).toEqual({ numerator: 0, denominator: 1 });
    expect(modifiedPrecision([words('a b')], words('a b a b'), 2)).toEqual({ numerator: 1, denominator: 3 });
  });
});

describe('brevityPenalty and closestReferenceLength', () => {
  test.each([
    // [reference lengths, hypothesis length, expected BP] — NLTK doc examples (mteval-v13a cases)
    [[12, 15, 17], 12, 1],
    [[28, 28], 12, 0.2635971381157267],
    [[13, 2], 12, Math.exp(1 - 13 / 12)], // 0.9200…
    [[13, 11], 12, 1], // equidistant: the shorter reference (11) wins, so no penalty
    [[11, 8], 7, Math.exp(1 - 8 / 7)], // 0.8668…
    [[11, 8, 6, 7], 7, 1],
  ])('references of lengths %j, hypothesis of %i → %f', (lengths, hypLength, expected) => {
    const refs = lengths.map((length) => Array<string>(length).fill('a'));
    expect(brevityPenalty(closestReferenceLength(refs, hypLength), hypLength)).toBeCloseTo(expected, 12);
  });

  test('an empty hypothesis has penalty 0', () => {
    expect(brevityPenalty(3, 0)).toBe(0);
  });

  test('no reference at all is an error, as min() of nothing is in NLTK', () => {
    expect(() => closestReferenceLength([], 3)).toThrow(RangeError);
    expect(() => sentenceBleu([], words('a'))).toThrow(RangeError);
  });
});

describe('sentenceBleu against published NLTK outputs', () => {
  test.each([
    ['unsmoothed, three references, hypothesis1', references, hypothesis1, {}, 0.5045],
    ['method1, three references, hypothesis2', references, hypothesis2, { smoothing: 'method1' as const }, 0.037],
    ['BLEU-5 weights', references, hypothesis1, { weights: [0.2, 0.2, 0.2, 0.2, 0.2] }, 0.392],
    ['BLEU-2', references, hypothesis1, { weights: [0.5, 0.5] }, 0.7453],
    ['BLEU-3', references, hypothesis1, { weights: [1 / 3, 1 / 3, 1 / 3] }, 0.624],
    ['one reference, no smoothing', [reference1], hypothesis1, {}, 0.4118],
    ['one reference, method4', [reference1], hypothesis1, { smoothing: 'method4' as const }, 0.4118],
    ['one reference, method5', [reference1], hypothesis1, { smoothing: 'method5' as const }, 0.4905],
    ['one reference, method7', [reference1], hypothesis1, { smoothing: 'method7' as const }, 0.4905],
  ])('%s → %f… (NLTK docstring)', (_name, refs, hyp, options, expected) => {
    // The docstrings print these with an ellipsis: compare the shown digits.
    expect(Math.trunc(sentenceBleu(refs, hyp, options) * 10_000) / 10_000).toBeCloseTo(expected, 4);
  });

  test('unsmoothed BLEU with a zero order is tiny but not 0, as NLTK\'s method0 substitutes float_info.min', () => {
    const score = sentenceBleu(references, hypothesis2);
    expect(score).toBeGreaterThan(0);
    expect(score).toBeLessThan(1e-70);
  });

  test('method7 on the doc sentences matches NLTK 3.8 to 1e-12', () => {
    expect(sentenceBleu([reference1], hypothesis1, { smoothing: 'method7' })).toBeCloseTo(0.4905328138015114, 12);
    expect(sentenceBleu([reference1], hypothesis1, DIALOGWAE_BLEU)).toBeCloseTo(0.5759496995269625, 12);
  });

  test('the legacy (NLTK 3.2–3.4) method4 reproduces nltk issue #2341\'s output 0.17954959837224665', () => {
    // 4-gram precision 0/4 → 1 / (3 + 5 / ln 7); BP = 1; weights (0, 0, 0, 1).
    const options = { weights: [0, 0, 0, 1], smoothing: 'method4' as const, method4Variant: 'nltk3.2-3.4' as const };
    expect(sentenceBleu([words('a a a d a a a')], words('a a a a a a a'), options)).toBeCloseTo(0.17954959837224665, 14);
    expect(sentenceBleu([words('a a a d a a a')], words('a b b b b b b'), options)).toBeCloseTo(0.17954959837224665, 14);
  });

  test('the legacy method4 scores a one-token hypothesis 0, where NLTK raised and DialogWAE caught it', () => {
    expect(sentenceBleu([words('yes it is')], ['yes'], { ...DIALOGWAE_BLEU, method4Variant: 'nltk3.2-3.4' })).toBe(0);
  });
});

// Reference values from NLTK 3.8 (Debian python3-nltk): sentence_bleu(refs, hyp, weights=W, smoothing_function=SmoothingFunction().methodX).
describe.each([
  ['dialogue reply', [words('i am fine , thank you .')], words('i am good , thanks .'), 0.2935012215847205, 0.15358085141740693, 0.27454292435224376, 0.19153244019369653],
  ['hypothesis shorter than n', [words('i see you there')], words('i see'), 0.24890879407461647, 0.15111723723888346, 0.23743698328311802, 0.16035790099156189],
  ['one matching token', [words('yes it is')], words('yes'), 0.0451117610788709, 0.1353352832366127, 0.0451117610788709, 0.026045287402504197],
  ['one unmatched token', [words('yes it is')], words('no'), 0, 0, 0, 0],
  ['unigram-only overlap', [words('what time is it ?')], words('it is what time ?'), 0.44164463129367443, 0.23759155165066237, 0.41472346186858317, 0.2890885912101634],
  ['identical, 6 tokens (method5 pushes BLEU above 1)', [words('a b c d e f')], words('a b c d e f'), 1.1538875781891342, 1, 1.1538875781891342, 1.1167470964180197],
  ['identical, 3 tokens', [words('how are you')], words('how are you'), 1.013978363419326, 1, 1.013978363419326, 0.7466681393420525],
  ['repeated token', [words('the cat is on the mat')], words('the the the the the the the'), 0.19565041397158023, 0.05649483664331991, 0.1746031746031746, 0.12338601240687272],
  ['hypothesis longer than reference', [words('john loves mary')], words('john loves mary who loves mike'), 0.4555180968164295, 0.3684031498640387, 0.4555180968164295, 0.32416217435629585],
  ['two references', [words('i like tea .'), words('i really like green tea very much .')], words('i like green tea .'), 0.7845218522946806, 0.6933612743506347, 0.7845218522946806, 0.5451120352466619],
  ['empty hypothesis', [words('hello there')], [], 0, 0, 0, 0],
  ['empty reference', [[]], words('hello'), 0, 0, 0, 0],
])('sentenceBleu, %s', (_name, refs, hyp, method7Bleu3, method4Bleu3, method5Bleu3, method7Bleu4) => {
  const third = [1 / 3, 1 / 3, 1 / 3];
  test('method7, weights ⅓·3 (DialogWAE)', () => expect(sentenceBleu(refs, hyp, DIALOGWAE_BLEU)).toBeCloseTo(method7Bleu3, 12));
  test('method4, weights ⅓·3', () => expect(sentenceBleu(refs, hyp, { weights: third, smoothing: 'method4' })).toBeCloseTo(method4Bleu3, 12));
  test('method5, weights ⅓·3', () => expect(sentenceBleu(refs, hyp, { weights: third, smoothing: 'method5' })).toBeCloseTo(method5Bleu3, 12));
  test('method7, default weights ¼·4', () => expect(sentenceBleu(refs, hyp, { smoothing: 'method7' })).toBeCloseTo(method7Bleu4, 12));
});

describe('sentenceBleu worked by hand', () => {
  test('"i see" vs "i see you there", BLEU-3 method7', () => {
    // p = 2/2, 1/1, 0/1; L = 2; BP = e^(1 − 4/2).
    // method4: p3 = ln 2 / (2·5). method5 (p5 = 0): m = 2 → p1' = (2+1+1)/3, p2' = (p1'+1+p3)/3, p3' = (p2'+p3+0)/3.
    const p3 = Math.log(2) / 10;
    const p1s = 4 / 3;
    const p2s = (p1s + 1 + p3) / 3;
    const p3s = (p2s + p3 + 0) / 3;
    const expected = Math.exp(-1) * Math.cbrt(p1s * p2s * p3s);
    expect(sentenceBleu([words('i see you there')], words('i see'), DIALOGWAE_BLEU)).toBeCloseTo(expected, 14);
  });

  test('"yes" vs "yes it is": method4 is skipped for L = 1, method5 alone smooths', () => {
    // p = 1, 0, 0 (p5 = 0); method5 → 1, 1/3, 1/9; BP = e^(1 − 3) → e^−2 · (1/27)^(1/3) = e^−2 / 3.
    expect(sentenceBleu([words('yes it is')], ['yes'], DIALOGWAE_BLEU)).toBeCloseTo(Math.exp(-2) / 3, 14);
  });
});
