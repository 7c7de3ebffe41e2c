// @vitest-environment jsdom
// Component test: Settings › Profiles › Edit › Watermark with the mock backend (the sample
// "blog" profile has none): the switch shows and hides the settings with the core's defaults,
// a save writes processing.watermark (opacity 0–1) and off removes it, "Choose…" fills the
// picture's path, the preview's marked sample appears, and the core's refusal is shown at the
// section.
import { describe, expect, it } from 'vitest';
import { fireEvent, screen, waitFor, within } from '@testing-library/svelte';
import { WATERMARK_PICK, WATERMARK_PREVIEW, type MockBackend } from '../lib/mock';
import { WATERMARK_DEFAULTS } from '../lib/types';
import { openSettings } from './settings-harness';

async function editProfile(name: string) {
  const item = await waitFor(() => screen.getAllByTestId('profile-item').find((li) => li.dataset.name === name)!);
  await fireEvent.click(within(item).getByTestId('profile-edit'));
  return waitFor(() => screen.getByTestId('pf-watermark'));
}

async function openBlog(prepare?: (mock: MockBackend) => void) {
  const { mock } = await openSettings(null, { historySize: 0 }, prepare);
  const section = await editProfile('blog');
  return { mock, section };
}

const input = (id: string) => document.getElementById(id) as HTMLInputElement | null;
const message = (id: string) => document.getElementById(`${id}-msg`)?.textContent?.trim() ?? '';
const sectionMsg = () => screen.getByTestId('pf-watermark-msg');

async function type(id: string, value: string) {
  await fireEvent.input(input(id)!, { target: { value } });
  await fireEvent.focusOut(input(id)!);
}

async function save() {
  await fireEvent.click(screen.getByTestId('pf-save'));
  await waitFor(() => expect(screen.queryByTestId('profile-editor')).toBeNull());
}

describe('Profile editor › watermark', () => {
  it('sits between the size rules and the mirrors, off, and shows its settings when turned on', async () => {
    const { section } = await openBlog();
    expect(within(section).getByRole('heading', { name: 'Watermark' })).toBeTruthy();
    const sections = [...document.querySelectorAll('section')];
    const at = sections.indexOf(section);
    expect(sections[at - 1].contains(screen.getByTestId('pf-size-rules'))).toBe(true);
    expect(sections[at + 1]).toBe(screen.getByTestId('pf-mirrors'));

    const sw = screen.getByRole('switch', { name: 'Add a watermark to uploaded images' }) as HTMLInputElement;
    expect(sw).toBe(input('pf-wm-on'));
    expect(sw.checked).toBe(false);
    expect(input('pf-wm-text')).toBeNull();
    expect(sectionMsg().textContent).toContain('always re-encoded');

    await fireEvent.click(sw);
    expect(screen.getByRole('radio', { name: 'Text' })).toHaveProperty('checked', true);
    expect(screen.getByLabelText('Text to draw')).toBe(input('pf-wm-text'));
    expect(input('pf-wm-font')!.placeholder).toBe('System font');
    expect(message('pf-wm-font')).toContain('Noto Sans CJK SC');
    expect(input('pf-wm-color')!.type).toBe('color');
    expect(input('pf-wm-color')!.value).toBe('#ffffff');
    expect(input('pf-wm-size')!.value).toBe('5');
    expect(input('pf-wm-opacity')!.value).toBe('60');
    expect(input('pf-wm-margin')!.value).toBe('3');
    expect(input('pf-wm-minsize')!.value).toBe('200');
    const positions = screen.getByRole('radiogroup', { name: 'Position' });
    const cells = within(positions).getAllByRole('radio') as HTMLInputElement[];
    expect(cells.map((c) => c.getAttribute('aria-label'))).toEqual([
      'Top left', 'Top', 'Top right', 'Left', 'Centre', 'Right', 'Bottom left', 'Bottom', 'Bottom right',
    ]);
    expect(cells.filter((c) => c.checked).map((c) => c.value)).toEqual(['bottom-right']);
    await fireEvent.click(screen.getByLabelText('Tile over the whole image'));
    expect(cells.every((c) => c.disabled)).toBe(true);
    expect(message('pf-wm-pos')).toBe('Not used when tiled.');

    // A picture instead: its path and "Choose…", no font or colour.
    await fireEvent.click(screen.getByRole('radio', { name: 'Picture' }));
    expect(input('pf-wm-text')).toBeNull();
    expect(input('pf-wm-color')).toBeNull();
    expect(screen.getByLabelText('Picture file')).toBe(input('pf-wm-image'));

    await fireEvent.click(sw);
    expect(input('pf-wm-image')).toBeNull();
    expect(screen.queryByRole('radiogroup', { name: 'Position' })).toBeNull();
  });

  it('saves the watermark to the config (opacity 0–1), reopens it, and off removes it', async () => {
    const { mock } = await openBlog();
    await fireEvent.click(input('pf-wm-on')!);
    await type('pf-wm-text', '© Example');
    await type('pf-wm-font', 'Noto Sans CJK SC');
    await fireEvent.input(input('pf-wm-color')!, { target: { value: '#ff8800' } });
    await type('pf-wm-size', '8');
    await type('pf-wm-opacity', '35');
    await type('pf-wm-margin', '2.5');
    await type('pf-wm-minsize', '320');
    await fireEvent.click(screen.getByRole('radio', { name: 'Top left' }));
    await save();
    expect(mock.profiles.get('blog')!.config.processing.watermark).toEqual({
      text: '© Example', font: 'Noto Sans CJK SC', size: 8, color: '#ff8800', opacity: 0.35, position: 'top-left',
      margin: 2.5, tiled: false, min_size: 320,
    });
    // The rest of the processing is as it was.
    expect(mock.profiles.get('blog')!.config.processing.keep_below).toBe(20_000);

    await editProfile('blog');
    expect(input('pf-wm-on')!.checked).toBe(true);
    expect(input('pf-wm-text')!.value).toBe('© Example');
    expect(input('pf-wm-opacity')!.value).toBe('35');
    expect((screen.getByRole('radio', { name: 'Top left' }) as HTMLInputElement).checked).toBe(true);

    await fireEvent.click(input('pf-wm-on')!);
    await save();
    expect('watermark' in mock.profiles.get('blog')!.config.processing).toBe(false);
  });

  it('chooses a picture with the dialog and saves it as the mark', async () => {
    const { mock } = await openBlog();
    await fireEvent.click(input('pf-wm-on')!);
    await fireEvent.click(screen.getByRole('radio', { name: 'Picture' }));
    await fireEvent.click(screen.getByTestId('pf-save'));
    expect(message('pf-wm-image')).toBe('Required.');

    await fireEvent.click(screen.getByRole('button', { name: 'Choose…' }));
    await waitFor(() => expect(input('pf-wm-image')!.value).toBe(WATERMARK_PICK));
    expect(message('pf-wm-image')).toContain('PNG with transparency');
    // Cancelled: the path stays.
    mock.watermarkPickResult = null;
    await fireEvent.click(screen.getByTestId('pf-wm-choose'));
    await waitFor(() => expect(screen.getByTestId<HTMLButtonElement>('pf-wm-choose').disabled).toBe(false));
    expect(input('pf-wm-image')!.value).toBe(WATERMARK_PICK);
    await save();
    expect(mock.profiles.get('blog')!.config.processing.watermark).toEqual({ ...WATERMARK_DEFAULTS, image: WATERMARK_PICK });
  });

  it('shows the preview’s marked sample while a watermark is on', async () => {
    await openBlog();
    // The key preview has rendered: without a watermark there is no sample.
    await waitFor(() => expect(screen.getByTestId('pf-preview').textContent).toContain('2025/05/screenshot.webp'));
    expect(screen.queryByTestId('pf-wm-preview')).toBeNull();

    await fireEvent.click(input('pf-wm-on')!);
    await type('pf-wm-text', '© me');
    const img = await waitFor(() => screen.getByTestId('pf-wm-preview') as HTMLImageElement);
    expect(img.getAttribute('src')).toBe(WATERMARK_PREVIEW);
    expect(screen.getByRole('img', { name: 'The sample image with this watermark' })).toBe(img);
    expect(screen.getByTestId('pf-watermark').contains(img)).toBe(true);

    // A mark the core cannot draw: its reason instead of the sample.
    await type('pf-wm-opacity', '250');
    await waitFor(() => expect(screen.getByTestId('pf-wm-preview-error').textContent).toContain('watermark.opacity must be 0 to 1 (got 2.5)'));
    expect(screen.queryByTestId('pf-wm-preview')).toBeNull();
    expect(message('pf-wm-opacity')).toBe('Enter a number from 0 to 100.');

    await fireEvent.click(input('pf-wm-on')!);
    expect(screen.queryByTestId('pf-wm-preview')).toBeNull();
  });

  it('says at once that “Original file, unchanged” cannot carry one, and refuses to save', async () => {
    const { mock } = await openBlog();
    await fireEvent.click(input('pf-wm-on')!);
    await type('pf-wm-text', '© me');
    await fireEvent.change(document.getElementById('pf-format') as HTMLSelectElement, { target: { value: 'original' } });
    expect(sectionMsg().classList.contains('error')).toBe(true);
    expect(sectionMsg().textContent).toContain('cannot carry a watermark');
    expect(input('pf-wm-on')!.getAttribute('aria-invalid')).toBe('true');
    await fireEvent.click(screen.getByTestId('pf-save'));
    expect(screen.getByTestId('save-error').textContent).toContain('Fix the highlighted fields first.');
    expect(mock.profiles.get('blog')!.config.processing.watermark).toBeUndefined();
  });

  it('shows the core’s refusal at the section until the watermark changes', async () => {
    // A two-line text (config.toml edited by hand) is the core's to refuse.
    const { mock } = await openBlog((m) => {
      m.profiles.get('blog')!.config.processing.watermark = { ...WATERMARK_DEFAULTS, text: 'one\ntwo' };
    });
    expect(input('pf-wm-on')!.checked).toBe(true);
    await fireEvent.click(screen.getByTestId('pf-save'));
    await waitFor(() => expect(sectionMsg().classList.contains('error')).toBe(true));
    expect(sectionMsg().textContent!.trim()).toBe('processing.watermark.text: one line only');
    expect(screen.getByTestId('save-error').textContent)
      .toContain('Could not save: profile "blog": processing.watermark.text: one line only');
    expect(screen.getByTestId('pf-watermark').contains(sectionMsg())).toBe(true);

    await type('pf-wm-text', 'one, two');
    expect(sectionMsg().classList.contains('error')).toBe(false);
    await save();
    expect(mock.profiles.get('blog')!.config.processing.watermark!.text).toBe('one, two');
  });
});
