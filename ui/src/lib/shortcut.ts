// Global-shortcut recording: turns a KeyboardEvent-like object into an accelerator string
// ("Ctrl+Alt+U") that Tauri's global-shortcut plugin parses. Layout independent: letters and
// digits come from `code` (KeyU, Digit1), so AZERTY or a Chinese IME still records "U".

export interface KeyLike {
  key: string;
  code: string;
  ctrlKey: boolean;
  altKey: boolean;
  shiftKey: boolean;
  metaKey: boolean;
}

const MODIFIER_KEYS = new Set(['Control', 'Alt', 'Shift', 'Meta', 'OS', 'Super', 'Hyper', 'AltGraph', 'Fn']);

const NAMED: Record<string, string> = {
  Space: 'Space', Enter: 'Enter', NumpadEnter: 'Enter', Tab: 'Tab', Backspace: 'Backspace',
  Delete: 'Delete', Insert: 'Insert', Home: 'Home', End: 'End', PageUp: 'PageUp',
  PageDown: 'PageDown', ArrowUp: 'Up', ArrowDown: 'Down', ArrowLeft: 'Left', ArrowRight: 'Right',
  Escape: 'Escape', Minus: '-', Equal: '=', BracketLeft: '[', BracketRight: ']',
  Backslash: '\\', Semicolon: ';', Quote: "'", Comma: ',', Period: '.', Slash: '/',
  Backquote: '`', PrintScreen: 'PrintScreen',
};

/** The modifiers held, in accelerator order. */
export function modifierParts(e: KeyLike, mac = false): string[] {
  const parts: string[] = [];
  if (e.ctrlKey) parts.push('Ctrl');
  if (e.altKey) parts.push('Alt');
  if (e.shiftKey) parts.push('Shift');
  if (e.metaKey) parts.push(mac ? 'Cmd' : 'Super');
  return parts;
}

/** The main (non-modifier) key's accelerator name, or null for modifiers and unknown keys. */
export function keyName(e: KeyLike): string | null {
  if (MODIFIER_KEYS.has(e.key)) return null;
  const code = e.code || '';
  let m = /^Key([A-Z])$/.exec(code);
  if (m) return m[1];
  m = /^Digit([0-9])$/.exec(code);
  if (m) return m[1];
  m = /^Numpad([0-9])$/.exec(code);
  if (m) return `Num${m[1]}`;
  m = /^F([1-9]|1[0-9]|2[0-4])$/.exec(code) ?? /^F([1-9]|1[0-9]|2[0-4])$/.exec(e.key);
  if (m) return `F${m[1]}`;
  if (NAMED[code]) return NAMED[code];
  if (NAMED[e.key]) return NAMED[e.key];
  // No usable code (synthetic events): fall back to a single printable key.
  if (e.key && e.key.length === 1 && /[a-z0-9]/i.test(e.key)) return e.key.toUpperCase();
  return null;
}

/**
 * "Ctrl+Alt+U" for a full combination; null while only modifiers are held or for keys an
 * accelerator cannot name.
 */
export function formatShortcut(e: KeyLike, mac = false): string | null {
  const main = keyName(e);
  if (main === null) return null;
  return [...modifierParts(e, mac), main].join('+');
}

/** A global shortcut needs a modifier unless it is a function key (F1–F24). */
export function needsModifier(accelerator: string): boolean {
  const parts = accelerator.split('+');
  const main = parts[parts.length - 1];
  return parts.length === 1 && !/^F([1-9]|1[0-9]|2[0-4])$/.test(main);
}
