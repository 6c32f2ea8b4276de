/** A boxed table back into its rows of cells (each cell's wrapped lines joined): the header first. */
export function tableCells(text: string): string[][] {
  const rows: string[][][] = [];
  let current: string[][] | undefined;
  for (const line of text.split('\n')) {
    if (line.startsWith('│')) (current ??= []).push(line.slice(1, -1).split('│').map((c) => c.trim()));
    else if (current) {
      rows.push(current);
      current = undefined;
    }
  }
  return rows.map((lines) => lines[0]!.map((_, i) => lines.map((l) => l[i]).join(' ').trim()));
}
