// @vitest-environment jsdom
// Component test: the Markdown view with the mock backend's sample blog, from choosing a folder
// to the plan, Migrate (confirmed), its progress and summary, and Undo; Markdown files dropped on
// the window (the shell's offer) and the tabs and keys of the window.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import App from '../App.svelte';
import MarkdownView from '../views/MarkdownView.svelte';
import Toasts from '../components/Toasts.svelte';
import { APP_CONTEXT_KEY, AppStore } from '../lib/app.svelte';
import { MD_ROOT, MockBackend } from '../lib/mock';

async function setup(opts: { withProfiles?: boolean; markdownFiles?: number } = {}) {
  const mock = new MockBackend({ historySize: 0, autoProgress: false, ...opts });
  const app = new AppStore(mock, 0);
  await app.start();
  app.view = 'markdown';
  const context = new Map<unknown, unknown>([[APP_CONTEXT_KEY, app]]);
  render(MarkdownView, { context });
  render(Toasts, { context });
  return { mock, app };
}

async function pickFolder() {
  await fireEvent.click(screen.getByTestId('md-pick-folder'));
  return waitFor(() => screen.getByTestId('md-totals'));
}

function fileRow(shown: string): HTMLElement {
  const row = screen.getAllByTestId('md-file').find((r) => r.querySelector('.path')!.textContent === shown);
  if (!row) throw new Error(`no row for ${shown}`);
  return row;
}

async function migrate(mock: MockBackend) {
  await pickFolder();
  await fireEvent.click(screen.getByTestId('md-migrate'));
  await fireEvent.click(await waitFor(() => screen.getByTestId('confirm-md-migrate')));
  await waitFor(() => expect(screen.getByTestId('md-progress').dataset.phase).toBe('running'));
  mock.mdFinish();
  return waitFor(() => screen.getByTestId('md-summary'));
}

describe('MarkdownView', () => {
  it('plans a chosen folder: totals, files relative to it, references once expanded', async () => {
    const { mock } = await setup();
    const plan = vi.spyOn(mock, 'mdPlan');
    const totals = await pickFolder();
    expect(plan).toHaveBeenCalledWith([MD_ROOT], 'blog', false);
    expect(totals.textContent).toContain('7 Markdown files');
    expect(totals.textContent).toContain('5 with images');
    expect(totals.textContent).toContain('7 images to upload');
    expect(totals.textContent).toContain('14 image references');
    expect(totals.textContent).toContain('4 left as they are');
    expect(totals.textContent).toContain('2 missing');
    expect(totals.dataset.uploads).toBe('7');
    expect(screen.getByText(MD_ROOT)).toBeTruthy();

    // Collapsed: files only, no references in the DOM.
    expect(screen.getAllByTestId('md-file')).toHaveLength(5);
    expect(screen.queryAllByTestId('md-ref')).toHaveLength(0);
    // The unreadable file, with its reason.
    expect(screen.getByTestId('md-unreadable').textContent).toContain('posts/broken.md');
    expect(screen.getByTestId('md-unreadable').textContent).toContain('not UTF-8 text');

    const row = fileRow('posts/hello-world.md');
    expect(row.textContent).toContain('2 to upload');
    const toggle = within(row).getByRole('button');
    expect(toggle.getAttribute('aria-expanded')).toBe('false');
    await fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const refs = within(row).getAllByTestId('md-ref');
    expect(refs.map((r) => r.dataset.action)).toEqual(['upload', 'upload', 'skip']);
    expect(refs[0].textContent).toContain('Line 5');
    expect(refs[0].textContent).toContain('img/hello.png');
    // The file to upload, relative to the chosen folder.
    expect(refs[0].querySelector('.detail')!.textContent!.trim()).toBe('posts/img/hello.png');
    expect(refs[2].textContent).toContain('Left as is');
    expect(refs[2].textContent).toContain('on another website');
    expect(screen.getAllByTestId('md-ref')).toHaveLength(3);

    // Copying images from other websites plans again; the file stays expanded.
    await fireEvent.click(screen.getByTestId('md-remote'));
    await waitFor(() => expect(screen.getByTestId('md-totals').dataset.uploads).toBe('8'));
    expect(plan).toHaveBeenLastCalledWith([MD_ROOT], 'blog', true);
    const again = within(fileRow('posts/hello-world.md')).getAllByTestId('md-ref');
    expect(again[2].dataset.action).toBe('upload');
    expect(again[2].textContent).toContain('https://i.imgur.com/Xy12abc.jpg');
  });

  it('asks before migrating, then shows the progress, each file and the summary', async () => {
    const { mock } = await setup();
    const run = vi.spyOn(mock, 'mdRun');
    await pickFolder();
    await fireEvent.click(screen.getByTestId('md-migrate'));
    const dialog = await waitFor(() => screen.getByTestId('confirm-md'));
    expect(dialog.textContent).toContain('Migrate the images to “blog”?');
    expect(dialog.textContent).toMatch(/Images to upload\s*7\b/);
    expect(dialog.textContent).toMatch(/Markdown files to rewrite\s*5\b/);
    expect(dialog.textContent).toContain('originals are kept');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    expect(run).not.toHaveBeenCalled();

    await fireEvent.click(screen.getByTestId('md-migrate'));
    await fireEvent.click(await waitFor(() => screen.getByTestId('confirm-md-migrate')));
    expect(run).toHaveBeenCalledTimes(1);
    const progress = await waitFor(() => screen.getByTestId('md-progress'));
    expect(progress.dataset.total).toBe('6');
    expect(progress.textContent).toContain('Migrating…');
    expect((screen.getByTestId('md-pick-folder') as HTMLButtonElement).disabled).toBe(true);

    // about.md has no image: it moves the bar, not the list.
    mock.mdStep();
    mock.mdStep();
    await waitFor(() => expect(progress.dataset.done).toBe('2'));
    expect(progress.textContent).toContain('2 of 6 files');
    expect(screen.getByRole('progressbar').getAttribute('aria-valuenow')).toBe('2');
    const first = screen.getAllByTestId('md-result');
    expect(first).toHaveLength(1);
    expect(first[0].textContent).toContain('notes/vault/Daily/2025-01-14.md');
    expect(first[0].textContent).toContain('2 links rewritten');

    mock.mdFinish();
    const summary = await waitFor(() => screen.getByTestId('md-summary'));
    expect(progress.dataset.phase).toBe('done');
    expect(progress.textContent).toContain('Migration finished with problems');
    expect(summary.dataset).toMatchObject({
      filesChanged: '4', filesFailed: '1', uploaded: '5', reused: '1', rewritten: '6', skipped: '4', failed: '1', missing: '2',
    });
    expect(summary.textContent).toMatch(/Files changed\s*4(?!\d)/);
    expect(summary.textContent).toMatch(/Already in the bucket\s*1(?!\d)/);
    expect(summary.textContent).toMatch(/References rewritten\s*6(?!\d)/);
    expect(screen.getByTestId('md-backup').textContent).toMatch(/^\/home\/me\/\.local\/share\/hoist\/markdown-backups\/\d{8}-\d{6}$/);

    const results = screen.getAllByTestId('md-result');
    expect(results).toHaveLength(5);
    const trip = results.find((r) => r.dataset.path!.endsWith('trip-to-lisbon.md'))!;
    expect(trip.dataset.changed).toBe('true');
    expect(trip.textContent).toContain('Upload failed');
    expect(trip.textContent).toContain('the upload timed out after 60 s');
    expect(trip.textContent).toContain('img/old-map.png');
    const failed = results.find((r) => r.dataset.path!.endsWith('周末随笔.md'))!;
    expect(failed.dataset.changed).toBe('false');
    expect(failed.textContent).toContain('Not changed');
    expect(failed.textContent).toContain('it was changed while Hoist worked on it');
  });

  it('undoes the migration and shows each file\'s result', async () => {
    const { mock } = await setup();
    await migrate(mock);
    const undo = vi.spyOn(mock, 'mdUndo');
    await fireEvent.click(screen.getByTestId('md-undo'));
    const lines = await waitFor(() => {
      const l = screen.getAllByTestId('md-undo-line');
      expect(l).toHaveLength(4);
      return l;
    });
    expect(undo).toHaveBeenCalledWith(screen.getByTestId('md-backup').textContent!.split('/').pop());
    expect(lines.map((l) => l.dataset.status)).toEqual(['changed_since', 'restored', 'restored', 'restored']);
    expect(lines[0].textContent).toContain('notes/vault/Daily/2025-01-14.md');
    expect(lines[0].textContent).toContain('Edited since the migration — left as it is');
    expect(lines[0].textContent).toContain('the original is kept in');
    expect(lines[1].textContent).toContain('Restored');
    expect((screen.getByTestId('md-undo') as HTMLButtonElement).disabled).toBe(true);
  });

  it('shows why a plan failed, and plans again', async () => {
    const { mock } = await setup();
    mock.mdPlanError = { code: 'markdown.no_files', message: 'no Markdown files (.md, .markdown, .mdx) there' };
    await fireEvent.click(screen.getByTestId('md-pick-folder'));
    const error = await waitFor(() => screen.getByTestId('md-error'));
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain('Could not plan the migration: no Markdown files (.md, .markdown, .mdx) there');
    expect(screen.queryByTestId('md-totals')).toBeNull();

    mock.mdPlanError = null;
    await fireEvent.click(within(error).getByRole('button', { name: 'Try again' }));
    await waitFor(() => screen.getByTestId('md-totals'));
    expect(screen.queryByTestId('md-error')).toBeNull();
  });

  it('shows why a migration could not start', async () => {
    const { mock } = await setup();
    await pickFolder();
    vi.spyOn(mock, 'mdRun').mockRejectedValueOnce({
      code: 'markdown.no_plan', message: 'this plan is gone (it ran already, or a newer one replaced it): make it again',
    });
    await fireEvent.click(screen.getByTestId('md-migrate'));
    await fireEvent.click(await waitFor(() => screen.getByTestId('confirm-md-migrate')));
    const error = await waitFor(() => screen.getByTestId('md-run-error'));
    expect(error.textContent).toContain('The migration stopped: this plan is gone');
    expect(screen.getByTestId('md-progress').dataset.phase).toBe('failed');
    await fireEvent.click(screen.getByTestId('md-replan'));
    await waitFor(() => expect((screen.getByTestId('md-migrate') as HTMLButtonElement).disabled).toBe(false));
  });

  it('cannot migrate when nothing is to be uploaded', async () => {
    const { mock } = await setup();
    mock.mdPickResult = [`${MD_ROOT}/about.md`];
    await fireEvent.click(screen.getByTestId('md-pick-files'));
    const totals = await waitFor(() => screen.getByTestId('md-totals'));
    expect(totals.textContent).toContain('1 Markdown file');
    expect(totals.textContent).toContain('0 images to upload');
    expect(screen.getByText('None of these Markdown files uses an image.')).toBeTruthy();
    expect((screen.getByTestId('md-migrate') as HTMLButtonElement).disabled).toBe(true);
  });

  it('does nothing when the dialog is cancelled', async () => {
    const { mock } = await setup();
    const plan = vi.spyOn(mock, 'mdPlan');
    mock.mdPickResult = null;
    await fireEvent.click(screen.getByTestId('md-pick-folder'));
    await waitFor(() => expect((screen.getByTestId('md-pick-folder') as HTMLButtonElement).disabled).toBe(false));
    expect(plan).not.toHaveBeenCalled();
    expect(screen.queryByTestId('md-totals')).toBeNull();
  });

  it('plans again for the profile chosen in the header', async () => {
    const { app } = await setup();
    await pickFolder();
    expect(screen.getByText('Planned for blog')).toBeTruthy();
    await app.setActiveProfile('screenshots');
    await waitFor(() => expect(screen.getByText('Planned for screenshots')).toBeTruthy());
    expect(screen.getByText('Images go to screenshots')).toBeTruthy();
  });

  it('lists a thousand files without rendering their references', async () => {
    await setup({ markdownFiles: 1000 });
    const totals = await pickFolder();
    const rows = screen.getAllByTestId('md-file');
    expect(rows.length).toBe(Number(totals.dataset.withImages));
    expect(rows.length).toBeGreaterThan(800);
    expect(screen.queryAllByTestId('md-ref')).toHaveLength(0);
    await fireEvent.click(within(rows[500]).getByRole('button'));
    expect(screen.getAllByTestId('md-ref').length).toBeGreaterThan(0);
    expect(screen.getAllByTestId('md-ref').length).toBeLessThanOrEqual(4);
  });

  it('asks for a profile first when there is none', async () => {
    await setup({ withProfiles: false });
    expect((screen.getByTestId('md-pick-folder') as HTMLButtonElement).disabled).toBe(true);
    expect((screen.getByTestId('md-pick-files') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('Add a profile in Settings before migrating.')).toBeTruthy();
  });
});

describe('App and the Markdown view', () => {
  async function mountApp() {
    const mock = new MockBackend({ historySize: 0, autoProgress: false });
    const app = new AppStore(mock, 0);
    render(App, { props: { app } });
    await waitFor(() => expect(screen.getByTestId('app-root').dataset.ready).toBe('true'));
    return { mock, app };
  }

  it('opens on Markdown files dropped on the window and plans them, without running', async () => {
    const { mock, app } = await mountApp();
    const run = vi.spyOn(mock, 'mdRun');
    app.view = 'history';
    mock.mdOffer(['/home/me/Desktop/post.md']);
    await waitFor(() => expect(screen.getByTestId('tab-markdown').getAttribute('aria-selected')).toBe('true'));
    const totals = await waitFor(() => screen.getByTestId('md-totals'));
    expect(totals.textContent).toContain('1 Markdown file');
    expect(totals.textContent).toContain('1 image to upload');
    expect(screen.getAllByTestId('md-file').map((r) => r.querySelector('.path')!.textContent)).toEqual(['post.md']);
    expect(app.mdPending).toBeNull();
    expect(run).not.toHaveBeenCalled();
  });

  it('has five tabs, Markdown fourth, reached with Ctrl+4 (Settings with Ctrl+5)', async () => {
    await mountApp();
    const tabs = screen.getAllByRole('tab');
    expect(tabs.map((t) => t.dataset.testid)).toEqual(['tab-upload', 'tab-history', 'tab-bucket', 'tab-markdown', 'tab-settings']);
    expect(tabs[3].textContent).toContain('Markdown');
    await fireEvent.keyDown(window, { key: '4', ctrlKey: true });
    await waitFor(() => expect(screen.getByTestId('tab-markdown').getAttribute('aria-selected')).toBe('true'));
    expect(screen.getByTestId('md-pick-folder')).toBeTruthy();
    await fireEvent.keyDown(window, { key: '5', ctrlKey: true });
    await waitFor(() => expect(screen.getByTestId('tab-settings').getAttribute('aria-selected')).toBe('true'));
    await fireEvent.keyDown(window, { key: '6', ctrlKey: true });
    expect(screen.getByTestId('tab-settings').getAttribute('aria-selected')).toBe('true');
  });

  it('shows the view the shell navigates to', async () => {
    const { mock } = await mountApp();
    mock.navigate('markdown');
    await waitFor(() => expect(screen.getByTestId('tab-markdown').getAttribute('aria-selected')).toBe('true'));
  });
});
