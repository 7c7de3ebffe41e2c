// @vitest-environment jsdom
// Component test: Settings › General › Per-profile shortcuts with the mock backend (its sample
// "screenshots" profile has Ctrl+Alt+S, the Upload clipboard shortcut is Ctrl+Alt+U, and
// Ctrl+Alt+T is "taken by another application"): a row per profile with its key, a recorded or
// typed key saved into the map with the others kept, Clear deleting the key, a key already used
// refused with a toast and put back, a registration problem shown under the block, and no block
// without profiles.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { MockBackend, type MockOptions } from '../lib/mock';
import { openSettings, toasts } from './settings-harness';

async function setup(options: MockOptions = {}) {
  const { mock, app } = await openSettings('general', { historySize: 0, ...options });
  await waitFor(() => screen.getByLabelText('Global shortcut'));
  const save = vi.spyOn(mock, 'saveSettings');
  return { mock, app, save };
}

const rows = () => screen.queryAllByTestId('profile-shortcut');
const row = (name: string) => rows().find((r) => r.dataset.name === name)!;
const field = (name: string) => within(row(name)).getByTestId('shortcut-input') as HTMLInputElement;
const button = (name: string, label: string) => within(row(name)).getByRole('button', { name: label }) as HTMLButtonElement;
const saved = (mock: MockBackend) => mock.state.settings.profileShortcuts;

async function typeKey(name: string, value: string) {
  await fireEvent.input(field(name), { target: { value } });
  await fireEvent.keyDown(field(name), { key: 'Enter' });
}

describe('Settings › General › Per-profile shortcuts', () => {
  it('shows a row per profile with its saved key, under the global shortcut', async () => {
    await setup();
    const block = screen.getByTestId('profile-shortcuts');
    expect(screen.getByRole('group', { name: 'Per-profile shortcuts' })).toBe(block);
    expect(block.textContent).toContain('Upload the clipboard with this profile, whichever is active.');
    expect(rows().map((r) => r.dataset.name)).toEqual(['blog', 'screenshots', 'docs-cn']);
    expect(rows().map((r) => within(r).getByTestId('shortcut-input').id)).toEqual(['gen-pshortcut-0', 'gen-pshortcut-1', 'gen-pshortcut-2']);
    expect(screen.getByLabelText('screenshots')).toBe(field('screenshots'));
    expect(field('blog').value).toBe('');
    expect(field('screenshots').value).toBe('Ctrl+Alt+S');
    expect(field('docs-cn').value).toBe('');
    expect(field('blog').getAttribute('aria-describedby')).toBe('gen-pshortcuts-hint');
    expect(button('blog', 'Clear').disabled).toBe(true);
    expect(button('screenshots', 'Clear').disabled).toBe(false);
    // The global shortcut is still its own row.
    expect((screen.getByLabelText('Global shortcut') as HTMLInputElement).value).toBe('Ctrl+Alt+U');
    expect(screen.queryByTestId('shortcut-error')).toBeNull();
  });

  it('saves a recorded key into the map, keeping the other profiles’ keys', async () => {
    const { mock, save } = await setup();
    await fireEvent.click(button('blog', 'Record'));
    await fireEvent.keyDown(field('blog'), { key: 'b', code: 'KeyB', ctrlKey: true, altKey: true });
    await waitFor(() => expect(saved(mock)).toEqual({ screenshots: 'Ctrl+Alt+S', blog: 'Ctrl+Alt+B' }));
    expect(save).toHaveBeenCalledTimes(1);
    // The rest of the settings went along unchanged.
    expect(save.mock.calls[0][0]).toMatchObject({ shortcut: 'Ctrl+Alt+U', serverPort: 36677, watchFolders: [] });
    expect(field('blog').value).toBe('Ctrl+Alt+B');

    // A typed key (Enter saves; leaving the field then saves nothing more).
    await typeKey('docs-cn', ' Ctrl+Shift+D ');
    await waitFor(() => expect(saved(mock)).toEqual({ screenshots: 'Ctrl+Alt+S', blog: 'Ctrl+Alt+B', 'docs-cn': 'Ctrl+Shift+D' }));
    await fireEvent.blur(field('docs-cn'));
    expect(save).toHaveBeenCalledTimes(2);

    // Changing one key replaces it.
    await typeKey('screenshots', 'Ctrl+Alt+P');
    await waitFor(() => expect(saved(mock)!.screenshots).toBe('Ctrl+Alt+P'));
    expect(saved(mock)).toEqual({ screenshots: 'Ctrl+Alt+P', blog: 'Ctrl+Alt+B', 'docs-cn': 'Ctrl+Shift+D' });
    expect(toasts()).toEqual([]);
  });

  it('deletes the key when cleared, by the button or an emptied field', async () => {
    const { mock, save } = await setup();
    await typeKey('blog', 'Ctrl+Alt+B');
    await waitFor(() => expect(saved(mock)).toEqual({ screenshots: 'Ctrl+Alt+S', blog: 'Ctrl+Alt+B' }));

    await fireEvent.click(button('screenshots', 'Clear'));
    await waitFor(() => expect(saved(mock)).toEqual({ blog: 'Ctrl+Alt+B' }));
    expect(save.mock.calls.at(-1)![0].profileShortcuts).toEqual({ blog: 'Ctrl+Alt+B' });
    expect(field('screenshots').value).toBe('');
    expect(button('screenshots', 'Clear').disabled).toBe(true);

    await typeKey('blog', '   ');
    await waitFor(() => expect(saved(mock)).toEqual({}));
    expect(field('blog').value).toBe('');
    expect(save).toHaveBeenCalledTimes(3);
  });

  it('refuses a key already used with a toast, and puts the saved one back', async () => {
    const { mock, save } = await setup();
    await typeKey('blog', 'ctrl+alt+s');
    // The shell goes through the profiles by name, so it names "screenshots" as the second use.
    await waitFor(() => expect(toasts()).toEqual([
      'error: Ctrl+Alt+S is already the shortcut of profile "blog"; choose another key for the shortcut of profile "screenshots"',
    ]));
    expect(saved(mock)).toEqual({ screenshots: 'Ctrl+Alt+S' });
    await waitFor(() => expect(field('blog').value).toBe(''));

    // The Upload clipboard shortcut's key too; leaving the field does not offer it again.
    await typeKey('docs-cn', 'Alt+Ctrl+U');
    await waitFor(() => expect(toasts()).toHaveLength(2));
    expect(toasts()[1]).toBe(
      'error: Alt+Ctrl+U is already the Upload clipboard shortcut; choose another key for the shortcut of profile "docs-cn"',
    );
    await waitFor(() => expect(field('docs-cn').value).toBe(''));
    await fireEvent.blur(field('docs-cn'));
    expect(save).toHaveBeenCalledTimes(2);
    expect(saved(mock)).toEqual({ screenshots: 'Ctrl+Alt+S' });
  });

  it('shows a shortcut that could not be registered under the block', async () => {
    await setup();
    await typeKey('blog', 'Ctrl+Alt+T');
    const notice = await waitFor(() => screen.getByTestId('shortcut-error'));
    expect(notice.textContent).toContain('Ctrl+Alt+T is already taken by another application.');
    expect(screen.getByTestId('profile-shortcuts').contains(notice)).toBe(true);
  });

  it('shows no block without profiles', async () => {
    const { mock } = await setup({ withProfiles: false });
    expect(saved(mock)).toEqual({});
    expect(screen.queryByTestId('profile-shortcuts')).toBeNull();
    expect(rows()).toEqual([]);
    expect(screen.queryByText('Per-profile shortcuts')).toBeNull();
    // The upload and the capture shortcuts only.
    expect(screen.getAllByTestId('shortcut-input')).toHaveLength(2);
    expect((screen.getByLabelText('Capture shortcut') as HTMLInputElement).value).toBe('Ctrl+PrintScreen');

    // The global shortcut's problem still shows, under it.
    await fireEvent.input(screen.getByLabelText('Global shortcut'), { target: { value: 'Ctrl+Alt+T' } });
    await fireEvent.keyDown(screen.getByLabelText('Global shortcut'), { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('shortcut-error').textContent).toContain('Ctrl+Alt+T is already taken'));
  });
});
