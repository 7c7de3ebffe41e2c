// The Backend over Tauri IPC: each method is one `invoke` of a Rust command (camelCase argument
// keys; Tauri maps them to snake_case), each event one `listen`. Errors are normalised to
// AppError. Nothing here touches files or the clipboard: Rust does.
import { invoke } from '@tauri-apps/api/core';
import { listen } from '@tauri-apps/api/event';
import { getCurrentWebview } from '@tauri-apps/api/webview';
import type { Backend, Unlisten } from './backend';
import { toAppError } from './errors';
import {
  EVENT_BATCH, EVENT_ERROR, EVENT_HISTORY, EVENT_JOB, EVENT_MD_OFFER, EVENT_MD_PROGRESS, EVENT_NAVIGATE, EVENT_STATE,
  EVENT_SYNC,
} from './events';
import type {
  AppError, AppState, BatchDone, BucketAdopted, BucketDeleted, BucketObjectRef, BucketPage, HistoryPage,
  HistoryQuery, ImportSummary, JobState, LinkFormat, LinkHealth, MdPlan, MdProgress, MdUndoLine, Edits, Preset,
  Preview, PreviewRequest, ProfileDetail, SaveProfile, Settings, SyncStatus, TestStep,
} from './types';

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toAppError(e);
  }
}

async function on<T>(event: string, cb: (payload: T) => void): Promise<Unlisten> {
  const un = await listen<T>(event, (e) => cb(e.payload));
  return () => un();
}

export class TauriBackend implements Backend {
  appState(): Promise<AppState> {
    return call('app_state');
  }
  setActiveProfile(name: string): Promise<AppState> {
    return call('set_active_profile', { name });
  }
  saveSettings(settings: Settings): Promise<AppState> {
    return call('save_settings', { settings });
  }
  watchPickFolder(): Promise<string | null> {
    return call('watch_pick_folder');
  }

  uploadClipboard(): Promise<number> {
    return call('upload_clipboard');
  }
  pickAndUpload(): Promise<number | null> {
    return call('pick_and_upload');
  }
  uploadPaths(paths: string[]): Promise<number> {
    return call('upload_paths', { paths });
  }
  cancel(jobId: string): Promise<void> {
    return call('cancel_upload', { jobId });
  }
  retry(historyId: number): Promise<number> {
    return call('retry_upload', { historyId });
  }

  copyText(text: string): Promise<void> {
    return call('copy_text', { text });
  }
  openUrl(url: string): Promise<void> {
    return call('open_url', { url });
  }

  historyPage(query: HistoryQuery): Promise<HistoryPage> {
    return call('history_page', { query });
  }
  deleteRecord(id: number): Promise<void> {
    return call('delete_record', { id });
  }
  deleteRemote(id: number): Promise<void> {
    return call('delete_remote', { id });
  }
  historyCheck(profile: string | null): Promise<LinkHealth> {
    return call('history_check', { profile });
  }
  historyReupload(ids: number[]): Promise<number> {
    return call('history_reupload', { ids });
  }

  providers(): Promise<Preset[]> {
    return call('providers');
  }
  getProfile(name: string): Promise<ProfileDetail> {
    return call('get_profile', { name });
  }
  newProfile(provider: string): Promise<ProfileDetail> {
    return call('new_profile', { provider });
  }
  saveProfile(req: SaveProfile): Promise<AppState> {
    return call('save_profile', { req });
  }
  duplicateProfile(name: string, newName: string): Promise<AppState> {
    return call('duplicate_profile', { name, newName });
  }
  removeProfile(name: string): Promise<AppState> {
    return call('remove_profile', { name });
  }
  testProfile(name: string): Promise<TestStep[]> {
    return call('test_profile', { name });
  }
  preview(req: PreviewRequest): Promise<Preview> {
    return call('preview', { req });
  }
  pickWatermarkImage(): Promise<string | null> {
    return call('pick_watermark_image');
  }
  importPicgo(dryRun: boolean): Promise<ImportSummary> {
    return call('import_picgo', { dryRun });
  }

  mdPick(folder: boolean): Promise<string[] | null> {
    return call('md_pick', { folder });
  }
  mdPlan(paths: string[], profile: string | null, remote: boolean): Promise<MdPlan> {
    return call('md_plan', { paths, profile, remote });
  }
  mdRun(id: number): Promise<void> {
    return call('md_run', { id });
  }
  mdUndo(run: string): Promise<MdUndoLine[]> {
    return call('md_undo', { run });
  }

  bucketList(profile: string | null, prefix: string, token: string | null): Promise<BucketPage> {
    return call('bucket_list', { profile, prefix, token });
  }
  bucketDelete(profile: string | null, keys: string[]): Promise<BucketDeleted> {
    return call('bucket_delete', { profile, keys });
  }
  bucketMove(profile: string | null, from: string, to: string, force: boolean): Promise<string> {
    return call('bucket_move', { profile, from, to, force });
  }
  bucketCopyLinks(profile: string | null, keys: string[], format: LinkFormat | null, expiresSecs: number | null): Promise<string> {
    return call('bucket_copy_links', { profile, keys, format, expiresSecs });
  }
  bucketOpen(profile: string | null, key: string): Promise<void> {
    return call('bucket_open', { profile, key });
  }
  bucketAdopt(profile: string | null, objects: BucketObjectRef[]): Promise<BucketAdopted> {
    // Only what Rust's `Listed` holds (a BucketObject passed in carries more).
    const refs = objects.map(({ key, size, modified_ms }) => ({ key, size, modified_ms }));
    return call('bucket_adopt', { profile, objects: refs });
  }
  bucketUpload(profile: string | null, folder: string): Promise<number | null> {
    // Rust opens the native file dialog when `paths` is null.
    return call('bucket_upload', { profile, folder, paths: null });
  }

  syncStatus(): Promise<SyncStatus> {
    return call('sync_status');
  }
  syncEnable(profile: string, passphrase: string, deviceName: string): Promise<SyncStatus> {
    return call('sync_enable', { profile, passphrase, deviceName });
  }
  syncNow(): Promise<SyncStatus> {
    return call('sync_now');
  }
  syncDisable(): Promise<SyncStatus> {
    return call('sync_disable');
  }
  syncForget(device: string): Promise<SyncStatus> {
    return call('sync_forget', { device });
  }

  onJob(cb: (job: JobState) => void): Promise<Unlisten> {
    return on(EVENT_JOB, cb);
  }
  onBatchDone(cb: (b: BatchDone) => void): Promise<Unlisten> {
    return on(EVENT_BATCH, cb);
  }
  onAppState(cb: (s: AppState) => void): Promise<Unlisten> {
    return on(EVENT_STATE, cb);
  }
  async onDragHover(cb: (hovering: boolean) => void): Promise<Unlisten> {
    // The drop itself is handled in Rust (paths never pass through JS); this only highlights.
    const un = await getCurrentWebview().onDragDropEvent((e) => {
      const type = e.payload.type;
      cb(type === 'enter' || type === 'over');
    });
    return () => un();
  }
  onNavigate(cb: (view: string) => void): Promise<Unlisten> {
    return on(EVENT_NAVIGATE, cb);
  }
  onError(cb: (e: AppError) => void): Promise<Unlisten> {
    return on<unknown>(EVENT_ERROR, (e) => cb(toAppError(e)));
  }
  onMdProgress(cb: (p: MdProgress) => void): Promise<Unlisten> {
    return on(EVENT_MD_PROGRESS, cb);
  }
  onMdOffer(cb: (paths: string[]) => void): Promise<Unlisten> {
    return on(EVENT_MD_OFFER, cb);
  }
  onSync(cb: (s: SyncStatus) => void): Promise<Unlisten> {
    return on(EVENT_SYNC, cb);
  }
  onHistoryChanged(cb: () => void): Promise<Unlisten> {
    return on<null>(EVENT_HISTORY, () => cb());
  }
  sessionJobs(): Promise<JobState[]> {
    return call('session_jobs');
  }
  captureImage(): Promise<ArrayBuffer> {
    return call('capture_image');
  }
  captureShown(): Promise<void> {
    return call('capture_shown');
  }
  captureUpload(edits: Edits): Promise<number> {
    return call('capture_upload', { edits });
  }
  captureCancel(): Promise<void> {
    return call('capture_cancel');
  }
}
