// Size, percentage, extension and offset formatting.
import { describe, expect, it } from 'vitest';
import { byteOffsetToIndex, displayWidth, extensionOf, formatBytes, formatWhen, savedPercent, sizeChange } from '../lib/format';

describe('formatBytes', () => {
  it('formats binary units', () => {
    expect(formatBytes(0, 'en')).toBe('0 B');
    expect(formatBytes(999, 'en')).toBe('999 B');
    expect(formatBytes(1000, 'en')).toBe('1 KB');
    expect(formatBytes(1536, 'en')).toBe('1.5 KB');
    expect(formatBytes(250_000, 'en')).toBe('250 KB');
    expect(formatBytes(1_250_000, 'en')).toBe('1.3 MB');
    expect(formatBytes(3e9, 'en')).toBe('3 GB');
  });
  it('shows a dash for unknown sizes', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
  });
});

describe('savedPercent', () => {
  it('rounds the share saved', () => {
    expect(savedPercent(1000, 250)).toBe(75);
    expect(savedPercent(1000, 1000)).toBe(0);
    expect(savedPercent(1000, 1200)).toBe(-20);
    expect(savedPercent(3, 2)).toBe(33);
  });
  it('is null when unknown', () => {
    expect(savedPercent(null, 10)).toBeNull();
    expect(savedPercent(10, null)).toBeNull();
    expect(savedPercent(0, 0)).toBeNull();
  });
  it('builds the before → after label', () => {
    expect(sizeChange(2048, 512, 'en').label).toBe('2 KB → 512 B (−75%)');
    expect(sizeChange(1024, 2048, 'en').label).toBe('1 KB → 2 KB (+100%)');
    expect(sizeChange(1000, null, 'en').label).toBe('1 KB');
    expect(sizeChange(1000, 1000, 'en').label).toBe('1 KB → 1 KB');
  });
});

describe('extensionOf', () => {
  it('takes the final extension', () => {
    expect(extensionOf('shot.PNG')).toBe('PNG');
    expect(extensionOf('a.tar.gz')).toBe('GZ');
    expect(extensionOf('C:\\pics\\cat.jpeg')).toBe('JPEG');
    expect(extensionOf('README')).toBe('');
    expect(extensionOf('.hidden')).toBe('');
  });
});

describe('template offsets', () => {
  it('maps UTF-8 byte offsets to string indexes', () => {
    expect(byteOffsetToIndex('{year}/{bad}', 7)).toBe(7);
    // "图片/" is 3+3+1 bytes; the brace after it is at byte 7, index 3.
    expect(byteOffsetToIndex('图片/{bad}', 7)).toBe(3);
    expect(byteOffsetToIndex('abc', 99)).toBe(3);
  });
  it('counts wide characters as two columns', () => {
    expect(displayWidth('ab')).toBe(2);
    expect(displayWidth('图片/')).toBe(5);
  });
});

describe('formatWhen', () => {
  const now = Date.UTC(2025, 4, 17, 12, 0, 0);
  it('is relative within a week', () => {
    expect(formatWhen(now - 5 * 60_000, 'en', now)).toBe('5 minutes ago');
    expect(formatWhen(now - 3 * 3_600_000, 'en', now)).toBe('3 hours ago');
    expect(formatWhen(now - 10_000, 'en', now)).toBe('now');
  });
  it('is a date beyond a week', () => {
    expect(formatWhen(now - 30 * 86_400_000, 'en', now)).toMatch(/2025/);
  });
});
