/**
 * The comparison report as one self-contained HTML page: inline CSS and inline SVG charts (distinct-n
 * against temperature, reply-length histograms, figures by turn position), then the same tables as
 * the Markdown report. No script and no external resource.
 */
import type { ComparisonReport } from '../comparison-report';
import { reportTables, type Table } from './report-tables';
import { barChart, escapeHtml, lineChart, PALETTE } from './svg-charts';

const REPORT_STYLE = `
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1200px; padding: 0 1rem; color: #222; }
table { border-collapse: collapse; margin: .5rem 0 1.5rem; }
th, td { border: 1px solid #ccc; padding: .25rem .5rem; vertical-align: top; }
td:not(:first-child) { font-variant-numeric: tabular-nums; }
th { background: #f3f3f3; }
caption { caption-side: bottom; text-align: left; color: #555; font-size: 12px; padding-top: .25rem; }
.charts { display: flex; flex-wrap: wrap; gap: 1rem; }
.notes li { margin-bottom: .3rem; }`;

export function htmlTable(table: Table): string {
  const text = (value: string) => escapeHtml(value).replace(/\n/g, '<br>');
  return [
    `<h3>${escapeHtml(table.title)}</h3>`,
    '<table>',
    table.caption ? `<caption>${escapeHtml(table.caption)}</caption>` : '',
    `<tr>${table.header.map((h) => `<th>${text(h)}</th>`).join('')}</tr>`,
    ...table.rows.map((row) => `<tr>${row.map((c) => `<td>${text(c)}</td>`).join('')}</tr>`),
    '</table>',
  ].join('\n');
}

function charts(report: ComparisonReport): string[] {
  const [a, b] = report.models.map((m) => m.label);
  const temperatures = report.temperatures.map((t) => String(t.temperature));
  const distinct = lineChart({
    title: 'Inter-distinct against temperature',
    categories: temperatures,
    xLabel: 'temperature',
    series: [
      { name: `${a} dist-1`, values: report.temperatures.map((t) => t.figures[0].interDist1), color: PALETTE[0], dashed: true },
      { name: `${a} dist-2`, values: report.temperatures.map((t) => t.figures[0].interDist2), color: PALETTE[0] },
      { name: `${b} dist-1`, values: report.temperatures.map((t) => t.figures[1].interDist1), color: PALETTE[1], dashed: true },
      { name: `${b} dist-2`, values: report.temperatures.map((t) => t.figures[1].interDist2), color: PALETTE[1] },
    ],
  });
  const [countsA, countsB] = report.lengthHistogram.counts;
  const longest = Math.max(countsA.length, countsB.length);
  const lengths = Array.from({ length: longest }, (_, i) => String(i));
  const histogram = barChart({
    title: 'Reply length (sampled replies)',
    categories: lengths,
    xLabel: 'word tokens',
    series: [
      { name: a, values: lengths.map((_, i) => countsA[i] ?? 0), color: PALETTE[0] },
      { name: b, values: lengths.map((_, i) => countsB[i] ?? 0), color: PALETTE[1] },
    ],
    width: 560,
  });
  const positions = report.byPosition.map((row) => row.position);
  const byPosition = (title: string, pick: (m: { bleuF1: number; interDist2: number; meanLength: number }) => number) =>
    lineChart({
      title,
      categories: positions,
      xLabel: 'context turns',
      series: [0, 1].map((m) => ({ name: report.models[m].label, values: report.byPosition.map((row) => pick(row.models[m])), color: PALETTE[m] })),
      width: 360,
    });
  return [
    distinct,
    histogram,
    byPosition('BLEU F1 by turn position', (m) => m.bleuF1),
    byPosition('Inter-dist-2 by turn position', (m) => m.interDist2),
    byPosition('Mean length by turn position', (m) => m.meanLength),
  ];
}

export function renderHtml(report: ComparisonReport): string {
  const [a, b] = report.models;
  const s = report.settings;
  const tables = reportTables(report);
  const title = `Model comparison: ${a.label} vs ${b.label}`;
  return htmlPage(
    title,
    `<p>A = <b>${escapeHtml(a.label)}</b> (${a.kind}), B = <b>${escapeHtml(b.label)}</b> (${b.kind}). Test data ${escapeHtml(s.data)}:
${s.contexts} contexts from ${s.dialogues} dialogues, ${s.samples} samples each, seed ${s.seed}. Created ${escapeHtml(report.createdAt)} in ${report.timings.totalSeconds.toFixed(1)} s.</p>
<h2>Charts</h2>
<div class="charts">
${charts(report).join('\n')}
</div>
<h2>Tables</h2>
${tables.map(htmlTable).join('\n')}
<h2>Notes</h2>
<ul class="notes">
${report.notes.map((n) => `<li>${escapeHtml(n)}</li>`).join('\n')}
</ul>`,
  );
}

/** A self-contained page: the reports' style inline, the title as heading, then `body` (HTML). */
export function htmlPage(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>${REPORT_STYLE}</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
${body}
</body>
</html>
`;
}
