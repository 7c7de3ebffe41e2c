// @vitest-environment jsdom
// Component test: the Upload view with the mock backend, from the button to the job rows,
// the copy buttons and the toasts.
import { describe, expect, it } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import UploadView from '../views/UploadView.svelte';
import Toasts from '../components/Toasts.svelte';
import { APP_CONTEXT_KEY, AppStore } from '../lib/app.svelte';
import { MockBackend } from '../lib/mock';

async function setup(opts: { withProfiles?: boolean } = {}) {
  const mock = new MockBackend({ historySize: 20, autoProgress: false, ...opts });
  const app = new AppStore(mock, 0);
  await app.start();
  const context = new Map<unknown, unknown>([[APP_CONTEXT_KEY, app]]);
  render(UploadView, { context });
  render(Toasts, { context });
  return { mock, app };
}

describe('UploadView', () => {
  it('uploads the clipboard and shows the job through to its link', async () => {
    const { mock } = await setup();
    await fireEvent.click(screen.getByTestId('upload-clipboard'));
    await waitFor(() => expect(screen.getAllByTestId('job-row')).toHaveLength(1));
    expect(screen.getByTestId('job-row').dataset.stage).toBe('queued');

    mock.step();
    await waitFor(() => expect(screen.getByTestId('job-row').dataset.stage).toBe('processing'));
    mock.finishAll();
    await waitFor(() => expect(screen.getByTestId('job-row').dataset.stage).toBe('done'));
    const row = screen.getByTestId('job-row');
    expect(row.dataset.url).toMatch(/^https:\/\/img\.example\.com\//);
    expect(row.textContent).toContain('clipboard.png');
    // auto-copy is on in the mock: the shell copied, the UI says so.
    await waitFor(() => expect(screen.getByText('Copied 1 link to the clipboard')).toBeTruthy());

    await fireEvent.click(screen.getByRole('button', { name: 'Copy as Markdown' }));
    await waitFor(() => expect(mock.copied.at(-1)).toMatch(/^!\[clipboard\]\(https:/));
    await waitFor(() => expect(row.querySelector('[data-format="markdown"]')!.textContent).toContain('Copied'));
  });

  it('shows the note of a file uploaded in another format than asked', async () => {
    const { mock } = await setup();
    await mock.uploadPaths(['/home/me/full page.png', '/home/me/short.png']);
    await waitFor(() => expect(screen.getAllByTestId('job-row')).toHaveLength(2));
    mock.finishAll();
    await waitFor(() => expect(screen.getAllByTestId('job-row').every((r) => r.dataset.stage === 'done')).toBe(true));
    const notes = screen.getAllByTestId('job-note');
    expect(notes).toHaveLength(1);
    expect(notes[0].textContent).toContain('WebP holds at most 16383 px on a side: uploaded as the original PNG');
    expect(notes[0].closest('[data-testid="job-row"]')!.textContent).toContain('full page.png');
  });

  it('orders batches newest first, offers Retry on failure and clears finished', async () => {
    const { mock } = await setup();
    await fireEvent.click(screen.getByTestId('upload-clipboard'));
    await waitFor(() => expect(screen.getAllByTestId('job-row')).toHaveLength(1));
    mock.finishAll();
    await fireEvent.click(screen.getByTestId('choose-files'));
    await waitFor(() => expect(screen.getAllByTestId('job-row')).toHaveLength(5));
    const names = screen.getAllByTestId('job-row').map((r) => r.querySelector('.name')!.textContent);
    expect(names[0]).toBe('sunset over the bay.jpg');
    expect(names[4]).toBe('clipboard.png');

    mock.finishAll();
    await waitFor(() => expect(screen.getAllByTestId('job-row').filter((r) => r.dataset.stage === 'failed')).toHaveLength(1));
    const failed = screen.getAllByTestId('job-row').find((r) => r.dataset.stage === 'failed')!;
    expect(failed.textContent).toContain('timed out');
    expect(failed.querySelector('button')!.textContent).toContain('Retry');
    await waitFor(() => expect(screen.getByText('1 file failed to upload')).toBeTruthy());

    await fireEvent.click(screen.getByTestId('clear-finished'));
    await waitFor(() => expect(screen.queryAllByTestId('job-row')).toHaveLength(0));
  });

  it('shows an error toast for an empty clipboard', async () => {
    const { mock } = await setup();
    mock.clipboardHasImage = false;
    await fireEvent.click(screen.getByTestId('upload-clipboard'));
    await waitFor(() => expect(screen.getByText('The clipboard holds no image or files to upload.')).toBeTruthy());
    expect(screen.queryAllByTestId('job-row')).toHaveLength(0);
  });

  it('highlights the drop zone while a drag hovers', async () => {
    const { mock } = await setup();
    const zone = screen.getByTestId('dropzone');
    expect(zone.dataset.hover).toBe('false');
    mock.dragHover(true);
    await waitFor(() => expect(zone.dataset.hover).toBe('true'));
    expect(zone.textContent).toContain('Release to upload');
    mock.dragHover(false);
    await waitFor(() => expect(zone.dataset.hover).toBe('false'));
  });

  it('asks for a profile first when there is none', async () => {
    await setup({ withProfiles: false });
    expect((screen.getByTestId('upload-clipboard') as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByText('Add a profile in Settings before uploading.')).toBeTruthy();
  });
});
