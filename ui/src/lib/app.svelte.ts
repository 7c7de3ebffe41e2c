// The app-wide state shared by the views (through Svelte context): the backend, the AppState
// from Rust, the current view, this session's upload jobs, drag hover, the toasts, the Bucket
// view's session (`bucket`), the History view's link check (`linkCheck`), and the Markdown
// view's session (`md`) with the Markdown files dropped on the window waiting for it.
// Views call `app.run()` around backend calls so every failure becomes a toast in plain words.
import { getContext, setContext } from 'svelte';
import type { Backend, Unlisten } from './backend';
import { toAppError } from './errors';
import { setLanguage, t, type MessageKey } from './i18n/index.svelte';
import { applyJob, dropFailed, clearFinished, emptyJobs, type JobsModel } from './jobs';
import { BucketSession } from './bucket-session.svelte';
import { LinkCheckSession } from './link-check.svelte';
import { MdSession } from './md-session.svelte';
import type { AppError, AppState, BatchDone, Settings } from './types';

/** The views in tab order; Ctrl/Cmd+1…5 follow it. */
export type View = 'upload' | 'history' | 'bucket' | 'markdown' | 'settings';
export const VIEWS: View[] = ['upload', 'history', 'bucket', 'markdown', 'settings'];

export type ToastKind = 'info' | 'success' | 'error';
export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
}

/** Error codes with a message of our own (translated); others show the shell's message. */
const KNOWN_ERRORS: Record<string, MessageKey> = {
  'clipboard.empty': 'error.clipboard.empty',
};

export function errorText(e: AppError): string {
  const key = KNOWN_ERRORS[e.code];
  return key ? t(key) : e.message;
}

export class AppStore {
  state = $state<AppState | null>(null);
  ready = $state(false);
  loadError = $state<AppError | null>(null);
  view = $state<View>('upload');
  jobs = $state.raw<JobsModel>(emptyJobs);
  dragHover = $state(false);
  toasts = $state<Toast[]>([]);
  /** Bumped on every finished batch so the history view can reload. */
  batchesDone = $state(0);
  /** Markdown files dropped on the window, until the Markdown view plans them. */
  mdPending = $state.raw<string[] | null>(null);
  /** The Markdown view's state: kept here so a migration goes on while another view shows. */
  readonly md: MdSession;
  /** The Bucket view's state: kept here so the open folder stays while another view shows. */
  readonly bucket: BucketSession;
  /** The History view's Check links: kept here so a long check goes on while another view shows. */
  readonly linkCheck: LinkCheckSession;

  private nextToast = 1;
  private unlisten: Unlisten[] = [];
  private timers = new Map<number, ReturnType<typeof setTimeout>>();

  constructor(readonly backend: Backend, private readonly toastMs = 4000) {
    this.md = new MdSession(backend, () => this.state?.activeProfile ?? null);
    this.bucket = new BucketSession(backend, (folder, done) => this.uploadedInto(folder, done));
    this.linkCheck = new LinkCheckSession(backend);
  }

  /** Subscribes to the shell's events, then loads the AppState. */
  async start(): Promise<void> {
    const b = this.backend;
    this.unlisten.push(
      await b.onJob((job) => {
        this.jobs = applyJob(this.jobs, job);
      }),
      await b.onBatchDone((done) => this.onBatchDone(done)),
      await b.onAppState((s) => this.setState(s)),
      await b.onDragHover((h) => {
        this.dragHover = h;
        if (h && this.view !== 'upload') this.view = 'upload';
      }),
      await b.onNavigate((v) => {
        if ((VIEWS as string[]).includes(v)) this.view = v as View;
      }),
      await b.onError((e) => this.toast('error', errorText(e))),
      await b.onMdProgress((p) => this.md.onProgress(p)),
      await b.onMdOffer((paths) => this.offerMarkdown(paths)),
    );
    // Uploads that started before we listened (launch arguments, resumed jobs).
    try {
      for (const job of await b.sessionJobs()) this.jobs = applyJob(this.jobs, job);
    } catch {
      // An older shell without the command: nothing to catch up on.
    }
    await this.load();
  }

  async load(): Promise<void> {
    this.loadError = null;
    try {
      this.setState(await this.backend.appState());
      this.ready = true;
    } catch (e) {
      this.loadError = toAppError(e);
    }
  }

  stop(): void {
    for (const un of this.unlisten) un();
    this.unlisten = [];
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  setState(s: AppState): void {
    this.state = s;
    setLanguage(s.settings.language);
  }

  /** Runs a backend call; a failure becomes an error toast and `undefined`. */
  async run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    try {
      return await fn();
    } catch (e) {
      this.toast('error', errorText(toAppError(e)));
      return undefined;
    }
  }

  async saveSettings(patch: Partial<Settings>): Promise<boolean> {
    if (!this.state) return false;
    const e = await this.trySaveSettings(patch);
    if (e) this.toast('error', errorText(e));
    return !e;
  }

  /** Saves a settings change like saveSettings, but hands a failure back instead of toasting
   *  it, for a section that shows it in place (Watch folders). null when saved. */
  async trySaveSettings(patch: Partial<Settings>): Promise<AppError | null> {
    if (!this.state) return { code: 'app.not_ready', message: 'The settings are not loaded yet.' };
    const settings = { ...this.state.settings, ...patch };
    try {
      this.setState(await this.backend.saveSettings(settings));
      return null;
    } catch (e) {
      return toAppError(e);
    }
  }

  async setActiveProfile(name: string): Promise<void> {
    const s = await this.run(() => this.backend.setActiveProfile(name));
    if (s) this.setState(s);
  }

  uploadClipboard(): Promise<number | undefined> {
    return this.run(() => this.backend.uploadClipboard());
  }

  pickAndUpload(): Promise<number | null | undefined> {
    return this.run(() => this.backend.pickAndUpload());
  }

  cancel(jobId: string): Promise<void | undefined> {
    return this.run(() => this.backend.cancel(jobId));
  }

  /** Retries a failed upload; its failed row gives way to the new attempt's row. */
  async retry(historyId: number): Promise<number | undefined> {
    this.view = 'upload';
    const batch = await this.run(() => this.backend.retry(historyId));
    if (batch !== undefined) this.jobs = dropFailed(this.jobs, historyId);
    return batch;
  }


  async copy(text: string, announce = false): Promise<boolean> {
    const ok = (await this.run(() => this.backend.copyText(text).then(() => true))) ?? false;
    if (ok && announce) this.toast('success', t('toast.copied'));
    return ok;
  }

  /** Markdown files to migrate (dropped on the window): the Markdown view opens and plans
   *  them; nothing runs until Migrate is confirmed. */
  offerMarkdown(paths: string[]): void {
    if (paths.length === 0) return;
    this.mdPending = [...paths];
    this.view = 'markdown';
  }

  clearFinished(): void {
    this.jobs = clearFinished(this.jobs);
  }

  toast(kind: ToastKind, text: string): void {
    // The same message again (three quick pastes) replaces the old one instead of stacking.
    for (const old of this.toasts) if (old.kind === kind && old.text === text) this.dismiss(old.id);
    const id = this.nextToast++;
    this.toasts = [...this.toasts.slice(-3), { id, kind, text }];
    const ms = kind === 'error' ? this.toastMs * 1.6 : this.toastMs;
    if (ms > 0) this.timers.set(id, setTimeout(() => this.dismiss(id), ms));
  }

  dismiss(id: number): void {
    this.toasts = this.toasts.filter((t) => t.id !== id);
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  private onBatchDone(b: BatchDone): void {
    this.batchesDone++;
    if (b.copied !== null) {
      const n = b.copied.split('\n').filter((l) => l.trim() !== '').length;
      this.toast('success', n === 1 ? t('toast.copiedOne') : t('toast.copiedMany', { n }));
    }
    if (b.failed > 0) {
      this.toast('error', b.failed === 1 ? t('toast.failedOne') : t('toast.failedMany', { n: b.failed }));
    }
    // "Upload here" of the Bucket view: its folder is listed again and the upload announced.
    this.bucket.batchEnded(b);
  }

  /** The Bucket view's "Upload here" ended: where the files went (failures have their own toast). */
  private uploadedInto(folder: string, b: BatchDone): void {
    if (b.done === 0) return;
    this.toast('success', folder === '' ? t('bucket.uploadedTop') : t('bucket.uploadedInto', { folder }));
  }
}

const KEY = Symbol('hoist-app');

export function provideApp(app: AppStore): AppStore {
  setContext(KEY, app);
  return app;
}

export function useApp(): AppStore {
  const app = getContext<AppStore | undefined>(KEY);
  if (!app) throw new Error('AppStore missing from context');
  return app;
}

export const APP_CONTEXT_KEY = KEY;
