// i18n: both dictionaries have exactly the same keys and parameters, lookups fill parameters,
// and 'auto' follows the system language.
import { describe, expect, it } from 'vitest';
import { en } from '../lib/i18n/en';
import { zhCN } from '../lib/i18n/zh-CN';
import { resolveLocale, translate } from '../lib/i18n/core';

const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('i18n dictionaries', () => {
  it('have the same keys', () => {
    const a = Object.keys(en).sort();
    const b = Object.keys(zhCN).sort();
    expect(b.filter((k) => !a.includes(k))).toEqual([]);
    expect(a.filter((k) => !b.includes(k))).toEqual([]);
    expect(a.length).toBeGreaterThan(100);
  });

  it('use the same parameters in each message', () => {
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      expect(params(zhCN[key]), key).toEqual(params(en[key]));
    }
  });

  it('have no empty messages', () => {
    for (const [k, v] of [...Object.entries(en), ...Object.entries(zhCN)]) {
      expect(v.trim(), k).not.toBe('');
    }
  });
});

describe('translate', () => {
  it('fills parameters and leaves other braces alone', () => {
    expect(translate('en', 'toast.copiedMany', { n: 3 })).toBe('Copied 3 links to the clipboard');
    expect(translate('zh-CN', 'toast.copiedMany', { n: 3 })).toBe('已将 3 个链接复制到剪贴板');
    expect(translate('en', 'editor.sliceHint', {})).toContain('{name:N}');
  });

  it('resolves auto from the system language', () => {
    expect(resolveLocale('auto', 'zh-TW')).toBe('zh-CN');
    expect(resolveLocale('auto', 'zh')).toBe('zh-CN');
    expect(resolveLocale('auto', 'en-GB')).toBe('en');
    expect(resolveLocale('auto', 'de-DE')).toBe('en');
    expect(resolveLocale('auto', undefined)).toBe('en');
    expect(resolveLocale('en', 'zh-CN')).toBe('en');
    expect(resolveLocale('zh-CN', 'en-US')).toBe('zh-CN');
  });
});
