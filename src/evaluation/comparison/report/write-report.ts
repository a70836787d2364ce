import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { ComparisonResult } from '../run-comparison';
import { renderHtml } from './html-report';
import { renderMarkdown } from './markdown-report';

export const REPORT_FILES = ['report.json', 'report.md', 'report.html', 'replies.jsonl'] as const;

/** Writes the report as JSON, Markdown and HTML, and every context's sampled replies as JSON lines, into `dir`. */
export async function writeComparisonFiles(dir: string, { report, replies }: ComparisonResult): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const contents = [
    JSON.stringify(report, null, 2),
    renderMarkdown(report),
    renderHtml(report),
    replies.map((r) => JSON.stringify(r)).join('\n') + '\n',
  ];
  const files = REPORT_FILES.map((name) => path.join(dir, name));
  await Promise.all(files.map((file, i) => fs.writeFile(file, contents[i])));
  return files;
}
