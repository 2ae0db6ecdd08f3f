/**
 * Reads Prometheus text exposition format (version 0.0.4) strictly enough to fail a test on a
 * malformed line, and looks samples up by name and labels.
 */
const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const HELP = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE = new RegExp(`^(${NAME})(?:\\{(.*)\\})? (\\S+)(?: (-?\\d+))?$`);
const LABEL = /^([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\\n]|\\["\\n])*)"(?:,|$)/;
/** A float as Prometheus reads one (Go's ParseFloat: NaN and Inf in any case; prom-client writes `Nan`). */
const VALUE = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)|nan|[+-]?inf)$/i;

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  /** The one sample with exactly these labels; undefined when there is none. */
  value(name: string, labels?: Record<string, string>): number | undefined;
  /** The sum of the samples whose labels include these (0 when none). */
  sum(name: string, labels?: Record<string, string>): number;
  find(name: string, labels?: Record<string, string>): Sample[];
}

export function parseExposition(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) !== '') throw new Error('The exposition must end with a newline.');
  for (const [index, line] of lines.slice(0, -1).entries()) {
    const where = `line ${index + 1}: ${JSON.stringify(line)}`;
    if (line === '') continue;
    if (line.startsWith('#')) {
      const type = TYPE.exec(line);
      if (type) {
        if (types.has(type[1]!)) throw new Error(`A second TYPE for ${type[1]} at ${where}.`);
        types.set(type[1]!, type[2]!);
        continue;
      }
      if (HELP.test(line)) continue;
      throw new Error(`Not a HELP or TYPE comment at ${where}.`);
    }
    const sample = SAMPLE.exec(line);
    if (!sample || !VALUE.test(sample[3]!)) throw new Error(`Not a sample at ${where}.`);
    const labels: Record<string, string> = {};
    let rest = sample[2] ?? '';
    while (rest.length > 0) {
      const label = LABEL.exec(rest);
      if (!label) throw new Error(`Malformed labels at ${where}.`);
      labels[label[1]!] = label[2]!.replace(/\\n/g, '\n').replace(/\\(["\\])/g, '$1');
      rest = rest.slice(label[0].length);
    }
    const name = sample[1]!;
    const family = types.has(name) ? name : name.replace(/_(bucket|sum|count|total|created)$/, '');
    if (!types.has(family) && !types.has(name)) throw new Error(`Sample before its TYPE at ${where}.`);
    const raw = sample[3]!;
    samples.push({ name, labels, value: raw === '+Inf' ? Infinity : raw === '-Inf' ? -Infinity : Number(raw) });
  }
  const includes = (sample: Sample, labels: Record<string, string>) =>
    Object.entries(labels).every(([key, value]) => sample.labels[key] === value);
  const find = (name: string, labels: Record<string, string> = {}) => samples.filter((sample) => sample.name === name && includes(sample, labels));
  return {
    samples,
    types,
    find,
    value(name, labels = {}) {
      const exact = find(name, labels).filter((sample) => Object.keys(sample.labels).length === Object.keys(labels).length);
      if (exact.length > 1) throw new Error(`${exact.length} samples of ${name} with ${JSON.stringify(labels)}.`);
      return exact[0]?.value;
    },
    sum: (name, labels = {}) => find(name, labels).reduce((total, sample) => total + sample.value, 0),
  };
}
