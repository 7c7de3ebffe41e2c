// What the Settings component tests share: the Settings view and the toasts rendered over the
// mock backend, opened on one section; and the toasts as "kind: text" lines.
import { fireEvent, render, screen } from '@testing-library/svelte';
import SettingsView from '../views/SettingsView.svelte';
import Toasts from '../components/Toasts.svelte';
import { APP_CONTEXT_KEY, AppStore } from '../lib/app.svelte';
import { MockBackend, type MockOptions } from '../lib/mock';

/** Starts the app on a mock backend (`prepare` may change it first) and opens Settings on
 *  `section` (the sidebar's `settings-<section>` button; `null` stays on Profiles). */
export async function openSettings(section: string | null, options: MockOptions = {}, prepare?: (mock: MockBackend) => void) {
  const mock = new MockBackend({ historySize: 10, autoProgress: false, latency: 0, ...options });
  prepare?.(mock);
  const app = new AppStore(mock, 0);
  await app.start();
  const context = new Map<unknown, unknown>([[APP_CONTEXT_KEY, app]]);
  render(SettingsView, { context });
  render(Toasts, { context });
  if (section) await fireEvent.click(screen.getByTestId(`settings-${section}`));
  return { mock, app };
}

export const toasts = () => screen.queryAllByTestId('toast').map((t) => `${t.dataset.kind}: ${t.textContent!.trim()}`);
