/**
 * The report's figures as plain tables (title, header, rows of strings), so the Markdown and the HTML
 * renderings show the same numbers in the same order and differ only in markup.
 */
import type { DialogWaeFigures } from '../../dialogwae-protocol';
import type { ComparisonReport, Difference, DiversityFigures } from '../comparison-report';
import { CORPUS_DECODINGS } from '../decoding-modes';

export interface Table {
  readonly title: string;
  readonly header: string[];
  readonly rows: string[][];
  readonly caption?: string;
  /** Columns of text (replies), not figures: left-aligned. */
  readonly text?: boolean;
}

const PROTOCOL_ROWS: [keyof DialogWaeFigures, string][] = [
  ['bleuRecall', 'BLEU recall (best of N)'],
  ['bleuPrecision', 'BLEU precision (mean of N)'],
  ['bleuF1', 'BLEU F1'],
  ['embeddingAverage', 'Embedding average (best)'],
  ['embeddingExtrema', 'Embedding extrema (best)'],
  ['embeddingGreedy', 'Embedding greedy (best)'],
  ['intraDist1', 'intra-dist-1'],
  ['intraDist2', 'intra-dist-2'],
  ['interDist1', 'inter-dist-1'],
  ['interDist2', 'inter-dist-2'],
  ['meanLength', 'Mean length (tokens)'],
];

const DIVERSITY_ROWS: [keyof DiversityFigures, string][] = [
  ['distinct1', 'distinct-1'],
  ['distinct2', 'distinct-2'],
  ['entropy', 'unigram entropy (bits)'],
  ['meanLength', 'mean length'],
];

export function number(value: number | undefined, digits = 4): string {
  if (value === undefined || Number.isNaN(value)) return '–';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '−∞';
  return Math.abs(value) >= 1000 ? value.toFixed(1) : value.toFixed(digits);
}

const signed = (value: number, digits: number) => (value >= 0 ? '+' : '−') + number(Math.abs(value), digits);

/** "+0.0123 [−0.0040, +0.0290]", with a * when the interval excludes 0. */
export function difference(d: Difference | undefined, digits = 4): string {
  if (!d) return '–';
  return `${signed(d.diff, digits)} [${signed(d.low, digits)}, ${signed(d.high, digits)}]${d.excludesZero ? ' *' : ''}`;
}

export function modelHeader(report: ComparisonReport, first: string): string[] {
  const [a, b] = report.models;
  return [first, `A: ${a.label}`, `B: ${b.label}`, `A − B [${Math.round(report.settings.confidence * 100)}% CI]`];
}

export function protocolTables(report: ComparisonReport): Table[] {
  return report.protocols.map((section) => ({
    title: `DialogWAE protocol — ${section.label}`,
    header: modelHeader(report, 'Metric'),
    rows: PROTOCOL_ROWS.filter(([key]) => section.figures[0][key] !== undefined).map(([key, label]) => [
      label,
      number(section.figures[0][key]),
      number(section.figures[1][key]),
      difference(section.differences[key]),
    ]),
    caption: `${report.settings.contexts} contexts × ${report.settings.samples} replies; * = the interval excludes 0.`,
  }));
}

export function corpusTable(report: ComparisonReport): Table {
  const [a, b] = report.corpus.figures;
  const d = report.corpus.differences;
  const rows: string[][] = [
    ['Perplexity (VHRED: importance-sampled)', number(a.perplexity, 2), number(b.perplexity, 2), difference(d.perplexity, 2)],
    ['Perplexity bound from the ELBO', number(a.elboPerplexity, 2), number(b.elboPerplexity, 2), difference(d.elboPerplexity, 2)],
    ['KL per reply (nats)', number(a.klPerReply), number(b.klPerReply), difference(d.klPerReply)],
    ['Active units', unitCount(a), unitCount(b), '–'],
    ['Scored replies / tokens', `${a.replies} / ${a.tokens}`, `${b.replies} / ${b.tokens}`, '–'],
  ];
  for (const decoding of CORPUS_DECODINGS) {
    for (const [key, label] of DIVERSITY_ROWS) {
      rows.push([`${decoding}: ${label}`, number(a.decodings[decoding][key]), number(b.decodings[decoding][key]), difference(d[`${decoding}.${key}`])]);
    }
  }
  return {
    title: 'Corpus-level figures',
    header: modelHeader(report, 'Figure'),
    rows,
    caption: `Perplexity by teacher forcing; VHRED uses K = ${a.importanceSamples > 1 ? a.importanceSamples : b.importanceSamples} posterior samples. Distinct-n over one reply per context (Li et al. 2016).`,
  };
}

function unitCount(f: ComparisonReport['corpus']['figures'][0]): string {
  return f.activeUnits === undefined ? '–' : `${f.activeUnits} / ${f.latentDim}`;
}

export function temperatureTable(report: ComparisonReport): Table {
  const [a, b] = report.models;
  return {
    title: 'Diversity against sampling temperature',
    header: ['T', `A inter-dist-1`, `A inter-dist-2`, `B inter-dist-1`, `B inter-dist-2`, 'A BLEU F1', 'B BLEU F1'],
    rows: report.temperatures.map(({ temperature, figures: [x, y] }) => [
      String(temperature),
      number(x.interDist1),
      number(x.interDist2),
      number(y.interDist1),
      number(y.interDist2),
      number(x.bleuF1),
      number(y.bleuF1),
    ]),
    caption: `A = ${a.label}, B = ${b.label}; token sampling with z ~ prior.`,
  };
}

export function positionTable(report: ComparisonReport): Table {
  return {
    title: 'By number of context turns (protocol: token sampling)',
    header: ['Context turns', 'Contexts', 'A BLEU F1', 'B BLEU F1', 'A inter-dist-2', 'B inter-dist-2', 'A length', 'B length'],
    rows: report.byPosition.map((row) => [
      row.position,
      String(row.contexts),
      number(row.models[0].bleuF1),
      number(row.models[1].bleuF1),
      number(row.models[0].interDist2),
      number(row.models[1].interDist2),
      number(row.models[0].meanLength, 2),
      number(row.models[1].meanLength, 2),
    ]),
  };
}

export function timingTable(report: ComparisonReport): Table {
  const phases = ['states', 'decoding', 'beam', 'scoring'];
  return {
    title: 'Time taken (seconds)',
    header: ['Phase', `A: ${report.models[0].label}`, `B: ${report.models[1].label}`],
    rows: [
      ...phases.map((phase) => [phase, number(report.timings.models[0][phase], 1), number(report.timings.models[1][phase], 1)]),
      ['metrics and bootstrap (both)', number(report.timings.metricsSeconds, 1), ''],
      ['total', number(report.timings.totalSeconds, 1), ''],
    ],
  };
}

/** Cells may hold several lines ("\n"); renderers turn them into line breaks. */
const lastTurns = (context: string[]) => (context.length > 3 ? ['…', ...context.slice(-3)] : context).join('\n');

export function exampleTable(report: ComparisonReport): Table {
  return {
    title: 'Replies side by side',
    header: ['Context', 'Reference', 'A: sampled', 'A: greedy / beam', 'B: sampled', 'B: greedy / beam'],
    rows: report.examples.map((e) => [
      lastTurns(e.context),
      e.reference,
      ...e.replies.flatMap((r) => [r.sample.map((s, i) => `${i + 1}. ${s}`).join('\n'), `greedy: ${r.greedy}\nbeam: ${r.beam}`]),
    ]),
    text: true,
    caption: `The first ${report.examples.length} contexts; sampled at T = 1 with z ~ prior, greedy and beam (width ${report.settings.beamWidth}) with z = prior mean.`,
  };
}

export function latentTable(report: ComparisonReport): Table {
  const rows: string[][] = [];
  report.latentExamples.forEach((e, i) => {
    rows.push([`${i + 1}`, lastTurns(e.context), e.reference, '', '']);
    e.replies[0].forEach((reply, k) => rows.push(['', '', `z${k + 1}`, reply, e.replies[1][k] ?? '']));
  });
  return {
    title: 'Greedy replies under different z ~ p(z | context)',
    header: ['#', 'Context', 'Reference / z', 'A', 'B'],
    rows,
    text: true,
    caption: 'Greedy tokens, so every difference between the rows of one context comes from z. A model without z repeats one reply.',
  };
}

export function preferenceTable(report: ComparisonReport): Table | undefined {
  const p = report.preferences;
  if (!p) return undefined;
  const w = p.winRate;
  return {
    title: 'Chat preferences (compare mode)',
    header: ['A wins', 'B wins', 'Ties', 'Judgements', `A win rate [${Math.round(report.settings.confidence * 100)}% Wilson CI]`],
    rows: [[String(w.wins), String(w.losses), String(w.ties), String(w.n), `${number(w.rate, 3)} [${number(w.low, 3)}, ${number(w.high, 3)}]`]],
    caption: 'Bot turns marked preferred in chat conversations that compared these two model versions.',
  };
}

/** Every table of a report, in reading order. */
export function reportTables(report: ComparisonReport): Table[] {
  return [
    ...protocolTables(report),
    corpusTable(report),
    temperatureTable(report),
    positionTable(report),
    preferenceTable(report),
    exampleTable(report),
    latentTable(report),
    timingTable(report),
  ].filter((t): t is Table => t !== undefined);
}
