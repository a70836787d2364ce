/**
 * Two small inline SVG charts (line and grouped bars) as strings, so the HTML report needs no
 * script or external file and opens anywhere, including from an email or a CI artifact.
 */
export interface Series {
  readonly name: string;
  readonly values: readonly number[];
  readonly color: string;
  readonly dashed?: boolean;
}

export interface ChartSpec {
  readonly title: string;
  /** One label per x position. */
  readonly categories: readonly string[];
  readonly series: readonly Series[];
  readonly xLabel?: string;
  readonly width?: number;
  readonly height?: number;
}

export const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd'];

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const MARGIN = { left: 52, right: 12, top: 28, bottom: 72 };

interface Frame {
  readonly svg: string[];
  readonly x: (i: number, slot?: number) => number;
  readonly y: (v: number) => number;
  readonly slot: number;
  readonly close: () => string;
}

/** Axes, ticks, labels and legend; the caller draws the marks into `svg`. */
function frame(spec: ChartSpec, centred: boolean): Frame {
  const width = spec.width ?? 460;
  const height = spec.height ?? 260;
  const plotW = width - MARGIN.left - MARGIN.right;
  const plotH = height - MARGIN.top - MARGIN.bottom;
  const all = spec.series.flatMap((s) => s.values.filter(Number.isFinite));
  const top = niceMax(Math.max(0, ...all));
  const n = Math.max(1, spec.categories.length);
  const slot = plotW / (centred ? n : Math.max(1, n - 1));
  const x = (i: number, offset = 0) => MARGIN.left + (centred ? (i + 0.5) * slot : n === 1 ? plotW / 2 : i * slot) + offset;
  const y = (v: number) => MARGIN.top + plotH - (top === 0 ? 0 : (v / top) * plotH);
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeHtml(spec.title)}">`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13" font-weight="600">${escapeHtml(spec.title)}</text>`,
  ];
  for (let t = 0; t <= 4; t++) {
    const value = (top * t) / 4;
    svg.push(
      `<line x1="${MARGIN.left}" x2="${width - MARGIN.right}" y1="${y(value)}" y2="${y(value)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 4}" y="${y(value) + 4}" text-anchor="end" font-size="10">${tick(value)}</text>`,
    );
  }
  const every = Math.ceil(n / 16); // at most ~16 labels
  spec.categories.forEach((label, i) => {
    if (i % every === 0) svg.push(`<text x="${x(i)}" y="${MARGIN.top + plotH + 14}" text-anchor="middle" font-size="10">${escapeHtml(label)}</text>`);
  });
  if (spec.xLabel) svg.push(`<text x="${MARGIN.left + plotW / 2}" y="${MARGIN.top + plotH + 28}" text-anchor="middle" font-size="11">${escapeHtml(spec.xLabel)}</text>`);
  // Legend: two entries a row under the axis label; a line swatch, dashed like its series.
  spec.series.forEach((s, i) => {
    const lx = MARGIN.left + (i % 2) * (plotW / 2);
    const ly = height - 20 + Math.floor(i / 2) * 13 - (spec.series.length > 2 ? 6 : 0);
    svg.push(
      `<line x1="${lx}" x2="${lx + 16}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="3"${s.dashed ? ' stroke-dasharray="4 2"' : ''}/>`,
      `<text x="${lx + 20}" y="${ly}" font-size="10">${escapeHtml(s.name)}</text>`,
    );
  });
  return { svg, x, y, slot, close: () => [...svg, '</svg>'].join('\n') };
}

export function lineChart(spec: ChartSpec): string {
  const f = frame(spec, false);
  for (const s of spec.series) {
    const points = s.values.map((v, i) => (Number.isFinite(v) ? `${f.x(i).toFixed(1)},${f.y(v).toFixed(1)}` : '')).filter(Boolean);
    f.svg.push(`<polyline fill="none" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''} points="${points.join(' ')}"/>`);
    for (const p of points) f.svg.push(`<circle cx="${p.split(',')[0]}" cy="${p.split(',')[1]}" r="2.5" fill="${s.color}"/>`);
  }
  return f.close();
}

export function barChart(spec: ChartSpec): string {
  const f = frame(spec, true);
  const bar = (f.slot * 0.8) / Math.max(1, spec.series.length);
  spec.series.forEach((s, k) => {
    s.values.forEach((v, i) => {
      if (!(v > 0)) return;
      const left = f.x(i, -f.slot * 0.4 + k * bar);
      f.svg.push(`<rect x="${left.toFixed(1)}" y="${f.y(v).toFixed(1)}" width="${bar.toFixed(1)}" height="${(f.y(0) - f.y(v)).toFixed(1)}" fill="${s.color}" opacity="0.85"/>`);
    });
  });
  return f.close();
}

/** The smallest 1, 2 or 5 × 10^k at or above `value` (a round top for the y axis). */
export function niceMax(value: number): number {
  if (value <= 0) return 0;
  const power = 10 ** Math.floor(Math.log10(value));
  return [1, 2, 5, 10].map((m) => m * power).find((v) => v >= value)!;
}

function tick(value: number): string {
  return String(Number(value.toPrecision(3)));
}
