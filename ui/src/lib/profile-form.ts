// The profile editor's form model, free of the DOM: a flat, string-friendly copy of a profile's
// config, the validation shown inline, and the conversion back to the config Rust stores
// (fields the editor does not show are kept as they were).
import { PROFILE_NAME_MAX_BYTES, TEMPLATE_VARIABLE_NAMES } from './facts';
import type { MessageKey } from './i18n/en';
import type { LargeFiles, LinkFormat, Preset, ProcessingFormat, ProfileConfig } from './types';

export type OutputFormat = ProcessingFormat;

/** The size rules' units: the small-file size is typed in KB, the large-file size in MB, both
 *  decimal (1 KB = 1000 bytes; format.ts's file sizes are binary). The core stores bytes. */
export const KB = 1000;
export const MB = 1000 * 1000;

export interface ProfileForm {
  name: string;
  provider: string;
  endpoint: string;
  account_id: string;
  region: string;
  bucket: string;
  addressing: '' | 'path' | 'virtual';
  access_key_id: string;
  public_base_url: string;
  key_template: string;
  link_format: LinkFormat;
  custom_link: string;
  cache_control: string;
  collision: 'rename' | 'overwrite' | 'fail';
  dedup: boolean;
  allow_invalid_certs: boolean;
  format: OutputFormat;
  quality: number;
  lossless: boolean;
  max_width: string;
  max_height: string;
  strip_metadata: boolean;
  target: string;
  /** processing.keep_below in KB; empty = off. */
  keep_below: string;
  /** processing.large.above in MB; empty = no large-file rule. */
  large_above: string;
  /** processing.large.format; '' = the profile's own. */
  large_format: '' | OutputFormat;
  /** processing.large.quality; empty = the profile's own. */
  large_quality: string;
  /** The profiles every upload is also copied to, in name order (see `withMirror`). */
  mirrors: string[];
}

export type FormErrors = Partial<Record<keyof ProfileForm, { key: MessageKey; params?: Record<string, string | number> }>>;

/** Rust's rule (hoist_core::config::validate_profile_name): letters and digits of any script,
 *  '-', '_' or '.', at most 64 bytes of UTF-8, not starting with '.'. */
const NAME_RE = /^[\p{Alphabetic}\p{N}._-]+$/u;

export function isProfileName(name: string): boolean {
  return NAME_RE.test(name) && !name.startsWith('.') && new TextEncoder().encode(name).length <= PROFILE_NAME_MAX_BYTES;
}

/** The variables help text lists (Rust's, from facts.json); `localFolder` takes a count. */
export const TEMPLATE_VARIABLES = TEMPLATE_VARIABLE_NAMES.map((v) => (v === 'localFolder' ? 'localFolder:N' : v));

const s = (v: string | null | undefined): string => v ?? '';

export function formFromConfig(name: string, c: ProfileConfig): ProfileForm {
  const fmt = c.processing?.format;
  return {
    name,
    provider: c.provider,
    endpoint: s(c.endpoint),
    account_id: s(c.account_id),
    region: s(c.region),
    bucket: s(c.bucket),
    addressing: c.addressing ?? '',
    access_key_id: s(c.access_key_id),
    public_base_url: s(c.public_base_url),
    key_template: s(c.key_template),
    link_format: c.link_format ?? 'markdown',
    custom_link: s(c.custom_link),
    cache_control: s(c.cache_control),
    collision: c.collision ?? 'rename',
    dedup: c.dedup ?? true,
    allow_invalid_certs: c.allow_invalid_certs ?? false,
    format: fmt ?? 'webp',
    quality: c.processing?.quality ?? 80,
    lossless: c.processing?.lossless ?? false,
    max_width: c.processing?.max_width != null ? String(c.processing.max_width) : '',
    max_height: c.processing?.max_height != null ? String(c.processing.max_height) : '',
    strip_metadata: c.processing?.strip_metadata ?? true,
    target: c.processing?.target_score != null ? String(c.processing.target_score) : '',
    keep_below: inUnit(c.processing?.keep_below, KB),
    large_above: inUnit(c.processing?.large?.above, MB),
    large_format: c.processing?.large?.format ?? '',
    large_quality: c.processing?.large?.quality != null ? String(c.processing.large.quality) : '',
    mirrors: [...(c.mirrors ?? [])],
  };
}

/** Bytes as a number of `unit`s for an input: 20000 → "20", 20500 → "20.5"; none → "". */
function inUnit(bytes: number | null | undefined, unit: number): string {
  return bytes != null ? String(bytes / unit) : '';
}

const DECIMAL_RE = /^(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A size typed in `unit`s as whole bytes: null when empty, NaN when not a positive size. */
function toBytes(v: string, unit: number): number | null {
  const t = v.trim();
  if (t === '') return null;
  if (!DECIMAL_RE.test(t)) return NaN;
  const bytes = Math.round(Number(t) * unit);
  return bytes >= 1 ? bytes : NaN;
}

const sized = (n: number | null): number | null => (n !== null && Number.isFinite(n) ? n : null);

/** processing.large from the form: null when no size is given. */
function largeFromForm(f: ProfileForm): LargeFiles | null {
  const above = sized(toBytes(f.large_above, MB));
  if (above === null) return null;
  const q = f.large_quality.trim() === '' ? NaN : Number(f.large_quality);
  return {
    above,
    format: f.large_format === '' ? null : f.large_format,
    quality: Number.isInteger(q) ? Math.min(100, Math.max(1, q)) : null,
  };
}

const opt = (v: string): string | null => (v.trim() === '' ? null : v.trim());

function optInt(v: string): number | null {
  const t = v.trim();
  if (t === '') return null;
  const n = Number(t);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/** The config to save or preview: the form over `base`, so unshown fields survive. */
export function configFromForm(f: ProfileForm, base: ProfileConfig): ProfileConfig {
  const target = f.target.trim() === '' ? null : Number(f.target);
  return {
    ...base,
    provider: f.provider,
    endpoint: opt(f.endpoint),
    account_id: opt(f.account_id),
    region: opt(f.region),
    bucket: f.bucket.trim(),
    addressing: f.addressing === '' ? null : f.addressing,
    access_key_id: opt(f.access_key_id),
    public_base_url: opt(f.public_base_url),
    url_suffix: base.url_suffix ?? '',
    key_template: f.key_template,
    link_format: f.link_format,
    custom_link: f.custom_link,
    cache_control: opt(f.cache_control),
    collision: f.collision,
    dedup: f.dedup,
    allow_invalid_certs: f.allow_invalid_certs,
    processing: {
      ...base.processing,
      format: f.format,
      quality: Math.min(100, Math.max(1, Math.round(Number(f.quality) || 80))),
      lossless: f.format === 'webp' ? f.lossless : false,
      // 'original' never resizes, and the core refuses a profile that says both.
      max_width: f.format === 'original' ? null : optInt(f.max_width),
      max_height: f.format === 'original' ? null : optInt(f.max_height),
      strip_metadata: f.strip_metadata,
      target_score: target !== null && Number.isFinite(target) ? target : null,
      // Like the resize bounds: 'original' converts nothing, and the core refuses both.
      keep_below: f.format === 'original' ? null : sized(toBytes(f.keep_below, KB)),
      large: largeFromForm(f),
    },
    mirrors: [...f.mirrors],
  };
}

/** Profile names in the core's order (a BTreeMap: by their bytes, which for names of the Basic
 *  Multilingual Plane is the order of their UTF-16 code units). */
export function byName(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The profiles the editor offers as mirrors: every other profile, and any mirror already set
 *  that is not one (so it can be unchecked), in name order. */
export function mirrorChoices(others: string[], mirrors: string[]): string[] {
  return [...new Set([...others, ...mirrors])].sort(byName);
}

/** `mirrors` with `name` checked or unchecked, in name order, each once. */
export function withMirror(mirrors: string[], name: string, on: boolean): string[] {
  const rest = mirrors.filter((m) => m !== name);
  return (on ? [...rest, name] : rest).sort(byName);
}

/** The field a save refused by the core is about, with the core's reason (without the
 *  `profile "NAME": ` it starts with), so the editor can show it there; null when no field of
 *  the form is named (the reason is then shown only with the Save button). */
export function fieldOfSaveError(message: string): { field: keyof ProfileForm; message: string } | null {
  const reason = message.replace(/^profile "[^"]*": /, '');
  if (/\bmirror/i.test(reason)) return { field: 'mirrors', message: reason };
  return null;
}

function isUrl(v: string): boolean {
  return /^https?:\/\/[^\s/]+/i.test(v.trim());
}

/** Inline validation. `others` are the names of the other profiles (for uniqueness). */
export function validateForm(f: ProfileForm, preset: Preset | undefined, others: string[]): FormErrors {
  const e: FormErrors = {};
  const name = f.name.trim();
  if (!name) e.name = { key: 'valid.required' };
  else if (!isProfileName(name)) e.name = { key: 'valid.name' };
  else if (others.includes(name)) e.name = { key: 'valid.nameTaken' };

  if (!f.bucket.trim()) e.bucket = { key: 'valid.required' };

  const needsEndpoint = preset ? preset.endpoint === '' : false;
  if (f.endpoint.trim()) {
    if (!isUrl(f.endpoint)) e.endpoint = { key: 'valid.url' };
  } else if (needsEndpoint) {
    e.endpoint = { key: 'valid.endpoint' };
  } else if (preset?.endpoint.includes('{account_id}') && !f.account_id.trim()) {
    e.account_id = { key: 'valid.accountId' };
  }

  if (f.public_base_url.trim() && !isUrl(f.public_base_url)) e.public_base_url = { key: 'valid.url' };
  if (!f.key_template.trim()) e.key_template = { key: 'valid.required' };
  if (f.link_format === 'custom' && !f.custom_link.trim()) e.custom_link = { key: 'valid.required' };

  const q = Number(f.quality);
  if (!Number.isInteger(q) || q < 1 || q > 100) e.quality = { key: 'valid.range', params: { min: 1, max: 100 } };
  for (const k of ['max_width', 'max_height'] as const) {
    const v = f[k].trim();
    if (v !== '' && optInt(v) === null) e[k] = { key: 'valid.positive' };
  }
  const t = f.target.trim();
  if (t !== '') {
    const n = Number(t);
    if (!Number.isFinite(n) || n < 0 || n > 100) e.target = { key: 'valid.range', params: { min: 0, max: 100 } };
  }
  validateSizeRules(f, e);
  return e;
}

/** The core's rules for processing.keep_below and processing.large (hoist_core::config). */
function validateSizeRules(f: ProfileForm, e: FormErrors): void {
  const original = f.format === 'original';
  // With 'original' the field is disabled and not saved (see configFromForm): nothing to check.
  const below = original ? null : toBytes(f.keep_below, KB);
  if (below !== null && Number.isNaN(below)) e.keep_below = { key: 'valid.size' };

  const above = toBytes(f.large_above, MB);
  if (above !== null && Number.isNaN(above)) e.large_above = { key: 'valid.size' };
  else if (above === null && (f.large_format !== '' || f.large_quality.trim() !== '')) {
    e.large_above = { key: 'valid.largeAbove' };
  }

  const q = f.large_quality.trim();
  if (q !== '') {
    const n = Number(q);
    if (!Number.isInteger(n) || n < 1 || n > 100) e.large_quality = { key: 'valid.range', params: { min: 1, max: 100 } };
  }

  if (below !== null && above !== null && below > above && !e.keep_below && !e.large_above) {
    e.keep_below = { key: 'valid.smallAndLarge', params: { size: `${above / MB} MB` } };
  }

  const resized = !original && (optInt(f.max_width) !== null || optInt(f.max_height) !== null);
  if (f.large_format === 'original' && resized) e.large_format = { key: 'valid.largeOriginal' };
}

/** Whether the preset has no public host, so links need public_base_url. */
export function needsPublicBase(preset: Preset | undefined): boolean {
  return !!preset && preset.public_url === '';
}
