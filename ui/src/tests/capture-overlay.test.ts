// @vitest-environment jsdom
// Component test: the capture overlay with the mock backend. The window is shown only once the
// picture is painted; a drag (either way) becomes the crop in the picture's pixels; Enter
// uploads it, with no region the whole screen; Esc cancels and uploads nothing; a refusal is
// shown instead of closing.
import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, waitFor } from '@testing-library/svelte';
import Capture from '../views/Capture.svelte';
import { MockBackend } from '../lib/mock';

// jsdom has no PointerEvent: without one the events lose their coordinates.
if (typeof window.PointerEvent === 'undefined') {
  class PointerEvent extends MouseEvent {
    pointerId: number;
    constructor(type: string, init: PointerEventInit = {}) {
      super(type, init);
      this.pointerId = init.pointerId ?? 1;
    }
  }
  (window as unknown as { PointerEvent: unknown }).PointerEvent = PointerEvent;
}

async function open() {
  const mock = new MockBackend({ historySize: 0 });
  const shown = vi.spyOn(mock, 'captureShown');
  render(Capture, { props: { backend: mock } });
  const img = (await waitFor(() => screen.getByTestId('capture-picture'))) as HTMLImageElement;
  // jsdom decodes no images: the picture "loads" at 1600×900.
  Object.defineProperty(img, 'naturalWidth', { value: 1600 });
  Object.defineProperty(img, 'naturalHeight', { value: 900 });
  await fireEvent.load(img);
  await waitFor(() => expect(shown).toHaveBeenCalled());
  return mock;
}

function drag(from: [number, number], to: [number, number]) {
  const overlay = screen.getByTestId('capture-overlay');
  return (async () => {
    await fireEvent.pointerDown(overlay, { button: 0, clientX: from[0], clientY: from[1], pointerId: 1 });
    await fireEvent.pointerMove(overlay, { clientX: to[0], clientY: to[1], pointerId: 1 });
    await fireEvent.pointerUp(overlay, { clientX: to[0], clientY: to[1], pointerId: 1 });
  })();
}

describe('capture overlay', () => {
  it('a drag is the crop; Enter uploads it', async () => {
    const mock = await open();
    await drag([300, 200], [100, 50]);
    expect(screen.getByTestId('capture-size').textContent).toContain('200 × 150');
    await fireEvent.keyDown(window, { key: 'Enter' });
    await waitFor(() => expect(mock.captures).toEqual([{ marks: [], crop: { x: 100, y: 50, w: 200, h: 150 } }]));
  });

  it('a click after a drag keeps the region; the toolbar uploads it', async () => {
    const mock = await open();
    await drag([10, 10], [60, 40]);
    await drag([500, 500], [501, 501]);
    await fireEvent.click(screen.getByTestId('capture-upload'));
    await waitFor(() => expect(mock.captures).toEqual([{ marks: [], crop: { x: 10, y: 10, w: 50, h: 30 } }]));
  });

  it('Enter without a region uploads the whole screen', async () => {
    const mock = await open();
    await fireEvent.keyDown(window, { key: 'Enter' });
    await waitFor(() => expect(mock.captures).toEqual([{ marks: [], crop: null }]));
  });

  it('Esc cancels and uploads nothing; a refusal is shown', async () => {
    const mock = await open();
    const cancel = vi.spyOn(mock, 'captureCancel');
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(cancel).toHaveBeenCalled();
    await fireEvent.keyDown(window, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('capture-hint').textContent).toContain('Capture failed: there is no capture in progress'));
    expect(mock.captures).toEqual([]);
  });
});
