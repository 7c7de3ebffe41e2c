// An in-memory Backend for `npm run dev` in a plain browser and for the tests: three profiles,
// a generated history of 100 000 rows served in keyset pages, uploads that move through their
// stages on timers (or step by step with `step()` / `finishAll()` when timers are off), a
// small blog of Markdown files to plan, migrate (file by file, or `mdStep()`) and undo, a
// bucket of about 1 200 objects per profile to browse (folders, pages of 1000), delete, move,
// link, add to the history and upload into ("Upload here"), a few uploads of the history whose links are broken (Check
// links), some of them to upload again, folders to pick for Settings › Watch folders (saved
// with the shell's checks; nothing is watched), shortcuts per profile (the shell's checks:
// the same key twice is refused, Ctrl+Alt+T is "taken"), mirrors per profile (the core's checks
// and words; a rename follows, a removal drops; an upload adds a "mirror" history row per
// mirror), watermarks per profile (the core's checks and words; the preview's marked sample is
// a fixed 1×1 PNG, the "Choose…" dialog a fixed path), and Settings › Sync (off at first; on,
// it has one other device, and nothing leaves the page).
import type { Backend, Unlisten } from './backend';
import { LINK_FORMATS, PRESETS, defaultConfig } from './facts';
import type {
  AppError, AppState, BatchDone, BucketAdopted, BucketDeleted, BucketObject, BucketObjectRef,
  BucketPage, HistoryPage, HistoryQuery, BrokenLink, HistoryRow, HistoryStatus, ImportSummary,
  JobState, LinkFormat, LinkHealth, Links, MdFilePlan, MdPlan, MdProblem, MdProgress, MdRef,
  MdSummary, MdUndoLine, Preset, Preview, PreviewRequest, ProfileConfig, ProfileDetail, SaveProfile,
  Settings, SyncStatus, TestStep, Watermark, Edits,
} from './types';

/** A transparent 1×1 PNG. */
const ONE_PIXEL_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

export interface MockOptions {
  /** Rows of generated history (default 100 000). */
  historySize?: number;
  /** Drive uploads with timers (default true). Off: call step()/finishAll(). */
  autoProgress?: boolean;
  /** Artificial delay of every call, in ms (default 0). */
  latency?: number;
  /** Start with the three sample profiles (default true). */
  withProfiles?: boolean;
  /** Highlight/upload on browser drag-and-drop of files (names only). Default false. */
  browserDragDrop?: boolean;
  /** "Now" for the generated history (default Date.now()). */
  now?: number;
  /** Extra generated Markdown files in the sample blog, for long plans (default 0). */
  markdownFiles?: number;
}

// Presets and a new profile's defaults are Rust's (facts.json), not a copy.
export { PRESETS, defaultConfig };

function sampleProfiles(): Map<string, { config: ProfileConfig; hasSecret: boolean }> {
  const blog = defaultConfig('r2');
  Object.assign(blog, {
    account_id: '8f2c4e1a9b7d6c5e4f3a2b1c0d9e8f7a', bucket: 'blog-images',
    access_key_id: 'a1b2c3d4e5f6a7b8c9d0', public_base_url: 'https://img.example.com',
  });
  // Small icons stay as they are; big photos go out at a lower quality.
  blog.processing = { ...blog.processing, keep_below: 20_000, large: { above: 5_000_000, quality: 60 } };
  const minio = defaultConfig('minio');
  Object.assign(minio, {
    endpoint: 'http://127.0.0.1:9000', bucket: 'screenshots', access_key_id: 'minioadmin',
    link_format: 'url', key_template: 'shots/{year}{month}{day}-{md5:8}.{extName}',
  });
  minio.processing = { ...minio.processing, format: 'png', max_width: 1920 };
  const oss = defaultConfig('aliyun-oss');
  Object.assign(oss, {
    region: 'cn-shanghai', bucket: 'docs-assets', access_key_id: 'LTAI5tExampleKey',
    public_base_url: 'https://cdn.example.cn', link_format: 'html',
  });
  return new Map([
    ['blog', { config: blog, hasSecret: true }],
    ['screenshots', { config: minio, hasSecret: true }],
    ['docs-cn', { config: oss, hasSecret: false }],
  ]);
}

// ---- deterministic generation -------------------------------------------------------------

function hash32(n: number): number {
  let x = (n ^ 0x9e3779b9) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

function hex(n: number, len: number): string {
  let s = '';
  let i = 0;
  while (s.length < len) s += hash32(n * 31 + i++).toString(16).padStart(8, '0');
  return s.slice(0, len);
}

const WORDS = [
  'screenshot', 'diagram', 'sunset', 'whiteboard', 'receipt', 'cat', 'dashboard', 'mockup',
  'bug-report', 'chart', 'avatar', 'banner', 'photo', 'scan', '截图', '流程图', 'sketch',
  'error-dialog', 'release-notes', 'map',
];
const EXTS = ['png', 'jpg', 'png', 'jpeg', 'png', 'gif', 'webp', 'heic'];

const HUES = [205, 170, 25, 280, 340, 120, 45, 190, 230, 10, 150, 260];

/** A small landscape picture as an SVG data URI (a stand-in for the `thumb:` protocol). */
export function thumbFor(variant: number): string {
  const h = HUES[variant % HUES.length];
  const h2 = (h + 40) % 360;
  const svg =
    `<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 96 96'>` +
    `<defs><linearGradient id='g' x1='0' y1='0' x2='0' y2='1'>` +
    `<stop offset='0' stop-color='hsl(${h},70%,78%)'/><stop offset='1' stop-color='hsl(${h2},60%,60%)'/>` +
    `</linearGradient></defs><rect width='96' height='96' fill='url(#g)'/>` +
    `<circle cx='${28 + (variant % 5) * 9}' cy='30' r='11' fill='hsl(${(h + 180) % 360},90%,92%)'/>` +
    `<path d='M0 80 L30 50 L52 70 L70 54 L96 78 L96 96 L0 96Z' fill='hsl(${h},35%,32%)' opacity='.85'/>` +
    `</svg>`;
  return 'data:image/svg+xml,' + encodeURIComponent(svg);
}

interface StoredRow {
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
  thumb: number | null;
  /** Where the row came from, as the shell's history says: 'upload', 'mirror' (a copy of an
   *  upload of a profile that mirrors to this one), or 'import:…' ('import:bucket' for an object
   *  added from the Bucket view). */
  origin: string;
}

const SAMPLE_ERRORS = [
  'The upload timed out after 60 s. Check the connection and try again.',
  'The bucket refused the upload: access denied (check the key’s permissions).',
  'The endpoint could not be reached: connection refused.',
];

function linksFor(url: string, name: string, customPattern = '![$fileName]($url)'): Links {
  const stem = name.replace(/\.[^.]+$/, '');
  const ext = (/\.[^.]+$/.exec(name) ?? [''])[0];
  return {
    url,
    markdown: `![${stem}](${url})`,
    html: `<img src="${url}" alt="${stem}"/>`,
    bbcode: `[img]${url}[/img]`,
    custom: customPattern.replaceAll('$url', url).replaceAll('$fileName', stem).replaceAll('$extName', ext),
  };
}

function publicBase(name: string, c: ProfileConfig): string | null {
  if (c.public_base_url) return c.public_base_url.replace(/\/+$/, '');
  const preset = PRESETS.find((p) => p.id === c.provider);
  if (!preset || !preset.public_url) return null;
  const region = c.region || preset.region;
  const endpoint = c.endpoint || preset.endpoint.replace('{region}', region);
  const url = preset.public_url
    .replace('{bucket}', c.bucket || name)
    .replace('{region}', region)
    .replace('{endpoint}', endpoint.replace(/\/+$/, ''));
  return url.includes('{') || !url ? null : url;
}

function delay(ms: number): Promise<void> {
  return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

function clone<T>(v: T): T {
  return v === undefined ? v : (JSON.parse(JSON.stringify(v)) as T);
}

function err(code: string, message: string): AppError {
  return { code, message };
}

// ---- the sample blog for the Markdown view --------------------------------------------------

export const MD_ROOT = '/home/me/blog';

/** How a sample reference resolves: a local image (its absolute path), a remote one, one
 *  already on the profile's public URL, a data: URI, not an image, or a file that is not there.
 *  `fail`: its upload fails during the run. */
type SampleRef =
  | { line: number; link: string; kind: 'local'; file: string; fail?: string }
  | { line: number; link: string; kind: 'remote' | 'hosted' | 'data' | 'notimage' }
  | { line: number; link: string; kind: 'missing'; tried: string };

interface SampleFile {
  path: string;
  refs: SampleRef[];
  /** Why the run leaves it unchanged (as the core says it). */
  error?: string;
  /** Why it cannot be read at all. */
  unreadable?: string;
}

function sampleBlog(extra: number): SampleFile[] {
  const r = MD_ROOT;
  const files: SampleFile[] = [
    { path: `${r}/about.md`, refs: [] },
    {
      path: `${r}/notes/vault/Daily/2025-01-14.md`,
      refs: [
        { line: 7, link: '![[Pasted image 20250114093012.png]]', kind: 'local', file: `${r}/notes/vault/attachments/Pasted image 20250114093012.png` },
        { line: 11, link: '![[whiteboard.jpg|400]]', kind: 'local', file: `${r}/notes/vault/attachments/whiteboard.jpg` },
        { line: 18, link: 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB', kind: 'data' },
      ],
    },
    {
      path: `${r}/notes/vault/Projects/hoist.md`,
      refs: [
        { line: 4, link: '![[whiteboard.jpg]]', kind: 'local', file: `${r}/notes/vault/attachments/whiteboard.jpg` },
        { line: 9, link: 'spec.pdf', kind: 'notimage' },
        { line: 14, link: '![[missing-screenshot.png]]', kind: 'missing', tried: `${r}/notes/vault/Projects/missing-screenshot.png` },
      ],
    },
    { path: `${r}/posts/broken.md`, refs: [], unreadable: 'not UTF-8 text' },
    {
      path: `${r}/posts/hello-world.md`,
      refs: [
        { line: 5, link: 'img/hello.png', kind: 'local', file: `${r}/posts/img/hello.png` },
        { line: 12, link: './img/architecture diagram.svg', kind: 'local', file: `${r}/posts/img/architecture diagram.svg` },
        { line: 20, link: 'https://i.imgur.com/Xy12abc.jpg', kind: 'remote' },
      ],
    },
    {
      path: `${r}/posts/trip-to-lisbon.md`,
      refs: [
        { line: 3, link: '<../static/photos/tram 28.jpg>', kind: 'local', file: `${r}/static/photos/tram 28.jpg` },
        { line: 9, link: '../static/photos/alfama.jpg', kind: 'local', file: `${r}/static/photos/alfama.jpg`, fail: 'the upload timed out after 60 s' },
        { line: 15, link: 'img/old-map.png', kind: 'missing', tried: `${r}/posts/img/old-map.png` },
        { line: 22, link: 'https://img.example.com/2024/05/3f9a1c.webp', kind: 'hosted' },
      ],
    },
    {
      path: `${r}/posts/周末随笔.md`,
      refs: [{ line: 6, link: 'images/咖啡馆.jpg', kind: 'local', file: `${r}/posts/images/咖啡馆.jpg` }],
      error: 'it was changed while Hoist worked on it; run the migration again',
    },
  ];
  for (let i = 1; i <= extra; i++) {
    const n = String(i).padStart(4, '0');
    const h = hash32(i);
    const refs: SampleRef[] = [];
    for (let k = 0; k < 1 + (h % 4); k++) {
      const name = `${WORDS[(h >>> (k * 3)) % WORDS.length]}-${k}.png`;
      refs.push((h >>> (k + 5)) % 11 === 0
        ? { line: 3 + k * 4, link: `img/${name}`, kind: 'missing', tried: `${r}/archive/img/${name}` }
        : { line: 3 + k * 4, link: `img/${name}`, kind: 'local', file: `${r}/archive/img/${name}` });
    }
    files.push({ path: `${r}/archive/${n}.md`, refs: h % 5 === 0 ? [] : refs });
  }
  return files;
}

const isMarkdownPath = (p: string) => /\.(md|markdown|mdx)$/i.test(p);

/** The folder paths share (a chosen folder itself; a file's parent), '' when none. */
function commonRoot(paths: string[]): string {
  const dirs = paths.map((p) => (isMarkdownPath(p) ? p.replace(/[\\/][^\\/]*$/, '') : p.replace(/[\\/]+$/, '')));
  if (dirs.length === 0) return '';
  let root = dirs[0];
  while (!dirs.every((d) => d === root || d.startsWith(root + '/'))) {
    const cut = root.lastIndexOf('/');
    if (cut <= 0) return '';
    root = root.slice(0, cut);
  }
  return root;
}

function resolveRef(ref: SampleRef, remote: boolean, hostedBase: string): MdRef {
  const base = { line: ref.line, link: ref.link };
  switch (ref.kind) {
    case 'local':
      return { ...base, action: 'upload', detail: ref.file };
    case 'remote':
      return remote
        ? { ...base, action: 'upload', detail: ref.link }
        : { ...base, action: 'skip', detail: 'on another website (tick “Also copy images from other websites” to copy it)' };
    case 'hosted':
      return { ...base, link: ref.link.replace('https://img.example.com', hostedBase), action: 'skip', detail: 'already on the profile’s public URL' };
    case 'data':
      return { ...base, action: 'skip', detail: 'a data: URI' };
    case 'notimage':
      return { ...base, action: 'skip', detail: 'not an image' };
    case 'missing':
      return { ...base, action: 'missing', detail: `no such file (${ref.tried})` };
  }
}

interface MockMdPlan {
  plan: MdPlan;
  files: SampleFile[];
  remote: boolean;
}

// ---- the sample bucket for the Bucket view --------------------------------------------------

/** A bucket object of the mock: what a listing tells of it. */
interface MockObject {
  size: number;
  modified_ms: number | null;
}

/** Uploads in the history link to this key (in every profile's bucket): moving it asks first. */
export const BUCKET_PUBLISHED = '2024/01/diagram.png';
/** The bucket refuses to delete this key (a policy), so a delete reports a failure. */
export const BUCKET_LOCKED = 'docs/locked.pdf';
/** The files bucketUpload's dialog chooses unless told otherwise (bucketUploadResult). */
export const BUCKET_UPLOADS = ['upload-1.png', 'upload-2.png'];
/** The folder with more objects than one page (1000 entries) holds. */
export const BUCKET_MANY = 1050;
export const BUCKET_PAGE = 1000;
const PRESIGN_MAX_SECS = 604_800;
const IMAGE_EXT = /\.(png|jpe?g|gif|webp|avif|svg)$/i;

/** About 1 200 objects: a few at the top, months of 2024 and 2025, `docs/` (with a sub-folder),
 *  and `many/`, longer than a page. Deterministic for a given `now`. */
function sampleBucket(now: number): Map<string, MockObject> {
  const objects = new Map<string, MockObject>();
  let n = 0;
  const add = (key: string, modified: number | null) => {
    n++;
    objects.set(key, { size: 2_000 + (hash32(n * 7919) % 2_400_000), modified_ms: modified });
  };
  add('avatar.png', now - 3 * 3_600_000);
  add('banner.jpg', now - 26 * 3_600_000);
  add('cover.webp', now - 5 * 86_400_000);
  add('favicon.ico', now - 40 * 86_400_000);
  // Some servers leave LastModified out.
  add('robots.txt', null);
  for (const [year, months, per] of [[2024, 12, 8], [2025, 5, 6]] as const) {
    for (let m = 1; m <= months; m++) {
      const mm = String(m).padStart(2, '0');
      for (let i = 0; i < per; i++) {
        const h = hash32(year * 1000 + m * 50 + i);
        const word = WORDS[h % WORDS.length];
        const ext = EXTS[(h >>> 5) % EXTS.length];
        add(`${year}/${mm}/${word}-${hex(h, 6)}.${ext}`, Date.UTC(year, m - 1, 1 + i * 3, 9 + (h % 10)));
      }
    }
  }
  add(BUCKET_PUBLISHED, Date.UTC(2024, 0, 20, 14));
  add(BUCKET_LOCKED, Date.UTC(2023, 10, 2, 8));
  add('docs/spec.pdf', Date.UTC(2023, 10, 2, 8));
  add('docs/notes.md', Date.UTC(2023, 11, 9, 17));
  for (let i = 1; i <= 3; i++) add(`docs/img/figure-${i}.png`, Date.UTC(2023, 11, 9, 17, i));
  for (let i = 1; i <= BUCKET_MANY; i++) {
    const word = WORDS[hash32(i) % WORDS.length];
    add(`many/${String(i).padStart(4, '0')}-${word}.png`, now - i * 37 * 60_000);
  }
  return objects;
}

/** A key's URL path: each segment percent-encoded, as the core's public_url does. */
function encodeKey(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

/** Sync while off: everything empty (as the shell's `SyncStatus::default`). */
function syncOff(): SyncStatus {
  return {
    enabled: false, profile: null, device: null, deviceName: null, lastSyncMs: null, lastError: null,
    pending: 0, devices: [], running: false, needsSecret: [],
  };
}

/** The passphrase the mock's bucket refuses: its sync was set up with another one. */
export const SYNC_WRONG_PASSPHRASE = 'wrong-passphrase';
/** This device's id once sync is on, and the other device the bucket's sync has. */
export const SYNC_DEVICE = '3f9a2c0d11e4b7a5';
export const SYNC_OTHER_DEVICE = 'a1b2c3d4e5f60718';

/** The folders watchPickFolder answers in turn (then from the first again). */
export const WATCH_PICKS = ['/home/me/Pictures/Screenshots', '/home/me/Downloads', '/home/me/Desktop'];

/** What pickWatermarkImage answers unless a test says otherwise. */
export const WATERMARK_PICK = '/home/me/Pictures/logo.png';

/** The preview's marked sample when the config has a watermark: a 1×1 PNG (the real one is
 *  the 640×400 sample as uploads would have it). */
export const WATERMARK_PREVIEW =
  'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=';

/** The core's checks of a watermark (hoist_imaging::Watermark::check), in its order and
 *  words: why it cannot work, or null. */
function watermarkProblem(m: Watermark): string | null {
  if (!m.text.trim() && !(m.image ?? '').trim()) return 'watermark: give a text or an image';
  if (/[\n\r]/.test(m.text)) return 'watermark.text: one line only';
  if (!(m.size > 0 && m.size <= 100)) {
    return `watermark.size must be above 0 and at most 100 (% of the shorter side; got ${m.size})`;
  }
  if (!(m.opacity >= 0 && m.opacity <= 1)) return `watermark.opacity must be 0 to 1 (got ${m.opacity})`;
  if (!(m.margin >= 0 && m.margin <= 50)) {
    return `watermark.margin must be 0 to 50 (% of the shorter side; got ${m.margin})`;
  }
  if (!/^[0-9a-f]{6}$/i.test(m.color.trim().replace(/^#+/, ''))) {
    return `watermark.color must be #rrggbb (got "${m.color}")`;
  }
  return null;
}

/** An accelerator compared the way the shell compares them: case and modifier order aside. */
function shortcutKey(text: string): string {
  const alias: Record<string, string> = { control: 'ctrl', option: 'alt', command: 'super', cmd: 'super', meta: 'super' };
  const parts = text.split('+').map((p) => p.trim().toLowerCase()).map((p) => alias[p] ?? p);
  const key = parts.pop() ?? '';
  return [...parts.sort(), key].join('+');
}

/** The shell's checks of the shortcuts (shortcut.rs, check_all): a key that is not one, and
 *  the same key twice (the Upload clipboard shortcut's, or two profiles'). */
function checkShortcuts(main: string, perProfile: Record<string, string>): void {
  const taken: [string, string][] = [];
  const uses: [string, string][] = [
    [main, 'the Upload clipboard shortcut'],
    ...Object.entries(perProfile).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, text]): [string, string] => [text, `the shortcut of profile "${name}"`]),
  ];
  for (const [text, what] of uses) {
    if (!text.trim()) continue;
    const key = shortcutKey(text);
    if (key.split('+').some((p) => p === '')) {
      throw err('shortcut.invalid', `"${text}" is not a shortcut Hoist understands; try e.g. Ctrl+Alt+U`);
    }
    const other = taken.find(([k]) => k === key);
    if (other) {
      throw err('shortcut.conflict', `${text.trim()} is already ${other[1]}; choose another key for ${what}`);
    }
    taken.push([key, what]);
  }
}

// ---- the backend ---------------------------------------------------------------------------

export class MockBackend implements Backend {
  readonly opts: Required<MockOptions>;
  state: AppState;
  profiles: Map<string, { config: ProfileConfig; hasSecret: boolean }>;
  /** Newest first (ids descending). */
  rows: StoredRow[] = [];
  /** What the UI asked to copy / open, for tests. */
  copied: string[] = [];
  opened: string[] = [];
  /** Set to false to make uploadClipboard fail with `clipboard.empty`. */
  clipboardHasImage = true;
  /** What mdPick answers; undefined = the sample blog (a folder, or two of its posts). */
  mdPickResult: string[] | null | undefined = undefined;
  /** Makes the next mdPlan calls fail with this error. */
  mdPlanError: AppError | null = null;
  /** What watchPickFolder answers; undefined = the next of WATCH_PICKS. */
  watchPickResult: string | null | undefined = undefined;
  /** What pickWatermarkImage answers (null = the dialog was cancelled). */
  watermarkPickResult: string | null = WATERMARK_PICK;
  /** Makes the next saveSettings calls fail with this error. */
  saveSettingsError: AppError | null = null;
  /** Why the clipboard watch cannot run "here": saving with the watch on reports it as
   *  clipboardWatchError, as the shell does (clipwatch.rs, apply); off clears it. */
  clipboardWatchUnavailable: string | null = null;
  /** The Markdown files of the sample blog (tests may change them). */
  mdFiles: SampleFile[];
  /** Makes the next bucketList calls fail with this error. */
  bucketListError: AppError | null = null;
  /** The file names bucketUpload's dialog "chooses"; undefined = BUCKET_UPLOADS, null = the
   *  dialog was cancelled. */
  bucketUploadResult: string[] | null | undefined = undefined;
  /** Each bucket's objects by key, made on first use (profiles of one bucket share them). */
  buckets = new Map<string, Map<string, MockObject>>();
  /** Uploads of the history linking to a bucket key beyond the generated rows:
   *  `${profile}\u0000${key}` → how many. */
  bucketLinks = new Map<string, number>();
  /** The uploads whose links historyCheck finds broken, by history id: why, and whether the
   *  source is kept (see sampleBroken); tests may change it. */
  brokenLinks = new Map<number, { reason: string; reuploadable: boolean }>();
  /** Makes the next historyCheck calls fail with this error. */
  historyCheckError: AppError | null = null;
  /** The ids of each historyReupload call, for tests. */
  reuploads: number[][] = [];
  /** Where sync stands (needsSecret is worked out from the profiles on each answer). */
  sync: SyncStatus = syncOff();
  /** Makes the next syncNow calls fail with this error (kept as the status's lastError). */
  syncNowError: AppError | null = null;

  private nextRowId: number;
  private nextBatch = 1;
  private clipboardCount = 0;
  private watchPicks = 0;
  private jobs = new Map<string, JobState>();
  /** How each job goes: `again` is the history row it uploads again (under the row's link). */
  private plans = new Map<string, { fail: AppError & { retryable: boolean } | null; existing: boolean; variant: number; again: number | null; key: string | null; mirror: boolean }>();
  private batchIds = new Map<number, string[]>();
  private retried = new Set<number>();
  private timer: ReturnType<typeof setInterval> | null = null;
  private filterCache: { key: string; rows: StoredRow[] } | null = null;
  private nextMdPlan = 1;
  private mdPlans = new Map<number, MockMdPlan>();
  /** Progress events of the running migration still to send. */
  private mdQueue: MdProgress[] = [];
  private mdTimer: ReturnType<typeof setInterval> | null = null;
  /** Migration runs that kept originals: run → the files changed, and whether undone. */
  private mdRuns = new Map<string, { paths: string[]; undone: boolean; backupDir: string }>();
  private listeners = {
    job: new Set<(j: JobState) => void>(),
    batch: new Set<(b: BatchDone) => void>(),
    state: new Set<(s: AppState) => void>(),
    drag: new Set<(h: boolean) => void>(),
    nav: new Set<(v: string) => void>(),
    mdProgress: new Set<(p: MdProgress) => void>(),
    mdOffer: new Set<(paths: string[]) => void>(),
    sync: new Set<(s: SyncStatus) => void>(),
    history: new Set<() => void>(),
  };

  constructor(options: MockOptions = {}) {
    this.opts = {
      historySize: options.historySize ?? 100_000,
      autoProgress: options.autoProgress ?? true,
      latency: options.latency ?? 0,
      withProfiles: options.withProfiles ?? true,
      browserDragDrop: options.browserDragDrop ?? false,
      now: options.now ?? Date.now(),
      markdownFiles: options.markdownFiles ?? 0,
    };
    this.mdFiles = sampleBlog(this.opts.markdownFiles);
    this.profiles = this.opts.withProfiles ? sampleProfiles() : new Map();
    const names = [...this.profiles.keys()];
    this.state = {
      version: '0.1.0',
      profiles: [],
      activeProfile: names[0] ?? null,
      settings: {
        shortcut: 'Ctrl+Alt+U',
        captureShortcut: 'Ctrl+PrintScreen',
        profileShortcuts: this.profiles.has('screenshots') ? { screenshots: 'Ctrl+Alt+S' } : {},
        notifications: true,
        autostart: false,
        language: 'auto',
        autoCopy: true,
        serverEnabled: true,
        serverPort: 36677,
        watchFolders: [],
        clipboardWatch: false,
        clipboardWatchPaused: false,
        clipboardWatchConfirm: false,
      },
      shortcutError: null,
      clipboardWatchError: null,
      serverError: null,
      serverAddress: '127.0.0.1:36677',
    };
    this.refreshSummaries();
    this.generateHistory(names.length ? names : ['blog']);
    this.sampleBroken(names);
    // One upload of each sample profile links to this object (see bucketMove).
    for (const name of names) this.bucketLinks.set(`${name}\u0000${BUCKET_PUBLISHED}`, 1);
    this.nextRowId = this.opts.historySize + 1;
    if (this.opts.browserDragDrop && typeof window !== 'undefined') this.wireBrowserDragDrop();
  }

  // -- test helpers --

  /** Advances every unfinished job by one step; returns how many are still unfinished. */
  step(): number {
    for (const job of [...this.jobs.values()]) {
      if (job.stage === 'done' || job.stage === 'failed') continue;
      this.advance(job);
    }
    return [...this.jobs.values()].filter((j) => j.stage !== 'done' && j.stage !== 'failed').length;
  }

  /** Runs every job to its end. */
  finishAll(): void {
    for (let i = 0; i < 100 && this.step() > 0; i++) { /* keep stepping */ }
  }

  navigate(view: string): void {
    for (const cb of this.listeners.nav) cb(view);
  }

  dragHover(hovering: boolean): void {
    for (const cb of this.listeners.drag) cb(hovering);
  }

  /** Markdown files dropped on the window, as the shell offers them. */
  mdOffer(paths: string[]): void {
    for (const cb of this.listeners.mdOffer) cb([...paths]);
  }

  /** A background sync starting or ending, as the shell announces it (with `change` applied). */
  syncEvent(change: Partial<SyncStatus> = {}): void {
    this.sync = { ...this.sync, ...clone(change) };
    this.announceSync();
  }

  /** History rows changed outside the window (a sync brought some), as the shell says it. */
  historyChanged(): void {
    for (const cb of this.listeners.history) cb();
  }

  /** Sends the running migration's next progress event; returns how many are left. */
  mdStep(): number {
    const p = this.mdQueue.shift();
    if (p) for (const cb of this.listeners.mdProgress) cb(clone(p));
    return this.mdQueue.length;
  }

  /** Sends every progress event left. */
  mdFinish(): void {
    while (this.mdStep() > 0) { /* keep sending */ }
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.mdTimer) clearInterval(this.mdTimer);
    this.mdTimer = null;
  }

  // -- Backend --

  async appState(): Promise<AppState> {
    await delay(this.opts.latency);
    return clone(this.state);
  }

  async setActiveProfile(name: string): Promise<AppState> {
    await delay(this.opts.latency);
    if (!this.profiles.has(name)) throw err('profile.not_found', `There is no profile named “${name}”.`);
    this.state.activeProfile = name;
    return this.publish();
  }

  async saveSettings(settings: Settings): Promise<AppState> {
    await delay(this.opts.latency);
    const s = clone(settings);
    if (!Number.isInteger(s.serverPort) || s.serverPort < 1 || s.serverPort > 65535) {
      throw err('settings.port', 'The port must be a number from 1 to 65535.');
    }
    if (this.saveSettingsError) throw clone(this.saveSettingsError);
    // The shell's checks of the watch folders (settings.rs, validate).
    const seen = new Set<string>();
    for (const f of s.watchFolders) {
      if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(f.path)) {
        throw err('settings.invalid', `a watch folder needs a full path (not "${f.path}")`);
      }
      if (seen.has(f.path)) throw err('settings.invalid', `${f.path} is watched twice`);
      seen.add(f.path);
    }
    checkShortcuts(s.shortcut, s.profileShortcuts ?? {});
    this.state.settings = s;
    this.state.shortcutError = this.shortcutProblems(s);
    this.state.clipboardWatchError = s.clipboardWatch ? this.clipboardWatchUnavailable : null;
    if (!s.serverEnabled) {
      this.state.serverAddress = null;
      this.state.serverError = null;
    } else if (s.serverPort < 1024 || s.serverPort === 8080) {
      this.state.serverAddress = null;
      this.state.serverError = s.serverPort === 8080
        ? 'Port 8080 is in use by another program.'
        : `Permission denied to listen on port ${s.serverPort}.`;
    } else {
      this.state.serverAddress = `127.0.0.1:${s.serverPort}`;
      this.state.serverError = null;
    }
    return this.publish();
  }

  /** What registering the shortcuts would say (shortcut.rs, apply): a profile's shortcut whose
   *  profile is gone, and Ctrl+Alt+T, "taken by another application"; null when all work. */
  private shortcutProblems(s: Settings): string | null {
    const problems: string[] = [];
    const wanted: [string, string | null][] = [
      [s.shortcut, null],
      ...Object.entries(s.profileShortcuts ?? {}).map(([name, text]): [string, string] => [text, name]),
    ];
    for (const [text, profile] of wanted) {
      if (!text.trim()) continue;
      if (profile !== null && !this.profiles.has(profile)) {
        problems.push(`${text} is not set: there is no profile "${profile}" any more`);
      } else if (shortcutKey(text) === shortcutKey('Ctrl+Alt+T')) {
        problems.push(`${text.trim()} is already taken by another application.`);
      }
    }
    return problems.length ? problems.join('; ') : null;
  }

  async watchPickFolder(): Promise<string | null> {
    await delay(this.opts.latency);
    if (this.watchPickResult !== undefined) return this.watchPickResult;
    return WATCH_PICKS[this.watchPicks++ % WATCH_PICKS.length];
  }

  async uploadClipboard(): Promise<number> {
    await delay(this.opts.latency);
    if (!this.clipboardHasImage) {
      throw err('clipboard.empty', 'The clipboard holds no image or files.');
    }
    this.clipboardCount++;
    return this.startBatch([{ name: 'clipboard.png', existing: this.clipboardCount % 3 === 2 }]);
  }

  async pickAndUpload(): Promise<number | null> {
    await delay(this.opts.latency);
    return this.startBatch([
      { name: 'sunset over the bay.jpg' },
      { name: 'architecture-diagram.png' },
      { name: '会议白板.jpeg' },
      {
        name: 'IMG_4032.heic',
        fail: { code: 'upload.timeout', message: 'The upload timed out after 60 s. Check the connection and try again.', retryable: true },
      },
    ]);
  }

  async uploadPaths(paths: string[]): Promise<number> {
    await delay(this.opts.latency);
    if (paths.length === 0) throw err('upload.nothing', 'Nothing to upload.');
    return this.startBatch(paths.map((p) => ({ name: p.split(/[\\/]/).pop() || p })));
  }

  async cancel(jobId: string): Promise<void> {
    const job = this.jobs.get(jobId);
    if (!job || job.stage === 'done' || job.stage === 'failed') {
      throw err('job.not_running', 'That upload has already finished.');
    }
    const error = { code: 'job.cancelled', message: 'the upload was cancelled', retryable: true };
    const next: JobState = { ...job, stage: 'failed', error };
    next.historyId = this.addRow(next, 'failed', error.message, null);
    this.jobs.set(jobId, next);
    this.emitJob(next);
  }

  async retry(historyId: number): Promise<number> {
    await delay(this.opts.latency);
    const row = this.rows.find((r) => r.id === historyId);
    if (!row) throw err('history.not_found', 'That upload is no longer in the history.');
    this.retried.add(historyId);
    this.removeRow(historyId);
    // A failed mirror copy is copied again, into its own profile, and stays a mirror copy.
    return this.startBatch([{ name: row.name, profile: row.profile, mirror: row.origin === 'mirror' }]);
  }

  async copyText(text: string): Promise<void> {
    await delay(this.opts.latency);
    this.copied.push(text);
  }

  async openUrl(url: string): Promise<void> {
    await delay(this.opts.latency);
    if (!/^https?:\/\//.test(url)) throw err('open.refused', 'Only http and https links are opened.');
    this.opened.push(url);
  }

  async historyPage(q: HistoryQuery): Promise<HistoryPage> {
    await delay(this.opts.latency);
    const rows = this.filtered(q.search, q.profile);
    let start = 0;
    if (q.beforeId !== null) {
      // rows are sorted by id descending: find the first id < beforeId.
      let lo = 0;
      let hi = rows.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (rows[mid].id >= q.beforeId) lo = mid + 1;
        else hi = mid;
      }
      start = lo;
    }
    const limit = Math.max(1, Math.min(q.limit, 5000));
    return { rows: rows.slice(start, start + limit).map((r) => this.toRow(r)), total: rows.length };
  }

  async deleteRecord(id: number): Promise<void> {
    await delay(this.opts.latency);
    if (!this.removeRow(id)) throw err('history.not_found', 'That upload is no longer in the history.');
  }

  async deleteRemote(id: number): Promise<void> {
    await delay(this.opts.latency);
    const row = this.rows.find((r) => r.id === id);
    if (!row) throw err('history.not_found', 'That upload is no longer in the history.');
    if (!row.key) throw err('history.no_key', 'This upload has no object in the bucket.');
    this.removeRow(id);
  }

  async historyCheck(profile: string | null): Promise<LinkHealth> {
    // The shell asks every link over the network, which takes a while: so does the mock.
    await delay(Math.max(this.opts.latency, this.opts.autoProgress ? 1500 : 0));
    if (this.historyCheckError) throw clone(this.historyCheckError);
    // As the shell: finished uploads with a link, newest first, each distinct link asked once.
    const rows = this.rows.filter((r) => r.status === 'done' && r.url !== null && (profile === null || r.profile === profile));
    const broken = rows.flatMap((r): BrokenLink[] => {
      const b = this.brokenLinks.get(r.id);
      return b ? [{ id: r.id, profile: r.profile, source_name: r.name, url: r.url!, reason: b.reason, reuploadable: b.reuploadable }] : [];
    });
    return { uploads: rows.length, links: new Set(rows.map((r) => r.url)).size, broken };
  }

  async historyReupload(ids: number[]): Promise<number> {
    await delay(this.opts.latency);
    this.reuploads.push([...ids]);
    // As the shell: ids no longer in the history are passed over; the ones that cannot be
    // uploaded again are refused only when none can; the others start, a batch per profile.
    const refused: AppError[] = [];
    const groups = new Map<string, StoredRow[]>();
    for (const id of ids) {
      const r = this.rows.find((row) => row.id === id);
      if (!r) continue;
      const why = r.status !== 'done'
        ? 'it is not uploaded; retry it instead'
        : this.brokenLinks.get(id)?.reuploadable === false ? 'its source was not kept' : null;
      if (why) refused.push(err('job.not_retryable', `upload ${r.id} (${r.name}) cannot be retried: ${why}`));
      else groups.set(r.profile, [...(groups.get(r.profile) ?? []), r]);
    }
    if (groups.size === 0 && refused.length) throw refused[0];
    let started = 0;
    for (const [profile, rows] of groups) {
      started += rows.length;
      this.startBatch(rows.map((r) => ({ name: r.name, profile, again: r.id })));
    }
    if (started === 0) throw err('history.not_found', 'none of these uploads exist any more');
    return started;
  }

  async providers(): Promise<Preset[]> {
    await delay(this.opts.latency);
    return clone(PRESETS);
  }

  async getProfile(name: string): Promise<ProfileDetail> {
    await delay(this.opts.latency);
    const p = this.profiles.get(name);
    if (!p) throw err('profile.not_found', `There is no profile named “${name}”.`);
    return clone({ name, config: p.config, hasSecret: p.hasSecret });
  }

  async newProfile(provider: string): Promise<ProfileDetail> {
    await delay(this.opts.latency);
    if (!PRESETS.some((p) => p.id === provider)) {
      throw err('profile.provider', `Unknown provider “${provider}”.`);
    }
    let name = provider;
    for (let i = 2; this.profiles.has(name); i++) name = `${provider}-${i}`;
    return { name, config: defaultConfig(provider), hasSecret: false };
  }

  async saveProfile(req: SaveProfile): Promise<AppState> {
    await delay(this.opts.latency);
    const name = req.name.trim();
    if (!/^[A-Za-z0-9._-]+$/.test(name)) {
      throw err('profile.name', 'Profile names use letters, digits, “-”, “_” and “.”.');
    }
    if (!req.config.bucket.trim()) throw err('profile.bucket', 'The bucket name is missing.');
    if (name !== req.originalName && this.profiles.has(name)) {
      throw err('config.profile_exists', `A profile named “${name}” already exists.`);
    }
    let hasSecret = req.secret !== null && req.secret !== '';
    if (req.originalName !== null && !this.profiles.has(req.originalName)) {
      throw err('profile.not_found', `There is no profile named “${req.originalName}”.`);
    }
    this.checkWatermark(name, req.config);
    this.checkMirrors(name, req.originalName, req.config.mirrors ?? []);
    if (req.originalName !== null) {
      const old = this.profiles.get(req.originalName)!;
      hasSecret = hasSecret || old.hasSecret;
      if (name !== req.originalName) {
        // Keep the map's order: rebuild with the new name in place.
        const entries = [...this.profiles.entries()].map(([k, v]) =>
          (k === req.originalName ? [name, v] : [k, v]) as [string, typeof v]);
        this.profiles = new Map(entries);
        if (this.state.activeProfile === req.originalName) this.state.activeProfile = name;
        // The profiles mirroring to it follow the rename.
        for (const p of this.profiles.values()) {
          if (p.config.mirrors) p.config.mirrors = p.config.mirrors.map((m) => (m === req.originalName ? name : m));
        }
      }
    }
    const config = clone(req.config);
    // As the core stores it: no mirrors, no field.
    if (config.mirrors?.length === 0) delete config.mirrors;
    this.profiles.set(name, { config, hasSecret });
    if (!this.state.activeProfile) this.state.activeProfile = name;
    return this.publish();
  }

  /** The core's rules for a profile's watermark (hoist_core::config, check_processing), in its
   *  order and words: a working mark, and not with 'original' files. */
  private checkWatermark(name: string, config: ProfileConfig): void {
    const mark = config.processing.watermark;
    if (!mark) return;
    const invalid = (detail: string) => err('config.invalid', `profile "${name}": ${detail}`);
    const problem = watermarkProblem(mark);
    if (problem) throw invalid(`processing.${problem}`);
    if (config.processing.format === 'original' || config.processing.large?.format === 'original') {
      throw invalid(
        '"original" uploads files unchanged, so they cannot carry a watermark: ' +
          'use "keep" (their own format) or remove the watermark',
      );
    }
  }

  /** The core's rules for a profile's mirrors (hoist_core::config and ::profiles), in its order
   *  and words: another profile (not this one, nor the one being renamed), named once. */
  private checkMirrors(name: string, originalName: string | null, mirrors: string[]): void {
    const invalid = (detail: string) => err('config.invalid', `profile "${name}": ${detail}`);
    mirrors.forEach((m, i) => {
      if (m === name) throw invalid('a profile cannot be its own mirror');
      if (mirrors.slice(0, i).includes(m)) throw invalid(`mirror "${m}" is named twice`);
    });
    if (originalName !== null && mirrors.includes(originalName)) throw invalid('a profile cannot be its own mirror');
    const missing = mirrors.find((m) => !this.profiles.has(m));
    if (missing !== undefined) throw invalid(`mirror "${missing}" is not a profile`);
  }

  async duplicateProfile(name: string, newName: string): Promise<AppState> {
    await delay(this.opts.latency);
    const p = this.profiles.get(name);
    if (!p) throw err('profile.not_found', `There is no profile named “${name}”.`);
    if (!/^[A-Za-z0-9._-]+$/.test(newName)) {
      throw err('profile.name', 'Profile names use letters, digits, “-”, “_” and “.”.');
    }
    if (this.profiles.has(newName)) throw err('config.profile_exists', `A profile named “${newName}” already exists.`);
    this.profiles.set(newName, { config: clone(p.config), hasSecret: p.hasSecret });
    return this.publish();
  }

  async removeProfile(name: string): Promise<AppState> {
    await delay(this.opts.latency);
    if (!this.profiles.delete(name)) throw err('profile.not_found', `There is no profile named “${name}”.`);
    // No profile keeps copying to a profile that is gone.
    for (const p of this.profiles.values()) {
      if (!p.config.mirrors?.includes(name)) continue;
      p.config.mirrors = p.config.mirrors.filter((m) => m !== name);
      if (p.config.mirrors.length === 0) delete p.config.mirrors;
    }
    if (this.state.activeProfile === name) this.state.activeProfile = [...this.profiles.keys()][0] ?? null;
    return this.publish();
  }

  async testProfile(name: string): Promise<TestStep[]> {
    await delay(Math.max(this.opts.latency, this.opts.autoProgress ? 700 : 0));
    const p = this.profiles.get(name);
    if (!p) throw err('profile.not_found', `There is no profile named “${name}”.`);
    if (!p.hasSecret) {
      return [{ name: 'credentials', ok: false, detail: 'No secret access key is stored for this profile.', millis: 2 }];
    }
    const base = publicBase(name, p.config);
    return [
      { name: 'credentials', ok: true, detail: `key ${p.config.access_key_id ?? '(from environment)'}`, millis: 3 },
      { name: 'put', ok: true, detail: 'wrote .hoist-test/7f3a.txt (23 B)', millis: 142 },
      { name: 'head', ok: true, detail: 'object is there, 23 B', millis: 61 },
      base
        ? { name: 'public get', ok: true, detail: `${base}/.hoist-test/7f3a.txt answered 200`, millis: 88 }
        : { name: 'public get', ok: false, detail: 'No public base URL: set public_base_url so links work.', millis: 0 },
      { name: 'delete', ok: true, detail: 'test object removed', millis: 57 },
    ];
  }

  /** Canned values: the real preview is Rust's (hoist_core::preview), run through the upload's
   *  own stages; the mock does not imitate the template language. An empty template is the one
   *  error it shows, so the editor's error state can be seen in `npm run dev`. */
  async preview(req: PreviewRequest): Promise<Preview> {
    await delay(this.opts.latency);
    const c = req.config;
    if (!c.key_template.trim()) {
      return { key: null, url: null, link: null, error: { message: 'The key template is empty.', offset: 0 }, image: null };
    }
    // The sample is processed before the key is rendered: a mark that cannot be drawn fails it.
    const mark = c.processing.watermark;
    const problem = mark ? watermarkProblem(mark) : null;
    if (problem) {
      return { key: null, url: null, link: null, error: { message: `cannot draw the watermark: ${problem}`, offset: null }, image: null };
    }
    const stem = req.fileName.replace(/\.[^.]+$/, '');
    const key = `2025/05/${stem}.webp`;
    const base = publicBase(req.name || 'preview', c);
    const url = base ? `${base}/${key}${c.url_suffix ?? ''}` : null;
    const link = url ? linksFor(url, `${stem}.webp`, c.custom_link)[c.link_format] : null;
    return { key, url, link, error: null, image: mark ? WATERMARK_PREVIEW : null };
  }

  async pickWatermarkImage(): Promise<string | null> {
    await delay(this.opts.latency);
    return this.watermarkPickResult;
  }

  async importPicgo(dryRun: boolean): Promise<ImportSummary> {
    await delay(Math.max(this.opts.latency, this.opts.autoProgress ? 400 : 0));
    const added = this.profiles.has('picgo-aws-s3') ? [] : ['picgo-aws-s3'];
    const skipped = this.profiles.has('blog') ? ['blog'] : [];
    if (!dryRun) {
      for (const n of added) {
        const c = defaultConfig('aws');
        Object.assign(c, { region: 'eu-central-1', bucket: 'picgo-uploads', access_key_id: 'AKIAEXAMPLE' });
        this.profiles.set(n, { config: c, hasSecret: true });
      }
      this.publish();
    }
    return {
      profilesAdded: added,
      profilesSkipped: skipped,
      historyAdded: added.length ? 1342 : 0,
      messages: [
        'Found PicList data in ~/.config/piclist.',
        'The SM.MS uploader is not S3-compatible and was skipped.',
      ],
    };
  }

  async mdPick(folder: boolean): Promise<string[] | null> {
    await delay(this.opts.latency);
    if (this.mdPickResult !== undefined) return this.mdPickResult === null ? null : [...this.mdPickResult];
    return folder
      ? [MD_ROOT]
      : [`${MD_ROOT}/posts/hello-world.md`, `${MD_ROOT}/posts/trip-to-lisbon.md`];
  }

  async mdPlan(paths: string[], profile: string | null, remote: boolean): Promise<MdPlan> {
    await delay(Math.max(this.opts.latency, this.opts.autoProgress ? 300 : 0));
    if (this.mdPlanError) throw clone(this.mdPlanError);
    if (paths.length === 0) throw err('input.none', 'choose a folder or Markdown files');
    const name = profile ?? this.state.activeProfile;
    if (!name) throw err('profile.none', 'There is no profile yet: add one in Settings.');
    const cfg = this.profiles.get(name);
    if (!cfg) throw err('profile.not_found', `There is no profile named “${name}”.`);
    const hosted = publicBase(name, cfg.config) ?? 'https://img.example.com';

    // The sample files under a chosen folder or chosen themselves; other Markdown paths (a
    // drop) get two references of their own.
    const files = new Map<string, SampleFile>();
    for (const p of paths) {
      const dir = p.replace(/[\\/]+$/, '');
      for (const f of this.mdFiles) if (f.path === p || f.path.startsWith(dir + '/')) files.set(f.path, f);
      if (isMarkdownPath(p) && !files.has(p)) {
        const folder = p.replace(/[\\/][^\\/]*$/, '');
        files.set(p, {
          path: p,
          refs: [
            { line: 3, link: 'images/cover.png', kind: 'local', file: `${folder}/images/cover.png` },
            { line: 8, link: 'images/gone.png', kind: 'missing', tried: `${folder}/images/gone.png` },
          ],
        });
      }
    }
    if (files.size === 0) throw err('markdown.no_files', 'no Markdown files (.md, .markdown, .mdx) there');
    const sorted = [...files.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const readable = sorted.filter((f) => !f.unreadable);
    const planned: MdFilePlan[] = readable
      .filter((f) => f.refs.length > 0)
      .map((f) => ({ path: f.path, refs: f.refs.map((r) => resolveRef(r, remote, hosted)) }));
    const all = planned.flatMap((f) => f.refs);
    const plan: MdPlan = {
      id: this.nextMdPlan++,
      profile: name,
      root: commonRoot(paths),
      fileCount: sorted.length,
      files: planned,
      uploads: new Set(all.filter((r) => r.action === 'upload').map((r) => r.detail)).size,
      refs: all.length,
      skipped: all.filter((r) => r.action === 'skip').length,
      missing: all.filter((r) => r.action === 'missing').length,
      unreadable: sorted.filter((f) => f.unreadable).map((f) => ({ path: f.path, reason: f.unreadable! })),
    };
    this.mdPlans.set(plan.id, { plan, files: readable, remote });
    // As the shell: only the latest few plans are kept.
    for (const id of [...this.mdPlans.keys()]) if (this.mdPlans.size > 4) this.mdPlans.delete(id);
    return clone(plan);
  }

  async mdRun(id: number): Promise<void> {
    await delay(this.opts.latency);
    const planned = this.mdPlans.get(id);
    if (!planned) {
      throw err('markdown.no_plan', 'this plan is gone (it ran already, or a newer one replaced it): make it again');
    }
    this.mdPlans.delete(id);
    const { files, remote } = planned;
    const sum: MdSummary = {
      files: files.length, filesChanged: 0, filesFailed: 0, uploaded: 0, reused: 0, rewritten: 0,
      skipped: 0, failed: 0, missing: 0,
    };
    const uploaded = new Set<string>();
    const changedPaths: string[] = [];
    const queue: MdProgress[] = [];
    files.forEach((f, i) => {
      const failed: MdProblem[] = [];
      const missing: MdProblem[] = [];
      let rewritten = 0;
      for (const ref of f.refs) {
        if (ref.kind === 'local' || (ref.kind === 'remote' && remote)) {
          const src = ref.kind === 'local' ? ref.file : ref.link;
          if (ref.kind === 'local' && ref.fail) {
            failed.push({ line: ref.line, link: ref.link, reason: ref.fail });
            continue;
          }
          if (!uploaded.has(src)) {
            uploaded.add(src);
            // The first post's picture was uploaded before: its link is reused.
            if (src.endsWith('/hello.png')) sum.reused++;
            else sum.uploaded++;
          }
          rewritten++;
        } else if (ref.kind === 'missing') {
          missing.push({ line: ref.line, link: ref.link, reason: `no such file (${ref.tried})` });
        } else {
          sum.skipped++;
        }
      }
      sum.failed += failed.length;
      sum.missing += missing.length;
      const error = f.error && rewritten > 0 ? f.error : null;
      const changed = rewritten > 0 && !error;
      if (error) sum.filesFailed++;
      if (changed) {
        sum.filesChanged++;
        sum.rewritten += rewritten;
        changedPaths.push(f.path);
      }
      queue.push({
        id, kind: 'file', path: f.path, done: i + 1, total: files.length, changed,
        rewritten: changed ? rewritten : 0, failed, missing, error,
      });
    });
    const stamp = new Date(this.opts.now).toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
    let run: string | null = null;
    let backupDir: string | null = null;
    if (changedPaths.length) {
      run = stamp;
      for (let n = 2; this.mdRuns.has(run); n++) run = `${stamp}-${n}`;
      backupDir = `/home/me/.local/share/hoist/markdown-backups/${run}`;
      this.mdRuns.set(run, { paths: changedPaths, undone: false, backupDir });
    }
    queue.push({ id, kind: 'done', summary: sum, run, backupDir });
    // Sent after the command has returned, as the shell does.
    this.mdQueue.push(...queue);
    if (this.opts.autoProgress && !this.mdTimer) {
      this.mdTimer = setInterval(() => {
        if (this.mdStep() === 0 && this.mdTimer) {
          clearInterval(this.mdTimer);
          this.mdTimer = null;
        }
      }, 350);
    }
  }

  async mdUndo(run: string): Promise<MdUndoLine[]> {
    await delay(Math.max(this.opts.latency, this.opts.autoProgress ? 300 : 0));
    const r = this.mdRuns.get(run);
    if (!r) throw err('markdown.no_backup', `no migration "${run}" is kept`);
    const lines = r.paths.map((path, i): MdUndoLine => {
      // The daily note was edited after the migration: it stays as it is.
      if (path.includes('/Daily/')) {
        return { path, status: 'changed_since', detail: `the original is kept in ${r.backupDir}/files/${i + 1}-${path.split('/').pop()}` };
      }
      return { path, status: r.undone ? 'already_original' : 'restored', detail: null };
    });
    r.undone = true;
    return lines;
  }

  async bucketList(profile: string | null, prefix: string, token: string | null): Promise<BucketPage> {
    await delay(this.opts.latency);
    if (this.bucketListError) throw clone(this.bucketListError);
    const { name, config } = this.bucketProfile(profile);
    const objects = this.bucketOf(config);
    let after: string | null = null;
    if (token !== null) {
      if (!token.startsWith('mock:')) throw err('bucket.token', 'the listing can no longer be continued; refresh it');
      after = token.slice(5);
    }
    // S3's ListObjectsV2 with the "/" delimiter: the keys under the prefix, those with a
    // further "/" rolled up into their folder; folders and objects sorted together by key.
    const folders = new Set<string>();
    const keys: string[] = [];
    for (const key of objects.keys()) {
      if (!key.startsWith(prefix)) continue;
      const slash = key.indexOf('/', prefix.length);
      if (slash >= 0) folders.add(key.slice(0, slash + 1));
      else keys.push(key);
    }
    const entries = [...folders, ...keys].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const start = after === null ? 0 : entries.findIndex((k) => k > after);
    const page = start < 0 ? [] : entries.slice(start, start + BUCKET_PAGE);
    const more = start >= 0 && start + BUCKET_PAGE < entries.length;
    const open = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    return {
      folders: page.filter((k) => folders.has(k)),
      objects: page.filter((k) => !folders.has(k)).map((key): BucketObject => {
        const o = objects.get(key)!;
        return {
          key,
          name: key.slice(open.length),
          size: o.size,
          modified_ms: o.modified_ms,
          thumbnail: IMAGE_EXT.test(key) ? thumbFor(hash32(key.length * 131 + o.size) % 12) : null,
        };
      }),
      next: more ? `mock:${page[page.length - 1]}` : null,
      public: publicBase(name, config) !== null,
    };
  }

  async bucketDelete(profile: string | null, keys: string[]): Promise<BucketDeleted> {
    await delay(this.opts.latency);
    const { name, config } = this.bucketProfile(profile);
    const objects = this.bucketOf(config);
    const deleted: string[] = [];
    const failed: BucketDeleted['failed'] = [];
    for (const key of keys) {
      if (key === BUCKET_LOCKED) {
        failed.push({ key, message: 'access denied: the bucket’s policy does not allow deleting it' });
        continue;
      }
      // As S3's DeleteObjects: a key that is not there counts as deleted.
      objects.delete(key);
      deleted.push(key);
    }
    let forgotten = 0;
    const gone = new Set(deleted);
    for (const key of deleted) {
      forgotten += this.bucketLinks.get(`${name}\u0000${key}`) ?? 0;
      this.bucketLinks.delete(`${name}\u0000${key}`);
    }
    const before = this.rows.length;
    this.rows = this.rows.filter((r) => !(r.profile === name && r.key !== null && gone.has(r.key)));
    if (this.rows.length !== before) this.filterCache = null;
    forgotten += before - this.rows.length;
    return { deleted, failed, forgotten };
  }

  async bucketMove(profile: string | null, from: string, to: string, force: boolean): Promise<string> {
    await delay(this.opts.latency);
    const { name, config } = this.bucketProfile(profile);
    const objects = this.bucketOf(config);
    const target = to.endsWith('/') ? to + (from.split('/').pop() ?? from) : to;
    if (!target) throw err('bucket.key', 'the new key is empty');
    if (target === from) throw err('bucket.same_key', `"${from}" is already there`);
    const object = objects.get(from);
    if (!object) throw err('bucket.no_such_key', `there is no object "${from}" in the bucket`);
    const linkKey = `${name}\u0000${from}`;
    const rows = this.rows.filter((r) => r.profile === name && r.key === from);
    const linked = rows.length + (this.bucketLinks.get(linkKey) ?? 0);
    if (linked > 0 && !force) {
      throw err(
        'bucket.published',
        `${linked === 1 ? '1 upload in the history links' : `${linked} uploads in the history link`} to "${from}"; moving it breaks those links wherever they were pasted`,
      );
    }
    if (objects.has(target)) {
      throw err('bucket.exists', `"${target}" already exists; move to another name, or delete it first`);
    }
    // A server-side copy, then the original deleted: the copy is new.
    objects.delete(from);
    objects.set(target, { size: object.size, modified_ms: Date.now() });
    // The history follows the object to its new key and link.
    const base = publicBase(name, config);
    for (const r of rows) {
      r.key = target;
      r.url = base ? `${base}/${encodeKey(target)}${config.url_suffix ?? ''}` : r.url;
    }
    if (rows.length) this.filterCache = null;
    const extra = this.bucketLinks.get(linkKey);
    if (extra) {
      this.bucketLinks.delete(linkKey);
      this.bucketLinks.set(`${name}\u0000${target}`, extra);
    }
    return target;
  }

  async bucketCopyLinks(profile: string | null, keys: string[], format: LinkFormat | null, expiresSecs: number | null): Promise<string> {
    await delay(this.opts.latency);
    const { name, config } = this.bucketProfile(profile);
    if (keys.length === 0) throw err('bucket.nothing', 'no objects chosen');
    const fmt = format ?? config.link_format;
    if (!LINK_FORMATS.includes(fmt)) throw err('profile.link_format', `unknown link format "${fmt}"`);
    const lines = keys.map((key) => {
      const url = this.bucketUrl(name, config, key, expiresSecs);
      return linksFor(url, key.split('/').pop() ?? key, config.custom_link)[fmt];
    });
    // Rust puts the text in the clipboard itself; the mock records it as copyText does.
    const text = lines.join('\n');
    this.copied.push(text);
    return text;
  }

  async bucketOpen(profile: string | null, key: string): Promise<void> {
    await delay(this.opts.latency);
    const { name, config } = this.bucketProfile(profile);
    if (!this.bucketOf(config).has(key)) throw err('bucket.no_such_key', `there is no object "${key}" in the bucket`);
    // Without a public URL the shell opens a short presigned link.
    this.opened.push(this.bucketUrl(name, config, key, publicBase(name, config) ? null : 3600));
  }

  async bucketAdopt(profile: string | null, objects: BucketObjectRef[]): Promise<BucketAdopted> {
    await delay(this.opts.latency);
    const { name, config } = this.bucketProfile(profile);
    // As the shell: an object a finished upload of the profile links to (a row, or one of the
    // uploads of bucketLinks) is counted as known; every other one gets a row of its own, dated
    // as the object, with the profile's public link (none without a public URL).
    const linked = new Set(this.rows.filter((r) => r.profile === name && r.status === 'done' && r.key !== null).map((r) => r.key));
    const base = publicBase(name, config);
    let added = 0;
    let known = 0;
    for (const o of objects) {
      if (linked.has(o.key) || this.bucketLinks.has(`${name}\u0000${o.key}`)) {
        known++;
        continue;
      }
      this.rows.unshift({
        id: this.nextRowId++,
        createdAtMs: o.modified_ms ?? Date.now(),
        profile: name,
        name: o.key.split('/').pop() || o.key,
        key: o.key,
        url: base ? `${base}/${encodeKey(o.key)}${config.url_suffix ?? ''}` : null,
        status: 'done',
        bytesIn: null,
        bytesOut: o.size,
        width: null,
        height: null,
        error: null,
        thumb: IMAGE_EXT.test(o.key) ? hash32(o.key.length * 131 + o.size) % 12 : null,
        origin: 'import:bucket',
      });
      added++;
    }
    if (added) this.filterCache = null;
    return { added, known };
  }

  async bucketUpload(profile: string | null, folder: string): Promise<number | null> {
    await delay(this.opts.latency);
    const { name } = this.bucketProfile(profile);
    // The shell's checks (bucket::into_folder), before the dialog opens.
    if (folder !== '' && !folder.endsWith('/')) {
      throw err('bucket.not_a_folder', `"${folder}" is not a folder: a folder ends in /`);
    }
    if (folder.startsWith('.hoist/')) {
      throw err('bucket.reserved', `"${folder}" is Hoist's own sync data; it is not an image to link, move or delete`);
    }
    const names = this.bucketUploadResult === undefined ? BUCKET_UPLOADS : this.bucketUploadResult;
    if (names === null) return null;
    if (names.length === 0) throw err('upload.nothing', 'Nothing to upload.');
    // Each file goes in under its own name; the object appears when its upload is done.
    return this.startBatch(names.map((n) => ({ name: n, profile: name, key: `${folder}${n}` })));
  }

  async syncStatus(): Promise<SyncStatus> {
    await delay(this.opts.latency);
    return this.syncView();
  }

  async syncEnable(profile: string, passphrase: string, deviceName: string): Promise<SyncStatus> {
    await delay(this.opts.latency);
    if (this.sync.enabled) throw err('sync.already_enabled', 'sync is already on for this device; turn it off first');
    if (!this.profiles.has(profile)) throw err('profile.not_found', `There is no profile named “${profile}”.`);
    if ([...passphrase].length < 8) {
      throw err('sync.weak_passphrase', 'the sync passphrase needs at least 8 characters');
    }
    if (passphrase === SYNC_WRONG_PASSPHRASE) {
      throw err('sync.wrong_passphrase', "the sync passphrase is not the one this bucket's sync was set up with; nothing was changed");
    }
    this.sync = {
      ...syncOff(),
      enabled: true,
      profile,
      device: SYNC_DEVICE,
      deviceName: deviceName.trim() || 'this device',
      lastSyncMs: Date.now(),
      devices: [{ id: SYNC_OTHER_DEVICE, name: 'Studio iMac', batches: 12 }],
    };
    this.announceSync();
    return this.syncView();
  }

  async syncNow(): Promise<SyncStatus> {
    if (!this.sync.enabled) throw err('sync.not_enabled', 'sync is not turned on for this device');
    this.sync = { ...this.sync, running: true };
    this.announceSync();
    await delay(this.opts.latency);
    this.sync = { ...this.sync, running: false };
    const failed = this.syncNowError;
    if (failed) this.sync.lastError = clone(failed);
    else this.sync = { ...this.sync, lastSyncMs: Date.now(), lastError: null, pending: 0 };
    this.announceSync();
    if (failed) throw clone(failed);
    return this.syncView();
  }

  async syncDisable(): Promise<SyncStatus> {
    await delay(this.opts.latency);
    this.sync = syncOff();
    this.announceSync();
    return this.syncView();
  }

  async syncForget(device: string): Promise<SyncStatus> {
    await delay(this.opts.latency);
    if (!this.sync.enabled) throw err('sync.not_enabled', 'sync is not turned on for this device');
    if (device === this.sync.device) {
      throw err('sync.forget_self', 'that is this device; use `hoist sync disable` here instead');
    }
    if (!this.sync.devices.some((d) => d.id === device)) {
      throw err('sync.no_such_device', `no device ${device} writes to this bucket's sync`);
    }
    this.sync = { ...this.sync, devices: this.sync.devices.filter((d) => d.id !== device) };
    this.announceSync();
    return this.syncView();
  }

  async onJob(cb: (job: JobState) => void): Promise<Unlisten> {
    this.listeners.job.add(cb);
    return () => this.listeners.job.delete(cb);
  }
  async onBatchDone(cb: (b: BatchDone) => void): Promise<Unlisten> {
    this.listeners.batch.add(cb);
    return () => this.listeners.batch.delete(cb);
  }
  async onAppState(cb: (s: AppState) => void): Promise<Unlisten> {
    this.listeners.state.add(cb);
    return () => this.listeners.state.delete(cb);
  }
  async onDragHover(cb: (hovering: boolean) => void): Promise<Unlisten> {
    this.listeners.drag.add(cb);
    return () => this.listeners.drag.delete(cb);
  }
  async onNavigate(cb: (view: string) => void): Promise<Unlisten> {
    this.listeners.nav.add(cb);
    return () => this.listeners.nav.delete(cb);
  }
  async onMdProgress(cb: (p: MdProgress) => void): Promise<Unlisten> {
    this.listeners.mdProgress.add(cb);
    return () => this.listeners.mdProgress.delete(cb);
  }
  async onMdOffer(cb: (paths: string[]) => void): Promise<Unlisten> {
    this.listeners.mdOffer.add(cb);
    return () => this.listeners.mdOffer.delete(cb);
  }
  async onSync(cb: (s: SyncStatus) => void): Promise<Unlisten> {
    this.listeners.sync.add(cb);
    return () => this.listeners.sync.delete(cb);
  }
  async onHistoryChanged(cb: () => void): Promise<Unlisten> {
    this.listeners.history.add(cb);
    return () => this.listeners.history.delete(cb);
  }
  async onError(_cb: (e: AppError) => void): Promise<Unlisten> {
    // The mock starts nothing outside the window, so it never reports background errors.
    return () => {};
  }
  async sessionJobs(): Promise<JobState[]> {
    return [];
  }

  /** What the capture overlay sent, oldest first (tests read it). */
  captures: Edits[] = [];
  captureOpen = true;

  /** A made-up desktop the size of this screen: a wallpaper gradient and two windows. Outside a
   *  browser (unit tests) a 1×1 PNG. */
  async captureImage(): Promise<ArrayBuffer> {
    if (!this.captureOpen) throw err('capture.none', 'there is no capture in progress: start one from the tray or its shortcut');
    const canvas = typeof document !== 'undefined' ? document.createElement('canvas') : null;
    const g = canvas?.getContext('2d');
    if (!canvas || !g) return Uint8Array.from(atob(ONE_PIXEL_PNG), (c) => c.charCodeAt(0)).buffer;
    const dpr = window.devicePixelRatio || 1;
    canvas.width = Math.round(window.innerWidth * dpr);
    canvas.height = Math.round(window.innerHeight * dpr);
    const bg = g.createLinearGradient(0, 0, canvas.width, canvas.height);
    bg.addColorStop(0, '#1d4e89');
    bg.addColorStop(1, '#7aa5d2');
    g.fillStyle = bg;
    g.fillRect(0, 0, canvas.width, canvas.height);
    for (const [x, y, w, h, c] of [[0.08, 0.1, 0.5, 0.55, '#f4f4f4'], [0.45, 0.35, 0.45, 0.5, '#fffdf5']] as const) {
      g.fillStyle = c;
      g.fillRect(x * canvas.width, y * canvas.height, w * canvas.width, h * canvas.height);
      g.fillStyle = '#d0d4da';
      g.fillRect(x * canvas.width, y * canvas.height, w * canvas.width, 28 * dpr);
    }
    const blob = await new Promise<Blob | null>((ok) => canvas.toBlob(ok, 'image/png'));
    return blob!.arrayBuffer();
  }
  async captureShown(): Promise<void> {}
  async captureUpload(edits: Edits): Promise<number> {
    if (!this.captureOpen) throw err('capture.none', 'there is no capture in progress: start one from the tray or its shortcut');
    this.captureOpen = false;
    this.captures.push(edits);
    return this.captures.length;
  }
  async captureCancel(): Promise<void> {
    this.captureOpen = false;
  }

  // -- internals --

  /** The sync status as the shell answers it: while on, the profiles without a secret here
   *  are the ones that need one (as if they came from another device). */
  private syncView(): SyncStatus {
    const s = clone(this.sync);
    s.needsSecret = s.enabled ? [...this.profiles].filter(([, p]) => !p.hasSecret).map(([name]) => name) : [];
    return s;
  }

  private announceSync(): void {
    for (const cb of this.listeners.sync) cb(this.syncView());
  }

  /** The profile a bucket command names, or the active one. */
  private bucketProfile(profile: string | null): { name: string; config: ProfileConfig } {
    const name = profile ?? this.state.activeProfile;
    if (!name) throw err('profile.none', 'There is no profile yet: add one in Settings.');
    const p = this.profiles.get(name);
    if (!p) throw err('profile.not_found', `There is no profile named “${name}”.`);
    return { name, config: p.config };
  }

  private bucketOf(config: ProfileConfig): Map<string, MockObject> {
    const id = `${config.endpoint ?? config.provider}\u0000${config.bucket}`;
    let objects = this.buckets.get(id);
    if (!objects) {
      objects = sampleBucket(this.opts.now);
      this.buckets.set(id, objects);
    }
    return objects;
  }

  /** A public link, or (with `expiresSecs`) a presigned GET valid that long. */
  private bucketUrl(name: string, config: ProfileConfig, key: string, expiresSecs: number | null): string {
    const base = publicBase(name, config);
    if (expiresSecs === null) {
      if (!base) {
        throw err('profile.no_public_url', `profile "${name}" has no public URL: set public_base_url, or copy an expiring link`);
      }
      return `${base}/${encodeKey(key)}${config.url_suffix ?? ''}`;
    }
    if (!Number.isInteger(expiresSecs) || expiresSecs < 1 || expiresSecs > PRESIGN_MAX_SECS) {
      throw err('bucket.expiry', 'a presigned link is valid from 1 second to 7 days (604800 seconds)');
    }
    const endpoint = (config.endpoint || `https://${config.bucket}.s3.example.com`).replace(/\/+$/, '');
    const path = config.endpoint ? `${config.bucket}/${encodeKey(key)}` : encodeKey(key);
    const stamp = new Date(Date.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
    return `${endpoint}/${path}?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Date=${stamp}` +
      `&X-Amz-Expires=${expiresSecs}&X-Amz-SignedHeaders=host&X-Amz-Signature=${hex(key.length * 97 + expiresSecs, 64)}`;
  }

  private publish(): AppState {
    this.refreshSummaries();
    const s = clone(this.state);
    for (const cb of this.listeners.state) cb(clone(s));
    return s;
  }

  private refreshSummaries(): void {
    this.state.profiles = [...this.profiles.entries()].map(([name, p]) => ({
      name,
      provider: p.config.provider,
      bucket: p.config.bucket,
      endpoint: p.config.endpoint ? p.config.endpoint.replace(/^https?:\/\//, '') : '',
      linkFormat: p.config.link_format,
    }));
  }

  private generateHistory(profiles: string[]): void {
    const n = this.opts.historySize;
    const rows: StoredRow[] = new Array(n);
    let t = this.opts.now - 90_000;
    for (let k = 0; k < n; k++) {
      const id = n - k;
      const h = hash32(id);
      const profile = profiles[h % profiles.length];
      const word = WORDS[(h >>> 4) % WORDS.length];
      const ext = EXTS[(h >>> 9) % EXTS.length];
      const name = (h >>> 12) % 3 === 0 ? `${word}-${(h >>> 14) % 900 + 100}.${ext}` : `${word}.${ext}`;
      const failed = h % 37 === 0;
      const date = new Date(t);
      const key = failed ? null : `${date.getFullYear()}/${String(date.getMonth() + 1).padStart(2, '0')}/${hex(id, 12)}.webp`;
      const cfg = this.profiles.get(profile)?.config;
      const base = cfg ? publicBase(profile, cfg) : 'https://img.example.com';
      const bytesIn = 40_000 + (h % 4_800_000);
      rows[k] = {
        id,
        createdAtMs: t,
        profile,
        name,
        key,
        url: key && base ? `${base}/${key}` : null,
        status: failed ? 'failed' : 'done',
        bytesIn,
        bytesOut: failed ? null : Math.round(bytesIn * (0.12 + ((h >>> 7) % 50) / 100)),
        width: 640 + ((h >>> 3) % 8) * 160,
        height: 480 + ((h >>> 5) % 6) * 120,
        error: failed ? SAMPLE_ERRORS[(h >>> 2) % SAMPLE_ERRORS.length] : null,
        thumb: failed ? null : h % 12,
        origin: 'upload',
      };
      // Irregular gaps: bursts a few seconds apart, then hours of nothing.
      t -= (h % 5 === 0 ? 3_600_000 * (1 + (h % 7)) : 20_000 + (h % 600_000));
    }
    this.rows = rows;
  }

  /** Broken links of the sample history: the first profile's newest upload (its object was
   *  deleted from the bucket; the source is kept) and its fourth newest (refused; its source is
   *  gone), and the second profile's newest (its server is down; the source is kept). The third
   *  profile's links all work. */
  private sampleBroken(profiles: string[]): void {
    const done = (profile: string | undefined) =>
      profile === undefined ? [] : this.rows.filter((r) => r.profile === profile && r.status === 'done' && r.url !== null).slice(0, 4);
    const [first, second] = [done(profiles[0]), done(profiles[1])];
    if (first[0]) this.brokenLinks.set(first[0].id, { reason: '404 Not Found', reuploadable: true });
    if (first[3]) this.brokenLinks.set(first[3].id, { reason: '403 Forbidden', reuploadable: false });
    if (second[0]) this.brokenLinks.set(second[0].id, { reason: 'connection refused', reuploadable: true });
  }

  private toRow(r: StoredRow): HistoryRow {
    const cfg = this.profiles.get(r.profile)?.config;
    return {
      id: r.id,
      createdAtMs: r.createdAtMs,
      profile: r.profile,
      name: r.name,
      key: r.key,
      url: r.url,
      status: r.status,
      bytesIn: r.bytesIn,
      bytesOut: r.bytesOut,
      width: r.width,
      height: r.height,
      error: r.error,
      links: r.url ? linksFor(r.url, r.name, cfg?.custom_link) : null,
      thumbnail: r.thumb === null ? null : thumbFor(r.thumb),
      origin: r.origin,
    };
  }

  private filtered(search: string, profile: string): StoredRow[] {
    const key = `${search.trim().toLowerCase()}\u0000${profile}`;
    if (this.filterCache?.key === key) return this.filterCache.rows;
    const s = search.trim().toLowerCase();
    const rows = this.rows.filter((r) =>
      (!profile || r.profile === profile) &&
      (!s || r.name.toLowerCase().includes(s) || (r.key ?? '').toLowerCase().includes(s) ||
        (r.url ?? '').toLowerCase().includes(s)));
    this.filterCache = { key, rows };
    return rows;
  }

  private removeRow(id: number): boolean {
    const i = this.rows.findIndex((r) => r.id === id);
    if (i < 0) return false;
    this.rows.splice(i, 1);
    this.filterCache = null;
    return true;
  }

  private startBatch(files: { name: string; profile?: string; existing?: boolean; fail?: AppError & { retryable: boolean }; again?: number; key?: string; mirror?: boolean }[]): number {
    const profile = files[0]?.profile ?? this.state.activeProfile;
    if (!profile) throw err('profile.none', 'There is no profile yet: add one in Settings.');
    const batchId = this.nextBatch++;
    const ids: string[] = [];
    files.forEach((f, index) => {
      const jobId = `${batchId}-${index}`;
      ids.push(jobId);
      const job: JobState = {
        jobId, batchId, index, name: f.name, profile, stage: 'queued',
        bytesIn: null, bytesOut: null, bytesSent: null, historyId: null, links: null, url: null,
        thumbnail: null, existing: false, note: null, error: null,
      };
      this.jobs.set(jobId, job);
      this.plans.set(jobId, { fail: f.fail ?? null, existing: !!f.existing, variant: hash32(batchId * 17 + index) % 12, again: f.again ?? null, key: f.key ?? null, mirror: !!f.mirror });
    });
    this.batchIds.set(batchId, ids);
    // Announce the queued files after the command has returned, as the shell does.
    setTimeout(() => {
      for (const id of ids) this.emitJob(this.jobs.get(id)!);
    }, 0);
    if (this.opts.autoProgress && !this.timer) {
      this.timer = setInterval(() => {
        if (this.step() === 0 && this.timer) {
          clearInterval(this.timer);
          this.timer = null;
        }
      }, 220);
    }
    return batchId;
  }

  private emitJob(job: JobState): void {
    for (const cb of this.listeners.job) cb(clone(job));
  }

  private advance(job: JobState): void {
    const plan = this.plans.get(job.jobId)!;
    const h = hash32(job.batchId * 101 + job.index);
    const next: JobState = { ...job };
    switch (job.stage) {
      case 'queued':
        next.stage = 'processing';
        next.bytesIn = 180_000 + (h % 3_200_000);
        break;
      case 'processing':
        if (plan.existing) {
          next.bytesOut = Math.round((next.bytesIn ?? 0) * 0.3);
          this.complete(next, plan);
          break;
        }
        next.stage = 'uploading';
        next.bytesOut = Math.round((next.bytesIn ?? 0) * (0.15 + (h % 40) / 100));
        next.bytesSent = 0;
        break;
      case 'uploading': {
        const total = next.bytesOut ?? 0;
        const sent = Math.min(total, (next.bytesSent ?? 0) + Math.max(1, Math.ceil(total / 4)));
        if (plan.fail && sent >= total / 2) {
          next.stage = 'failed';
          next.error = plan.fail;
          next.historyId = this.addRow(next, 'failed', plan.fail.message, null, null, plan.mirror ? 'mirror' : 'upload');
          break;
        }
        next.bytesSent = sent;
        if (sent >= total) this.complete(next, plan);
        break;
      }
      default:
        return;
    }
    this.jobs.set(job.jobId, next);
    this.emitJob(next);
    if (next.stage === 'done' || next.stage === 'failed') this.maybeFinishBatch(next.batchId);
  }

  private complete(job: JobState, plan: { variant: number; existing: boolean; again: number | null; key: string | null; mirror: boolean }): void {
    const cfg = this.profiles.get(job.profile)?.config;
    const base = (cfg && publicBase(job.profile, cfg)) || 'https://img.example.com';
    const d = new Date();
    // Uploaded again: under the row's own key, so its link works again.
    const again = plan.again === null ? undefined : this.rows.find((r) => r.id === plan.again);
    // Uploaded into a folder of the bucket ("Upload here"): under the key asked for.
    const key = again?.key ?? plan.key ?? `${d.getFullYear()}/${String(d.getMonth() + 1).padStart(2, '0')}/${hex(job.batchId * 7 + job.index, 12)}.webp`;
    const url = again?.url ?? `${base}/${plan.key === null ? key : encodeKey(key)}`;
    job.stage = 'done';
    job.bytesSent = job.bytesOut;
    job.url = url;
    job.links = linksFor(url, job.name, cfg?.custom_link);
    job.existing = plan.existing;
    // A long full-page screenshot is taller than WebP can hold, as in the real app.
    if (/long|full.?page/i.test(job.name)) {
      job.note = {
        code: 'image.format_limit', message: 'WebP holds at most 16383 px on a side: uploaded as the original PNG',
        wanted: 'WebP', maxSide: 16383, used: 'PNG', original: true,
      };
    }
    job.thumbnail = thumbFor(plan.variant);
    if (again) {
      // Into its own row, as the shell does; its link is no longer broken.
      Object.assign(again, { bytesIn: job.bytesIn, bytesOut: job.bytesOut, thumb: plan.variant });
      this.brokenLinks.delete(again.id);
      job.historyId = again.id;
      return;
    }
    if (plan.key !== null && cfg) {
      this.bucketOf(cfg).set(plan.key, { size: job.bytesOut ?? 0, modified_ms: Date.now() });
    }
    if (plan.mirror) {
      job.historyId = this.addRow(job, 'done', null, key, plan.variant, 'mirror');
      return;
    }
    job.historyId = this.addRow(job, 'done', null, key, plan.variant);
    // As the core: the same bytes copied to each mirror (its own rows, the link stays this one's).
    for (const mirror of cfg?.mirrors ?? []) {
      const mcfg = this.profiles.get(mirror)?.config;
      const mbase = mcfg ? publicBase(mirror, mcfg) : null;
      const copy = { ...job, profile: mirror, url: mbase ? `${mbase}/${encodeKey(key)}` : null };
      if (mcfg) this.addRow(copy, 'done', null, key, plan.variant, 'mirror');
      else this.addRow({ ...copy, url: null }, 'failed', `mirror "${mirror}" is not a profile`, null, null, 'mirror');
    }
  }

  private addRow(job: JobState, status: HistoryStatus, error: string | null, key: string | null, thumb: number | null = null, origin = 'upload'): number {
    const id = this.nextRowId++;
    this.rows.unshift({
      id,
      createdAtMs: Date.now(),
      profile: job.profile,
      name: job.name,
      key,
      url: job.url,
      status,
      bytesIn: job.bytesIn,
      bytesOut: status === 'done' ? job.bytesOut : null,
      width: 1280,
      height: 720,
      error,
      thumb,
      origin,
    });
    this.filterCache = null;
    return id;
  }

  private maybeFinishBatch(batchId: number): void {
    const ids = this.batchIds.get(batchId) ?? [];
    const jobs = ids.map((id) => this.jobs.get(id)!);
    if (!jobs.every((j) => j.stage === 'done' || j.stage === 'failed')) return;
    this.batchIds.delete(batchId);
    const done = jobs.filter((j) => j.stage === 'done');
    const format: LinkFormat = this.state.profiles.find((p) => p.name === jobs[0]?.profile)?.linkFormat ?? 'url';
    const copied = this.state.settings.autoCopy && done.length
      ? done.map((j) => j.links![format]).join('\n')
      : null;
    const ev: BatchDone = { batchId, done: done.length, failed: jobs.length - done.length, copied };
    for (const cb of this.listeners.batch) cb(clone(ev));
  }

  private wireBrowserDragDrop(): void {
    let depth = 0;
    window.addEventListener('dragenter', (e) => {
      e.preventDefault();
      depth++;
      this.dragHover(true);
    });
    window.addEventListener('dragover', (e) => {
      e.preventDefault();
    });
    window.addEventListener('dragleave', () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) this.dragHover(false);
    });
    window.addEventListener('drop', (e) => {
      e.preventDefault();
      depth = 0;
      this.dragHover(false);
      // Names only: like the real shell, the UI never reads the files. Markdown files are
      // offered to the Markdown view (as if they were on the desktop), the rest uploaded.
      const names = [...(e.dataTransfer?.files ?? [])].map((f) => f.name);
      const md = names.filter(isMarkdownPath);
      const images = names.filter((n) => !isMarkdownPath(n));
      if (md.length) {
        this.navigate('markdown');
        this.mdOffer(md.map((n) => `/home/me/Desktop/${n}`));
      }
      if (images.length) void this.uploadPaths(images);
    });
  }
}
