/** The comparison report as Markdown: the same tables as the HTML page, without the charts. */
import type { ComparisonReport } from '../comparison-report';
import { reportTables, type Table } from './report-tables';

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, '<br>');

export function markdownTable(table: Table): string {
  const lines = [
    `### ${table.title}`,
    '',
    `| ${table.header.map(cell).join(' | ')} |`,
    `|${table.header.map((_, i) => (i === 0 || table.text ? ' --- ' : ' ---: ')).join('|')}|`,
    ...table.rows.map((row) => `| ${row.map(cell).join(' | ')} |`),
  ];
  if (table.caption) lines.push('', table.caption);
  return lines.join('\n');
}

export function renderMarkdown(report: ComparisonReport): string {
  const [a, b] = report.models;
  const s = report.settings;
  const tables = reportTables(report);
  return [
    `# Model comparison: ${a.label} vs ${b.label}`,
    '',
    `A = ${a.label} (${a.kind}, ${a.dir}); B = ${b.label} (${b.kind}, ${b.dir}).`,
    `Test data ${s.data}: ${s.contexts} contexts from ${s.dialogues} dialogues, ${s.samples} samples each, seed ${s.seed}; created ${report.createdAt}.`,
    '',
    ...tables.flatMap((t) => [markdownTable(t), '']),
    '## Notes',
    '',
    ...report.notes.map((n) => `- ${n}`),
    '',
  ].join('\n');
}
