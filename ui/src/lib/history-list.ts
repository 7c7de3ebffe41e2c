// The history view's list logic, kept free of the DOM so it is unit-tested: which rows a scroll
// offset shows (fixed row height + overscan), and a loader that fetches pages with keyset paging
// (`beforeId` = id of the last loaded row) as the view asks for rows further down.
import type { HistoryPage, HistoryQuery, HistoryRow } from './types';
import { toAppError } from './errors';
import type { AppError } from './types';

export const ROW_HEIGHT = 64;
export const PAGE_SIZE = 200;
export const OVERSCAN = 6;
/** Most rows one request asks for when catching up after a jump down the scrollbar. */
export const MAX_CHUNK = 2000;

export interface Range {
  /** First index rendered (inclusive). */
  start: number;
  /** One past the last index rendered. */
  end: number;
}

/** Rows to render for a scroll position: those intersecting the viewport, plus overscan. */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  total: number,
  rowHeight = ROW_HEIGHT,
  overscan = OVERSCAN,
): Range {
  if (total <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const top = Math.max(0, scrollTop);
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight); // exclusive
  const start = Math.max(0, Math.min(first - overscan, total - 1));
  const end = Math.min(total, Math.max(last + overscan, start + 1));
  return { start, end };
}

/** Height of the scrolled content: every matching row, loaded or not, so the scrollbar is honest. */
export function contentHeight(total: number, rowHeight = ROW_HEIGHT): number {
  return Math.max(0, total) * rowHeight;
}

export type FetchPage = (q: HistoryQuery) => Promise<HistoryPage>;

export interface LoaderOptions {
  pageSize?: number;
  maxChunk?: number;
}

/**
 * Holds the rows loaded so far for one query and loads more on demand. Rows arrive newest first;
 * each request continues after the last loaded row. A new query (`reset`) discards responses to
 * the old one, however late they arrive.
 */
export class HistoryLoader {
  rows: HistoryRow[] = [];
  total = 0;
  /** True once a page came back shorter than asked: nothing older exists. */
  reachedEnd = false;
  loading = false;
  error: AppError | null = null;
  /** True once the first page of the current query has arrived. */
  loadedOnce = false;

  private search = '';
  private profile = '';
  private generation = 0;
  /** Highest row index the view wants loaded. */
  private wanted = 0;
  private pump: Promise<void> | null = null;
  private readonly pageSize: number;
  private readonly maxChunk: number;

  constructor(
    private readonly fetchPage: FetchPage,
    private readonly onChange: () => void = () => {},
    opts: LoaderOptions = {},
  ) {
    this.pageSize = opts.pageSize ?? PAGE_SIZE;
    this.maxChunk = opts.maxChunk ?? MAX_CHUNK;
  }

  get query(): { search: string; profile: string } {
    return { search: this.search, profile: this.profile };
  }

  /** Starts over with a new (or the same) query and loads its first page. */
  reset(search: string, profile: string): Promise<void> {
    this.generation++;
    this.search = search;
    this.profile = profile;
    this.rows = [];
    this.reachedEnd = false;
    this.loadedOnce = false;
    this.error = null;
    this.wanted = 0;
    this.pump = null;
    this.loading = false;
    this.onChange();
    return this.ensure(0);
  }

  rowAt(index: number): HistoryRow | undefined {
    return this.rows[index];
  }

  /** Makes sure rows up to `index` (inclusive) get loaded; resolves when they are (or can't be). */
  ensure(index: number): Promise<void> {
    this.wanted = Math.max(this.wanted, index);
    if (this.pump) return this.pump;
    if (!this.needsMore()) return Promise.resolve();
    const gen = this.generation;
    const run = this.run(gen).finally(() => {
      if (this.generation === gen) {
        this.pump = null;
        this.loading = false;
        this.onChange();
      }
    });
    this.pump = run;
    return run;
  }

  /**
   * Reloads from the top for the same query (new uploads arrived) without emptying the list
   * first: the rows shown stay until the fresh first page replaces them, so the scroll position
   * and the scroll height survive.
   */
  refresh(): Promise<void> {
    if (!this.loadedOnce) return this.reset(this.search, this.profile);
    const gen = ++this.generation;
    this.error = null;
    const limit = Math.round(Math.min(this.maxChunk, Math.max(this.pageSize, this.wanted + 1 + this.pageSize / 2)));
    const q: HistoryQuery = { search: this.search, profile: this.profile, beforeId: null, limit };
    const run = (async () => {
      this.loading = true;
      let page: HistoryPage;
      try {
        page = await this.fetchPage(q);
      } catch (e) {
        if (this.generation === gen) {
          this.error = toAppError(e);
          this.onChange();
        }
        return;
      }
      if (this.generation !== gen) return;
      this.rows = page.rows.slice();
      this.reachedEnd = page.rows.length < limit;
      this.total = this.reachedEnd ? this.rows.length : Math.max(page.total, this.rows.length);
      this.onChange();
      await this.run(gen);
    })().finally(() => {
      if (this.generation === gen) {
        this.pump = null;
        this.loading = false;
        this.onChange();
      }
    });
    this.pump = run;
    return run;
  }

  /** Tries again after a failed page load. */
  retry(): Promise<void> {
    this.error = null;
    this.onChange();
    return this.ensure(this.wanted);
  }

  /** Removes a row the user deleted, without reloading. */
  remove(id: number): void {
    const i = this.rows.findIndex((r) => r.id === id);
    if (i < 0) return;
    this.rows = [...this.rows.slice(0, i), ...this.rows.slice(i + 1)];
    this.total = Math.max(0, this.total - 1);
    this.onChange();
  }

  /** Replaces a row in place (e.g. after a retry changed its status). */
  replace(row: HistoryRow): void {
    const i = this.rows.findIndex((r) => r.id === row.id);
    if (i < 0) return;
    const rows = this.rows.slice();
    rows[i] = row;
    this.rows = rows;
    this.onChange();
  }

  private needsMore(): boolean {
    if (this.error) return false;
    if (!this.loadedOnce) return true;
    if (this.reachedEnd) return false;
    return this.rows.length <= this.wanted && this.rows.length < this.total;
  }

  private async run(gen: number): Promise<void> {
    this.loading = true;
    this.onChange();
    while (this.generation === gen && this.needsMore()) {
      const missing = this.wanted + 1 - this.rows.length;
      const limit = Math.min(this.maxChunk, Math.max(this.pageSize, missing + this.pageSize / 2));
      const last = this.rows[this.rows.length - 1];
      const q: HistoryQuery = {
        search: this.search,
        profile: this.profile,
        beforeId: last ? last.id : null,
        limit: Math.round(limit),
      };
      let page: HistoryPage;
      try {
        page = await this.fetchPage(q);
      } catch (e) {
        if (this.generation !== gen) return;
        this.error = toAppError(e);
        this.onChange();
        return;
      }
      if (this.generation !== gen) return;
      // Keyset paging never returns a row twice, but guard against a shell that does.
      const lastId = last ? last.id : Infinity;
      const fresh = page.rows.filter((r) => r.id < lastId);
      this.rows = this.rows.concat(fresh);
      this.loadedOnce = true;
      if (page.rows.length < q.limit || fresh.length === 0) {
        this.reachedEnd = true;
        this.total = this.rows.length;
      } else {
        this.total = Math.max(page.total, this.rows.length);
      }
      this.onChange();
    }
  }
}
