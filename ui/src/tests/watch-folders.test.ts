// @vitest-environment jsdom
// Component test: Settings › Watch folders with the mock backend (its folder dialog answers
// /home/me/Pictures/Screenshots, then /home/me/Downloads…): the empty state, Add folder… with
// the defaults saved, a folder already watched refused with a toast, a cancelled dialog, the
// switches and the profile saved for that folder only, two quick clicks both kept, Remove
// without a question, and a refused save shown in place with the switch put back.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { MockBackend, WATCH_PICKS } from '../lib/mock';
import { openSettings, toasts } from './settings-harness';
import type { WatchFolder } from '../lib/types';

const [SHOTS, DOWNLOADS] = WATCH_PICKS;

async function setup(prepare?: (mock: MockBackend) => void, latency = 0) {
  const { mock, app } = await openSettings('watch', { latency }, prepare);
  await waitFor(() => screen.getByTestId('watch-add'));
  const save = vi.spyOn(mock, 'saveSettings');
  return { mock, app, save };
}

const rows = () => screen.queryAllByTestId('watch-folder');
const paths = () => rows().map((r) => r.dataset.path);
const row = (path: string) => rows().find((r) => r.dataset.path === path)!;
const control = <T extends HTMLElement>(path: string, id: string) => within(row(path)).getByTestId(id) as T;
const saved = (mock: MockBackend) => mock.state.settings.watchFolders;
const folder = (path: string, change: Partial<WatchFolder> = {}): WatchFolder =>
  ({ path, profile: '', recursive: false, copyLinks: true, enabled: true, ...change });

async function addFolder(expected: number) {
  await fireEvent.click(screen.getByTestId('watch-add'));
  await waitFor(() => expect(rows()).toHaveLength(expected));
}

describe('Settings › Watch folders', () => {
  it('starts empty and adds two folders with the defaults, each saved at once', async () => {
    const { mock, save } = await setup();
    expect(screen.getByTestId('settings-watch').getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('heading', { name: 'Watch folders' })).toBeTruthy();
    expect(screen.getByTestId('watch-help').textContent).toContain('left alone');
    const empty = screen.getByTestId('watch-empty');
    expect(empty.textContent).toContain('Hoist uploads each new image saved in a watched folder');
    expect(within(empty).getByTestId('watch-add').textContent!.trim()).toBe('Add folder…');
    expect(screen.getAllByTestId('watch-add')).toHaveLength(1);

    await addFolder(1);
    expect(save).toHaveBeenCalledTimes(1);
    expect(saved(mock)).toEqual([folder(SHOTS)]);
    await addFolder(2);
    expect(save).toHaveBeenCalledTimes(2);
    expect(saved(mock)).toEqual([folder(SHOTS), folder(DOWNLOADS)]);
    // The rest of the settings went along unchanged.
    expect(save.mock.calls[1][0]).toMatchObject({ shortcut: 'Ctrl+Alt+U', serverPort: 36677, autoCopy: true });

    expect(paths()).toEqual([SHOTS, DOWNLOADS]);
    expect(screen.queryByTestId('watch-empty')).toBeNull();
    expect(screen.getAllByTestId('watch-add')).toHaveLength(1);
    // The path in full in its title; the controls show the defaults.
    const path = row(SHOTS).querySelector('.path')!;
    expect(path.textContent).toBe(SHOTS);
    expect(path.getAttribute('title')).toBe(SHOTS);
    expect(control<HTMLSelectElement>(SHOTS, 'watch-profile').value).toBe('');
    expect(control<HTMLInputElement>(SHOTS, 'watch-recursive').checked).toBe(false);
    expect(control<HTMLInputElement>(SHOTS, 'watch-copy').checked).toBe(true);
    expect(control<HTMLInputElement>(SHOTS, 'watch-enabled').checked).toBe(true);
    expect(screen.queryByTestId('watch-error')).toBeNull();
    expect(toasts()).toEqual([]);
  });

  it('refuses a folder already watched, with a toast, and saves nothing', async () => {
    const { mock, save } = await setup();
    await addFolder(1);
    mock.watchPickResult = SHOTS;
    await fireEvent.click(screen.getByTestId('watch-add'));
    await waitFor(() => expect(toasts()).toEqual([`info: ${SHOTS} is already watched`]));
    expect(save).toHaveBeenCalledTimes(1);
    expect(paths()).toEqual([SHOTS]);
    expect(saved(mock)).toEqual([folder(SHOTS)]);
  });

  it('adds nothing when the dialog is cancelled', async () => {
    const { mock, save } = await setup((m) => (m.watchPickResult = null));
    const pick = vi.spyOn(mock, 'watchPickFolder');
    await fireEvent.click(screen.getByTestId('watch-add'));
    await waitFor(() => expect(pick).toHaveBeenCalledTimes(1));
    await waitFor(() => expect((screen.getByTestId('watch-add') as HTMLButtonElement).disabled).toBe(false));
    expect(save).not.toHaveBeenCalled();
    expect(rows()).toHaveLength(0);
    expect(screen.getByTestId('watch-empty')).toBeTruthy();
    expect(toasts()).toEqual([]);
    expect(saved(mock)).toEqual([]);
  });

  it('saves each switch and the profile of that folder only', async () => {
    const { mock, save } = await setup();
    await addFolder(1);
    await addFolder(2);
    const select = control<HTMLSelectElement>(DOWNLOADS, 'watch-profile');
    expect([...select.options].map((o) => [o.value, o.textContent!.trim()])).toEqual([
      ['', 'Active profile'], ['blog', 'blog'], ['screenshots', 'screenshots'], ['docs-cn', 'docs-cn'],
    ]);

    await fireEvent.click(control(DOWNLOADS, 'watch-recursive'));
    await waitFor(() => expect(saved(mock)[1]).toEqual(folder(DOWNLOADS, { recursive: true })));
    await fireEvent.click(control(DOWNLOADS, 'watch-copy'));
    await waitFor(() => expect(saved(mock)[1]).toEqual(folder(DOWNLOADS, { recursive: true, copyLinks: false })));
    await fireEvent.click(control(DOWNLOADS, 'watch-enabled'));
    await waitFor(() => expect(saved(mock)[1]).toEqual(folder(DOWNLOADS, { recursive: true, copyLinks: false, enabled: false })));
    await fireEvent.change(select, { target: { value: 'screenshots' } });
    await waitFor(() => expect(saved(mock)[1].profile).toBe('screenshots'));
    expect(saved(mock)).toEqual([
      folder(SHOTS),
      folder(DOWNLOADS, { profile: 'screenshots', recursive: true, copyLinks: false, enabled: false }),
    ]);
    expect(save).toHaveBeenCalledTimes(6);
    expect(row(DOWNLOADS).classList.contains('off')).toBe(true);
    expect(row(SHOTS).classList.contains('off')).toBe(false);

    // Back to the active profile, and on again.
    await fireEvent.change(select, { target: { value: '' } });
    await fireEvent.click(control(DOWNLOADS, 'watch-enabled'));
    await waitFor(() => expect(saved(mock)[1]).toEqual(folder(DOWNLOADS, { recursive: true, copyLinks: false })));
  });

  it('keeps both of two quick clicks (each save starts from the one before)', async () => {
    const { mock, save } = await setup(undefined, 15);
    await addFolder(1);
    await addFolder(2);
    // Neither save has answered when the second click comes.
    void fireEvent.click(control(SHOTS, 'watch-recursive'));
    void fireEvent.click(control(DOWNLOADS, 'watch-copy'));
    await waitFor(() => expect(save).toHaveBeenCalledTimes(4));
    await waitFor(() => expect(saved(mock)).toEqual([folder(SHOTS, { recursive: true }), folder(DOWNLOADS, { copyLinks: false })]));
  });

  it('shows a folder whose profile is gone as it is saved', async () => {
    const { mock } = await setup((m) => {
      m.state.settings.watchFolders = [folder(SHOTS, { profile: 'old-blog' })];
    });
    const select = control<HTMLSelectElement>(SHOTS, 'watch-profile');
    expect(select.value).toBe('old-blog');
    expect(select.selectedOptions[0].textContent!.trim()).toBe('old-blog (no such profile)');
    await fireEvent.change(select, { target: { value: 'blog' } });
    await waitFor(() => expect(saved(mock)).toEqual([folder(SHOTS, { profile: 'blog' })]));
    expect([...select.options].map((o) => o.value)).toEqual(['', 'blog', 'screenshots', 'docs-cn']);
  });

  it('removes a folder without asking, and saves', async () => {
    const { mock, save } = await setup();
    await addFolder(1);
    await addFolder(2);
    const remove = control<HTMLButtonElement>(SHOTS, 'watch-remove');
    expect(remove.getAttribute('title')).toBe('Stop watching this folder (nothing in it is deleted)');
    expect(remove.getAttribute('aria-label')).toBe(`Remove ${SHOTS}`);
    await fireEvent.click(remove);
    await waitFor(() => expect(paths()).toEqual([DOWNLOADS]));
    expect(saved(mock)).toEqual([folder(DOWNLOADS)]);
    expect(save).toHaveBeenCalledTimes(3);
    expect(screen.queryByRole('dialog')).toBeNull();

    await fireEvent.click(control(DOWNLOADS, 'watch-remove'));
    await waitFor(() => expect(rows()).toHaveLength(0));
    expect(saved(mock)).toEqual([]);
    expect(screen.getByTestId('watch-empty')).toBeTruthy();
  });

  it('shows a refused save in plain words beside the list and puts the switch back', async () => {
    const { mock, save } = await setup();
    await addFolder(1);
    mock.saveSettingsError = { code: 'settings.write', message: 'cannot save desktop.toml: the disk is full' };
    const recursive = control<HTMLInputElement>(SHOTS, 'watch-recursive');
    await fireEvent.click(recursive);
    const error = await waitFor(() => screen.getByTestId('watch-error'));
    expect(error.textContent!.trim()).toBe('Not saved: cannot save desktop.toml: the disk is full');
    expect(error.getAttribute('role')).toBe('alert');
    expect(recursive.checked).toBe(false);
    expect(saved(mock)).toEqual([folder(SHOTS)]);
    // Shown in place, not as a toast as well.
    expect(toasts()).toEqual([]);

    // A folder added meanwhile is not listed as if it were watched.
    await fireEvent.click(screen.getByTestId('watch-add'));
    await waitFor(() => expect(save).toHaveBeenCalledTimes(3));
    await waitFor(() => expect((screen.getByTestId('watch-add') as HTMLButtonElement).disabled).toBe(false));
    expect(paths()).toEqual([SHOTS]);

    // The next save that goes through clears it.
    mock.saveSettingsError = null;
    await fireEvent.click(recursive);
    await waitFor(() => expect(screen.queryByTestId('watch-error')).toBeNull());
    expect(saved(mock)).toEqual([folder(SHOTS, { recursive: true })]);
    expect(recursive.checked).toBe(true);
  });

  it('shows the shell’s refusal of a folder that is not a full path', async () => {
    const { mock } = await setup((m) => (m.watchPickResult = 'Pictures'));
    await fireEvent.click(screen.getByTestId('watch-add'));
    const error = await waitFor(() => screen.getByTestId('watch-error'));
    expect(error.textContent!.trim()).toBe('Not saved: a watch folder needs a full path (not "Pictures")');
    expect(rows()).toHaveLength(0);
    expect(saved(mock)).toEqual([]);
  });

  it('speaks Chinese when the language is zh-CN', async () => {
    await setup((m) => (m.state.settings.language = 'zh-CN'));
    expect(screen.getByTestId('settings-watch').textContent!.trim()).toBe('监视文件夹');
    expect(screen.getByTestId('watch-add').textContent!.trim()).toBe('添加文件夹…');
    await addFolder(1);
    expect(control<HTMLSelectElement>(SHOTS, 'watch-profile').options[0].textContent!.trim()).toBe('当前配置');
    expect(control(SHOTS, 'watch-enabled').closest('label')!.textContent!.trim()).toBe('启用');
  });
});
