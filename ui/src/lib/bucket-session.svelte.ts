// The Bucket view's state, kept by the app store so the open folder, the pages loaded and the
// selection stay while another view shows: the profile browsed (the active one), the open
// folder and the search typed in it, the pages listed by Rust (`next` for Load more), the
// selected objects and the kind of link to copy, and the "Upload here" batches still running
// (kept here, with the app's finished batches reported by the app store, so an upload that ends
// while another view shows is still announced). A new folder, search or profile starts over
// from the first page; the answer to an older request is dropped.
import { SvelteSet } from 'svelte/reactivity';
import type { Backend } from './backend';
import { toAppError } from './errors';
import type { AppError, BatchDone, BucketObject, BucketObjectRef } from './types';

/** The link the copy buttons give: public, or presigned for that many seconds. */
export type LinkKind = 'public' | '3600' | '86400' | '604800';
export const EXPIRING_KINDS: LinkKind[] = ['3600', '86400', '604800'];

/** The folder above `folder` ('' above a top-level one). */
export function parentOf(folder: string): string {
  const cut = folder.slice(0, -1).lastIndexOf('/');
  return cut < 0 ? '' : folder.slice(0, cut + 1);
}

/** The folders from the top to `folder`, each with its own prefix: `a/b/` → a (`a/`), b (`a/b/`). */
export function crumbsOf(folder: string): { name: string; prefix: string }[] {
  const parts = folder.split('/').filter((p, i, all) => i < all.length - 1 || p !== '');
  return parts.map((name, i) => ({ name, prefix: parts.slice(0, i + 1).join('/') + '/' }));
}

/** An "Upload here" batch still running: its id and the folder it goes into. */
export interface BucketUpload {
  batchId: number;
  folder: string;
}

/** Finished batches remembered for an upload whose end arrives before its id does. */
const ENDED_KEPT = 32;

export class BucketSession {
  /** The profile browsed; null when there is none. */
  profile = $state<string | null>(null);
  /** The open folder: '' for the top, else a prefix ending in `/`. */
  folder = $state('');
  /** Prefix search inside the open folder (what was typed, once it settled). */
  search = $state('');
  folders = $state.raw<string[]>([]);
  objects = $state.raw<BucketObject[]>([]);
  next = $state<string | null>(null);
  /** Whether the profile has a public URL (else every link is presigned). */
  public = $state(true);
  /** The first page of the folder is on its way (a refresh keeps the rows shown meanwhile). */
  loading = $state(false);
  /** A first page of the current folder and search has arrived. */
  loaded = $state(false);
  error = $state<AppError | null>(null);
  loadingMore = $state(false);
  moreError = $state<AppError | null>(null);
  readonly selected = new SvelteSet<string>();
  /** The link kind chosen in the view; null = the default (public when there is a public URL). */
  linkChoice = $state<LinkKind | null>(null);
  /** "Upload here": the native dialog is open (the call has not answered yet). */
  picking = $state(false);
  /** "Upload here" batches still running, oldest first. */
  uploads = $state.raw<BucketUpload[]>([]);

  /** Bumped per listing: a page answering an older one is dropped. */
  private seq = 0;
  /** The app's finished batches last seen (an upload adds objects: the folder is listed again). */
  private batches = 0;
  /** Batches that ended and were not (yet) known as this view's uploads: id → how it ended. */
  private ended = new Map<number, BatchDone>();

  /** `uploaded`: an "Upload here" batch ended (into `folder`), after its folder was listed again. */
  constructor(
    private readonly backend: Backend,
    private readonly uploaded: (folder: string, done: BatchDone) => void = () => {},
  ) {}

  /** What is listed: the open folder plus the search. */
  get prefix(): string {
    return this.folder + this.search;
  }

  /** The link kind in effect: a public link is never offered without a public URL. */
  get linkKind(): LinkKind {
    const c = this.linkChoice;
    if (c === null || (c === 'public' && !this.public)) return this.public ? 'public' : '86400';
    return c;
  }

  /** Seconds a copied link works, or null for a public link. */
  get expiresSecs(): number | null {
    const k = this.linkKind;
    return k === 'public' ? null : Number(k);
  }

  /** The profile to browse (the active one): another one starts over at the top. */
  follow(profile: string | null): void {
    if (profile === this.profile && (this.loaded || this.loading || this.error)) return;
    this.profile = profile;
    this.folder = '';
    this.search = '';
    this.linkChoice = null;
    if (profile) {
      void this.load();
    } else {
      this.seq++;
      this.clear();
      this.loading = false;
      this.error = null;
    }
  }

  /** Opens a folder (a prefix ending in `/`, or '' for the top); the search is cleared. */
  open(folder: string): void {
    this.folder = folder;
    this.search = '';
    void this.load();
  }

  up(): void {
    if (this.folder) this.open(parentOf(this.folder));
  }

  setSearch(text: string): void {
    if (text === this.search) return;
    this.search = text;
    void this.load();
  }

  /** Lists the folder again from its first page; the selection keeps what is still there. */
  refresh(): Promise<void> {
    return this.load(true);
  }

  /** A batch of uploads finished (`n` = the app's count): a folder on show is listed again. */
  batchesDone(n: number): void {
    if (n === this.batches) return;
    this.batches = n;
    if (this.loaded && !this.loading) void this.refresh();
  }

  /** "Upload here": the files chosen in the native dialog go into the open folder under their
   *  own names. Resolves with the batch id (running until batchEnded hears of it), or null when
   *  the dialog was cancelled; rejects with the shell's error. */
  async upload(): Promise<number | null> {
    if (this.picking) return null;
    const folder = this.folder;
    this.picking = true;
    try {
      const batchId = await this.backend.bucketUpload(this.profile, folder);
      if (batchId === null) return null;
      const ended = this.ended.get(batchId);
      if (ended) {
        // It ended before the command answered (every file failed at once, say).
        this.ended.delete(batchId);
        this.finishUpload(folder, ended);
      } else {
        this.uploads = [...this.uploads, { batchId, folder }];
      }
      return batchId;
    } finally {
      this.picking = false;
    }
  }

  /** A batch of uploads ended (any batch; the app store reports each): one of "Upload here"
   *  lists the open folder again, so its new objects show, and is announced. */
  batchEnded(done: BatchDone): void {
    const upload = this.uploads.find((u) => u.batchId === done.batchId);
    if (!upload) {
      this.ended.set(done.batchId, done);
      for (const id of this.ended.keys()) {
        if (this.ended.size <= ENDED_KEPT) break;
        this.ended.delete(id);
      }
      return;
    }
    this.uploads = this.uploads.filter((u) => u !== upload);
    this.finishUpload(upload.folder, done);
  }

  private finishUpload(folder: string, done: BatchDone): void {
    if (this.profile) void this.refresh();
    this.uploaded(folder, done);
  }

  /** Lists the first page of the open folder and search. `keep`: the rows stay shown until
   *  the new page arrives, and the selection keeps the objects still there. */
  async load(keep = false): Promise<void> {
    const profile = this.profile;
    if (!profile) return;
    const token = ++this.seq;
    this.loading = true;
    this.loadingMore = false;
    this.error = null;
    this.moreError = null;
    if (!keep) this.clear();
    try {
      const page = await this.backend.bucketList(profile, this.prefix, null);
      if (token !== this.seq) return;
      this.folders = page.folders;
      this.objects = page.objects;
      this.next = page.next;
      this.public = page.public;
      this.loaded = true;
      const there = new Set(page.objects.map((o) => o.key));
      for (const key of [...this.selected]) if (!there.has(key)) this.selected.delete(key);
    } catch (e) {
      if (token !== this.seq) return;
      this.clear();
      this.error = toAppError(e);
    } finally {
      if (token === this.seq) this.loading = false;
    }
  }

  /** Appends the next page ("Load more"). */
  async more(): Promise<void> {
    const profile = this.profile;
    const next = this.next;
    if (!profile || next === null || this.loading || this.loadingMore) return;
    const token = this.seq;
    this.loadingMore = true;
    this.moreError = null;
    try {
      const page = await this.backend.bucketList(profile, this.prefix, next);
      if (token !== this.seq) return;
      this.folders = [...this.folders, ...page.folders];
      this.objects = [...this.objects, ...page.objects];
      this.next = page.next;
      this.public = page.public;
    } catch (e) {
      if (token === this.seq) this.moreError = toAppError(e);
    } finally {
      if (token === this.seq) this.loadingMore = false;
    }
  }

  toggle(key: string, on: boolean): void {
    if (on) this.selected.add(key);
    else this.selected.delete(key);
  }

  /** Selects every loaded object, or none. */
  selectAll(on: boolean): void {
    if (!on) {
      this.selected.clear();
      return;
    }
    for (const o of this.objects) this.selected.add(o.key);
  }

  /** The selected keys in list order. */
  selectedKeys(): string[] {
    return this.objects.filter((o) => this.selected.has(o.key)).map((o) => o.key);
  }

  /** The selected objects in list order, as their listing told them (what "Add to history"
   *  sends: key, size and date, nothing of the view's). */
  selectedRefs(): BucketObjectRef[] {
    return this.objects
      .filter((o) => this.selected.has(o.key))
      .map(({ key, size, modified_ms }) => ({ key, size, modified_ms }));
  }

  /** Objects deleted from the bucket leave the list and the selection. */
  removeKeys(keys: string[]): void {
    const gone = new Set(keys);
    this.objects = this.objects.filter((o) => !gone.has(o.key));
    for (const k of keys) this.selected.delete(k);
  }

  private clear(): void {
    this.folders = [];
    this.objects = [];
    this.next = null;
    this.loaded = false;
    this.loadingMore = false;
    this.moreError = null;
    this.selected.clear();
  }
}
