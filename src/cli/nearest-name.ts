/**
 * The known name closest to a mistyped one (`--incude-closed` → `--include-closed`, `snyc` → `sync`),
 * so an error can say "did you mean …?". Null when nothing is close enough to be a likely typo.
 */
export function nearestName(input: string, candidates: readonly string[]): string | null {
  const typed = input.toLowerCase();
  let best: { name: string; distance: number } | null = null;
  for (const name of candidates) {
    const distance = editDistance(typed, name.toLowerCase());
    if (!best || distance < best.distance) best = { name, distance };
  }
  if (!best) return null;
  // A third of the length (at least one edit) is a typo; more is another word. A prefix of three
  // letters or more (`--proj`, `repo`) is an abbreviation.
  const bare = typed.replace(/^-+/, '');
  if (best.distance <= Math.max(1, Math.floor(bare.length / 3))) return best.name;
  const prefixed = bare.length >= 3 ? candidates.filter((name) => name.replace(/^-+/, '').startsWith(bare)) : [];
  return prefixed.length === 1 ? prefixed[0]! : null;
}

/** Levenshtein distance, with a swap of two neighbours counted as one edit. */
function editDistance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
    }
  }
  return rows[a.length]![b.length]!;
}
