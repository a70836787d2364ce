/**
 * A scored round as JSON, Markdown and HTML (beside the comparison reports, same tables in both renderings):
 * per system n, sensible, specific and SSA with intervals, inter-distinct-2 of its candidates where the round
 * measured it (diversity only counts at equal sense), differences against the baseline, rater agreement.
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { htmlPage, htmlTable } from '../comparison/report/html-report';
import { markdownTable } from '../comparison/report/markdown-report';
import type { Table } from '../comparison/report/report-tables';
import type { Interval, RoundScore } from './judging-score';

export interface RoundReport extends RoundScore {
  /** inter-distinct-2 over each system's K candidates per context (from the sheet's figures), when measured. */
  readonly interDistinct2?: Readonly<Record<string, number>>;
}

const f2 = (x: number) => x.toFixed(2);
const withInterval = (i: Interval) => `${f2(i.value)} [${f2(i.low)}, ${f2(i.high)}]`;

export function roundTables(r: RoundReport): Table[] {
  const systems: Table = {
    title: `SSA by system (n = contexts, ${r.raters} rater${r.raters > 1 ? 's' : ''}; bootstrap 95 % intervals over contexts)`,
    header: ['system', 'n', 'sensible', 'specific', 'SSA', 'inter-dist-2'],
    rows: [...r.systems]
      .sort((a, b) => b.ssa.value - a.ssa.value)
      .map((s) => [s.system, String(s.n), withInterval(s.sensible), withInterval(s.specific), withInterval(s.ssa), r.interDistinct2?.[s.system] === undefined ? '–' : f2(r.interDistinct2[s.system])]),
    caption: r.void ? 'VOID: the human reply scored below SSA 0.80; these figures do not count.' : 'Human reply at or above SSA 0.80: the round counts.',
  };
  const tables = [systems];
  if (r.differences.length > 0) {
    tables.push({
      title: `SSA difference against ${r.differences[0].baseline} (paired over contexts)`,
      header: ['system', 'difference', 'interval excludes 0'],
      rows: r.differences.map((d) => [d.system, withInterval(d.diff), d.excludesZero ? 'yes' : 'no']),
    });
  }
  if (r.agreement) {
    const a = r.agreement;
    tables.push({
      title: `Agreement of ${a.raters} raters`,
      header: ['label', 'same label', "Cohen's κ (raters 1, 2)"],
      rows: [
        ['sensible', f2(a.sensible), f2(a.kappaSensible)],
        ['specific', f2(a.specific), f2(a.kappaSpecific)],
      ],
    });
  }
  return tables;
}

export function renderRoundMarkdown(r: RoundReport): string {
  return [`# Judged round: ${r.round}`, ...roundTables(r).map(markdownTable)].join('\n\n') + '\n';
}

export function renderRoundHtml(r: RoundReport): string {
  return htmlPage(`Judged round: ${r.round}`, roundTables(r).map(htmlTable).join('\n'));
}

export const ROUND_REPORT_FILES = ['score.json', 'score.md', 'score.html'] as const;

export async function writeRoundReport(dir: string, r: RoundReport): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const contents = [JSON.stringify(r, null, 2) + '\n', renderRoundMarkdown(r), renderRoundHtml(r)];
  const files = ROUND_REPORT_FILES.map((name) => path.join(dir, name));
  await Promise.all(files.map((file, i) => fs.writeFile(file, contents[i])));
  return files;
}
