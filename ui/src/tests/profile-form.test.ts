// The profile editor's model: round trip, validation, kept fields.
import { describe, expect, it } from 'vitest';
import { PRESETS, defaultConfig } from '../lib/mock';
import { configFromForm, formFromConfig, validateForm } from '../lib/profile-form';

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

  it('asks R2 for the account id unless an endpoint is given', () => {
    const f = { ...formFromConfig('r2', defaultConfig('r2')), bucket: 'b' };
    expect(validateForm(f, preset('r2'), []).account_id?.key).toBe('valid.accountId');
    expect(validateForm({ ...f, account_id: 'abc' }, preset('r2'), [])).toEqual({});
    expect(validateForm({ ...f, endpoint: 'https://x.r2.cloudflarestorage.com' }, preset('r2'), [])).toEqual({});
  });
});
