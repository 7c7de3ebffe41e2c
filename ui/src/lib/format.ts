// Pure formatting helpers shared by the views: byte sizes, the "saved %" of processing, file
// extensions, relative/absolute times and template error offsets. No DOM, no state.

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** 1500 → "1.5 KB"; null → "—". Decimal multiples (1 KB = 1000 B), as Finder and GNOME Files
 *  show them, and as the `hoist` command and the profile editor's size rules count. */
export function formatBytes(n: number | null | undefined, locale?: string): string {
  if (n === null || n === undefined || !Number.isFinite(n) || n < 0) return '—';
  if (n < 1000) return `${Math.round(n)} B`;
  let v = n;
  let u = 0;
  while (v >= 1000 && u < UNITS.length - 1) {
    v /= 1000;
    u++;
  }
  const digits = v < 10 ? 1 : 0;
  const num = new Intl.NumberFormat(locale, {
    minimumFractionDigits: 0,
    maximumFractionDigits: digits,
  }).format(v);
  return `${num} ${UNITS[u]}`;
}

/**
 * Percentage saved by processing, rounded to whole percent: (in - out) / in.
 * Negative when the output grew. null when either size is unknown or the input is empty.
 */
export function savedPercent(bytesIn: number | null, bytesOut: number | null): number | null {
  if (bytesIn === null || bytesOut === null || bytesIn <= 0) return null;
  const pct = Math.round(((bytesIn - bytesOut) / bytesIn) * 100);
  return Object.is(pct, -0) ? 0 : pct;
}

/** "1.2 MB → 240 KB (−80%)" pieces, for one line in the job and history rows. */
export function sizeChange(
  bytesIn: number | null,
  bytesOut: number | null,
  locale?: string,
): { from: string; to: string | null; pct: number | null; label: string } {
  const from = formatBytes(bytesIn, locale);
  if (bytesOut === null || bytesOut === undefined) {
    return { from, to: null, pct: null, label: from };
  }
  const to = formatBytes(bytesOut, locale);
  const pct = savedPercent(bytesIn, bytesOut);
  if (bytesIn === null) return { from: to, to: null, pct: null, label: to };
  let label = `${from} → ${to}`;
  if (pct !== null && pct !== 0) label += pct > 0 ? ` (−${pct}%)` : ` (+${-pct}%)`;
  return { from, to, pct, label };
}

/** Upper-case extension of a file name without the dot: "shot.PNG" → "PNG"; none → "". */
export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  if (dot <= 0 || dot === base.length - 1) return '';
  return base.slice(dot + 1).toUpperCase().slice(0, 5);
}

/** Time relative to now in the locale ("5 minutes ago") for the last week, else a date. */
export function formatWhen(ms: number, locale: string, now = Date.now(), withTime = false): string {
  const diff = ms - now;
  const abs = Math.abs(diff);
  const rtf = new Intl.RelativeTimeFormat(locale, { numeric: 'auto' });
  const MIN = 60_000;
  const HOUR = 60 * MIN;
  const DAY = 24 * HOUR;
  if (abs < 45_000) return rtf.format(0, 'second');
  if (abs < HOUR) return rtf.format(Math.round(diff / MIN), 'minute');
  if (abs < DAY) return rtf.format(Math.round(diff / HOUR), 'hour');
  if (abs < 7 * DAY) return rtf.format(Math.round(diff / DAY), 'day');
  return formatAbsolute(ms, locale, withTime);
}

export function formatAbsolute(ms: number, locale: string, withTime = true): string {
  return new Intl.DateTimeFormat(locale, withTime
    ? { dateStyle: 'medium', timeStyle: 'short' }
    : { dateStyle: 'medium' }).format(new Date(ms));
}

/** A UTF-8 byte offset into `text` (what Rust reports) → a JS string index (UTF-16 units). */
export function byteOffsetToIndex(text: string, byteOffset: number): number {
  if (byteOffset <= 0) return 0;
  let bytes = 0;
  let i = 0;
  for (const ch of text) {
    if (bytes >= byteOffset) return i;
    const cp = ch.codePointAt(0)!;
    bytes += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    i += ch.length;
  }
  return text.length;
}

/** Columns a string takes in a monospace font, counting wide (CJK) characters as two. */
export function displayWidth(text: string): number {
  let w = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
      (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}
