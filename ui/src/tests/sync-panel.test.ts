// @vitest-environment jsdom
// Component test: Settings › Sync with the mock backend (off at first; turned on, this device is
// 3f9a2c0d11e4b7a5 and one other device, a1b2c3d4e5f60718, has 12 batches applied; docs-cn has
// no secret here): the off state and its form, Turn on disabled until the passphrases are long
// enough and the same, a wrong passphrase shown in place with nothing changed, the on state
// (profile, device, last sync, the other device, the profiles needing a secret), a background
// sync followed through `sync://state`, a failed Sync now shown as the last error, Forget after
// its question, Turn off after its question, and the History view reloading when a sync changed
// the history.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import HistoryView from '../views/HistoryView.svelte';
import { APP_CONTEXT_KEY, AppStore } from '../lib/app.svelte';
import { MockBackend, SYNC_DEVICE, SYNC_OTHER_DEVICE, SYNC_WRONG_PASSPHRASE } from '../lib/mock';
import { openSettings, toasts } from './settings-harness';

async function setup(prepare?: (mock: MockBackend) => void, latency = 0) {
  const { mock, app } = await openSettings('sync', { latency }, prepare);
  await waitFor(() => screen.getByTestId(mock.sync.enabled ? 'sync-on' : 'sync-off'));
  return { mock, app };
}

const el = <T extends HTMLElement>(id: string) => screen.getByTestId(id) as T;
const enableButton = () => el<HTMLButtonElement>('sync-enable');
const devices = () => screen.queryAllByTestId('sync-device').map((d) => d.dataset.id);
const text = (id: string) => el(id).textContent!.replace(/\s+/g, ' ').trim();

async function fill(passphrase: string, again = passphrase, name = '') {
  if (name) await fireEvent.input(el('sync-device-name'), { target: { value: name } });
  await fireEvent.input(el('sync-passphrase'), { target: { value: passphrase } });
  await fireEvent.input(el('sync-passphrase2'), { target: { value: again } });
}

async function turnOn(name = 'work laptop') {
  await fill('correct horse battery', 'correct horse battery', name);
  await fireEvent.click(enableButton());
  await waitFor(() => screen.getByTestId('sync-on'));
}

describe('Settings › Sync', () => {
  it('shows the off state: what sync is, the form with the active profile, the bucket note', async () => {
    await setup();
    expect(el('settings-sync').getAttribute('aria-current')).toBe('page');
    expect(screen.getByRole('heading', { name: 'Sync' })).toBeTruthy();
    const off = el('sync-off');
    expect(off.textContent).toContain('end-to-end encrypted with a passphrase');
    expect(off.textContent).toContain('Hoist has no server');
    expect(off.textContent).toContain('Use the same passphrase on every device');
    expect(off.textContent).toContain('.hoist/');
    expect(screen.queryByTestId('sync-on')).toBeNull();

    const select = el<HTMLSelectElement>('sync-profile');
    expect([...select.options].map((o) => o.value)).toEqual(['blog', 'screenshots', 'docs-cn']);
    expect(select.value).toBe('blog');
    expect(el<HTMLInputElement>('sync-device-name').placeholder).toBe('The computer’s name');
    expect(el<HTMLInputElement>('sync-passphrase').type).toBe('password');
    expect(el<HTMLInputElement>('sync-passphrase2').type).toBe('password');
    expect(enableButton().textContent!.trim()).toBe('Turn on sync');
    expect(enableButton().disabled).toBe(true);
    expect(screen.queryByTestId('sync-error')).toBeNull();
  });

  it('keeps Turn on disabled until the passphrase has 8 characters and both are the same', async () => {
    await setup();
    await fill('short', 'short');
    expect(enableButton().disabled).toBe(true);
    expect(el('sync-off').textContent).toContain('At least 8 characters');

    await fill('long enough', 'long enougj');
    expect(enableButton().disabled).toBe(true);
    expect(el('sync-off').textContent).toContain('The two passphrases are not the same');
    expect(el('sync-passphrase2').getAttribute('aria-invalid')).toBe('true');

    await fill('long enough', 'long enough');
    expect(enableButton().disabled).toBe(false);
    expect(el('sync-off').textContent).not.toContain('not the same');
    expect(el('sync-off').textContent).not.toContain('At least 8 characters');
  });

  it('shows a wrong passphrase in place and changes nothing', async () => {
    const { mock } = await setup();
    const enable = vi.spyOn(mock, 'syncEnable');
    await fill(SYNC_WRONG_PASSPHRASE);
    await fireEvent.click(enableButton());
    const error = await waitFor(() => screen.getByTestId('sync-error'));
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain("the sync passphrase is not the one this bucket's sync was set up with; nothing was changed");
    expect(error.textContent).toContain('Enter the passphrase you chose');
    expect(enable).toHaveBeenCalledWith('blog', SYNC_WRONG_PASSPHRASE, '');
    expect(mock.sync.enabled).toBe(false);
    expect(screen.getByTestId('sync-off')).toBeTruthy();
    expect(toasts()).toEqual([]);
  });

  it('shows busy while turning on, then the on state with the last sync and the other device', async () => {
    const { mock } = await setup(undefined, 30);
    const enable = vi.spyOn(mock, 'syncEnable');
    await fireEvent.change(el('sync-profile'), { target: { value: 'screenshots' } });
    await fill('correct horse battery', 'correct horse battery', '  work laptop ');
    await fireEvent.click(enableButton());
    await waitFor(() => expect(enableButton().textContent!.trim()).toBe('Turning on…'));
    expect(enableButton().disabled).toBe(true);
    expect(el<HTMLInputElement>('sync-passphrase').disabled).toBe(true);

    await waitFor(() => screen.getByTestId('sync-on'));
    expect(enable).toHaveBeenCalledWith('screenshots', 'correct horse battery', 'work laptop');
    expect(screen.queryByTestId('sync-off')).toBeNull();
    expect(text('sync-through')).toBe('Syncing through the bucket of profile screenshots');
    expect(text('sync-this-device')).toBe(`This device: work laptop (${SYNC_DEVICE})`);
    expect(text('sync-last')).toBe('Last sync: now');
    expect(screen.queryByTestId('sync-running')).toBeNull();
    expect(screen.queryByTestId('sync-last-error')).toBeNull();
    expect(screen.queryByTestId('sync-pending')).toBeNull();
    expect(devices()).toEqual([SYNC_OTHER_DEVICE]);
    expect(screen.getByTestId('sync-device').textContent).toContain('12 batches applied');
    expect(text('sync-device-name-shown')).toBe('Studio iMac');
    // docs-cn has no secret here: as if it came from another device.
    const needs = el('sync-needs-secret');
    expect(needs.textContent).toContain('without their secret (secrets never sync)');
    expect(needs.textContent).toContain('docs-cn');
    expect(toasts()).toEqual(['success: Sync is on']);
  });

  it('names the device "this device" when no name is given, and opens Profiles from the notice', async () => {
    await setup();
    await fill('correct horse battery');
    await fireEvent.click(enableButton());
    await waitFor(() => screen.getByTestId('sync-on'));
    expect(text('sync-this-device')).toBe(`This device: this device (${SYNC_DEVICE})`);
    await fireEvent.click(el('sync-open-profiles'));
    expect(el('settings-profiles').getAttribute('aria-current')).toBe('page');
  });

  it('follows a background sync, and shows a failed Sync now as the last error', async () => {
    const { mock } = await setup();
    await turnOn();
    mock.syncEvent({ running: true });
    await waitFor(() => screen.getByTestId('sync-running'));
    expect(text('sync-running')).toBe('Syncing…');
    expect(el<HTMLButtonElement>('sync-now').disabled).toBe(true);
    mock.syncEvent({ running: false, pending: 3, lastSyncMs: Date.now() - 2 * 3_600_000 });
    await waitFor(() => expect(screen.queryByTestId('sync-running')).toBeNull());
    expect(text('sync-pending')).toBe('3 batches of changes wait to be sent');
    expect(text('sync-last')).toBe('Last sync: 2 hours ago');

    mock.syncNowError = { code: 'sync.offline', message: 'reading the sync log: connection refused' };
    const now = el<HTMLButtonElement>('sync-now');
    expect(now.disabled).toBe(false);
    await fireEvent.click(now);
    const error = await waitFor(() => screen.getByTestId('sync-last-error'));
    expect(error.getAttribute('role')).toBe('alert');
    expect(error.textContent).toContain('reading the sync log: connection refused');
    expect(text('sync-last')).toBe('Last sync: 2 hours ago');
    expect(toasts()).toEqual(['success: Sync is on']);

    mock.syncNowError = null;
    await fireEvent.click(el('sync-now'));
    await waitFor(() => expect(screen.queryByTestId('sync-last-error')).toBeNull());
    expect(text('sync-last')).toBe('Last sync: now');
    expect(screen.queryByTestId('sync-pending')).toBeNull();
  });

  it('forgets a device after its question', async () => {
    const { mock } = await setup();
    await turnOn();
    const forget = vi.spyOn(mock, 'syncForget');
    await fireEvent.click(within(screen.getByTestId('sync-device')).getByTestId('sync-forget'));
    const dialog = el('sync-forget-dialog');
    expect(dialog.textContent).toContain(`Forget device ${SYNC_OTHER_DEVICE}?`);
    expect(dialog.textContent).toContain('A snapshot first keeps');
    expect(forget).not.toHaveBeenCalled();

    // Cancel asks nothing of the shell.
    await fireEvent.click(within(dialog).getByText('Cancel'));
    expect(forget).not.toHaveBeenCalled();
    expect(devices()).toEqual([SYNC_OTHER_DEVICE]);

    await fireEvent.click(screen.getByTestId('sync-forget'));
    await fireEvent.click(el('sync-confirm-forget'));
    await waitFor(() => expect(devices()).toEqual([]));
    expect(forget).toHaveBeenCalledWith(SYNC_OTHER_DEVICE);
    expect(el('sync-no-devices').textContent).toContain('No other device');
    expect(toasts()).toContain(`success: Device ${SYNC_OTHER_DEVICE} forgotten`);
  });

  it('turns sync off after its question and returns to the off state', async () => {
    const { mock } = await setup();
    await turnOn();
    const disable = vi.spyOn(mock, 'syncDisable');
    await fireEvent.click(el('sync-disable'));
    const dialog = el('sync-disable-dialog');
    expect(dialog.textContent).toContain('The history and profiles on this device stay');
    expect(dialog.textContent).toContain('The bucket keeps the sync data for your other devices');
    expect(disable).not.toHaveBeenCalled();
    await fireEvent.click(el('sync-confirm-disable'));
    await waitFor(() => screen.getByTestId('sync-off'));
    expect(disable).toHaveBeenCalledTimes(1);
    expect(mock.sync.enabled).toBe(false);
    expect(screen.queryByTestId('sync-on')).toBeNull();
    // The form starts over.
    expect(el<HTMLInputElement>('sync-passphrase').value).toBe('');
    expect(enableButton().disabled).toBe(true);
    expect(toasts()).toContain('success: Sync is off on this device');
  });

  it('loads the status on mount when sync is already on', async () => {
    const { mock } = await setup();
    await turnOn('desk');
    // Another section and back: the panel reads the status again.
    await fireEvent.click(el('settings-general'));
    expect(screen.queryByTestId('sync-on')).toBeNull();
    const status = vi.spyOn(mock, 'syncStatus');
    await fireEvent.click(el('settings-sync'));
    await waitFor(() => screen.getByTestId('sync-on'));
    expect(status).toHaveBeenCalledTimes(1);
    expect(text('sync-this-device')).toBe(`This device: desk (${SYNC_DEVICE})`);
  });
});

describe('HistoryView and sync', () => {
  it('reloads the first page when the shell says the history changed', async () => {
    vi.stubGlobal('ResizeObserver', class {
      observe() {}
      unobserve() {}
      disconnect() {}
    });
    const mock = new MockBackend({ historySize: 10, autoProgress: false });
    const app = new AppStore(mock, 0);
    await app.start();
    app.view = 'history';
    const context = new Map<unknown, unknown>([[APP_CONTEXT_KEY, app]]);
    render(HistoryView, { context });
    await waitFor(() => expect(screen.getByTestId('history-total').dataset.total).toBe('10'));
    // A sync brought a row (added here as the Bucket view would, without telling the view).
    await mock.bucketAdopt('blog', [{ key: 'synced/from-laptop.png', size: 1234, modified_ms: Date.now() }]);
    expect(screen.getByTestId('history-total').dataset.total).toBe('10');
    mock.historyChanged();
    await waitFor(() => expect(screen.getByTestId('history-total').dataset.total).toBe('11'));
    vi.unstubAllGlobals();
  });
});
