/** One sample line of Prometheus' text format: `name{label="value",...} value`. */
export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Reads the samples of a scrape (`registry.metrics()`, or a `/metrics` body), comments left out. */
export function parsePrometheusText(text: string): PrometheusSample[] {
  return text
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const match = SAMPLE_LINE.exec(line);
      if (!match) throw new Error(`Not a Prometheus sample line: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(LABEL)].map(([, name, value]) => [name, value]));
      const value = match[3] === '+Inf' ? Infinity : match[3] === '-Inf' ? -Infinity : Number(match[3]);
      return { name: match[1], labels, value };
    });
}

/** The samples named `name`, in the order of the text. */
export function samplesOf(samples: PrometheusSample[], name: string): PrometheusSample[] {
  return samples.filter((sample) => sample.name === name);
}

/** The value of the one sample named `name` with exactly these labels; undefined when there is none. */
export function valueOf(samples: PrometheusSample[], name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = JSON.stringify(Object.entries(labels).sort());
  const found = samplesOf(samples, name).filter((sample) => JSON.stringify(Object.entries(sample.labels).sort()) === wanted);
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} with the labels ${wanted}`);
  return found[0]?.value;
}
