// Aligned tables, printed as Markdown so they can be pasted into bench/README.md as they are.

export function formatTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  // Text columns align left, numeric ones right.
  const numeric = headers.map((_, i) => rows.every((r) => /^[-\d.,]*$|^[\d.,]+ ?[a-zµ%x]*$/i.test((r[i] ?? '').split(' / ')[0]!.trim())));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (numeric[i] ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  const sep = `|${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(headers), sep, ...rows.map((r) => line(headers.map((_, i) => r[i] ?? '')))].join('\n');
}

export function printTable(title: string, headers: string[], rows: string[][]): void {
  console.log(`\n### ${title}\n`);
  console.log(formatTable(headers, rows));
}

export function note(text: string): void {
  console.log(text);
}
