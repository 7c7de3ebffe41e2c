// @vitest-environment jsdom
// Component test: the History view's Check links with the mock backend's sample history (60
// uploads; the broken ones are blog's #60, 404 with its source kept, and #43, 403 with its
// source gone, and screenshots' #57, refused with its source kept; docs-cn's all work): the
// summary and the broken rows, the profile of the filter, Upload N again (exactly the
// reuploadable ids, the toast, the rows updated), all links working, a failed check with Retry,
// a refused re-upload, and the button while a check runs (also across another view).
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import HistoryView from '../views/HistoryView.svelte';
import Toasts from '../components/Toasts.svelte';
import { APP_CONTEXT_KEY, AppStore } from '../lib/app.svelte';
import { MockBackend } from '../lib/mock';

// jsdom has no ResizeObserver (the list binds its height); the height stays the default.
vi.stubGlobal('ResizeObserver', class {
  observe() {}
  unobserve() {}
  disconnect() {}
});

async function setup(prepare?: (mock: MockBackend) => void) {
  const mock = new MockBackend({ historySize: 60, autoProgress: false, now: Date.UTC(2025, 0, 1) });
  prepare?.(mock);
  const app = new AppStore(mock, 0);
  await app.start();
  app.view = 'history';
  const context = new Map<unknown, unknown>([[APP_CONTEXT_KEY, app]]);
  const view = render(HistoryView, { context });
  render(Toasts, { context });
  await waitFor(() => expect(screen.getByTestId('history-total').dataset.total).toBe('60'));
  return { mock, app, view, context };
}

const button = () => screen.getByTestId('history-check') as HTMLButtonElement;
const summary = () => waitFor(() => screen.getByTestId('history-check-summary'));
const brokenIds = () => screen.queryAllByTestId('history-broken').map((r) => Number(r.dataset.id));
const broken = (id: number) => screen.getAllByTestId('history-broken').find((r) => r.dataset.id === String(id))!;
const sourceOf = (id: number) => within(broken(id)).getByTestId('history-broken-source').textContent!.trim();
const toasts = () => screen.queryAllByTestId('toast').map((t) => `${t.dataset.kind}: ${t.textContent!.trim()}`);

async function filterBy(profile: string) {
  await fireEvent.change(screen.getByTestId('history-profile'), { target: { value: profile } });
}

describe('HistoryView: Check links', () => {
  it('checks every profile and shows the summary and the broken uploads with their reasons', async () => {
    const { mock } = await setup((m) => {
      // Two uploads of the same bytes share a link: asked once.
      m.rows.find((r) => r.id === 56)!.url = m.rows.find((r) => r.id === 54)!.url;
    });
    const check = vi.spyOn(mock, 'historyCheck');
    expect(button().textContent!.trim()).toBe('Check links');
    expect(screen.queryByTestId('history-check-result')).toBeNull();

    await fireEvent.click(button());
    const line = await summary();
    expect(check).toHaveBeenCalledTimes(1);
    expect(check).toHaveBeenCalledWith(null);
    expect(line.textContent!.trim()).toBe('58 uploads, 57 links checked: 3 broken');
    expect([line.dataset.uploads, line.dataset.links, line.dataset.broken]).toEqual(['58', '57', '3']);
    const panel = screen.getByTestId('history-check-result');
    expect(panel.getAttribute('aria-label')).toBe('Links of all profiles');

    // Newest first, as the shell sends them.
    expect(brokenIds()).toEqual([60, 57, 43]);
    const reasons = screen.getAllByTestId('history-broken-reason').map((r) => r.textContent!.trim());
    expect(reasons).toEqual(['404 Not Found', 'connection refused', '403 Forbidden']);

    const first = broken(60);
    expect(first.textContent).toContain('dashboard.heic');
    expect(first.textContent).toContain('blog');
    const url = first.querySelector('.url')!;
    expect(url.textContent).toBe('https://img.example.com/2024/12/3028ce348379.webp');
    expect(url.getAttribute('title')).toBe('https://img.example.com/2024/12/3028ce348379.webp');
    expect(broken(57).querySelector('.url')!.textContent).toBe('http://127.0.0.1:9000/screenshots/2024/12/eb0c993b70e8.webp');
    expect(broken(57).textContent).toContain('screenshots');

    // Kept sources can be uploaded again; a gone one says it cannot be fixed here, and why.
    expect(sourceOf(60)).toBe('Source kept');
    expect(sourceOf(57)).toBe('Source kept');
    expect(sourceOf(43)).toBe('Source gone: cannot be fixed from here');
    expect(broken(43).dataset.reuploadable).toBe('false');
    expect(panel.textContent).toContain('Hoist no longer has the file it was uploaded from');
    expect(screen.getByTestId('history-reupload').textContent!.trim()).toBe('Upload 2 again');

    // Closed, it is gone until the next check.
    await fireEvent.click(screen.getByTestId('history-check-close'));
    expect(screen.queryByTestId('history-check-result')).toBeNull();
  });

  it('checks the profile chosen in the filter only', async () => {
    const { mock } = await setup();
    const check = vi.spyOn(mock, 'historyCheck');
    await filterBy('blog');
    await fireEvent.click(button());
    const line = await summary();
    expect(check).toHaveBeenCalledWith('blog');
    expect(line.textContent!.trim()).toBe('21 uploads, 21 links checked: 2 broken');
    expect(screen.getByTestId('history-check-result').getAttribute('aria-label')).toBe('Links of blog');
    expect(brokenIds()).toEqual([60, 43]);
    expect(screen.getByTestId('history-reupload').textContent!.trim()).toBe('Upload 1 again');
  });

  it('uploads again exactly the reuploadable ones, says so, and marks them', async () => {
    const { mock, app } = await setup();
    const reupload = vi.spyOn(mock, 'historyReupload');
    await fireEvent.click(button());
    await summary();
    await fireEvent.click(screen.getByTestId('history-reupload'));
    await waitFor(() => expect(toasts()).toContain('success: 2 uploads started again; their links will work once they finish'));
    expect(reupload).toHaveBeenCalledTimes(1);
    expect(reupload).toHaveBeenCalledWith([60, 57]);
    expect(mock.reuploads).toEqual([[60, 57]]);

    // The panel stays with the rows updated; nothing is offered twice.
    expect(screen.queryByTestId('history-reupload')).toBeNull();
    expect(sourceOf(60)).toBe('Upload started again');
    expect(sourceOf(57)).toBe('Upload started again');
    expect(sourceOf(43)).toBe('Source gone: cannot be fixed from here');
    expect(screen.getByTestId('history-check-summary').textContent!.trim()).toBe('58 uploads, 58 links checked: 3 broken');

    // They run as any upload (one batch per profile), into their own rows and links.
    await waitFor(() => expect([...app.jobs.byId.values()].map((j) => j.name)).toEqual(['dashboard.heic', 'mockup.webp']));
    mock.finishAll();
    await waitFor(() => expect(app.batchesDone).toBe(2));
    await fireEvent.click(button());
    await waitFor(() => expect(screen.getByTestId('history-check-summary').textContent!.trim()).toBe('58 uploads, 58 links checked: 1 broken'));
    expect(brokenIds()).toEqual([43]);
    expect(screen.queryByTestId('history-reupload')).toBeNull();
  });

  it('says "1 upload" when one starts again', async () => {
    const { mock } = await setup();
    await filterBy('screenshots');
    await fireEvent.click(button());
    expect((await summary()).textContent!.trim()).toBe('22 uploads, 22 links checked: 1 broken');
    await fireEvent.click(screen.getByTestId('history-reupload'));
    await waitFor(() => expect(toasts()).toContain('success: 1 upload started again; its link will work once it finishes'));
    expect(mock.reuploads).toEqual([[57]]);
  });

  it('shows why a re-upload was refused, and keeps the button', async () => {
    const { mock } = await setup();
    await filterBy('blog');
    await fireEvent.click(button());
    await summary();
    // The upload left the history after the check.
    await mock.deleteRecord(60);
    await fireEvent.click(screen.getByTestId('history-reupload'));
    const error = await waitFor(() => screen.getByTestId('history-reupload-error'));
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent!.trim()).toBe('Could not upload again: none of these uploads exist any more');
    expect(mock.reuploads).toEqual([[60]]);
    expect(toasts().filter((t) => t.startsWith('success'))).toEqual([]);
    expect(sourceOf(60)).toBe('Source kept');
    expect(screen.getByTestId('history-reupload').textContent!.trim()).toBe('Upload 1 again');
  });

  it('says when every link works', async () => {
    const { mock } = await setup();
    const reupload = vi.spyOn(mock, 'historyReupload');
    await filterBy('docs-cn');
    await fireEvent.click(button());
    const line = await summary();
    expect(line.textContent!.trim()).toBe('All 15 links work');
    expect(line.dataset.broken).toBe('0');
    expect(line.classList.contains('ok')).toBe(true);
    expect(screen.queryAllByTestId('history-broken')).toHaveLength(0);
    expect(screen.queryByTestId('history-reupload')).toBeNull();
    expect(reupload).not.toHaveBeenCalled();
  });

  it('shows a failed check in plain words, with Retry for the same profile', async () => {
    const { mock } = await setup((m) => {
      m.historyCheckError = { code: 'internal', message: 'the history database is locked by another Hoist' };
    });
    const check = vi.spyOn(mock, 'historyCheck');
    await filterBy('blog');
    await fireEvent.click(button());
    const error = await waitFor(() => screen.getByTestId('history-check-error'));
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent!.trim()).toBe('Could not check the links: the history database is locked by another Hoist');
    expect(screen.queryByTestId('history-check-summary')).toBeNull();
    expect(screen.queryAllByTestId('history-broken')).toHaveLength(0);
    expect(button().disabled).toBe(false);

    // Retry checks the same profile, even with the filter changed since.
    mock.historyCheckError = null;
    await filterBy('docs-cn');
    await fireEvent.click(screen.getByTestId('history-check-retry'));
    await waitFor(() => expect(screen.getByTestId('history-check-summary').textContent!.trim()).toBe('21 uploads, 21 links checked: 2 broken'));
    expect(check.mock.calls).toEqual([['blog'], ['blog']]);
    expect(screen.queryByTestId('history-check-error')).toBeNull();
  });

  it('disables the button while a check runs, starts it once, and keeps it across views', async () => {
    const { mock, app, view, context } = await setup();
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const real = mock.historyCheck.bind(mock);
    const check = vi.spyOn(mock, 'historyCheck').mockImplementation(async (p) => {
      await gate;
      return real(p);
    });

    await fireEvent.click(button());
    await waitFor(() => expect(button().disabled).toBe(true));
    expect(screen.getByTestId('history-check-running').textContent!.trim()).toBe('Checking links…');
    expect(button().getAttribute('aria-busy')).toBe('true');
    await fireEvent.click(button());
    await app.linkCheck.check('blog');
    expect(check).toHaveBeenCalledTimes(1);
    expect(screen.queryByTestId('history-check-result')).toBeNull();

    // Another view and back: still running, still one check.
    view.unmount();
    render(HistoryView, { context });
    await waitFor(() => expect(button().disabled).toBe(true));
    expect(screen.getByTestId('history-check-running')).toBeTruthy();

    release();
    const line = await summary();
    expect(line.textContent!.trim()).toBe('58 uploads, 58 links checked: 3 broken');
    expect(button().disabled).toBe(false);
    expect(screen.queryByTestId('history-check-running')).toBeNull();
    expect(button().textContent!.trim()).toBe('Check links');
    expect(check).toHaveBeenCalledTimes(1);
    expect(check).toHaveBeenCalledWith(null);
  });
});
