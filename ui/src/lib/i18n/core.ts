// Locale resolution and message lookup, without any reactive state (unit-tested).
import { en, type MessageKey } from './en';
import { zhCN } from './zh-CN';
import type { Language } from '../types';

export type Locale = 'en' | 'zh-CN';
export type Params = Record<string, string | number>;

export const dictionaries: Record<Locale, Record<MessageKey, string>> = {
  en,
  'zh-CN': zhCN,
};

/** 'auto' follows the system language: any zh* → zh-CN, everything else → English. */
export function resolveLocale(language: Language, systemLanguage: string | undefined): Locale {
  if (language === 'en' || language === 'zh-CN') return language;
  return (systemLanguage ?? '').toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

/** Looks a key up and fills `{param}`s; unknown `{…}` (e.g. template variables) stay as written. */
export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  const text = dictionaries[locale][key] ?? en[key] ?? key;
  if (!params) return text;
  return text.replace(/\{(\w+)\}/g, (m, name: string) =>
    Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : m,
  );
}
