// Plain aligned text tables for terminal output (the last column is not padded).

/** Splits text into lines of at most `width` characters, at spaces where it can. */
function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= width) line = next;
    else {
      if (line) lines.push(line);
      line = word;
      while (line.length > width) {
        lines.push(line.slice(0, width));
        line = line.slice(width);
      }
    }
  }
  return [...lines, line];
}

/**
 * Aligned rows. With `maxWidth`, the last column wraps onto continuation lines under itself so that no line is
 * longer, and nothing is lost.
 */
export function formatTable(rows: readonly (readonly string[])[], maxWidth?: number): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const lastStart = widths.slice(0, -1).reduce((n, w) => n + w + 2, 0);
  const room = maxWidth === undefined ? Infinity : maxWidth - lastStart;
  return rows
    .map((r) => {
      const lead = r
        .slice(0, -1)
        .map((c, i) => c.padEnd(widths[i]!))
        .join('  ');
      const last = r.at(-1) ?? '';
      const parts = room === Infinity || last.length <= room || room < 16 ? [last] : wrap(last, room);
      return parts.map((part, i) => `${i === 0 ? lead : ' '.repeat(lead.length)}${r.length > 1 ? '  ' : ''}${part}`.trimEnd()).join('\n');
    })
    .join('\n');
}
