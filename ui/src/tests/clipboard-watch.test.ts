// @vitest-environment jsdom
// Component test: Settings › General › Clipboard watch with the mock backend: off at first with
// its options hidden; turning it on saves clipboardWatch (the rest of the settings unchanged)
// and shows "Ask before each upload" and "Paused", each saved at once; turning it off hides them
// again; a failed save puts the switch back; why the watch cannot run here shows as a warning
// while it is on; and the words in zh-CN.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import type { MockOptions } from '../lib/mock';
import { MockBackend } from '../lib/mock';
import { openSettings, toasts } from './settings-harness';

const NO_DISPLAY = 'clipboard watch is not available here: there is no X display (a Wayland session without XWayland offers apps no clipboard change notices)';

async function setup(options: MockOptions = {}, prepare?: (mock: MockBackend) => void) {
  const { mock, app } = await openSettings('general', { historySize: 0, ...options }, prepare);
  await waitFor(() => screen.getByTestId('clipwatch'));
  const save = vi.spyOn(mock, 'saveSettings');
  return { mock, app, save };
}

const input = (id: string) => document.getElementById(id) as HTMLInputElement | null;
const main = () => input('set-clipwatch')!;
const confirm = () => input('set-clipwatch-confirm');
const paused = () => input('set-clipwatch-paused');

describe('Settings › General › Clipboard watch', () => {
  it('is off by default, with its options hidden', async () => {
    const { mock } = await setup();
    expect(mock.state.settings).toMatchObject({ clipboardWatch: false, clipboardWatchPaused: false, clipboardWatchConfirm: false });
    expect(mock.state.clipboardWatchError).toBeNull();
    const group = screen.getByRole('group', { name: 'Clipboard watch' });
    expect(group).toBe(screen.getByTestId('clipwatch'));
    expect(screen.getByLabelText('Upload images I copy')).toBe(main());
    expect(group.contains(main())).toBe(true);
    expect(main().checked).toBe(false);
    expect(main().getAttribute('role')).toBe('switch');
    expect(document.getElementById(main().getAttribute('aria-describedby')!)!.textContent)
      .toContain('Text, files and Hoist’s own links are left alone.');
    expect(confirm()).toBeNull();
    expect(paused()).toBeNull();
    expect(screen.queryByLabelText('Ask before each upload')).toBeNull();
    expect(screen.queryByLabelText('Paused')).toBeNull();
    expect(screen.queryByTestId('clipwatch-error')).toBeNull();
  });

  it('turning it on saves clipboardWatch at once and shows its options; off hides them', async () => {
    const { mock, save } = await setup();
    await fireEvent.click(main());
    await waitFor(() => expect(mock.state.settings.clipboardWatch).toBe(true));
    expect(save).toHaveBeenCalledTimes(1);
    // The rest of the settings went along unchanged.
    expect(save.mock.calls[0][0]).toMatchObject({
      clipboardWatch: true, clipboardWatchPaused: false, clipboardWatchConfirm: false,
      shortcut: 'Ctrl+Alt+U', autoCopy: true, serverPort: 36677, watchFolders: [],
    });
    await waitFor(() => expect(confirm()).not.toBeNull());
    expect(main().checked).toBe(true);
    expect(screen.getByLabelText('Ask before each upload')).toBe(confirm());
    expect(screen.getByLabelText('Paused')).toBe(paused());
    expect(confirm()!.checked).toBe(false);
    expect(paused()!.checked).toBe(false);
    expect(document.getElementById(paused()!.getAttribute('aria-describedby')!)!.textContent)
      .toBe('Also in the tray menu: Pause clipboard watch. Copies made while paused are never uploaded.');
    expect(screen.queryByTestId('clipwatch-error')).toBeNull();

    await fireEvent.click(confirm()!);
    await waitFor(() => expect(mock.state.settings.clipboardWatchConfirm).toBe(true));
    expect(confirm()!.checked).toBe(true);

    await fireEvent.click(main());
    await waitFor(() => expect(mock.state.settings.clipboardWatch).toBe(false));
    await waitFor(() => expect(confirm()).toBeNull());
    expect(paused()).toBeNull();
    // The options are kept for the next time.
    expect(mock.state.settings.clipboardWatchConfirm).toBe(true);
    expect(save).toHaveBeenCalledTimes(3);
  });

  it('pausing saves clipboardWatchPaused, and a pause from the tray shows', async () => {
    const { mock, app, save } = await setup();
    await fireEvent.click(main());
    await waitFor(() => expect(paused()).not.toBeNull());
    await fireEvent.click(paused()!);
    await waitFor(() => expect(mock.state.settings.clipboardWatchPaused).toBe(true));
    expect(save).toHaveBeenLastCalledWith(expect.objectContaining({ clipboardWatch: true, clipboardWatchPaused: true }));
    expect(paused()!.checked).toBe(true);

    // The tray's "Pause clipboard watch" flips it in the shell; the new state shows here.
    app.setState({ ...app.state!, settings: { ...app.state!.settings, clipboardWatchPaused: false } });
    await waitFor(() => expect(paused()!.checked).toBe(false));
  });

  it('puts the switch back when the save fails', async () => {
    const { mock } = await setup({}, (m) => {
      m.saveSettingsError = { code: 'settings.write', message: 'The disk is full.' };
    });
    await fireEvent.click(main());
    await waitFor(() => expect(toasts()).toEqual(['error: The disk is full.']));
    expect(main().checked).toBe(false);
    expect(mock.state.settings.clipboardWatch).toBe(false);
    expect(confirm()).toBeNull();
  });

  it('shows why the watch cannot run here while it is on', async () => {
    const { mock } = await setup({}, (m) => {
      m.clipboardWatchUnavailable = NO_DISPLAY;
    });
    // Off: nothing to report.
    expect(screen.queryByTestId('clipwatch-error')).toBeNull();
    await fireEvent.click(main());
    const notice = await waitFor(() => screen.getByTestId('clipwatch-error'));
    expect(mock.state.clipboardWatchError).toBe(NO_DISPLAY);
    expect(notice.getAttribute('role')).toBe('alert');
    expect(notice.classList.contains('warning')).toBe(true);
    expect(notice.textContent!.trim()).toBe(`Clipboard watch not active: ${NO_DISPLAY}`);
    expect(screen.getByTestId('clipwatch').contains(notice)).toBe(true);
    // Not the shortcut's notice.
    expect(screen.queryByTestId('shortcut-error')).toBeNull();

    await fireEvent.click(main());
    await waitFor(() => expect(screen.queryByTestId('clipwatch-error')).toBeNull());
    expect(mock.state.clipboardWatchError).toBeNull();
  });

  it('shows an error the state carries at start', async () => {
    await setup({}, (m) => {
      m.state.settings.clipboardWatch = true;
      m.state.clipboardWatchError = NO_DISPLAY;
    });
    expect(main().checked).toBe(true);
    expect(screen.getByTestId('clipwatch-error').textContent).toContain('there is no X display');
  });

  it('shows no error while the watch is off, whatever the state carries', async () => {
    await setup({}, (m) => {
      m.state.clipboardWatchError = NO_DISPLAY;
    });
    expect(main().checked).toBe(false);
    expect(screen.queryByTestId('clipwatch-error')).toBeNull();
  });

  it('speaks zh-CN', async () => {
    await setup({}, (m) => {
      m.state.settings.language = 'zh-CN';
      m.state.settings.clipboardWatch = true;
    });
    const group = screen.getByTestId('clipwatch');
    expect(within(group).getByText('剪贴板监听')).toBeTruthy();
    expect(screen.getByLabelText('上传我复制的图片')).toBe(main());
    expect(screen.getByLabelText('每次上传前询问')).toBe(confirm());
    expect(screen.getByLabelText('已暂停')).toBe(paused());
  });
});
