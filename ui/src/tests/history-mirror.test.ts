// @vitest-environment jsdom
// Component test: the History view's mirror copies (rows with origin "mirror", the copies of a
// profile's uploads into the profiles it mirrors to): the "Mirror copy" badge by the profile,
// on those rows only, and Retry on a failed copy as on any failed upload; and an upload of a
// profile with a mirror adds the copy's row, marked.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import HistoryView from '../views/HistoryView.svelte';
import { APP_CONTEXT_KEY, AppStore } from '../lib/app.svelte';
import { translate } from '../lib/i18n/core';
import { MockBackend } from '../lib/mock';

// jsdom has no ResizeObserver (the list binds its height); the height stays the default.
vi.stubGlobal('ResizeObserver', class {
  observe() {}
  unobserve() {}
  disconnect() {}
});

async function setup(prepare?: (mock: MockBackend) => void | Promise<void>) {
  const mock = new MockBackend({ historySize: 20, autoProgress: false, now: Date.UTC(2025, 0, 1) });
  await prepare?.(mock);
  const app = new AppStore(mock, 0);
  await app.start();
  app.view = 'history';
  const context = new Map<unknown, unknown>([[APP_CONTEXT_KEY, app]]);
  render(HistoryView, { context });
  await waitFor(() => expect(screen.getAllByTestId('history-row').length).toBeGreaterThan(3));
  return { mock, app };
}

const row = (id: number) => screen.getAllByTestId('history-row').find((r) => r.dataset.id === String(id))!;
const badge = (id: number) => within(row(id)).queryByTestId('history-mirror');

describe('HistoryView: mirror copies', () => {
  it('marks mirror copies next to their profile, and only them', async () => {
    await setup((m) => {
      Object.assign(m.rows.find((r) => r.id === 19)!, { origin: 'mirror', profile: 'screenshots' });
    });
    const b = badge(19)!;
    expect(b.textContent!.trim()).toBe('Mirror copy');
    expect(b.getAttribute('title')).toContain('another profile');
    expect(b.previousElementSibling!.textContent).toBe('screenshots');
    expect(badge(20)).toBeNull();
    expect(badge(18)).toBeNull();
    expect(screen.getAllByTestId('history-mirror')).toHaveLength(1);
    expect(translate('zh-CN', 'history.mirror', {})).toBe('镜像副本');
  });

  it('retries a failed mirror copy as a failed upload', async () => {
    const { mock, app } = await setup((m) => {
      Object.assign(m.rows.find((r) => r.id === 20)!, {
        origin: 'mirror', profile: 'screenshots', status: 'failed', key: null, url: null, bytesOut: null, thumb: null,
        error: 'The endpoint could not be reached: connection refused.',
      });
    });
    const retry = vi.spyOn(mock, 'retry');
    expect(badge(20)!.textContent!.trim()).toBe('Mirror copy');
    await fireEvent.click(within(row(20)).getByRole('button', { name: 'Retry upload' }));
    await waitFor(() => expect(retry).toHaveBeenCalledWith(20));
    expect(app.view).toBe('upload');
    // The copy is made again into its own profile, and stays a mirror copy.
    mock.finishAll();
    const page = await mock.historyPage({ search: '', profile: '', beforeId: null, limit: 1 });
    expect(page.rows[0]).toMatchObject({ status: 'done', origin: 'mirror', profile: 'screenshots' });
    expect(page.rows[0].id).not.toBe(20);
  });

  it('lists the copy an upload of a mirrored profile makes, marked', async () => {
    await setup(async (m) => {
      m.profiles.get('blog')!.config.mirrors = ['screenshots'];
      await m.uploadPaths(['/home/me/cat.png']);
      m.finishAll();
    });
    const [copy, upload] = screen.getAllByTestId('history-row').slice(0, 2);
    expect(upload.textContent).toContain('blog');
    expect(within(upload).queryByTestId('history-mirror')).toBeNull();
    expect(copy.textContent).toContain('screenshots');
    expect(within(copy).getByTestId('history-mirror').textContent!.trim()).toBe('Mirror copy');
  });
});
