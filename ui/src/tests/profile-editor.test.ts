// @vitest-environment jsdom
// Component test: Settings › Profiles › Edit with the mock backend (the sample "blog" profile
// leaves files under 20 KB as they are and uploads files over 5 MB at quality 60): the size
// rules group shows them in KB and MB, disables the small-file size for 'original', shows the
// core's rules inline, and saves the rules in bytes; the mirrors section lists the other
// profiles ("screenshots", "docs-cn"), saves the checked ones in name order, and shows the
// core's refusal of a mirror there.
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import type { MockBackend } from '../lib/mock';
import { openSettings } from './settings-harness';

async function editProfile(name: string) {
  const item = await waitFor(() => screen.getAllByTestId('profile-item').find((li) => li.dataset.name === name)!);
  await fireEvent.click(within(item).getByTestId('profile-edit'));
  return waitFor(() => screen.getByTestId('pf-size-rules'));
}

async function openBlog(prepare?: (mock: MockBackend) => void) {
  const { mock } = await openSettings(null, { historySize: 0 }, prepare);
  const group = await editProfile('blog');
  return { mock, group };
}

const input = (id: string) => document.getElementById(id) as HTMLInputElement;
const select = (id: string) => document.getElementById(id) as HTMLSelectElement;
const message = (id: string) => document.getElementById(`${id}-msg`)?.textContent?.trim() ?? '';

async function type(id: string, value: string) {
  await fireEvent.input(input(id), { target: { value } });
  await fireEvent.focusOut(input(id));
}

describe('Profile editor › size rules', () => {
  it('shows the group with the profile’s rules in KB and MB', async () => {
    const { group } = await openBlog();
    expect(group.getAttribute('role')).toBe('group');
    expect(within(group).getByRole('heading', { name: 'Size rules' })).toBeTruthy();
    expect(screen.getByRole('group', { name: 'Size rules' })).toBe(group);

    const below = screen.getByLabelText('Leave files under this size as they are') as HTMLInputElement;
    expect(below).toBe(input('pf-keepbelow'));
    expect(below.name).toBe('keep_below');
    expect(below.value).toBe('20');
    expect(below.disabled).toBe(false);
    expect(document.getElementById('pf-keepbelow-unit')!.textContent).toBe('KB');
    expect(below.getAttribute('aria-describedby')).toBe('pf-keepbelow-unit pf-keepbelow-msg');

    expect(input('pf-largeabove').value).toBe('5');
    expect(document.getElementById('pf-largeabove-unit')!.textContent).toBe('MB');
    expect(select('pf-largefmt').value).toBe('');
    expect([...select('pf-largefmt').options].map((o) => o.value)).toEqual(['', 'webp', 'jpeg', 'png', 'avif', 'keep', 'original']);
    expect(select('pf-largefmt').options[0].textContent).toBe('Same as above');
    expect(input('pf-largeq').value).toBe('60');
    expect(input('pf-largeq').placeholder).toBe('80');
  });

  it("disables the small-file size for 'original'", async () => {
    await openBlog();
    await fireEvent.change(select('pf-format'), { target: { value: 'original' } });
    expect(input('pf-keepbelow').disabled).toBe(true);
    expect(message('pf-keepbelow')).toContain('Not used with “Original file, unchanged”');
    await fireEvent.change(select('pf-format'), { target: { value: 'webp' } });
    expect(input('pf-keepbelow').disabled).toBe(false);
    expect(input('pf-keepbelow').value).toBe('20');
  });

  it('shows the core’s rules inline and refuses to save', async () => {
    const { mock } = await openBlog();
    await type('pf-keepbelow', '6000');
    expect(message('pf-keepbelow')).toBe('Must not be above the large-file size (5 MB): a file cannot be both small and large.');
    expect(input('pf-keepbelow').getAttribute('aria-invalid')).toBe('true');

    await type('pf-largeq', '0');
    expect(message('pf-largeq')).toBe('Enter a whole number from 1 to 100.');

    await type('pf-maxw', '1920');
    await fireEvent.change(select('pf-largefmt'), { target: { value: 'original' } });
    await fireEvent.click(screen.getByTestId('pf-save'));
    expect(message('pf-largefmt')).toContain('cannot be resized');
    expect(screen.getByTestId('save-error').textContent).toContain('Fix the highlighted fields first.');
    expect(mock.profiles.get('blog')!.config.processing.keep_below).toBe(20_000);
  });

  it('saves the rules in bytes, and empty fields as off', async () => {
    const { mock } = await openBlog();
    await type('pf-keepbelow', '12.5');
    await type('pf-largeabove', '2');
    await fireEvent.change(select('pf-largefmt'), { target: { value: 'jpeg' } });
    await type('pf-largeq', '');
    await fireEvent.click(screen.getByTestId('pf-save'));
    await waitFor(() => expect(screen.queryByTestId('profile-editor')).toBeNull());
    let p = mock.profiles.get('blog')!.config.processing;
    expect(p.keep_below).toBe(12_500);
    expect(p.large).toEqual({ above: 2_000_000, format: 'jpeg', quality: null });

    const item = screen.getAllByTestId('profile-item').find((li) => li.dataset.name === 'blog')!;
    await fireEvent.click(within(item).getByTestId('profile-edit'));
    await waitFor(() => screen.getByTestId('pf-size-rules'));
    expect(input('pf-keepbelow').value).toBe('12.5');
    await type('pf-keepbelow', '');
    await type('pf-largeabove', '');
    await fireEvent.change(select('pf-largefmt'), { target: { value: '' } });
    await fireEvent.click(screen.getByTestId('pf-save'));
    await waitFor(() => expect(screen.queryByTestId('profile-editor')).toBeNull());
    p = mock.profiles.get('blog')!.config.processing;
    expect(p.keep_below).toBeNull();
    expect(p.large).toBeNull();
  });
});

describe('Profile editor › mirrors', () => {
  const boxes = () => screen.queryAllByTestId('pf-mirror') as HTMLInputElement[];
  const box = (name: string) => boxes().find((b) => b.value === name)!;
  const save = async () => {
    await fireEvent.click(screen.getByTestId('pf-save'));
    await waitFor(() => expect(screen.queryByTestId('profile-editor')).toBeNull());
  };

  it('lists every other profile as a checkbox, in name order, with the hint', async () => {
    await openBlog();
    const section = screen.getByTestId('pf-mirrors');
    expect(within(section).getByRole('heading', { name: 'Mirrors' })).toBeTruthy();
    const group = screen.getByRole('group', { name: 'Also copy every upload to:' });
    expect(within(group).getAllByRole('checkbox')).toEqual(boxes());
    expect(boxes().map((b) => b.value)).toEqual(['docs-cn', 'screenshots']);
    expect(boxes().every((b) => !b.checked)).toBe(true);
    expect(screen.getByLabelText('screenshots')).toBe(box('screenshots'));
    const hint = screen.getByTestId('pf-mirrors-msg');
    expect(group.getAttribute('aria-describedby')).toBe(hint.id);
    expect(hint.textContent).toContain('The link stays this profile’s');
    expect(hint.textContent).toContain('own key template');
    expect(hint.textContent).toContain('kept in History to retry');
    expect(screen.queryByTestId('pf-mirrors-none')).toBeNull();
  });

  it('saves a checked mirror to the config, and clears it when unchecked', async () => {
    const { mock } = await openBlog();
    await fireEvent.click(box('screenshots'));
    await fireEvent.click(box('docs-cn'));
    expect(box('screenshots').checked).toBe(true);
    await save();
    // In profile name order, whichever was checked first.
    expect(mock.profiles.get('blog')!.config.mirrors).toEqual(['docs-cn', 'screenshots']);

    await editProfile('blog');
    expect(boxes().map((b) => [b.value, b.checked])).toEqual([['docs-cn', true], ['screenshots', true]]);
    await fireEvent.click(box('docs-cn'));
    await save();
    expect(mock.profiles.get('blog')!.config.mirrors).toEqual(['screenshots']);

    await editProfile('blog');
    await fireEvent.click(box('screenshots'));
    await save();
    expect(mock.profiles.get('blog')!.config.mirrors ?? []).toEqual([]);
    // The other profiles are left as they were.
    expect(mock.profiles.get('screenshots')!.config.mirrors).toBeUndefined();
  });

  it('shows the core’s refusal of a mirror at the section, until it is unchecked', async () => {
    // A mirror that is no profile (say, a config.toml edited by hand) is listed, checked.
    const { mock } = await openBlog((m) => {
      m.profiles.get('blog')!.config.mirrors = ['gone', 'screenshots'];
    });
    expect(boxes().map((b) => [b.value, b.checked])).toEqual([['docs-cn', false], ['gone', true], ['screenshots', true]]);
    await fireEvent.click(screen.getByTestId('pf-save'));
    const msg = await waitFor(() => {
      const m = screen.getByTestId('pf-mirrors-msg');
      expect(m.classList.contains('error')).toBe(true);
      return m;
    });
    expect(msg.textContent!.trim()).toBe('mirror "gone" is not a profile');
    expect(box('gone').getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByTestId('save-error').textContent).toContain('Could not save: profile "blog": mirror "gone" is not a profile');
    expect(mock.profiles.get('blog')!.config.mirrors).toEqual(['gone', 'screenshots']);

    await fireEvent.click(box('gone'));
    expect(screen.getByTestId('pf-mirrors-msg').textContent).toContain('The link stays this profile’s');
    expect(box('screenshots').hasAttribute('aria-invalid')).toBe(false);
    await save();
    expect(mock.profiles.get('blog')!.config.mirrors).toEqual(['screenshots']);
  });

  it('says to add another profile first when there is no other', async () => {
    const { mock } = await openSettings(null, { historySize: 0 });
    await mock.removeProfile('screenshots');
    await mock.removeProfile('docs-cn');
    await editProfile('blog');
    expect(boxes()).toEqual([]);
    expect(screen.queryByRole('group', { name: 'Also copy every upload to:' })).toBeNull();
    expect(screen.getByTestId('pf-mirrors-none').textContent).toBe('Add another profile first to copy uploads to it.');
    await save();
    expect(mock.profiles.get('blog')!.config.mirrors).toBeUndefined();
  });
});
