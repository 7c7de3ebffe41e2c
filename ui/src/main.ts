// Entry point: picks the backend (Tauri or mock), creates the app store and mounts the UI.
// `?view=history|bucket|markdown|settings` is how the shell opens a new window on a view (the tray's items);
// `?theme=light|dark` helps headless screenshots and manual checks. `?view=capture&lang=…` is the
// capture overlay, a window of its own with none of the app's chrome or state.
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import Capture from './views/Capture.svelte';
import { AppStore, VIEWS, type View } from './lib/app.svelte';
import { setLanguage } from './lib/i18n/index.svelte';
import { createBackend } from './lib/pick';
import type { Language } from './lib/types';

const params = new URLSearchParams(window.location.search);
const theme = params.get('theme');
if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;

const backend = await createBackend();
const view = params.get('view');
const target = document.getElementById('app')!;
if (view === 'capture') {
  setLanguage((params.get('lang') ?? 'auto') as Language);
  mount(Capture, { target, props: { backend } });
} else {
  const app = new AppStore(backend);
  if (view && (VIEWS as string[]).includes(view)) app.view = view as View;
  mount(App, { target, props: { app } });
}
