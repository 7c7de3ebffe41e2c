// The one interface views use to talk to the shell. `tauri.ts` implements it over IPC,
// `mock.ts` in memory for tests and for `npm run dev` in a plain browser.

import type {
  AppError, AppState, BatchDone, BucketAdopted, BucketDeleted, BucketObjectRef, BucketPage,
  HistoryPage, HistoryQuery, ImportSummary, JobState, LinkFormat, LinkHealth, MdPlan, MdProgress,
  MdUndoLine, Edits, Preset, Preview, PreviewRequest, ProfileDetail, SaveProfile, Settings, SyncStatus, TestStep,
} from './types';

export type Unlisten = () => void;

export interface Backend {
  appState(): Promise<AppState>;
  setActiveProfile(name: string): Promise<AppState>;
  saveSettings(settings: Settings): Promise<AppState>;
  /** The native folder dialog (Rust) of Settings › Watch folders: the chosen folder's absolute
   *  path, or null if cancelled. Nothing is watched until saveSettings stores it. */
  watchPickFolder(): Promise<string | null>;

  /** Uploads the clipboard (an image or copied files) with the active profile. Returns the batch id. */
  uploadClipboard(): Promise<number>;
  /** Opens the native file dialog (in Rust) and uploads the chosen files; null if cancelled. */
  pickAndUpload(): Promise<number | null>;
  /** Uploads local paths (drag-drop arrives in Rust directly; this is for tests and re-drops). */
  uploadPaths(paths: string[]): Promise<number>;
  /** Stops one running file; it ends failed with code `job.cancelled` and can be retried. */
  cancel(jobId: string): Promise<void>;
  /** Retries a failed history row; returns the batch id. */
  retry(historyId: number): Promise<number>;

  /** Puts text in the system clipboard (the webview has no clipboard permission). */
  copyText(text: string): Promise<void>;
  /** Opens a URL in the default browser. */
  openUrl(url: string): Promise<void>;

  historyPage(q: HistoryQuery): Promise<HistoryPage>;
  deleteRecord(id: number): Promise<void>;
  /** Deletes the object from the bucket, then the record. */
  deleteRemote(id: number): Promise<void>;
  /** Asks the link of every finished upload (of `profile` only; null = every profile) over
   *  HTTP, 8 at once, 10 s each: a long history takes up to a minute. */
  historyCheck(profile: string | null): Promise<LinkHealth>;
  /** Uploads the kept sources of finished uploads again, under their own links; their progress
   *  arrives through onJob like any upload's. Refused with `job.not_retryable` when none can
   *  be. Returns how many started. */
  historyReupload(ids: number[]): Promise<number>;

  providers(): Promise<Preset[]>;
  getProfile(name: string): Promise<ProfileDetail>;
  /** A new profile's defaults for a provider preset. */
  newProfile(provider: string): Promise<ProfileDetail>;
  saveProfile(p: SaveProfile): Promise<AppState>;
  duplicateProfile(name: string, newName: string): Promise<AppState>;
  removeProfile(name: string): Promise<AppState>;
  testProfile(name: string): Promise<TestStep[]>;
  preview(req: PreviewRequest): Promise<Preview>;
  /** The native file dialog (Rust) of the profile editor's watermark "Choose…": the chosen
   *  picture's path, or null if cancelled. Nothing is stored until saveProfile. */
  pickWatermarkImage(): Promise<string | null>;
  importPicgo(dryRun: boolean): Promise<ImportSummary>;

  /** Native dialog (Rust): a folder (folder=true) or Markdown files; null if cancelled. */
  mdPick(folder: boolean): Promise<string[] | null>;
  /** Reads and plans the paths (nothing uploaded or written); profile null = the active one. */
  mdPlan(paths: string[], profile: string | null, remote: boolean): Promise<MdPlan>;
  /** Starts the migration of a plan; progress arrives through onMdProgress. */
  mdRun(id: number): Promise<void>;
  /** Puts back the originals of a migration run. */
  mdUndo(run: string): Promise<MdUndoLine[]>;

  /** One page of a folder of the bucket (profile null = the active one). `prefix` is the open
   *  folder (ending in `/`, or '' for the top) plus any search text; `token` the `next` of the
   *  page before, or null for the first. */
  bucketList(profile: string | null, prefix: string, token: string | null): Promise<BucketPage>;
  /** Deletes objects from the bucket, then the history rows that linked to them. */
  bucketDelete(profile: string | null, keys: string[]): Promise<BucketDeleted>;
  /** Moves (renames) an object; a `to` ending in `/` is a folder and the name is kept. Refused
   *  with `bucket.published` while uploads in the history link to it, unless `force`; with
   *  `bucket.exists` when the target is taken. Returns the new key. */
  bucketMove(profile: string | null, from: string, to: string, force: boolean): Promise<string>;
  /** Puts the links of `keys` in the clipboard (Rust does) and returns that text, one link a
   *  line: in `format` (null = the profile's), public (`expiresSecs` null, refused with
   *  `profile.no_public_url` without a public URL) or presigned for that many seconds. */
  bucketCopyLinks(profile: string | null, keys: string[], format: LinkFormat | null, expiresSecs: number | null): Promise<string>;
  /** Opens an object in the default browser (a presigned link when there is no public URL). */
  bucketOpen(profile: string | null, key: string): Promise<void>;
  /** Adds history rows for objects uploaded by other tools (PicGo, the console…), so they can
   *  be searched, copied and checked in History; an object a history row of the profile already
   *  links to is counted in `known` and not added again. */
  bucketAdopt(profile: string | null, objects: BucketObjectRef[]): Promise<BucketAdopted>;
  /** "Upload here": opens the native file dialog (in Rust) and uploads the chosen files into
   *  `folder` of the bucket ('' for the top, else ending in `/`, as the view holds it) under
   *  their own names; processing, dedup and links stay the profile's. Their progress arrives
   *  through onJob and the end through onBatchDone, like any upload's. Returns the batch id, or
   *  null when the dialog was cancelled. Refused with `bucket.not_a_folder` or `bucket.reserved`
   *  (Hoist's own `.hoist/`). */
  bucketUpload(profile: string | null, folder: string): Promise<number | null>;

  /** Where sync of the history and profiles stands on this device (off: everything empty). */
  syncStatus(): Promise<SyncStatus>;
  /** Turns sync on through `profile`'s bucket, end-to-end encrypted with `passphrase`, naming
   *  this device `deviceName` ('' = the computer's name), then syncs once (the answer waits
   *  for it; a first sync that fails leaves sync on with the error in `lastError`). Refused,
   *  changing nothing, with `sync.wrong_passphrase` (the bucket's sync was set up with another
   *  passphrase), `sync.weak_passphrase` (fewer than 8 characters) or `sync.already_enabled`. */
  syncEnable(profile: string, passphrase: string, deviceName: string): Promise<SyncStatus>;
  /** Syncs now (after the one running, if any). Rejects when the sync failed; the status then
   *  has the error as `lastError` too. */
  syncNow(): Promise<SyncStatus>;
  /** Turns sync off on this device; the history and profiles stay, and the bucket keeps the
   *  sync data for the other devices. */
  syncDisable(): Promise<SyncStatus>;
  /** Forgets another device that will not come back (an old laptop): a snapshot keeps what its
   *  batches held, then they are deleted from the bucket. */
  syncForget(device: string): Promise<SyncStatus>;

  onJob(cb: (job: JobState) => void): Promise<Unlisten>;
  onBatchDone(cb: (b: BatchDone) => void): Promise<Unlisten>;
  /** The state changed elsewhere (tray profile switch, settings from a second window…). */
  onAppState(cb: (s: AppState) => void): Promise<Unlisten>;
  /** Native drag-and-drop hover, for highlighting the drop zone. */
  onDragHover(cb: (hovering: boolean) => void): Promise<Unlisten>;
  /** The tray or shortcut asks to show a view ("upload" | "history" | "bucket" | "markdown" |
   *  "settings"). */
  onNavigate(cb: (view: string) => void): Promise<Unlisten>;
  /** A failure of something started outside the window (tray, shortcut, drop, second launch). */
  onError(cb: (e: AppError) => void): Promise<Unlisten>;
  /** A running migration's progress: each finished file, then the end. */
  onMdProgress(cb: (p: MdProgress) => void): Promise<Unlisten>;
  /** A background sync started or ended (its status, `running` while it goes). */
  onSync(cb: (s: SyncStatus) => void): Promise<Unlisten>;
  /** History rows changed outside the window's own actions (a sync brought or removed some). */
  onHistoryChanged(cb: () => void): Promise<Unlisten>;
  /** Markdown files were dropped on the window: offer to migrate them (never run by itself). */
  onMdOffer(cb: (paths: string[]) => void): Promise<Unlisten>;
  /** Every file of this run so far (uploads started before the window listened: launch
   *  arguments, resumed jobs), latest state each. */
  sessionJobs(): Promise<JobState[]>;
  /** The capture overlay's picture (a PNG of the whole desktop, device pixels), grabbed by Rust
   *  before the overlay opened. Refused with `capture.none` when no capture is in progress. */
  captureImage(): Promise<ArrayBuffer>;
  /** The overlay painted its picture: Rust shows the (hidden) window over everything. */
  captureShown(): Promise<void>;
  /** Renders `edits` on the picture in Rust and uploads it with the active profile; the batch
   *  id (progress arrives like any upload's). The overlay closes. */
  captureUpload(edits: Edits): Promise<number>;
  /** Esc: nothing is uploaded, the overlay closes. */
  captureCancel(): Promise<void>;
}
