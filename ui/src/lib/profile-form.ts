// The profile editor's form model, free of the DOM: a flat, string-friendly copy of a profile's
// config, the validation shown inline, and the conversion back to the config Rust stores
// (fields the editor does not show are kept as they were). The watermark's fields are `wm_*`:
// its opacity in percent (the config's 0–1), off meaning no `processing.watermark` at all.
import { PROFILE_NAME_MAX_BYTES, TEMPLATE_VARIABLE_NAMES } from './facts';
import type { MessageKey } from './i18n/en';
import {
  WATERMARK_DEFAULTS, type LargeFiles, type LinkFormat, type Preset, type ProcessingFormat, type ProcessingOptions,
  type ProfileConfig, type Watermark, type WatermarkPosition,
} from './types';

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
  /** processing.watermark is set. Off, the other wm_ fields are kept but not saved. */
  wm_on: boolean;
  /** A line of text, or a picture (processing.watermark.image). */
  wm_kind: 'text' | 'image';
  wm_text: string;
  /** A font file or an installed family; '' = the system's. */
  wm_font: string;
  /** The picture's path (picture only). */
  wm_image: string;
  /** % of the image's shorter side. */
  wm_size: string;
  /** `#rrggbb` (text only). */
  wm_color: string;
  /** 0–100 %; the config holds 0–1. */
  wm_opacity: number;
  wm_position: WatermarkPosition;
  /** % of the image's shorter side. */
  wm_margin: string;
  wm_tiled: boolean;
  /** Pixels of the shorter side below which images get no mark. */
  wm_min_size: string;
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
    ...watermarkForm(c.processing?.watermark),
  };
}

type WatermarkForm = Pick<ProfileForm, Extract<keyof ProfileForm, `wm_${string}`>>;

/** The form's watermark fields: the config's, or the core's defaults (off) when it has none. */
function watermarkForm(m: Watermark | null | undefined): WatermarkForm {
  const w = { ...WATERMARK_DEFAULTS, ...(m ?? {}) };
  return {
    wm_on: !!m,
    wm_kind: s(w.image).trim() !== '' ? 'image' : 'text',
    wm_text: s(w.text),
    wm_font: s(w.font),
    wm_image: s(w.image),
    wm_size: f32(w.size),
    wm_color: s(w.color),
    wm_opacity: Math.round(w.opacity * 1000) / 10,
    wm_position: w.position,
    wm_margin: f32(w.margin),
    wm_tiled: w.tiled,
    wm_min_size: String(w.min_size),
  };
}

/** One of the core's f32 as typed: 2.2, not 2.200000047683716 should it arrive widened. */
function f32(x: number): string {
  return String(Math.round(x * 1e4) / 1e4);
}

/** The core's colour rule (parse_color): six hex digits, with or without '#'. */
function isColor(v: string): boolean {
  return /^[0-9a-f]{6}$/i.test(v.trim().replace(/^#+/, ''));
}

/** A decimal typed in a field, or NaN. */
function decimal(v: string): number {
  const t = v.trim();
  return DECIMAL_RE.test(t) ? Number(t) : NaN;
}

/** The largest min_size the core reads (a u32). */
const U32_MAX = 0xffff_ffff;

/** processing.watermark from the form: null when off. A number that is not one takes the
 *  core's default (the form refuses to save it; the preview still draws); one out of range is
 *  kept, for the core to refuse in its words. Empty image and font are left out, as the core
 *  writes them; the text is kept with a picture (unused) so switching back finds it. */
export function watermarkFromForm(f: ProfileForm): Watermark | null {
  if (!f.wm_on) return null;
  const D = WATERMARK_DEFAULTS;
  const num = (v: string, fallback: number) => {
    const n = decimal(v);
    return Number.isFinite(n) ? n : fallback;
  };
  const opacity = typeof f.wm_opacity === 'number' && Number.isFinite(f.wm_opacity) ? f.wm_opacity / 100 : D.opacity;
  const minSize = decimal(f.wm_min_size);
  const picture = f.wm_kind === 'image';
  const mark: Watermark = {
    text: f.wm_text,
    size: num(f.wm_size, D.size),
    // Not drawn with a picture, but still checked by the core: a valid one then.
    color: picture && !isColor(f.wm_color) ? D.color : f.wm_color,
    opacity,
    position: f.wm_position,
    margin: num(f.wm_margin, D.margin),
    tiled: f.wm_tiled,
    min_size: Number.isInteger(minSize) && minSize <= U32_MAX ? minSize : D.min_size,
  };
  const image = picture ? f.wm_image.trim() : '';
  if (image) mark.image = image;
  const font = f.wm_font.trim();
  if (font) mark.font = font;
  return mark;
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
    processing: withWatermark({
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
    }, watermarkFromForm(f)),
    mirrors: [...f.mirrors],
  };
}

/** `p` with the watermark `mark`, or without the field at all when null (as the core omits it). */
function withWatermark(p: ProcessingOptions, mark: Watermark | null): ProcessingOptions {
  const out = { ...p };
  if (mark) out.watermark = mark;
  else delete out.watermark;
  return out;
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
  // The watermark's are shown at its switch, whichever of its settings they name.
  if (/watermark/i.test(reason)) return { field: 'wm_on', message: reason };
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
  validateWatermark(f, e);
  return e;
}

/** The core's rules for processing.watermark (hoist_imaging::Watermark::check, and not with
 *  'original' files); nothing when it is off. */
function validateWatermark(f: ProfileForm, e: FormErrors): void {
  if (!f.wm_on) return;
  if (f.format === 'original' || f.large_format === 'original') e.wm_on = { key: 'valid.wmOriginal' };
  if (f.wm_kind === 'text') {
    if (!f.wm_text.trim()) e.wm_text = { key: 'valid.required' };
    if (!isColor(f.wm_color)) e.wm_color = { key: 'valid.color' };
  } else if (!f.wm_image.trim()) {
    e.wm_image = { key: 'valid.required' };
  }
  const size = decimal(f.wm_size);
  if (!(size > 0 && size <= 100)) e.wm_size = { key: 'valid.wmSize' };
  const o = f.wm_opacity;
  if (typeof o !== 'number' || !(o >= 0 && o <= 100)) e.wm_opacity = { key: 'valid.between', params: { min: 0, max: 100 } };
  const margin = decimal(f.wm_margin);
  if (!(margin >= 0 && margin <= 50)) e.wm_margin = { key: 'valid.between', params: { min: 0, max: 50 } };
  const min = decimal(f.wm_min_size);
  if (!(Number.isInteger(min) && min <= U32_MAX)) e.wm_min_size = { key: 'valid.whole' };
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
