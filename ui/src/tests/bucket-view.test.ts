// @vitest-environment jsdom
// Component test: the Bucket view with the mock backend's sample bucket: the top, into a folder
// and back (breadcrumb, Up), the prefix search, Load more past 1,000, copying public and
// expiring links, adding objects to the history, deleting (confirmed), moving (a published
// image needs a second yes), Upload here (into the open folder; cancelled; refused), the error
// state, the active profile; and the tab and keys of the window.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from '../App.svelte';
import BucketView from '../views/BucketView.svelte';
import Toasts from '../components/Toasts.svelte';
import { APP_CONTEXT_KEY, AppStore } from '../lib/app.svelte';
import { BUCKET_LOCKED, BUCKET_PUBLISHED, MockBackend } from '../lib/mock';

// jsdom has no ResizeObserver (the History view's list binds its height); the height stays the
// default.
vi.stubGlobal('ResizeObserver', class {
  observe() {}
  unobserve() {}
  disconnect() {}
});

async function setup(prepare?: (mock: MockBackend) => void) {
  const mock = new MockBackend({ historySize: 0, autoProgress: false });
  prepare?.(mock);
  const app = new AppStore(mock, 0);
  await app.start();
  app.view = 'bucket';
  const context = new Map<unknown, unknown>([[APP_CONTEXT_KEY, app]]);
  render(BucketView, { context });
  render(Toasts, { context });
  return { mock, app };
}

/** Waits for a listing of `folder` ('' = the top) to be shown; returns the totals element. */
function listed(folder: string) {
  return waitFor(() => {
    const crumbs = screen.getAllByTestId('bucket-crumb');
    expect(crumbs.at(-1)!.dataset.prefix).toBe(folder);
    const totals = screen.getByTestId('bucket-totals');
    expect(totals.dataset.objects).toBeDefined();
    return totals;
  });
}

const folders = () => screen.queryAllByTestId('bucket-folder').map((f) => f.dataset.prefix);
const keys = () => screen.queryAllByTestId('bucket-object').map((o) => o.dataset.key);
const row = (key: string) => screen.getAllByTestId('bucket-object').find((o) => o.dataset.key === key)!;
const toasts = () => screen.queryAllByTestId('toast').map((t) => `${t.dataset.kind}: ${t.textContent!.trim()}`);

async function openFolder(prefix: string) {
  const folder = screen.getAllByTestId('bucket-folder').find((f) => f.dataset.prefix === prefix);
  if (!folder) throw new Error(`no folder ${prefix}`);
  await fireEvent.click(folder);
  return listed(prefix);
}

describe('BucketView', () => {
  it('lists the top of the bucket: folders first, then objects, with the totals', async () => {
    const { mock } = await setup();
    const list = vi.spyOn(mock, 'bucketList');
    const totals = await listed('');
    expect(totals.textContent!.trim()).toBe('4 folders, 5 objects');
    expect(totals.dataset.more).toBe('false');
    expect(folders()).toEqual(['2024/', '2025/', 'docs/', 'many/']);
    expect(keys()).toEqual(['avatar.png', 'banner.jpg', 'cover.webp', 'favicon.ico', 'robots.txt']);
    // Folders come before objects in the list.
    const items = screen.getByRole('list', { name: 'Folders and objects' })
      .querySelectorAll('[data-testid="bucket-folder"], [data-testid="bucket-object"]');
    expect([...items].map((i) => i.getAttribute('data-testid'))).toEqual([
      ...Array(4).fill('bucket-folder'), ...Array(5).fill('bucket-object'),
    ]);

    // The root crumb is the bucket; Up has nowhere to go.
    const crumbs = screen.getAllByTestId('bucket-crumb');
    expect(crumbs).toHaveLength(1);
    expect(crumbs[0].textContent!.trim()).toBe('blog-images');
    expect(crumbs[0].getAttribute('aria-current')).toBe('location');
    expect((screen.getByTestId('bucket-up') as HTMLButtonElement).disabled).toBe(true);

    // An image shows its thumbnail, another file its extension; no date is a dash.
    expect(row('avatar.png').querySelector('img')).not.toBeNull();
    expect(row('robots.txt').querySelector('img')).toBeNull();
    expect(row('robots.txt').textContent).toContain('TXT');
    expect(row('robots.txt').querySelector('.date')!.textContent!.trim()).toBe('—');
    expect(within(row('avatar.png')).getByRole('button', { name: 'Copy link' })).toBeTruthy();
    expect(within(row('avatar.png')).getByRole('checkbox', { name: 'Select avatar.png' })).toBeTruthy();

    // Refresh lists the folder again.
    await fireEvent.click(screen.getByTestId('bucket-refresh'));
    await waitFor(() => expect(list).toHaveBeenCalledWith('blog', '', null));
  });

  it('opens folders and goes back through the breadcrumb and Up', async () => {
    const { mock } = await setup();
    const list = vi.spyOn(mock, 'bucketList');
    await listed('');
    let totals = await openFolder('2024/');
    expect(list).toHaveBeenLastCalledWith('blog', '2024/', null);
    expect(folders()).toHaveLength(12);
    expect(folders()[0]).toBe('2024/01/');
    expect(screen.getAllByTestId('bucket-folder')[0].textContent!.trim()).toBe('01');
    expect(totals.textContent!.trim()).toBe('12 folders, 0 objects');

    totals = await openFolder('2024/01/');
    expect(totals.textContent!.trim()).toBe('9 objects');
    expect(keys()).toContain(BUCKET_PUBLISHED);
    expect(keys().every((k) => k!.startsWith('2024/01/'))).toBe(true);
    // Names are shown relative to the open folder.
    expect(row(BUCKET_PUBLISHED).querySelector('.name')!.textContent).toBe('diagram.png');
    expect(screen.getAllByTestId('bucket-crumb').map((c) => c.textContent!.trim())).toEqual(['blog-images', '2024', '01']);

    await fireEvent.click(screen.getAllByTestId('bucket-crumb')[1]);
    await listed('2024/');
    expect(folders()).toHaveLength(12);
    expect(keys()).toEqual([]);

    await fireEvent.click(screen.getByTestId('bucket-up'));
    await listed('');
    expect(folders()).toEqual(['2024/', '2025/', 'docs/', 'many/']);

    await openFolder('docs/');
    await openFolder('docs/img/');
    await fireEvent.click(screen.getAllByTestId('bucket-crumb')[0]);
    await listed('');
    expect(keys()).toContain('avatar.png');
  });

  it('searches names by prefix inside the open folder, after typing settles', async () => {
    const { mock } = await setup();
    await listed('');
    await openFolder('2024/');
    const list = vi.spyOn(mock, 'bucketList');
    const search = screen.getByTestId('bucket-search') as HTMLInputElement;
    // Debounced: keys typed less than 250 ms apart ask once, for what was typed last.
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    await fireEvent.input(search, { target: { value: '0' } });
    await pause(120);
    await fireEvent.input(search, { target: { value: '1' } });
    await pause(120);
    expect(list).not.toHaveBeenCalled();
    await waitFor(() => expect(folders()).toEqual(['2024/10/', '2024/11/', '2024/12/']));
    expect(list).toHaveBeenCalledTimes(1);
    expect(list).toHaveBeenCalledWith('blog', '2024/1', null);
    expect(screen.getByTestId('bucket-totals').textContent!.trim()).toBe('3 folders, 0 objects');

    // A folder found opens without the search.
    await openFolder('2024/11/');
    expect(search.value).toBe('');
    expect(keys()).toHaveLength(8);

    await fireEvent.click(screen.getAllByTestId('bucket-crumb')[0]);
    await listed('');
    await openFolder('docs/');
    await fireEvent.input(search, { target: { value: 'lo' } });
    await waitFor(() => expect(keys()).toEqual([BUCKET_LOCKED]));
    expect(list).toHaveBeenLastCalledWith('blog', 'docs/lo', null);
    expect(folders()).toEqual([]);
    expect(screen.getByTestId('bucket-totals').textContent!.trim()).toBe('1 object');

    await fireEvent.input(search, { target: { value: 'zzz' } });
    await waitFor(() => expect(screen.getByTestId('bucket-empty').textContent).toContain('No name here starts with “zzz”.'));
    expect(keys()).toEqual([]);

    // Emptied, the folder is listed whole again.
    await fireEvent.input(search, { target: { value: '' } });
    await waitFor(() => expect(keys()).toHaveLength(3));
    expect(folders()).toEqual(['docs/img/']);
  });

  it('loads more past the first 1,000 entries, keeping the selection', async () => {
    const { mock } = await setup();
    await listed('');
    const list = vi.spyOn(mock, 'bucketList');
    const totals = await openFolder('many/');
    expect(keys()).toHaveLength(1000);
    expect(totals.textContent!.trim()).toBe('1,000 objects (more)');
    expect(totals.dataset.more).toBe('true');

    const all = screen.getByTestId('bucket-select-all') as HTMLInputElement;
    await fireEvent.click(all);
    expect(screen.getByTestId('bucket-copy-selected').textContent!.trim()).toBe('Copy 1,000 links');

    await fireEvent.click(screen.getByTestId('bucket-more'));
    await waitFor(() => expect(keys()).toHaveLength(1050));
    const token = list.mock.calls.at(-1)![2];
    expect(token).not.toBeNull();
    expect(list).toHaveBeenLastCalledWith('blog', 'many/', token);
    expect(new Set(keys()).size).toBe(1050);
    expect(keys().at(-1)).toMatch(/^many\/1050-/);
    expect(totals.textContent!.trim()).toBe('1,050 objects');
    expect(screen.queryByTestId('bucket-more')).toBeNull();
    // The first page stays selected; the new rows are not.
    expect(screen.getByTestId('bucket-copy-selected').textContent!.trim()).toBe('Copy 1,000 links');
    expect(all.checked).toBe(false);
    expect(all.indeterminate).toBe(true);
    // 1,050 rows with their controls take a while in jsdom (a browser draws them at once).
  }, 30_000);

  it('copies public links in the profile\'s format, and expiring ones saying until when', async () => {
    const { mock } = await setup();
    const copy = vi.spyOn(mock, 'bucketCopyLinks');
    await listed('');
    const kind = screen.getByTestId('bucket-link-kind') as HTMLSelectElement;
    expect(kind.value).toBe('public');
    expect([...kind.options].map((o) => o.textContent)).toEqual([
      'Public link', 'Expiring link: 1 hour', 'Expiring link: 1 day', 'Expiring link: 7 days',
    ]);

    await fireEvent.click(within(row('avatar.png')).getByTestId('bucket-copy'));
    await waitFor(() => expect(mock.copied.at(-1)).toBe('![avatar](https://img.example.com/avatar.png)'));
    expect(copy).toHaveBeenLastCalledWith('blog', ['avatar.png'], null, null);
    await waitFor(() => expect(toasts()).toContain('success: Copied 1 link to the clipboard'));

    await fireEvent.change(kind, { target: { value: '3600' } });
    await fireEvent.click(within(row('banner.jpg')).getByTestId('bucket-select'));
    await fireEvent.click(within(row('avatar.png')).getByTestId('bucket-select'));
    const copySelected = screen.getByTestId('bucket-copy-selected');
    expect(copySelected.textContent!.trim()).toBe('Copy 2 links');
    await fireEvent.click(copySelected);
    // In list order, whatever order they were ticked in.
    await waitFor(() => expect(copy).toHaveBeenLastCalledWith('blog', ['avatar.png', 'banner.jpg'], null, 3600));
    const lines = mock.copied.at(-1)!.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.includes('X-Amz-Expires=3600'))).toBe(true);
    expect(lines[0]).toMatch(/^!\[avatar\]\(https:\/\/blog-images\.s3\.example\.com\/avatar\.png\?/);
    await waitFor(() => expect(toasts().some((t) => /^success: Copied 2 links; they work until .*\d/.test(t))).toBe(true));
  });

  it('offers expiring links only when the profile has no public URL', async () => {
    const { mock } = await setup((m) => {
      m.profiles.get('blog')!.config.public_base_url = null;
    });
    const copy = vi.spyOn(mock, 'bucketCopyLinks');
    await listed('');
    const kind = screen.getByTestId('bucket-link-kind') as HTMLSelectElement;
    expect(kind.value).toBe('86400');
    expect([...kind.options].map((o) => o.value)).toEqual(['3600', '86400', '604800']);
    await fireEvent.click(within(row('cover.webp')).getByTestId('bucket-copy'));
    await waitFor(() => expect(copy).toHaveBeenLastCalledWith('blog', ['cover.webp'], null, 86400));
    expect(mock.copied.at(-1)).toContain('X-Amz-Expires=86400');
    await waitFor(() => expect(toasts().some((t) => t.startsWith('success: Copied 1 link; it works until '))).toBe(true));
  });

  it('adds the selected objects to the history, saying which were there already, and keeps the selection', async () => {
    const { mock } = await setup();
    const adopt = vi.spyOn(mock, 'bucketAdopt');
    await listed('');
    await openFolder('2024/');
    await openFolder('2024/01/');
    const other = keys().find((k) => k !== BUCKET_PUBLISHED)!;
    // What the listing says of them: exactly that reaches the shell.
    const listing = (await mock.bucketList('blog', '2024/01/', null)).objects;
    const ref = (key: string) => {
      const o = listing.find((l) => l.key === key)!;
      return { key, size: o.size, modified_ms: o.modified_ms };
    };
    expect(ref(other).modified_ms).not.toBeNull();
    // An upload of the history already links to the published image; none to the other.
    expect((await mock.historyPage({ search: '', profile: 'blog', beforeId: null, limit: 50 })).total).toBe(0);

    await fireEvent.click(within(row(other)).getByTestId('bucket-select'));
    await fireEvent.click(within(row(BUCKET_PUBLISHED)).getByTestId('bucket-select'));
    const add = screen.getByTestId('bucket-adopt-selected');
    expect(add.textContent!.trim()).toBe('Add 2 to history');
    await fireEvent.click(add);
    await waitFor(() => expect(toasts()).toContain('success: 1 added to History; 1 was already there'));
    expect(adopt).toHaveBeenCalledTimes(1);
    // In list order, each with its key, size and date only.
    expect(adopt).toHaveBeenCalledWith('blog', [ref(BUCKET_PUBLISHED), ref(other)].sort((a, b) => (a.key < b.key ? -1 : 1)));

    // The selection stays; the bucket is as it was.
    expect(screen.getByTestId('bucket-adopt-selected').textContent!.trim()).toBe('Add 2 to history');
    expect((within(row(other)).getByTestId('bucket-select') as HTMLInputElement).checked).toBe(true);
    expect((within(row(BUCKET_PUBLISHED)).getByTestId('bucket-select') as HTMLInputElement).checked).toBe(true);
    expect(keys()).toHaveLength(9);

    // The history has a row for the other object, dated as the object, with its public link.
    const page = await mock.historyPage({ search: '', profile: 'blog', beforeId: null, limit: 50 });
    expect(page.total).toBe(1);
    expect(page.rows[0]).toMatchObject({
      profile: 'blog',
      name: other.split('/').pop(),
      key: other,
      url: `https://img.example.com/${other}`,
      status: 'done',
      bytesOut: ref(other).size,
      createdAtMs: ref(other).modified_ms,
    });
    expect(mock.rows[0].origin).toBe('import:bucket');

    // Again: both are there now, and nothing is added twice.
    await fireEvent.click(screen.getByTestId('bucket-adopt-selected'));
    await waitFor(() => expect(toasts()).toContain('success: 0 added to History; 2 were already there'));
    expect((await mock.historyPage({ search: '', profile: 'blog', beforeId: null, limit: 50 })).total).toBe(1);
  });

  it('says why objects could not be added to the history', async () => {
    const { mock } = await setup();
    vi.spyOn(mock, 'bucketAdopt').mockRejectedValue({ code: 'history.locked', message: 'the history database is locked' });
    await listed('');
    await fireEvent.click(within(row('avatar.png')).getByTestId('bucket-select'));
    const add = screen.getByTestId('bucket-adopt-selected');
    expect(add.textContent!.trim()).toBe('Add 1 to history');
    await fireEvent.click(add);
    await waitFor(() => expect(toasts()).toContain('error: the history database is locked'));
    expect(toasts().some((t) => t.startsWith('success:'))).toBe(false);
    expect((within(row('avatar.png')).getByTestId('bucket-select') as HTMLInputElement).checked).toBe(true);
  });

  it('deletes only after confirming, then the rows go and a toast says what happened', async () => {
    const { mock } = await setup();
    const remove = vi.spyOn(mock, 'bucketDelete');
    await listed('');
    await openFolder('2024/');
    await openFolder('2024/01/');
    const other = keys().find((k) => k !== BUCKET_PUBLISHED)!;
    await fireEvent.click(within(row(BUCKET_PUBLISHED)).getByTestId('bucket-select'));
    await fireEvent.click(within(row(other)).getByTestId('bucket-select'));

    await fireEvent.click(screen.getByTestId('bucket-delete-selected'));
    const dialog = await waitFor(() => screen.getByTestId('bucket-delete-dialog'));
    expect(dialog.textContent).toContain('Delete 2 objects from the bucket?');
    expect(dialog.textContent).toContain('This deletes from the bucket of “blog”');
    expect(dialog.textContent).toContain(BUCKET_PUBLISHED);
    expect(dialog.textContent).toContain('removed from the bucket');
    expect(dialog.textContent).toContain('stops working');
    expect(dialog.textContent).toContain('uploads in the history that link to them are removed');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(remove).not.toHaveBeenCalled();
    expect(keys()).toHaveLength(9);

    await fireEvent.click(screen.getByTestId('bucket-delete-selected'));
    await fireEvent.click(await waitFor(() => screen.getByTestId('confirm-bucket-delete')));
    expect(remove).toHaveBeenCalledWith('blog', [other, BUCKET_PUBLISHED].sort());
    await waitFor(() => expect(keys()).toHaveLength(7));
    expect(keys()).not.toContain(BUCKET_PUBLISHED);
    expect(keys()).not.toContain(other);
    expect(screen.queryByTestId('bucket-copy-selected')).toBeNull();
    expect(screen.getByTestId('bucket-totals').textContent!.trim()).toBe('7 objects');
    await waitFor(() => expect(toasts()).toContain('success: Deleted 2 objects from the bucket; 1 upload removed from the history'));
    // Really gone from the bucket.
    expect((await mock.bucketList('blog', '2024/01/', null)).objects).toHaveLength(7);
  });

  it('says why an object could not be deleted, and keeps its row', async () => {
    await setup();
    await listed('');
    await openFolder('docs/');
    await fireEvent.click(within(row(BUCKET_LOCKED)).getByTestId('bucket-delete'));
    const dialog = await waitFor(() => screen.getByTestId('bucket-delete-dialog'));
    expect(dialog.textContent).toContain('Delete from the bucket?');
    await fireEvent.click(screen.getByTestId('confirm-bucket-delete'));
    await waitFor(() => expect(toasts()).toContain(
      `error: Could not delete ${BUCKET_LOCKED}: access denied: the bucket’s policy does not allow deleting it`,
    ));
    expect(keys()).toContain(BUCKET_LOCKED);
  });

  it('moves a published image only after a second confirmation', async () => {
    const { mock } = await setup();
    const move = vi.spyOn(mock, 'bucketMove');
    await listed('');
    await openFolder('2024/');
    await openFolder('2024/01/');
    await fireEvent.click(within(row(BUCKET_PUBLISHED)).getByTestId('bucket-move'));
    const input = (await waitFor(() => screen.getByTestId('bucket-move-input'))) as HTMLInputElement;
    expect(input.value).toBe(BUCKET_PUBLISHED);
    // Unchanged: nothing to do.
    expect((screen.getByTestId('bucket-move-confirm') as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.input(input, { target: { value: '2024/02/' } });
    await fireEvent.click(screen.getByTestId('bucket-move-confirm'));

    const force = await waitFor(() => screen.getByTestId('bucket-force-dialog'));
    expect(move).toHaveBeenLastCalledWith('blog', BUCKET_PUBLISHED, '2024/02/', false);
    expect(force.textContent).toContain('Move a published image?');
    expect(screen.getByTestId('bucket-force-message').textContent).toBe(
      `1 upload in the history links to "${BUCKET_PUBLISHED}"; moving it breaks those links wherever they were pasted`,
    );
    expect(keys()).toContain(BUCKET_PUBLISHED);
    await fireEvent.click(screen.getByTestId('confirm-bucket-force'));
    expect(move).toHaveBeenLastCalledWith('blog', BUCKET_PUBLISHED, '2024/02/', true);
    await waitFor(() => expect(toasts()).toContain('success: Moved to 2024/02/diagram.png'));
    // The folder is listed again: the image left it.
    await waitFor(() => expect(keys()).not.toContain(BUCKET_PUBLISHED));
    expect(keys()).toHaveLength(8);
    expect(screen.queryByTestId('bucket-force-dialog')?.hasAttribute('open') ?? false).toBe(false);
    expect((await mock.bucketList('blog', '2024/02/', null)).objects.map((o) => o.key)).toContain('2024/02/diagram.png');
  });

  it('shows why a move was refused and changes nothing', async () => {
    const { mock } = await setup();
    await listed('');
    await fireEvent.click(within(row('banner.jpg')).getByTestId('bucket-move'));
    const input = await waitFor(() => screen.getByTestId('bucket-move-input'));
    await fireEvent.input(input, { target: { value: 'cover.webp' } });
    await fireEvent.click(screen.getByTestId('bucket-move-confirm'));
    const error = await waitFor(() => screen.getByTestId('bucket-move-error'));
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain('Not moved: "cover.webp" already exists; move to another name, or delete it first');
    expect(screen.queryByTestId('bucket-force-dialog')?.hasAttribute('open') ?? false).toBe(false);
    expect(keys()).toEqual(['avatar.png', 'banner.jpg', 'cover.webp', 'favicon.ico', 'robots.txt']);
    const top = await mock.bucketList('blog', '', null);
    expect(top.objects.map((o) => o.key)).toContain('banner.jpg');

    // Another name works; the folder is listed again.
    await fireEvent.input(input, { target: { value: 'archive/banner.jpg' } });
    await fireEvent.click(screen.getByTestId('bucket-move-confirm'));
    await waitFor(() => expect(keys()).not.toContain('banner.jpg'));
    expect(folders()).toContain('archive/');
  });

  it('uploads chosen files into the open folder, saying so while they go, and lists them when done', async () => {
    const { mock } = await setup();
    const upload = vi.spyOn(mock, 'bucketUpload');
    await listed('');
    await openFolder('docs/');
    await openFolder('docs/img/');
    const list = vi.spyOn(mock, 'bucketList');
    const button = screen.getByTestId('bucket-upload') as HTMLButtonElement;
    expect(button.textContent!.trim()).toBe('Upload here');
    expect(button.title).toBe('Upload images into this folder under their own names');

    await fireEvent.click(button);
    expect(upload).toHaveBeenCalledTimes(1);
    expect(upload).toHaveBeenCalledWith('blog', 'docs/img/');
    // While the batch runs: a status in the toolbar, once the shell has announced the files.
    const status = await waitFor(() => screen.getByTestId('bucket-uploading'));
    await waitFor(() => expect(status.textContent!.trim()).toBe('Uploading 2 files into docs/img/…'));
    expect(status.getAttribute('role')).toBe('status');
    expect(keys()).toEqual(['docs/img/figure-1.png', 'docs/img/figure-2.png', 'docs/img/figure-3.png']);
    expect(list).not.toHaveBeenCalled();

    mock.finishAll();
    await waitFor(() => expect(keys()).toEqual([
      'docs/img/figure-1.png', 'docs/img/figure-2.png', 'docs/img/figure-3.png',
      'docs/img/upload-1.png', 'docs/img/upload-2.png',
    ]));
    expect(list).toHaveBeenCalledWith('blog', 'docs/img/', null);
    expect(screen.queryByTestId('bucket-uploading')).toBeNull();
    await waitFor(() => expect(toasts()).toContain('success: Uploaded into docs/img/'));
    expect(row('docs/img/upload-1.png').querySelector('.name')!.textContent).toBe('upload-1.png');
    // Uploads like any other: in the history, under the folder's keys.
    expect(mock.rows.slice(0, 2).map((r) => r.key).sort()).toEqual(['docs/img/upload-1.png', 'docs/img/upload-2.png']);
    expect(screen.getByTestId('bucket-totals').textContent!.trim()).toBe('5 objects');
  });

  it('uploads into the top of the bucket, and announces an upload that ended before its id arrived', async () => {
    const { mock } = await setup();
    const original = mock.bucketUpload.bind(mock);
    // Every file ends at once: the batch is done before the command answers.
    const upload = vi.spyOn(mock, 'bucketUpload').mockImplementationOnce(async (profile, folder) => {
      const id = await original(profile, folder);
      mock.finishAll();
      return id;
    });
    await listed('');
    await fireEvent.click(screen.getByTestId('bucket-upload'));
    expect(upload).toHaveBeenCalledWith('blog', '');
    await waitFor(() => expect(keys()).toContain('upload-1.png'));
    expect(keys()).toContain('upload-2.png');
    await waitFor(() => expect(toasts()).toContain('success: Uploaded into the top of the bucket'));
    expect(screen.queryByTestId('bucket-uploading')).toBeNull();
    expect((screen.getByTestId('bucket-upload') as HTMLButtonElement).disabled).toBe(false);
  });

  it('does nothing when the file dialog is cancelled', async () => {
    const { mock } = await setup((m) => {
      m.bucketUploadResult = null;
    });
    const upload = vi.spyOn(mock, 'bucketUpload');
    await listed('');
    await openFolder('2025/');
    const list = vi.spyOn(mock, 'bucketList');
    await fireEvent.click(screen.getByTestId('bucket-upload'));
    await waitFor(() => expect(upload).toHaveBeenCalledWith('blog', '2025/'));
    await expect(upload.mock.results[0].value).resolves.toBeNull();
    await waitFor(() => expect((screen.getByTestId('bucket-upload') as HTMLButtonElement).disabled).toBe(false));
    expect(screen.queryByTestId('bucket-uploading')).toBeNull();
    expect(toasts()).toEqual([]);
    expect(list).not.toHaveBeenCalled();
    expect(folders()).toHaveLength(5);
    expect(keys()).toEqual([]);
  });

  it('says why an upload could not start', async () => {
    const { mock } = await setup();
    const upload = vi.spyOn(mock, 'bucketUpload').mockRejectedValueOnce({
      code: 'bucket.reserved', message: '".hoist/" is Hoist\'s own sync data; it is not an image to link, move or delete',
    });
    await listed('');
    await openFolder('docs/');
    await fireEvent.click(screen.getByTestId('bucket-upload'));
    expect(upload).toHaveBeenCalledWith('blog', 'docs/');
    await waitFor(() => expect(toasts()).toContain('error: ".hoist/" is Hoist\'s own sync data; it is not an image to link, move or delete'));
    expect(screen.queryByTestId('bucket-uploading')).toBeNull();
    expect((screen.getByTestId('bucket-upload') as HTMLButtonElement).disabled).toBe(false);
    expect(keys()).toHaveLength(3);
  });

  it('shows a listing error in plain words, with Retry', async () => {
    const { mock } = await setup((m) => {
      m.bucketListError = { code: 's3.access_denied', message: 'access denied: check the key’s permissions for bucket "blog-images"' };
    });
    const error = await waitFor(() => screen.getByTestId('bucket-error'));
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain('Could not list the bucket: access denied: check the key’s permissions for bucket "blog-images"');
    expect(screen.queryByTestId('bucket-object')).toBeNull();
    expect(screen.getByTestId('bucket-totals').textContent!.trim()).toBe('');

    mock.bucketListError = null;
    await fireEvent.click(screen.getByTestId('bucket-retry'));
    await listed('');
    expect(screen.queryByTestId('bucket-error')).toBeNull();
    expect(keys()).toHaveLength(5);
  });

  it('follows the active profile back to the top of its bucket', async () => {
    const { app, mock } = await setup();
    await listed('');
    await openFolder('2025/');
    const list = vi.spyOn(mock, 'bucketList');
    await app.setActiveProfile('screenshots');
    await waitFor(() => expect(screen.getAllByTestId('bucket-crumb').map((c) => c.textContent!.trim())).toEqual(['screenshots']));
    await listed('');
    expect(list).toHaveBeenCalledWith('screenshots', '', null);
    expect(folders()).toEqual(['2024/', '2025/', 'docs/', 'many/']);
  });

  it('asks for a profile first when there is none', async () => {
    const { mock } = await setup((m) => {
      m.profiles.clear();
      m.state.activeProfile = null;
    });
    const list = vi.spyOn(mock, 'bucketList');
    expect(screen.getByText('Add a profile in Settings to browse its bucket.')).toBeTruthy();
    expect(screen.queryByTestId('bucket-search')).toBeNull();
    expect(list).not.toHaveBeenCalled();
  });
});

describe('App and the Bucket view', () => {
  async function mountApp() {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    const app = new AppStore(mock, 0);
    render(App, { props: { app } });
    await waitFor(() => expect(screen.getByTestId('app-root').dataset.ready).toBe('true'));
    return { mock, app };
  }

  it('is the third tab, reached with Ctrl+3, and keeps its folder while another view shows', async () => {
    const { app } = await mountApp();
    const tab = screen.getByTestId('tab-bucket');
    expect(tab.textContent!.trim()).toBe('Bucket');
    await fireEvent.keyDown(window, { key: '3', ctrlKey: true });
    await waitFor(() => expect(tab.getAttribute('aria-selected')).toBe('true'));
    await listed('');
    await openFolder('docs/');
    await fireEvent.click(screen.getByTestId('tab-markdown'));
    expect(app.view).toBe('markdown');
    expect(screen.queryByTestId('bucket-crumb')).toBeNull();
    await fireEvent.click(tab);
    await listed('docs/');
    expect(keys()).toContain(BUCKET_LOCKED);
  });

  it('shows the objects added to the history in the History view', async () => {
    await mountApp();
    await fireEvent.click(screen.getByTestId('tab-bucket'));
    await listed('');
    await fireEvent.click(within(row('banner.jpg')).getByTestId('bucket-select'));
    await fireEvent.click(screen.getByTestId('bucket-adopt-selected'));
    await waitFor(() => expect(toasts()).toContain('success: 1 added to History'));
    await fireEvent.click(screen.getByTestId('tab-history'));
    await waitFor(() => expect(screen.getByTestId('history-total').dataset.total).toBe('1'));
    const rows = await waitFor(() => {
      const found = screen.getAllByTestId('history-row');
      expect(found).toHaveLength(1);
      return found;
    });
    expect(rows[0].textContent).toContain('banner.jpg');
    expect(rows[0].textContent).toContain('blog');
  });

  it('announces an upload into a folder that ends while another view shows, and lists it on return', async () => {
    const { mock } = await mountApp();
    await fireEvent.click(screen.getByTestId('tab-bucket'));
    await listed('');
    await openFolder('2024/');
    await fireEvent.click(screen.getByTestId('bucket-upload'));
    await waitFor(() => screen.getByTestId('bucket-uploading'));
    await fireEvent.click(screen.getByTestId('tab-upload'));
    mock.finishAll();
    await waitFor(() => expect(toasts()).toContain('success: Uploaded into 2024/'));
    await fireEvent.click(screen.getByTestId('tab-bucket'));
    await listed('2024/');
    await waitFor(() => expect(keys()).toEqual(['2024/upload-1.png', '2024/upload-2.png']));
    expect(screen.queryByTestId('bucket-uploading')).toBeNull();
  });

  it('shows the view the shell navigates to', async () => {
    const { mock } = await mountApp();
    mock.navigate('bucket');
    await waitFor(() => expect(screen.getByTestId('tab-bucket').getAttribute('aria-selected')).toBe('true'));
    await listed('');
  });
});
