// The shortcut recorder's formatter: KeyboardEvent-like input → accelerator.
import { describe, expect, it } from 'vitest';
import { formatShortcut, needsModifier, type KeyLike } from '../lib/shortcut';

function ev(p: Partial<KeyLike>): KeyLike {
  return { key: '', code: '', ctrlKey: false, altKey: false, shiftKey: false, metaKey: false, ...p };
}

describe('formatShortcut', () => {
  it('formats modifiers in a fixed order', () => {
    expect(formatShortcut(ev({ key: 'u', code: 'KeyU', ctrlKey: true, altKey: true }))).toBe('Ctrl+Alt+U');
    expect(formatShortcut(ev({ key: 'U', code: 'KeyU', shiftKey: true, altKey: true, ctrlKey: true }))).toBe('Ctrl+Alt+Shift+U');
    expect(formatShortcut(ev({ key: 'u', code: 'KeyU', metaKey: true }))).toBe('Super+U');
    expect(formatShortcut(ev({ key: 'u', code: 'KeyU', metaKey: true }), true)).toBe('Cmd+U');
  });
  it('uses the physical key, whatever the layout types', () => {
    // AZERTY: the key labelled "A" sits where QWERTY has Q.
    expect(formatShortcut(ev({ key: 'a', code: 'KeyQ', ctrlKey: true }))).toBe('Ctrl+Q');
    // Shift+1 types "!" but the accelerator names the key.
    expect(formatShortcut(ev({ key: '!', code: 'Digit1', ctrlKey: true, shiftKey: true }))).toBe('Ctrl+Shift+1');
    // macOS Option changes the character.
    expect(formatShortcut(ev({ key: 'ü', code: 'KeyU', altKey: true, ctrlKey: true }))).toBe('Ctrl+Alt+U');
  });
  it('names special keys', () => {
    expect(formatShortcut(ev({ key: 'F5', code: 'F5' }))).toBe('F5');
    expect(formatShortcut(ev({ key: ' ', code: 'Space', ctrlKey: true }))).toBe('Ctrl+Space');
    expect(formatShortcut(ev({ key: 'ArrowUp', code: 'ArrowUp', altKey: true }))).toBe('Alt+Up');
    expect(formatShortcut(ev({ key: '1', code: 'Numpad1', ctrlKey: true }))).toBe('Ctrl+Num1');
  });
  it('returns null while only modifiers are held', () => {
    expect(formatShortcut(ev({ key: 'Control', code: 'ControlLeft', ctrlKey: true }))).toBeNull();
    expect(formatShortcut(ev({ key: 'Alt', code: 'AltLeft', ctrlKey: true, altKey: true }))).toBeNull();
    expect(formatShortcut(ev({ key: 'Unidentified', code: '' }))).toBeNull();
  });
  it('requires a modifier except for function keys', () => {
    expect(needsModifier('U')).toBe(true);
    expect(needsModifier('F9')).toBe(false);
    expect(needsModifier('Ctrl+U')).toBe(false);
  });
});
