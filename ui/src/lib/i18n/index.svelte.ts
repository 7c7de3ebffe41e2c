// The UI's current locale as reactive state, and `t(key, params)` reading it, so every string
// in the views re-renders when the language setting changes.
import { resolveLocale, translate, type Locale, type Params } from './core';
import type { MessageKey } from './en';
import type { Language } from '../types';

export type { MessageKey } from './en';
export type { Locale } from './core';

let current = $state<Locale>('en');

export function setLanguage(language: Language): void {
  const sys = typeof navigator !== 'undefined' ? navigator.language : undefined;
  current = resolveLocale(language, sys);
  if (typeof document !== 'undefined') document.documentElement.lang = current;
}

export function locale(): Locale {
  return current;
}

export function t(key: MessageKey, params?: Params): string {
  return translate(current, key, params);
}

/** Formats a count with the locale's digit grouping (100 000 → "100,000"). */
export function formatCount(n: number): string {
  return new Intl.NumberFormat(current).format(n);
}
