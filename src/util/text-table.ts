/**
 * Tables and wrapped text for a terminal of a given width. A table never exceeds the width: its
 * cells wrap (at spaces, a word longer than its column is broken), never its rows; when even the
 * narrowest readable columns do not fit, each row is printed as a small block of `head: value`
 * lines instead. Colour is applied per wrapped line by the cell's own `style`, so wrapping never
 * splits an escape sequence and the same table prints plain in CI.
 */

/** A cell: text, or text with a style applied to each of its wrapped lines (a colour). */
export type TableCell = string | number | { text: string; style?: (line: string) => string };

export interface TableSpec {
  head: readonly string[];
  rows: ReadonlyArray<ReadonlyArray<TableCell>>;
  /** the terminal's width in columns; the table never exceeds it */
  width: number;
  /** per column: the narrowest it may be squeezed to (default: its longest word, at most 16, at least its header's longest word) */
  minWidths?: ReadonlyArray<number | undefined>;
  /** per column (default left) */
  align?: ReadonlyArray<'left' | 'right' | undefined>;
  /** the header's style, per line (e.g. bold) */
  headStyle?: (line: string) => string;
}

/** Columns an output stream has: its width on a terminal, else $COLUMNS, else 100 (a CI log, a pipe). */
export function outputWidth(stream: { isTTY?: boolean; columns?: number } = process.stdout, env: NodeJS.ProcessEnv = process.env): number {
  if (stream.isTTY && stream.columns && stream.columns > 0) return stream.columns;
  const fromEnv = Number(env.COLUMNS);
  return Number.isInteger(fromEnv) && fromEnv >= 20 ? fromEnv : 100;
}

/** Columns a string takes on a terminal: code points, East Asian wide and emoji counted twice, escape sequences none. */
export function displayWidth(text: string): number {
  let width = 0;
  // eslint-disable-next-line no-control-regex
  for (const ch of text.replace(/\u001b\[[0-9;]*m/g, '')) {
    const code = ch.codePointAt(0)!;
    // VS16 asks for the emoji presentation of the character before it: two columns
    if (code === 0xfe0f) width += 1;
    if (code < 0x20 || (code >= 0x300 && code < 0x370) || code === 0xfe0f || code === 0x200d) continue;
    width += isWide(code) ? 2 : 1;
  }
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) ||
    (code >= 0x2e80 && code <= 0xa4cf) ||
    (code >= 0xac00 && code <= 0xd7a3) ||
    (code >= 0xf900 && code <= 0xfaff) ||
    (code >= 0xfe30 && code <= 0xfe4f) ||
    (code >= 0xff00 && code <= 0xff60) ||
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x1f300 && code <= 0x1faff) ||
    // emoji shown wide by default: ✅ ❌ ❓ ❔ ❕ ❗
    code === 0x2705 ||
    code === 0x274c ||
    (code >= 0x2753 && code <= 0x2755) ||
    code === 0x2757 ||
    (code >= 0x20000 && code <= 0x3fffd)
  );
}

/**
 * `text` in lines of at most `width` columns: broken at spaces, a word longer than the width cut
 * into pieces; explicit newlines kept. Plain text only (style after wrapping).
 */
export function wrapText(text: string, width: number): string[] {
  const max = Math.max(1, width);
  const out: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const word of paragraph.split(/\s+/).filter(Boolean)) {
      const gap = line ? 1 : 0;
      if (displayWidth(line) + gap + displayWidth(word) <= max) {
        line += (gap ? ' ' : '') + word;
        continue;
      }
      if (line) out.push(line);
      line = '';
      let rest = word;
      while (displayWidth(rest) > max) {
        const [head, tail] = splitAt(rest, max);
        out.push(head);
        rest = tail;
      }
      line = rest;
    }
    out.push(line);
  }
  return out;
}

/** `text` cut to `width` columns, ending in `…` when cut. */
export function truncate(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  return splitAt(text, Math.max(0, width - 1))[0] + '…';
}

function splitAt(text: string, width: number): [string, string] {
  let used = 0;
  let i = 0;
  const chars = [...text];
  for (; i < chars.length; i++) {
    const w = displayWidth(chars[i]!);
    if (used + w > width) break;
    used += w;
  }
  return [chars.slice(0, Math.max(1, i)).join(''), chars.slice(Math.max(1, i)).join('')];
}

const BORDER = { top: ['┌', '┬', '┐'], mid: ['├', '┼', '┤'], bottom: ['└', '┴', '┘'], line: '─', side: '│' } as const;

/** The table, every line at most `spec.width` columns. */
export function renderTable(spec: TableSpec): string {
  const cells = spec.rows.map((row) => spec.head.map((_, i) => cellOf(row[i])));
  const widths = columnWidths(spec, cells);
  if (!widths) return renderBlocks(spec, cells);
  const style = spec.headStyle ?? ((s: string) => s);
  const wrapRow = (row: ReadonlyArray<{ text: string; style?: (line: string) => string }>) => row.map((c, i) => wrapText(c.text, widths[i]!));
  const headLines = wrapRow(spec.head.map((text) => ({ text })));
  const bodyLines = cells.map(wrapRow);
  const rule = (kind: 'top' | 'mid' | 'bottom') => BORDER[kind][0] + widths.map((w) => BORDER.line.repeat(w + 2)).join(BORDER[kind][1]) + BORDER[kind][2];
  const draw = (lines: string[][], styles: ReadonlyArray<((line: string) => string) | undefined>): string[] => {
    const height = Math.max(...lines.map((l) => l.length));
    return Array.from({ length: height }, (_, n) =>
      BORDER.side +
      lines
        .map((col, i) => {
          const text = col[n] ?? '';
          return ` ${pad(text, widths[i]!, spec.align?.[i] ?? 'left', text ? styles[i] : undefined)} `;
        })
        .join(BORDER.side) +
        BORDER.side,
    );
  };
  // a rule between rows only when a row wraps: single-line rows read fine without
  const ruled = bodyLines.some((row) => row.some((l) => l.length > 1));
  const out = [rule('top'), ...draw(headLines, spec.head.map(() => style)), rule('mid')];
  bodyLines.forEach((row, r) => {
    if (r > 0 && ruled) out.push(rule('mid'));
    out.push(...draw(row, cells[r]!.map((c) => c.style)));
  });
  out.push(rule('bottom'));
  return out.join('\n');
}

function cellOf(cell: TableCell | undefined): { text: string; style?: (line: string) => string } {
  if (cell === undefined) return { text: '' };
  if (typeof cell === 'object') return cell;
  return { text: String(cell) };
}

function pad(text: string, width: number, align: 'left' | 'right', style: ((line: string) => string) | undefined): string {
  const space = ' '.repeat(Math.max(0, width - displayWidth(text)));
  const shown = style ? style(text) : text;
  return align === 'right' ? space + shown : shown + space;
}

/**
 * Each column's content width: its natural width when the table fits; else the widest columns
 * are narrowed to one cap (water-filling) while none goes under its minimum. Undefined when even
 * the minimums do not fit.
 */
function columnWidths(spec: TableSpec, cells: ReadonlyArray<ReadonlyArray<{ text: string }>>): number[] | undefined {
  const columns = spec.head.length;
  const texts = (i: number) => [spec.head[i]!, ...cells.map((row) => row[i]!.text)];
  const natural = spec.head.map((_, i) => Math.max(1, ...texts(i).flatMap((t) => t.split('\n').map(displayWidth))));
  const longestWord = (list: readonly string[]) => Math.max(1, ...list.flatMap((t) => t.split(/\s+/).map(displayWidth)));
  const minimum = spec.head.map((h, i) => Math.min(natural[i]!, spec.minWidths?.[i] ?? Math.max(longestWord([h]), Math.min(16, longestWord(texts(i))))));
  // every column takes its content plus a space each side and one border; one more border closes the row
  const available = spec.width - (3 * columns + 1);
  if (natural.reduce((a, b) => a + b, 0) <= available) return natural;
  if (minimum.reduce((a, b) => a + b, 0) > available) return undefined;
  const widthsAt = (cap: number) => natural.map((n, i) => Math.min(n, Math.max(minimum[i]!, cap)));
  let low = 1;
  let high = Math.max(...natural);
  while (low < high) {
    const cap = Math.ceil((low + high) / 2);
    if (widthsAt(cap).reduce((a, b) => a + b, 0) <= available) low = cap;
    else high = cap - 1;
  }
  return widthsAt(low);
}

/** Too narrow for columns: each row as its first cell, then `head: value` lines indented under it. */
function renderBlocks(spec: TableSpec, cells: ReadonlyArray<ReadonlyArray<{ text: string; style?: (line: string) => string }>>): string {
  const out: string[] = [];
  const width = Math.max(10, spec.width);
  const label = Math.max(...spec.head.slice(1).map(displayWidth));
  for (const row of cells) {
    const [first, ...rest] = row;
    const apply = (c: { style?: (line: string) => string }, line: string) => (c.style && line ? c.style(line) : line);
    out.push(...wrapText(first!.text, width).map((l) => apply(first!, l)));
    rest.forEach((c, i) => {
      if (!c.text) return;
      const head = `  ${spec.head[i + 1]!.padEnd(label)}  `;
      const lines = wrapText(c.text, width - head.length);
      lines.forEach((l, n) => out.push((n === 0 ? head : ' '.repeat(head.length)) + apply(c, l)));
    });
  }
  return out.join('\n');
}
