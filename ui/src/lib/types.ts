// The contract between the UI and the Rust shell (src-tauri). Field names are exactly what the
// Rust side serialises: camelCase for shell types, snake_case inside `ProfileConfig` (it is the
// core crate's `Profile`, the same shape as a profile in config.toml).

export type LinkFormat = 'url' | 'markdown' | 'html' | 'bbcode' | 'custom';
export const LINK_FORMATS: LinkFormat[] = ['url', 'markdown', 'html', 'bbcode', 'custom'];

/** Every failure crossing IPC: a stable code to branch on and a plain-words message. */
export interface AppError {
  code: string;
  message: string;
}

export type Language = 'auto' | 'en' | 'zh-CN';

export interface Settings {
  /** Accelerator such as "Ctrl+Alt+U"; empty string = no shortcut. */
  shortcut: string;
  /** A global shortcut per profile name (e.g. `{ blog: "Ctrl+Alt+B" }`): uploads the clipboard
   *  with that profile, whichever is active. Absent or `{}` = none; '' = none for that profile
   *  (the window deletes the key instead). Rust refuses the same key twice, also with `shortcut`
   *  (`shortcut.conflict`), and an unparseable one (`shortcut.invalid`); one that cannot be
   *  registered (no such profile any more, taken, Wayland) is reported in `shortcutError`. */
  profileShortcuts?: Record<string, string>;
  /** Opens the capture overlay from anywhere; '' = none (the tray's item stays). */
  captureShortcut: string;
  notifications: boolean;
  autostart: boolean;
  language: Language;
  /** Copy the links of a finished batch to the clipboard automatically. */
  autoCopy: boolean;
  /** The PicGo-compatible local server (127.0.0.1 only). */
  serverEnabled: boolean;
  serverPort: number;
  /** Folders whose new images are uploaded while the app runs; saving restarts the watchers. */
  watchFolders: WatchFolder[];
  /** Clipboard watch: each image newly copied to the clipboard (by any program) is uploaded
   *  with the active profile, and the clipboard then holds its link. Off until turned on; why
   *  it cannot run on this machine is in `clipboardWatchError`. */
  clipboardWatch: boolean;
  /** The tray's "Pause clipboard watch": copies made while paused are left alone (also after
   *  a restart, and after the pause ends). */
  clipboardWatchPaused: boolean;
  /** Ask in a small dialog ("Upload" / "Skip") before each upload of the clipboard watch. */
  clipboardWatchConfirm: boolean;
}

/** A watched folder of the settings. Rust refuses a path that is not absolute, and the same
 *  path twice (`settings.invalid`). */
export interface WatchFolder {
  /** An absolute path. */
  path: string;
  /** The profile to upload with; '' = the active one at the time of each upload. */
  profile: string;
  /** Sub-folders too (not hidden ones). */
  recursive: boolean;
  /** Each new link goes to the clipboard (else only in the history and the notification). */
  copyLinks: boolean;
  /** Off keeps the folder in the list without watching it. */
  enabled: boolean;
}

/** A folder just added, with Rust's defaults (`WatchFolder::default` in settings.rs). */
export function newWatchFolder(path: string): WatchFolder {
  return { path, profile: '', recursive: false, copyLinks: true, enabled: true };
}

export interface ProfileSummary {
  name: string;
  provider: string;
  bucket: string;
  /** The endpoint host shown beside the bucket, or '' for the provider default. */
  endpoint: string;
  linkFormat: LinkFormat;
}

export interface AppState {
  version: string;
  profiles: ProfileSummary[];
  /** The profile uploads go to; null when there is none yet. */
  activeProfile: string | null;
  settings: Settings;
  /** Why the global shortcut could not be registered (taken, Wayland…), or null. */
  shortcutError: string | null;
  /** Why the clipboard watch cannot run on this machine (e.g. no X display), or null when it
   *  runs or is off. */
  clipboardWatchError: string | null;
  /** Why the local server is not running although enabled, or null. */
  serverError: string | null;
  /** The address the local server listens on when running, e.g. "127.0.0.1:36677". */
  serverAddress: string | null;
}

export type Stage = 'queued' | 'processing' | 'uploading' | 'done' | 'failed';

export type Links = Record<LinkFormat, string>;

/** One file of an upload batch, sent as the `upload://state` event whenever it changes. */
export interface JobState {
  /** Unique per file: `${batchId}-${index}`. */
  jobId: string;
  batchId: number;
  index: number;
  name: string;
  profile: string;
  stage: Stage;
  /** Size of the source file, once read. */
  bytesIn: number | null;
  /** Size after processing (what is uploaded). */
  bytesOut: number | null;
  /** Bytes sent so far while uploading (equals bytesOut when done). */
  bytesSent: number | null;
  historyId: number | null;
  /** Present when done. */
  links: Links | null;
  url: string | null;
  /** Thumbnail URL (custom `thumb:` protocol), present once the history row exists. */
  thumbnail: string | null;
  /** True when the same bytes were uploaded before and that link was reused. */
  existing: boolean;
  /** Present when done and the upload differs from what the profile asked for. */
  note: JobNote | null;
  error: (AppError & { retryable: boolean }) | null;
}

/** How a finished upload differs from what its profile asked for: the core's English message,
 *  plus its code and fields so the window can say it in its own language. */
export type JobNote =
  | { code: 'image.format_limit'; message: string; wanted: string; maxSide: number; used: string; original: boolean }
  | { code: 'image.pixel_limit'; message: string; width: number; height: number; limit: number; used: string }
  | { code: string; message: string };

/** Sent as `upload://batch` when every file of a batch has finished. */
export interface BatchDone {
  batchId: number;
  done: number;
  failed: number;
  /** What was put in the clipboard (one line per file), or null if nothing was copied. */
  copied: string | null;
}

export type HistoryStatus = 'queued' | 'processing' | 'uploading' | 'done' | 'failed';

export interface HistoryRow {
  id: number;
  createdAtMs: number;
  profile: string;
  name: string;
  key: string | null;
  url: string | null;
  status: HistoryStatus;
  bytesIn: number | null;
  bytesOut: number | null;
  width: number | null;
  height: number | null;
  error: string | null;
  links: Links | null;
  thumbnail: string | null;
  /** Where the row came from: 'upload', 'mirror' (a copy of another profile's upload into this
   *  one's bucket; retried like an upload when it failed), or 'import:…'. Absent from shells
   *  that do not send it. */
  origin?: string;
}

export interface HistoryQuery {
  search: string;
  /** '' = every profile. */
  profile: string;
  /** Keyset paging: rows older than this row; null for the first page. */
  beforeId: number | null;
  limit: number;
}

export interface HistoryPage {
  rows: HistoryRow[];
  /** Rows matching the query in total (for the header and the scroll height). */
  total: number;
}

// ---- Check links (`hoist history check` in the window) ----
// snake_case as the shell sends them.

/** A finished upload whose link does not serve. */
export interface BrokenLink {
  /** The history row's id. */
  id: number;
  profile: string;
  source_name: string;
  url: string;
  /** Why, in plain words: "404 Not Found", "connection refused", "no answer in 10 s"… */
  reason: string;
  /** Its source is kept, so it can be uploaded again under the same link. */
  reuploadable: boolean;
}

/** What checking the history's links found. */
export interface LinkHealth {
  /** Finished uploads with a link. */
  uploads: number;
  /** Distinct links asked (uploads of the same bytes share one). */
  links: number;
  broken: BrokenLink[];
}

/** 'keep': the source's format (its own bytes when nothing needs re-encoding); 'original':
 *  the file exactly as it is (no stripping, no resizing). */
export type ProcessingFormat = 'webp' | 'jpeg' | 'png' | 'avif' | 'keep' | 'original';

export interface ProcessingOptions {
  format: ProcessingFormat;
  quality: number;
  lossless: boolean;
  max_width: number | null;
  max_height: number | null;
  strip_metadata: boolean;
  max_pixels: number;
  allow_any_file: boolean;
  target_score?: number | null;
  /** Files smaller than this many bytes are not converted: they are treated as 'keep' (their
   *  own format, metadata still removed). Absent or null: off. The core refuses it together with
   *  format 'original', and above `large.above` (a file cannot be both small and large). */
  keep_below?: number | null;
  /** Another format and/or quality for files larger than `large.above` bytes. Absent or null:
   *  off. */
  large?: LargeFiles | null;
  /** Text or a picture drawn on every image large enough (after orientation and resizing);
   *  absent when there is none (the core omits it). The core refuses it with format
   *  'original' or `large.format` 'original' (`config.invalid`). */
  watermark?: Watermark;
}

/** Where a single watermark goes (ignored when `tiled`). */
export type WatermarkPosition =
  | 'top-left' | 'top' | 'top-right'
  | 'left' | 'center' | 'right'
  | 'bottom-left' | 'bottom' | 'bottom-right';

/** The nine positions row by row, as the editor's 3×3 grid shows them. */
export const WATERMARK_POSITIONS: WatermarkPosition[] = [
  'top-left', 'top', 'top-right', 'left', 'center', 'right', 'bottom-left', 'bottom', 'bottom-right',
];

/** `ProcessingOptions.watermark` (hoist_imaging::Watermark). Missing fields take the core's
 *  defaults (see WATERMARK_DEFAULTS); the core refuses unknown ones. */
export interface Watermark {
  /** One line of text; not used when `image` is set. */
  text: string;
  /** A picture to draw instead (a PNG with transparency, or any image Hoist reads); absent
   *  when empty. */
  image?: string;
  /** A font file path or an installed family name ("Noto Sans CJK SC"); absent when empty =
   *  the system's sans-serif, or any installed font with every character of the text. */
  font?: string;
  /** % of the image's shorter side: the text's height, or the picture's width. Above 0, at
   *  most 100. */
  size: number;
  /** The text's colour, `#rrggbb`. */
  color: string;
  /** 0 (invisible) to 1 (opaque). */
  opacity: number;
  position: WatermarkPosition;
  /** Distance from the edges (and between tiles), % of the shorter side, 0 to 50. */
  margin: number;
  /** Repeat the mark over the whole image instead of placing it once. */
  tiled: boolean;
  /** Images whose shorter side has fewer pixels than this get no mark. */
  min_size: number;
}

/** The core's defaults (`Watermark::default`), without a text. */
export const WATERMARK_DEFAULTS: Watermark = {
  text: '', size: 5, color: '#ffffff', opacity: 0.6, position: 'bottom-right', margin: 3, tiled: false, min_size: 200,
};

/** The rule of `ProcessingOptions.large`. */
export interface LargeFiles {
  /** Files larger than this many bytes follow the rule. */
  above: number;
  /** Their format; the profile's when absent or null. The core refuses 'original' when the
   *  profile sets max_width or max_height (an unchanged file cannot be resized). */
  format?: ProcessingFormat | null;
  /** Their quality, 1–100; the profile's when absent or null. */
  quality?: number | null;
}

/** The core's profile, as in config.toml (snake_case). Optional fields may be absent. */
export interface ProfileConfig {
  provider: string;
  endpoint?: string | null;
  account_id?: string | null;
  region?: string | null;
  bucket: string;
  addressing?: 'path' | 'virtual' | null;
  acl?: string | null;
  access_key_id?: string | null;
  access_key_id_env?: string | null;
  secret_env?: string | null;
  public_base_url?: string | null;
  url_suffix: string;
  key_template: string;
  link_format: LinkFormat;
  custom_link: string;
  cache_control?: string | null;
  content_disposition: boolean;
  connect_timeout_secs: number;
  timeout_secs: number;
  proxy?: string | null;
  allow_invalid_certs: boolean;
  collision: 'rename' | 'overwrite' | 'fail';
  conditional_put?: boolean | null;
  dedup: boolean;
  processing: ProcessingOptions;
  /** Other profiles every upload is also copied to (the same bytes, under each one's own key
   *  template); the link stays this profile's. Absent when empty (the core omits it). Each must
   *  be another profile, named once (`config.invalid` otherwise). */
  mirrors?: string[];
}

export interface ProfileDetail {
  name: string;
  config: ProfileConfig;
  /** Whether a secret access key is stored in the keychain (the secret itself never is sent). */
  hasSecret: boolean;
}

export interface SaveProfile {
  /** The name before editing; null when adding. Renaming moves the secret. */
  originalName: string | null;
  name: string;
  config: ProfileConfig;
  /** A new secret to store in the keychain; null keeps the stored one. */
  secret: string | null;
}

export interface Preset {
  id: string;
  name: string;
  endpoint: string;
  region: string;
  addressing: 'path' | 'virtual';
  acl: boolean;
  public_url: string;
  notes: string;
}

export interface TestStep {
  /** e.g. "credentials", "put", "head", "public get", "delete". */
  name: string;
  ok: boolean;
  detail: string;
  millis: number;
}

export interface PreviewRequest {
  config: ProfileConfig;
  /** A sample file name to render with, e.g. "screenshot.png". */
  fileName: string;
  /** The profile's name as typed, for `{profile}`. */
  name?: string;
}

export interface Preview {
  /** The rendered key, or null when the template has an error. */
  key: string | null;
  url: string | null;
  link: string | null;
  /** Template error with the byte offset into the template, if any. */
  error: { message: string; offset: number | null } | null;
  /** With a watermark: the processed sample (640×400) as a `data:` URL, marked as uploads will
   *  be; null without one, and when the preview failed. */
  image: string | null;
}

export interface ImportSummary {
  profilesAdded: string[];
  profilesSkipped: string[];
  historyAdded: number;
  messages: string[];
}

// ---- Markdown migration (`hoist md migrate` in the window) ----

/** One image reference of a Markdown file and what the migration does with it. */
export interface MdRef {
  /** 1-based line of the reference in the file. */
  line: number;
  /** The link as written in the file. */
  link: string;
  action: 'upload' | 'skip' | 'missing';
  /** upload: the local file or URL; skip and missing: why, in plain words. */
  detail: string;
}

export interface MdFilePlan {
  path: string;
  refs: MdRef[];
}

/** What a migration would do, read from the files (nothing uploaded or written yet). */
export interface MdPlan {
  /** The plan's id in Rust; mdRun takes it. */
  id: number;
  /** The profile the plan was made for. */
  profile: string;
  /** The common folder of the chosen paths ('' if none); paths are shown relative to it. */
  root: string;
  /** Markdown files found (with or without images). */
  fileCount: number;
  /** Only files with at least one image reference, in path order. */
  files: MdFilePlan[];
  /** Distinct images to upload. */
  uploads: number;
  /** Image references in all files. */
  refs: number;
  skipped: number;
  missing: number;
  unreadable: { path: string; reason: string }[];
}

/** A reference a migration could not move (its upload failed, or the file is not there). */
export interface MdProblem {
  line: number;
  link: string;
  reason: string;
}

export interface MdSummary {
  files: number;
  filesChanged: number;
  filesFailed: number;
  uploaded: number;
  /** Images already in the bucket (the same bytes uploaded before). */
  reused: number;
  rewritten: number;
  skipped: number;
  failed: number;
  missing: number;
}

/** Sent as `markdown://progress` while a migration runs: one `file` per finished file, then
 *  `done` (or `failed` when the run itself stopped). `id` is the plan's. */
export type MdProgress =
  | { id: number; kind: 'file'; path: string; done: number; total: number; changed: boolean; rewritten: number; failed: MdProblem[]; missing: MdProblem[]; error: string | null }
  | { id: number; kind: 'done'; summary: MdSummary; run: string | null; backupDir: string | null }
  | { id: number; kind: 'failed'; code: string; message: string };

/** What undoing a migration did to one file. */
export interface MdUndoLine {
  path: string;
  status: 'restored' | 'already_original' | 'changed_since' | 'failed';
  detail: string | null;
}

// ---- The bucket browser (`hoist ls / rm / mv / link` in the window) ----
// snake_case as the shell sends them (the core's own types, serialised as they are).

/** One object of a listed folder. */
export interface BucketObject {
  /** The full key. */
  key: string;
  /** The key's part after the open folder. */
  name: string;
  size: number;
  modified_ms: number | null;
  /** Thumbnail URL (custom `thumb:` protocol) when the shell has one, else null. */
  thumbnail: string | null;
}

/** An object as "Add to history" sends it: what its listing said. */
export interface BucketObjectRef {
  key: string;
  size: number;
  modified_ms: number | null;
}

/** One page of a folder listing (up to 1000 entries, folders and objects together). */
export interface BucketPage {
  /** Full prefixes of the sub-folders, each ending in `/` (e.g. `2024/05/`). */
  folders: string[];
  objects: BucketObject[];
  /** The continuation token of the next page, or null at the end. */
  next: string | null;
  /** Whether the profile has a public URL; without one, links must be presigned. */
  public: boolean;
}

/** What deleting objects did. */
export interface BucketDeleted {
  deleted: string[];
  /** Keys the bucket did not delete, each with why in plain words. */
  failed: { key: string; message: string }[];
  /** History rows that linked to a deleted object, removed with it. */
  forgotten: number;
}

/** What adding objects to the history did. */
export interface BucketAdopted {
  /** History rows added, one per object. */
  added: number;
  /** Objects a history row of the profile already linked to: not added again. */
  known: number;
}

// ---- Sync of the history and profiles through the user's own bucket (`hoist sync`) ----

/** Another device of the sync, as seen from this one. */
export interface SyncDevice {
  /** Its device id (16 hex digits). */
  id: string;
  /** The name it goes by (its host name or what its user chose); null until a batch of its
   *  own said so. */
  name: string | null;
  /** How many of its batches of changes were applied here. */
  batches: number;
}

/** Where sync stands on this device (Settings › Sync), also sent as `sync://state` when a
 *  background sync starts or ends. */
export interface SyncStatus {
  enabled: boolean;
  /** The sync home profile: its bucket holds the sync data. */
  profile: string | null;
  /** This device's id (16 hex digits). */
  device: string | null;
  /** This device's name. */
  deviceName: string | null;
  /** Unix ms of the last sync that got everything through. */
  lastSyncMs: number | null;
  /** Why the last attempt failed (a plain-words message, shown as it is), or null. */
  lastError: AppError | null;
  /** Batches of this device's changes waiting to be sent (offline). */
  pending: number;
  /** The other devices seen so far. */
  devices: SyncDevice[];
  /** A sync is running now. */
  running: boolean;
  /** Profiles that arrived from another device without their secret here (secrets never sync). */
  needsSecret: string[];
}

/** A rectangle in the captured picture's device pixels. */
export interface EditRect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What the capture overlay (and, later, the editor) did to a picture; Rust renders it
 *  (hoist_imaging::Edits). The overlay sends no marks yet, only the region as the crop. */
export interface Edits {
  marks: unknown[];
  crop: EditRect | null;
}
