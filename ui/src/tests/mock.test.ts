// The mock backend behaves like the shell where the UI depends on it: job events through to a
// BatchDone, keyset pages, the canned preview, a Markdown migration and its undo, the
// bucket's listing (folders, pages of 1000, tokens), delete, move and links, and the history's
// link check with the re-upload of broken links, sync turned on and off, and profiles' mirrors
// (the core's checks, a rename followed, a removal dropped, a copy's row per upload), and
// watermarks (the core's checks and words, the marked preview, the picture dialog).
import { describe, expect, it } from 'vitest';
import {
  BUCKET_LOCKED, BUCKET_PUBLISHED, MockBackend, SYNC_DEVICE, SYNC_OTHER_DEVICE, SYNC_WRONG_PASSPHRASE, WATERMARK_PICK,
  WATERMARK_PREVIEW,
} from '../lib/mock';
import {
  WATERMARK_DEFAULTS, type AppError, type BatchDone, type JobState, type MdProgress, type ProfileConfig, type SyncStatus,
  type Watermark,
} from '../lib/types';

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('MockBackend', () => {
  it('runs a batch through every stage and reports the batch', async () => {
    const mock = new MockBackend({ historySize: 10, autoProgress: false });
    const events: JobState[] = [];
    const batches: BatchDone[] = [];
    await mock.onJob((j) => events.push(j));
    await mock.onBatchDone((b) => batches.push(b));
    const id = await mock.pickAndUpload();
    await tick();
    expect(events.filter((e) => e.stage === 'queued')).toHaveLength(4);
    mock.finishAll();
    const last = new Map(events.map((e) => [e.jobId, e]));
    const stages = [...last.values()].map((e) => e.stage).sort();
    expect(stages).toEqual(['done', 'done', 'done', 'failed']);
    expect(batches).toEqual([expect.objectContaining({ batchId: id, done: 3, failed: 1 })]);
    expect(batches[0].copied!.split('\n')).toHaveLength(3);
    const failed = [...last.values()].find((e) => e.stage === 'failed')!;
    expect(failed.historyId).not.toBeNull();
    expect(failed.error?.retryable).toBe(true);
  });

  it('cancels one running file, which stays retryable, and refuses a finished one', async () => {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    const events: JobState[] = [];
    await mock.onJob((j) => events.push(j));
    const batch = await mock.uploadPaths(['/a.png', '/b.png']);
    await tick();
    await mock.cancel(`${batch}-1`);
    const cancelled = events.filter((e) => e.jobId === `${batch}-1`).pop()!;
    expect(cancelled.stage).toBe('failed');
    expect(cancelled.error?.code).toBe('job.cancelled');
    expect(cancelled.historyId).not.toBeNull();
    mock.finishAll();
    await expect(mock.cancel(`${batch}-0`)).rejects.toEqual(expect.objectContaining({ code: 'job.not_running' }));
  });

  it('fails an empty clipboard with clipboard.empty', async () => {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    mock.clipboardHasImage = false;
    await expect(mock.uploadClipboard()).rejects.toEqual(expect.objectContaining({ code: 'clipboard.empty' }));
  });

  it('pages by id', async () => {
    const mock = new MockBackend({ historySize: 1000, autoProgress: false });
    const a = await mock.historyPage({ search: '', profile: '', beforeId: null, limit: 10 });
    const b = await mock.historyPage({ search: '', profile: '', beforeId: a.rows[9].id, limit: 10 });
    expect(a.total).toBe(1000);
    expect(b.rows[0].id).toBe(a.rows[9].id - 1);
  });

  it('previews canned values (the real preview is Rust\'s) and an empty template as an error', async () => {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    const { config } = await mock.getProfile('blog');
    const ok = await mock.preview({ config, fileName: 'screenshot.png', name: 'blog' });
    expect(ok.key).toBe('2025/05/screenshot.webp');
    expect(ok.url).toBe('https://img.example.com/2025/05/screenshot.webp');
    const bad = await mock.preview({ config: { ...config, key_template: ' ' }, fileName: 'screenshot.png' });
    expect(bad.key).toBeNull();
    expect(bad.error?.offset).toBe(0);
  });
});

describe('MockBackend mirrors', () => {
  const detail = async (mock: MockBackend, name: string) => (await mock.getProfile(name)).config;

  it('refuses the mirrors the core refuses, in its words (config.invalid)', async () => {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    const config = await detail(mock, 'blog');
    const save = (mirrors: string[], name = 'blog') =>
      mock.saveProfile({ originalName: 'blog', name, config: { ...config, mirrors }, secret: null });
    const refused = (message: string) => expect.objectContaining({ code: 'config.invalid', message });
    await expect(save(['gone'])).rejects.toEqual(refused('profile "blog": mirror "gone" is not a profile'));
    await expect(save(['blog'])).rejects.toEqual(refused('profile "blog": a profile cannot be its own mirror'));
    await expect(save(['screenshots', 'screenshots'])).rejects.toEqual(refused('profile "blog": mirror "screenshots" is named twice'));
    // Renamed into its own mirror: still itself.
    await expect(save(['blog'], 'blog2')).rejects.toEqual(refused('profile "blog2": a profile cannot be its own mirror'));
    // A new profile, too.
    await expect(mock.saveProfile({ originalName: null, name: 'cdn', config: { ...config, mirrors: ['cdn'] }, secret: null }))
      .rejects.toEqual(refused('profile "cdn": a profile cannot be its own mirror'));
    expect(mock.profiles.has('cdn')).toBe(false);
    expect((await detail(mock, 'blog')).mirrors).toBeUndefined();

    await save(['docs-cn', 'screenshots']);
    expect((await detail(mock, 'blog')).mirrors).toEqual(['docs-cn', 'screenshots']);
    // None is no field, as the core writes it.
    await save([]);
    expect('mirrors' in (await detail(mock, 'blog'))).toBe(false);
  });

  it('follows a rename of a mirror and drops a removed one', async () => {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    const blog = await detail(mock, 'blog');
    await mock.saveProfile({ originalName: 'blog', name: 'blog', config: { ...blog, mirrors: ['docs-cn', 'screenshots'] }, secret: null });
    const shots = await detail(mock, 'screenshots');
    await mock.saveProfile({ originalName: 'screenshots', name: 'shots', config: shots, secret: null });
    expect((await detail(mock, 'blog')).mirrors).toEqual(['docs-cn', 'shots']);
    await mock.removeProfile('docs-cn');
    expect((await detail(mock, 'blog')).mirrors).toEqual(['shots']);
    await mock.removeProfile('shots');
    expect('mirrors' in (await detail(mock, 'blog'))).toBe(false);
  });

  it('adds a done "mirror" row per mirror to an upload, with the mirror’s own link', async () => {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    const blog = await detail(mock, 'blog');
    await mock.saveProfile({ originalName: 'blog', name: 'blog', config: { ...blog, mirrors: ['docs-cn', 'screenshots'] }, secret: null });
    const batches: BatchDone[] = [];
    await mock.onBatchDone((b) => batches.push(b));
    await mock.uploadPaths(['/home/me/cat.png']);
    mock.finishAll();
    const { rows, total } = await mock.historyPage({ search: '', profile: '', beforeId: null, limit: 10 });
    expect(total).toBe(3);
    expect(rows.map((r) => [r.profile, r.origin, r.status])).toEqual([
      ['screenshots', 'mirror', 'done'], ['docs-cn', 'mirror', 'done'], ['blog', 'upload', 'done'],
    ]);
    const [shots, docs, upload] = rows;
    expect(upload.url).toMatch(/^https:\/\/img\.example\.com\//);
    expect(shots.url).toBe(`http://127.0.0.1:9000/screenshots/${upload.key}`);
    expect(docs.url).toBe(`https://cdn.example.cn/${upload.key}`);
    // The link copied is the upload's.
    expect(batches[0].copied).toBe(upload.links!.markdown);
  });
});

describe('MockBackend Markdown migration', () => {
  it('plans, runs file by file to a summary, and undoes once', async () => {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    const events: MdProgress[] = [];
    await mock.onMdProgress((p) => events.push(p));
    const plan = await mock.mdPlan(['/home/me/blog'], null, false);
    expect(plan.profile).toBe('blog');
    expect(plan.root).toBe('/home/me/blog');
    expect(plan.refs).toBe(plan.files.reduce((n, f) => n + f.refs.length, 0));
    expect(new Set(plan.files.flatMap((f) => f.refs.map((r) => r.action)))).toEqual(new Set(['upload', 'skip', 'missing']));
    await mock.mdRun(plan.id);
    expect(events).toHaveLength(0);
    mock.mdFinish();
    const files = events.filter((e) => e.kind === 'file');
    expect(files.map((e) => e.done)).toEqual(files.map((_, i) => i + 1));
    const end = events.at(-1)!;
    if (end.kind !== 'done') throw new Error('no done event');
    expect(end.summary.filesChanged).toBeGreaterThan(0);
    // A plan runs once.
    await expect(mock.mdRun(plan.id)).rejects.toEqual(expect.objectContaining({ code: 'markdown.no_plan' }));
    const first = await mock.mdUndo(end.run!);
    expect(first.some((l) => l.status === 'restored')).toBe(true);
    const second = await mock.mdUndo(end.run!);
    expect(second.some((l) => l.status === 'restored')).toBe(false);
    await expect(mock.mdUndo('nope')).rejects.toEqual(expect.objectContaining({ code: 'markdown.no_backup' }));
  });

  it('plans a dropped file of its own and refuses a path without Markdown', async () => {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    const plan = await mock.mdPlan(['/tmp/notes/post.md'], 'screenshots', false);
    expect(plan.root).toBe('/tmp/notes');
    expect(plan.files.map((f) => f.path)).toEqual(['/tmp/notes/post.md']);
    await expect(mock.mdPlan(['/tmp/empty'], null, false)).rejects.toEqual(expect.objectContaining({ code: 'markdown.no_files' }));
  });

  it('lists the bucket a folder and a page at a time, and deletes, moves and links', async () => {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    const top = await mock.bucketList(null, '', null);
    expect(top.folders).toEqual(['2024/', '2025/', 'docs/', 'many/']);
    expect(top.objects.map((o) => o.name)).toEqual(['avatar.png', 'banner.jpg', 'cover.webp', 'favicon.ico', 'robots.txt']);
    expect(top.next).toBeNull();
    expect(top.public).toBe(true);
    // Images have a thumbnail, other files none.
    expect(top.objects.map((o) => o.thumbnail !== null)).toEqual([true, true, true, false, false]);
    let total = 0;
    for (const objects of mock.buckets.values()) total += objects.size;
    expect(total).toBeGreaterThan(1100);

    // A prefix search lists the folders under it by their full prefix.
    const search = await mock.bucketList('blog', '2024/1', null);
    expect(search.folders).toEqual(['2024/10/', '2024/11/', '2024/12/']);
    expect(search.objects).toEqual([]);
    const docs = await mock.bucketList('blog', 'docs/', null);
    expect(docs.folders).toEqual(['docs/img/']);
    expect(docs.objects.map((o) => o.name)).toEqual(['locked.pdf', 'notes.md', 'spec.pdf']);

    const first = await mock.bucketList('blog', 'many/', null);
    expect(first.objects).toHaveLength(1000);
    expect(first.next).not.toBeNull();
    const second = await mock.bucketList('blog', 'many/', first.next);
    expect(second.objects).toHaveLength(50);
    expect(second.next).toBeNull();
    expect(new Set([...first.objects, ...second.objects].map((o) => o.key)).size).toBe(1050);

    const gone = await mock.bucketDelete('blog', [BUCKET_PUBLISHED, BUCKET_LOCKED, 'avatar.png']);
    expect(gone.deleted).toEqual([BUCKET_PUBLISHED, 'avatar.png']);
    expect(gone.failed).toEqual([{ key: BUCKET_LOCKED, message: expect.stringContaining('access denied') }]);
    expect(gone.forgotten).toBe(1);
    expect((await mock.bucketList('blog', '', null)).objects.map((o) => o.name)).not.toContain('avatar.png');

    // Moving: published first (screenshots has its own link to it), then a taken target.
    await mock.setActiveProfile('screenshots');
    await expect(mock.bucketMove(null, BUCKET_PUBLISHED, '2024/02/', false))
      .rejects.toEqual(expect.objectContaining({ code: 'bucket.published' }));
    await expect(mock.bucketMove(null, 'banner.jpg', 'cover.webp', false))
      .rejects.toEqual(expect.objectContaining({ code: 'bucket.exists' }));
    expect(await mock.bucketMove(null, BUCKET_PUBLISHED, '2024/02/', true)).toBe('2024/02/diagram.png');
    expect(await mock.bucketMove(null, 'banner.jpg', 'old/banner 1.jpg', false)).toBe('old/banner 1.jpg');
    expect((await mock.bucketList(null, '', null)).folders).toContain('old/');

    const links = await mock.bucketCopyLinks(null, ['old/banner 1.jpg'], 'url', null);
    expect(links).toBe('http://127.0.0.1:9000/screenshots/old/banner%201.jpg');
    expect(mock.copied.at(-1)).toBe(links);
    const signed = await mock.bucketCopyLinks(null, ['cover.webp', 'robots.txt'], 'url', 3600);
    expect(signed.split('\n')).toHaveLength(2);
    expect(signed).toContain('X-Amz-Expires=3600');
    await expect(mock.bucketCopyLinks(null, ['cover.webp'], null, 604_801))
      .rejects.toEqual(expect.objectContaining({ code: 'bucket.expiry' }));
    mock.profiles.get('screenshots')!.config.provider = 'r2';
    await expect(mock.bucketCopyLinks(null, ['cover.webp'], null, null))
      .rejects.toEqual(expect.objectContaining({ code: 'profile.no_public_url' }));
  });

  it('checks the history\'s links and uploads the broken ones with a kept source again', async () => {
    const mock = new MockBackend({ historySize: 60, autoProgress: false });
    const all = await mock.historyCheck(null);
    expect([all.uploads, all.links]).toEqual([58, 58]);
    expect(all.broken.map((b) => [b.id, b.profile, b.reason, b.reuploadable])).toEqual([
      [60, 'blog', '404 Not Found', true],
      [57, 'screenshots', 'connection refused', true],
      [43, 'blog', '403 Forbidden', false],
    ]);
    expect((await mock.historyCheck('docs-cn')).broken).toEqual([]);
    mock.historyCheckError = { code: 'internal', message: 'no network' };
    await expect(mock.historyCheck(null)).rejects.toEqual({ code: 'internal', message: 'no network' });
    mock.historyCheckError = null;

    // Only ones that cannot be: refused, as the shell does; with others: those start.
    await expect(mock.historyReupload([43])).rejects.toEqual(expect.objectContaining({ code: 'job.not_retryable' }));
    await expect(mock.historyReupload([9999])).rejects.toEqual(expect.objectContaining({ code: 'history.not_found' }));
    const events: JobState[] = [];
    await mock.onJob((j) => events.push(j));
    expect(await mock.historyReupload([60, 43])).toBe(1);
    expect(mock.reuploads).toEqual([[43], [9999], [60, 43]]);
    await tick();
    mock.finishAll();
    const done = events.filter((e) => e.stage === 'done');
    expect(done.map((e) => [e.name, e.historyId, e.url])).toEqual([
      ['dashboard.heic', 60, all.broken[0].url],
    ]);
    // Into its own row, under its link, which works again.
    expect(mock.rows).toHaveLength(60);
    expect((await mock.historyCheck('blog')).broken.map((b) => b.id)).toEqual([43]);
  });

  it('turns sync on and off like the shell, refusing weak and wrong passphrases', async () => {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    const events: SyncStatus[] = [];
    await mock.onSync((s) => events.push(s));
    expect(await mock.syncStatus()).toMatchObject({ enabled: false, devices: [], needsSecret: [] });
    await expect(mock.syncEnable('blog', 'short', '')).rejects.toMatchObject({ code: 'sync.weak_passphrase' });
    await expect(mock.syncEnable('blog', SYNC_WRONG_PASSPHRASE, '')).rejects.toMatchObject({ code: 'sync.wrong_passphrase' });
    expect(events).toEqual([]);
    const on = await mock.syncEnable('blog', 'long enough', '');
    expect(on).toMatchObject({
      enabled: true, profile: 'blog', device: SYNC_DEVICE, deviceName: 'this device', lastError: null,
      devices: [{ id: SYNC_OTHER_DEVICE, batches: 12 }], needsSecret: ['docs-cn'],
    });
    expect(events.at(-1)).toEqual(on);
    await expect(mock.syncEnable('blog', 'long enough', '')).rejects.toMatchObject({ code: 'sync.already_enabled' });
    await expect(mock.syncForget('0000000000000000')).rejects.toMatchObject({ code: 'sync.no_such_device' });
    expect((await mock.syncForget(SYNC_OTHER_DEVICE)).devices).toEqual([]);
    mock.syncNowError = { code: 'sync.offline', message: 'offline' };
    await expect(mock.syncNow()).rejects.toMatchObject({ code: 'sync.offline' });
    expect((await mock.syncStatus()).lastError).toEqual({ code: 'sync.offline', message: 'offline' });
    expect((await mock.syncDisable()).enabled).toBe(false);
    await expect(mock.syncNow()).rejects.toMatchObject({ code: 'sync.not_enabled' });
  });
});

describe('MockBackend watermarks', () => {
  const save = (mock: MockBackend, watermark: Partial<Watermark> | undefined, over: Partial<ProfileConfig['processing']> = {}) => {
    const config = structuredClone(mock.profiles.get('blog')!.config);
    config.processing = { ...config.processing, ...over };
    if (watermark) config.processing.watermark = { ...WATERMARK_DEFAULTS, text: '© me', ...watermark };
    return mock.saveProfile({ originalName: 'blog', name: 'blog', config, secret: null });
  };
  const refusal = async (p: Promise<unknown>) => {
    const e = (await p.then(() => null, (e: AppError) => e))!;
    expect(e.code).toBe('config.invalid');
    return e.message;
  };

  it('refuses the watermarks the core refuses, in its words (config.invalid)', async () => {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    expect(await refusal(save(mock, { text: ' ' }))).toBe('profile "blog": processing.watermark: give a text or an image');
    expect(await refusal(save(mock, { opacity: 2 }))).toBe('profile "blog": processing.watermark.opacity must be 0 to 1 (got 2)');
    expect(await refusal(save(mock, { size: 0 })))
      .toBe('profile "blog": processing.watermark.size must be above 0 and at most 100 (% of the shorter side; got 0)');
    expect(await refusal(save(mock, { margin: 60 })))
      .toBe('profile "blog": processing.watermark.margin must be 0 to 50 (% of the shorter side; got 60)');
    expect(await refusal(save(mock, { color: 'white' })))
      .toBe('profile "blog": processing.watermark.color must be #rrggbb (got "white")');
    expect(await refusal(save(mock, {}, { format: 'original', keep_below: null })))
      .toBe('profile "blog": "original" uploads files unchanged, so they cannot carry a watermark: use "keep" (their own format) or remove the watermark');
    expect(await refusal(save(mock, {}, { large: { above: 1000, format: 'original' } }))).toContain('cannot carry a watermark');
    expect(mock.profiles.get('blog')!.config.processing.watermark).toBeUndefined();

    await save(mock, { text: '', image: '/p/logo.png', color: 'abcdef' });
    expect(mock.profiles.get('blog')!.config.processing.watermark).toMatchObject({ image: '/p/logo.png', color: 'abcdef' });
  });

  it('previews a marked sample only with a watermark, and a mark it cannot draw as an error', async () => {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    const config = structuredClone(mock.profiles.get('blog')!.config);
    expect((await mock.preview({ config, fileName: 'a.png' })).image).toBeNull();
    config.processing.watermark = { ...WATERMARK_DEFAULTS, text: 'x' };
    const marked = await mock.preview({ config, fileName: 'a.png' });
    expect(marked.image).toBe(WATERMARK_PREVIEW);
    expect(marked.image).toMatch(/^data:image\/png;base64,/);
    expect(marked.key).not.toBeNull();
    config.processing.watermark.opacity = 3;
    const failed = await mock.preview({ config, fileName: 'a.png' });
    expect(failed.image).toBeNull();
    expect(failed.error?.message).toBe('cannot draw the watermark: watermark.opacity must be 0 to 1 (got 3)');
  });

  it('answers the picture dialog with a path, or null when cancelled', async () => {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    expect(await mock.pickWatermarkImage()).toBe(WATERMARK_PICK);
    mock.watermarkPickResult = null;
    expect(await mock.pickWatermarkImage()).toBeNull();
  });
});
