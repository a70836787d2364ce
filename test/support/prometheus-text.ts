/**
 * A strict reader of Prometheus' text exposition format (0.0.4), for tests: every line must be a HELP, a TYPE, or a
 * sample of a declared family, and histograms must be well formed. Hand-written because no kept parser is among the
 * dependencies, and a regex per line is all the format needs.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  /** Family name → counter, gauge, histogram, summary or untyped. */
  types: Map<string, string>;
  samples: Sample[];
  /** The value of the sample with exactly these labels (undefined when absent). */
  value(name: string, labels?: Record<string, string>): number | undefined;
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const HELP = new RegExp(`^# HELP (${NAME}) .*$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: -?\\d+)?$`);
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\[\\"n])*)"(,|$)/y;
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|NaN|[+-]Inf)$/;

export function parsePrometheusText(text: string): Exposition {
  if (!text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const types = new Map<string, string>();
  const samples: Sample[] = [];
  text
    .slice(0, -1)
    .split('\n')
    .forEach((line, i) => {
      const fail = (why: string) => {
        throw new Error(`line ${i + 1}: ${why}: ${JSON.stringify(line)}`);
      };
      if (line === '') return; // the format ignores empty lines (prom-client separates families with one)
      if (line.startsWith('#')) {
        const type = TYPE.exec(line);
        if (type) types.set(type[1], type[2]);
        else if (line.startsWith('# HELP') && !HELP.test(line)) fail('malformed HELP');
        else if (line.startsWith('# TYPE')) fail('malformed TYPE');
        return;
      }
      const match = SAMPLE.exec(line);
      if (!match) return fail('not a sample');
      const [, name, labelText = '', value] = match;
      if (!VALUE.test(value)) fail('bad value');
      if (!types.has(familyOf(name, types))) fail('sample of an undeclared family');
      samples.push({ name, labels: parseLabels(labelText, fail), value: Number(value.replace('Inf', 'Infinity')) });
    });
  checkHistograms(types, samples);
  const key = (labels: Record<string, string>) => JSON.stringify(Object.entries(labels).sort());
  return {
    types,
    samples,
    value: (name, labels = {}) => samples.find((s) => s.name === name && key(s.labels) === key(labels))?.value,
  };
}

function familyOf(name: string, types: Map<string, string>): string {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && (types.get(base) === 'histogram' || types.get(base) === 'summary') ? base : name;
}

function parseLabels(text: string, fail: (why: string) => never): Record<string, string> {
  const labels: Record<string, string> = {};
  LABEL.lastIndex = 0;
  while (LABEL.lastIndex < text.length) {
    const start = LABEL.lastIndex;
    const label = LABEL.exec(text);
    if (!label || label.index !== start) return fail('malformed labels');
    labels[label[1]] = label[2].replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
  }
  return labels;
}

/** Buckets never decrease with `le`, and the +Inf bucket equals _count, for every series of every histogram. */
function checkHistograms(types: Map<string, string>, samples: Sample[]): void {
  for (const [family, type] of types) {
    if (type !== 'histogram') continue;
    const series = new Map<string, Sample[]>();
    for (const s of samples.filter((x) => x.name === `${family}_bucket`)) {
      const { le: _, ...rest } = s.labels;
      const key = JSON.stringify(Object.entries(rest).sort());
      series.set(key, [...(series.get(key) ?? []), s]);
    }
    for (const [key, buckets] of series) {
      const counts = buckets.sort((a, b) => Number(a.labels.le.replace('Inf', 'Infinity')) - Number(b.labels.le.replace('Inf', 'Infinity'))).map((b) => b.value);
      if (counts.some((c, i) => i > 0 && c < counts[i - 1])) throw new Error(`${family} ${key}: buckets decrease`);
      const count = samples.find((s) => s.name === `${family}_count` && JSON.stringify(Object.entries(s.labels).sort()) === key);
      if (buckets.at(-1)?.labels.le !== '+Inf' || count?.value !== counts.at(-1)) throw new Error(`${family} ${key}: +Inf bucket differs from _count`);
    }
  }
}
