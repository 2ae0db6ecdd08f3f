/** One line of the bench's table. `informational` rows have no target: their result shows as "—". */
export interface BenchRow {
  measurement: string;
  value: string;
  target: string;
  ratio: string;
  pass: boolean;
  informational?: boolean;
}

export const fmtS = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

/** A row for a time with an absolute limit; the ratio is the time over the limit. */
export function timeRow(measurement: string, ms: number, limitMs: number, detail = ''): BenchRow {
  return {
    measurement,
    value: `${fmtS(ms)}${detail}`,
    target: `≤ ${fmtS(limitMs)}`,
    ratio: `${(ms / limitMs).toFixed(2)}×`,
    pass: ms <= limitMs,
  };
}
