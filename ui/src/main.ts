// Entry point: picks the backend (Tauri or mock), creates the app store and mounts the UI.
// `?view=history|bucket|markdown|settings` is how the shell opens a new window on a view (the tray's items);
// `?theme=light|dark` helps headless screenshots and manual checks.
import './app.css';
import { mount } from 'svelte';
import App from './App.svelte';
import { AppStore, VIEWS, type View } from './lib/app.svelte';
import { createBackend } from './lib/pick';

const params = new URLSearchParams(window.location.search);
const theme = params.get('theme');
if (theme === 'light' || theme === 'dark') document.documentElement.dataset.theme = theme;

const backend = await createBackend();
const app = new AppStore(backend);
const view = params.get('view');
if (view && (VIEWS as string[]).includes(view)) app.view = view as View;

mount(App, { target: document.getElementById('app')!, props: { app } });
