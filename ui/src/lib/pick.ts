// Chooses the backend: Tauri IPC inside the Tauri webview, the in-memory mock anywhere else
// (a plain browser during `npm run dev`). The mock is loaded only when needed.
// `?empty` in the URL starts the mock with no profile and no history (first-run screens);
// `?mdfiles=N` adds N generated Markdown files to its sample blog (long plans).
import type { Backend } from './backend';

/** True inside the Tauri webview (its IPC bridge is injected before our scripts run). */
export function inTauri(): boolean {
  return typeof window !== 'undefined' && '__TAURI_INTERNALS__' in window;
}

export async function createBackend(): Promise<Backend> {
  if (inTauri()) {
    const { TauriBackend } = await import('./tauri');
    return new TauriBackend();
  }
  const { MockBackend } = await import('./mock');
  // `?empty` starts the mock like a first run: no profile, no history.
  const params = new URLSearchParams(window.location.search);
  const empty = params.has('empty');
  const mdFiles = Number(params.get('mdfiles'));
  return new MockBackend({
    latency: 40,
    browserDragDrop: true,
    markdownFiles: Number.isInteger(mdFiles) && mdFiles > 0 ? Math.min(mdFiles, 100_000) : 0,
    ...(empty ? { withProfiles: false, historySize: 0 } : {}),
  });
}
