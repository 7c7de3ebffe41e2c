// The profile editor's model: round trip, validation, kept fields, mirrors, the watermark.
import { describe, expect, it } from 'vitest';
import { PRESETS, defaultConfig } from '../lib/mock';
import {
  configFromForm, fieldOfSaveError, formFromConfig, mirrorChoices, validateForm, withMirror, type ProfileForm,
} from '../lib/profile-form';

const preset = (id: string) => PRESETS.find((p) => p.id === id);

describe('profile form', () => {
  it('round-trips a config and keeps fields the editor does not show', () => {
    const c = { ...defaultConfig('minio'), endpoint: 'http://127.0.0.1:9000', bucket: 'b', proxy: 'http://p:3128', timeout_secs: 99 };
    const f = formFromConfig('blog', c);
    const back = configFromForm(f, c);
    expect(back.proxy).toBe('http://p:3128');
    expect(back.timeout_secs).toBe(99);
    expect(back.endpoint).toBe('http://127.0.0.1:9000');
    expect(back.region).toBeNull();
    expect(back.processing.max_pixels).toBe(100_000_000);
  });

  it('carries allow_invalid_certs both ways (imported PicGo rejectUnauthorized: false)', () => {
    const c = { ...defaultConfig('minio'), allow_invalid_certs: true };
    const f = formFromConfig('nas', c);
    expect(f.allow_invalid_certs).toBe(true);
    expect(configFromForm(f, c).allow_invalid_certs).toBe(true);
    expect(configFromForm({ ...f, allow_invalid_certs: false }, c).allow_invalid_certs).toBe(false);
  });

  it('turns empty strings into null and numbers into numbers', () => {
    const c = defaultConfig('aws');
    const f = { ...formFromConfig('x', c), bucket: ' imgs ', max_width: '1920', max_height: '', target: '80', cache_control: '  ' };
    const out = configFromForm(f, c);
    expect(out.bucket).toBe('imgs');
    expect(out.processing.max_width).toBe(1920);
    expect(out.processing.max_height).toBeNull();
    expect(out.processing.target_score).toBe(80);
    expect(out.cache_control).toBeNull();
  });

  it("keeps 'keep' and 'original' apart, and 'original' saves no resize bounds", () => {
    const c = defaultConfig('aws');
    c.processing.format = 'keep';
    expect(configFromForm(formFromConfig('x', c), c).processing.format).toBe('keep');
    c.processing.format = 'original';
    c.processing.max_width = 1920;
    const f = formFromConfig('x', c);
    expect(f.format).toBe('original');
    const out = configFromForm(f, c);
    expect(out.processing.format).toBe('original');
    // The core refuses a profile that is 'original' and resized; the form never saves one.
    expect(out.processing.max_width).toBeNull();
    expect(out.processing.max_height).toBeNull();
    expect(configFromForm({ ...f, format: 'keep' }, c).processing.max_width).toBe(1920);
  });

  it('validates required fields, names and URLs', () => {
    const f = { ...formFromConfig('', defaultConfig('minio')) };
    const e = validateForm(f, preset('minio'), []);
    expect(e.name?.key).toBe('valid.required');
    expect(e.bucket?.key).toBe('valid.required');
    expect(e.endpoint?.key).toBe('valid.endpoint');

    const ok = { ...f, name: 'blog', bucket: 'b', endpoint: 'http://127.0.0.1:9000' };
    expect(validateForm(ok, preset('minio'), [])).toEqual({});
    expect(validateForm({ ...ok, name: 'my blog' }, preset('minio'), []).name?.key).toBe('valid.name');
    expect(validateForm(ok, preset('minio'), ['blog']).name?.key).toBe('valid.nameTaken');
    // The same rule as Rust's validate_profile_name: any script, no leading dot, ≤ 64 bytes.
    for (const name of ['图床', 'blog-2', 'my_blog.v2', 'Ünïcode']) {
      expect(validateForm({ ...ok, name }, preset('minio'), []).name, name).toBeUndefined();
    }
    for (const name of ['.hidden', 'a/b', 'a b', '图'.repeat(22)]) {
      expect(validateForm({ ...ok, name }, preset('minio'), []).name?.key, name).toBe('valid.name');
    }
    expect(validateForm({ ...ok, endpoint: 'ftp://x' }, preset('minio'), []).endpoint?.key).toBe('valid.url');
    expect(validateForm({ ...ok, quality: 0 }, preset('minio'), []).quality?.key).toBe('valid.range');
    expect(validateForm({ ...ok, max_width: '-5' }, preset('minio'), []).max_width?.key).toBe('valid.positive');
    expect(validateForm({ ...ok, target: '120' }, preset('minio'), []).target?.key).toBe('valid.range');
  });

  it('shows the size rules in KB and MB and saves them in bytes', () => {
    const c = defaultConfig('aws');
    c.processing.keep_below = 20_500;
    c.processing.large = { above: 5_000_000, format: 'jpeg', quality: 60 };
    const f = formFromConfig('x', c);
    expect([f.keep_below, f.large_above, f.large_format, f.large_quality]).toEqual(['20.5', '5', 'jpeg', '60']);
    const out = configFromForm(f, c).processing;
    expect(out.keep_below).toBe(20_500);
    expect(out.large).toEqual({ above: 5_000_000, format: 'jpeg', quality: 60 });

    // Decimal units, rounded to whole bytes; an unset format or quality is null (the profile's).
    const typed = configFromForm({ ...f, keep_below: ' 20 ', large_above: '1.5', large_format: '', large_quality: '' }, c).processing;
    expect(typed.keep_below).toBe(20_000);
    expect(typed.large).toEqual({ above: 1_500_000, format: null, quality: null });
    expect(configFromForm({ ...f, keep_below: '1.001' }, c).processing.keep_below).toBe(1001);
    expect(formFromConfig('x', { ...c, processing: { ...c.processing, keep_below: 1234, large: { above: 2_500_001 } } }))
      .toMatchObject({ keep_below: '1.234', large_above: '2.500001', large_format: '', large_quality: '' });
  });

  it('leaves the size rules off when empty, as null like target_score', () => {
    const c = defaultConfig('aws');
    expect('keep_below' in c.processing || 'large' in c.processing).toBe(false);
    const f = formFromConfig('x', c);
    expect([f.keep_below, f.large_above, f.large_format, f.large_quality]).toEqual(['', '', '', '']);
    const out = configFromForm(f, c).processing;
    expect(out.keep_below).toBeNull();
    expect(out.large).toBeNull();
    expect(out.target_score).toBeNull();
    // Clearing a rule that was set turns it off.
    c.processing.keep_below = 20_000;
    c.processing.large = { above: 5_000_000, quality: 60 };
    const cleared = configFromForm({ ...formFromConfig('x', c), keep_below: '', large_above: '', large_quality: '' }, c).processing;
    expect(cleared.keep_below).toBeNull();
    expect(cleared.large).toBeNull();
  });

  it("does not save keep_below with 'original', as the core refuses both", () => {
    const c = defaultConfig('aws');
    c.processing.keep_below = 20_000;
    const f = { ...formFromConfig('x', c), name: 'x', bucket: 'b', format: 'original' as const };
    // The field is disabled then, so it is neither checked nor saved; the value comes back on
    // another format.
    expect(validateForm({ ...f, keep_below: 'abc' }, preset('aws'), [])).toEqual({});
    expect(configFromForm(f, c).processing.keep_below).toBeNull();
    expect(configFromForm({ ...f, format: 'keep' }, c).processing.keep_below).toBe(20_000);
  });

  it("checks the size rules as the core does", () => {
    const ok = { ...formFromConfig('x', defaultConfig('aws')), name: 'x', bucket: 'b', keep_below: '20', large_above: '5', large_quality: '60' };
    const v = (patch: Partial<typeof ok>) => validateForm({ ...ok, ...patch }, preset('aws'), []);
    expect(v({})).toEqual({});

    // keep_below must not exceed large.above (equal is allowed, as in the core).
    expect(v({ keep_below: '5000' })).toEqual({});
    expect(v({ keep_below: '6000' }).keep_below).toEqual({ key: 'valid.smallAndLarge', params: { size: '5 MB' } });
    expect(v({ keep_below: '6000', large_above: '' }).keep_below).toBeUndefined();

    // large.quality 1..100, whole.
    for (const q of ['0', '101', '60.5', 'abc']) {
      expect(v({ large_quality: q }).large_quality, q).toEqual({ key: 'valid.range', params: { min: 1, max: 100 } });
    }

    // Sizes are positive numbers.
    for (const bad of ['-1', '0', 'abc', '1,5', '0.0000001']) {
      expect(v({ keep_below: bad }).keep_below?.key, bad).toBe('valid.size');
      expect(v({ large_above: bad }).large_above?.key, bad).toBe('valid.size');
    }

    // A format or quality for large files needs the size.
    expect(v({ large_above: '' }).large_above?.key).toBe('valid.largeAbove');
    expect(v({ large_above: '', large_quality: '', large_format: 'jpeg' }).large_above?.key).toBe('valid.largeAbove');
    expect(v({ large_above: '', large_quality: '' })).toEqual({});

    // large.format 'original' cannot be resized.
    expect(v({ large_format: 'original' })).toEqual({});
    expect(v({ large_format: 'original', max_width: '1920' }).large_format?.key).toBe('valid.largeOriginal');
    expect(v({ large_format: 'original', max_height: '1080' }).large_format?.key).toBe('valid.largeOriginal');
    expect(v({ large_format: 'keep', max_width: '1920' })).toEqual({});
    // The profile's 'original' saves no bounds, so there is nothing to conflict with.
    expect(v({ format: 'original', large_format: 'original', max_width: '1920' })).toEqual({});
  });

  it('reads and writes mirrors, an empty list when none', () => {
    const c = defaultConfig('aws');
    // The core omits an empty list: a missing field is no mirrors.
    expect('mirrors' in c).toBe(false);
    const f = formFromConfig('x', c);
    expect(f.mirrors).toEqual([]);
    expect(configFromForm(f, c).mirrors).toEqual([]);

    const mirrored = { ...c, mirrors: ['backup', 'cdn'] };
    const g = formFromConfig('x', mirrored);
    expect(g.mirrors).toEqual(['backup', 'cdn']);
    expect(configFromForm(g, mirrored).mirrors).toEqual(['backup', 'cdn']);
    // The form's list is its own: editing it leaves the config it came from alone.
    g.mirrors.push('other');
    expect(mirrored.mirrors).toEqual(['backup', 'cdn']);
    // Unchecking every mirror clears them.
    expect(configFromForm({ ...g, mirrors: [] }, mirrored).mirrors).toEqual([]);
  });

  it('keeps checked mirrors in profile name order, each once', () => {
    expect(withMirror([], 'screenshots', true)).toEqual(['screenshots']);
    expect(withMirror(['screenshots'], 'docs-cn', true)).toEqual(['docs-cn', 'screenshots']);
    expect(withMirror(['docs-cn', 'screenshots'], 'docs-cn', true)).toEqual(['docs-cn', 'screenshots']);
    expect(withMirror(['docs-cn', 'screenshots'], 'docs-cn', false)).toEqual(['screenshots']);
    expect(withMirror(['screenshots'], 'docs-cn', false)).toEqual(['screenshots']);
    // The choices: the other profiles, and a mirror that is not one (so it can be unchecked).
    expect(mirrorChoices(['screenshots', 'docs-cn'], [])).toEqual(['docs-cn', 'screenshots']);
    expect(mirrorChoices(['screenshots', 'docs-cn'], ['screenshots', 'gone'])).toEqual(['docs-cn', 'gone', 'screenshots']);
    expect(mirrorChoices([], [])).toEqual([]);
  });

  it('maps the core’s refusals of a mirror to the mirrors field', () => {
    expect(fieldOfSaveError('profile "blog": mirror "gone" is not a profile'))
      .toEqual({ field: 'mirrors', message: 'mirror "gone" is not a profile' });
    expect(fieldOfSaveError('profile "blog": a profile cannot be its own mirror'))
      .toEqual({ field: 'mirrors', message: 'a profile cannot be its own mirror' });
    expect(fieldOfSaveError('profile "blog": mirror "cdn" is named twice'))
      .toEqual({ field: 'mirrors', message: 'mirror "cdn" is named twice' });
    expect(fieldOfSaveError('profile "blog": timeouts must be at least 1 second')).toBeNull();
    expect(fieldOfSaveError('The bucket name is missing.')).toBeNull();
  });

  it('asks R2 for the account id unless an endpoint is given', () => {
    const f = { ...formFromConfig('r2', defaultConfig('r2')), bucket: 'b' };
    expect(validateForm(f, preset('r2'), []).account_id?.key).toBe('valid.accountId');
    expect(validateForm({ ...f, account_id: 'abc' }, preset('r2'), [])).toEqual({});
    expect(validateForm({ ...f, endpoint: 'https://x.r2.cloudflarestorage.com' }, preset('r2'), [])).toEqual({});
  });
});

describe('profile form › watermark', () => {
  const base = () => ({ ...defaultConfig('aws'), bucket: 'b' });
  const on = (over: Partial<ProfileForm> = {}): ProfileForm => ({ ...formFromConfig('x', base()), wm_on: true, wm_text: '© me', ...over });

  it('is off without processing.watermark, with the core’s defaults ready', () => {
    const c = base();
    expect('watermark' in c.processing).toBe(false);
    const f = formFromConfig('x', c);
    expect(f).toMatchObject({
      wm_on: false, wm_kind: 'text', wm_text: '', wm_font: '', wm_image: '', wm_size: '5', wm_color: '#ffffff',
      wm_opacity: 60, wm_position: 'bottom-right', wm_margin: '3', wm_tiled: false, wm_min_size: '200',
    });
    // Off saves no field at all, as the core writes it.
    expect('watermark' in configFromForm(f, c).processing).toBe(false);
  });

  it('turned on, writes the defaults with the text; opacity from percent to 0–1', () => {
    const out = configFromForm(on(), base());
    expect(out.processing.watermark).toEqual({
      text: '© me', size: 5, color: '#ffffff', opacity: 0.6, position: 'bottom-right', margin: 3, tiled: false, min_size: 200,
    });
    // No image or font key when empty (the core omits them).
    expect('image' in out.processing.watermark!).toBe(false);
    expect('font' in out.processing.watermark!).toBe(false);
    expect(configFromForm(on({ wm_opacity: 35 }), base()).processing.watermark!.opacity).toBe(0.35);
    expect(configFromForm(on({ wm_opacity: 100 }), base()).processing.watermark!.opacity).toBe(1);
    expect(configFromForm(on({ wm_opacity: 0 }), base()).processing.watermark!.opacity).toBe(0);
  });

  it('round-trips every field, text and picture', () => {
    const c = base();
    c.processing.watermark = {
      text: '水印', font: 'Noto Sans CJK SC', size: 7.5, color: '#ff8800', opacity: 0.55, position: 'top-left',
      margin: 0, tiled: true, min_size: 320,
    };
    const f = formFromConfig('x', c);
    expect(f).toMatchObject({
      wm_on: true, wm_kind: 'text', wm_text: '水印', wm_font: 'Noto Sans CJK SC', wm_size: '7.5', wm_color: '#ff8800',
      wm_opacity: 55, wm_position: 'top-left', wm_margin: '0', wm_tiled: true, wm_min_size: '320',
    });
    expect(configFromForm(f, c).processing.watermark).toEqual(c.processing.watermark);
    // f32s widened on the way (0.6f32 as f64) read as typed.
    const widened = formFromConfig('x', { ...c, processing: { ...c.processing, watermark: {
      ...c.processing.watermark!, size: 2.200000047683716, opacity: 0.6000000238418579, margin: 1.100000023841858,
    } } });
    expect([widened.wm_size, widened.wm_opacity, widened.wm_margin]).toEqual(['2.2', 60, '1.1']);

    const p = base();
    p.processing.watermark = {
      text: '', image: '/home/me/logo.png', size: 20, color: '#ffffff', opacity: 1, position: 'center', margin: 50, tiled: false,
      min_size: 0,
    };
    const g = formFromConfig('x', p);
    expect(g.wm_kind).toBe('image');
    expect(g.wm_image).toBe('/home/me/logo.png');
    expect(configFromForm(g, p).processing.watermark).toEqual(p.processing.watermark);

    // Turning it off removes it; other processing fields stay.
    const off = configFromForm({ ...g, wm_on: false }, p);
    expect('watermark' in off.processing).toBe(false);
    expect(off.processing.max_pixels).toBe(p.processing.max_pixels);
  });

  it('writes the picture only as a picture, and keeps the text for switching back', () => {
    const pic = configFromForm(on({ wm_kind: 'image', wm_image: ' /p/logo.png ' }), base()).processing.watermark!;
    expect(pic.image).toBe('/p/logo.png');
    expect(pic.text).toBe('© me');
    const text = configFromForm(on({ wm_kind: 'text', wm_image: '/p/logo.png' }), base()).processing.watermark!;
    expect('image' in text).toBe(false);
    // A picture needs no colour, but the core checks it: a broken one is replaced.
    expect(configFromForm(on({ wm_kind: 'image', wm_image: '/p.png', wm_color: 'white' }), base()).processing.watermark!.color)
      .toBe('#ffffff');
    expect(configFromForm(on({ wm_color: 'white' }), base()).processing.watermark!.color).toBe('white');
  });

  it('sends numbers: defaults for what is no number, whole pixels', () => {
    const m = configFromForm(on({ wm_size: 'big', wm_margin: '', wm_min_size: '12.5' }), base()).processing.watermark!;
    expect(m.size).toBe(5);
    expect(m.margin).toBe(3);
    expect(m.min_size).toBe(200);
    const n = configFromForm(on({ wm_size: ' 12 ', wm_margin: '4.5', wm_min_size: '0' }), base()).processing.watermark!;
    expect([n.size, n.margin, n.min_size]).toEqual([12, 4.5, 0]);
  });

  it('validates like the core, only when on', () => {
    const v = (over: Partial<ProfileForm>) => validateForm(on(over), preset('aws'), []);
    expect(v({})).toEqual({});
    expect(validateForm({ ...on({ wm_text: '', wm_size: '0' }), wm_on: false }, preset('aws'), [])).toEqual({});
    expect(v({ wm_text: '  ' }).wm_text?.key).toBe('valid.required');
    expect(v({ wm_kind: 'image', wm_text: '' }).wm_image?.key).toBe('valid.required');
    expect(v({ wm_kind: 'image', wm_text: '', wm_image: '/p.png' })).toEqual({});
    expect(v({ wm_size: '0' }).wm_size?.key).toBe('valid.wmSize');
    expect(v({ wm_size: '100.5' }).wm_size?.key).toBe('valid.wmSize');
    expect(v({ wm_size: '100' })).toEqual({});
    expect(v({ wm_opacity: 101 }).wm_opacity).toEqual({ key: 'valid.between', params: { min: 0, max: 100 } });
    expect(v({ wm_opacity: null as unknown as number }).wm_opacity?.key).toBe('valid.between');
    expect(v({ wm_margin: '51' }).wm_margin).toEqual({ key: 'valid.between', params: { min: 0, max: 50 } });
    expect(v({ wm_margin: '-1' }).wm_margin?.key).toBe('valid.between');
    expect(v({ wm_min_size: '1.5' }).wm_min_size?.key).toBe('valid.whole');
    expect(v({ wm_min_size: '' }).wm_min_size?.key).toBe('valid.whole');
    expect(v({ wm_color: '#12345' }).wm_color?.key).toBe('valid.color');
    expect(v({ wm_color: 'abcdef' })).toEqual({});
    // 'original' files cannot carry one (the profile's, or the large files').
    expect(v({ format: 'original' }).wm_on?.key).toBe('valid.wmOriginal');
    expect(v({ large_above: '5', large_format: 'original' }).wm_on?.key).toBe('valid.wmOriginal');
  });

  it('maps the core’s refusals of a watermark to its switch', () => {
    expect(fieldOfSaveError('profile "blog": processing.watermark.opacity must be 0 to 1 (got 2)'))
      .toEqual({ field: 'wm_on', message: 'processing.watermark.opacity must be 0 to 1 (got 2)' });
    expect(fieldOfSaveError('profile "blog": processing.watermark: give a text or an image')?.field).toBe('wm_on');
    expect(fieldOfSaveError(
      'profile "blog": "original" uploads files unchanged, so they cannot carry a watermark: use "keep" (their own format) or remove the watermark',
    )?.field).toBe('wm_on');
  });
});
