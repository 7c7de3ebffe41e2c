// History virtualisation: visible ranges for a scroll offset, and the keyset-paging loader
// against the mock backend's 100 000 rows.
import { describe, expect, it } from 'vitest';
import { HistoryLoader, ROW_HEIGHT, contentHeight, visibleRange } from '../lib/history-list';
import { MockBackend } from '../lib/mock';
import type { HistoryQuery } from '../lib/types';

describe('visibleRange', () => {
  it('covers the viewport plus overscan', () => {
    expect(visibleRange(0, 640, 100_000, 64, 6)).toEqual({ start: 0, end: 16 });
    // 6400 px down = row 100 at the top; 10 rows fit; 6 extra each side.
    expect(visibleRange(6400, 640, 100_000, 64, 6)).toEqual({ start: 94, end: 116 });
    // A partly visible row counts.
    expect(visibleRange(6400 + 32, 640, 100_000, 64, 6)).toEqual({ start: 94, end: 117 });
  });
  it('clamps at both ends', () => {
    expect(visibleRange(-50, 300, 3, 64, 6)).toEqual({ start: 0, end: 3 });
    const bottom = visibleRange(contentHeight(1000) - 640, 640, 1000, 64, 6);
    expect(bottom.end).toBe(1000);
    expect(bottom.start).toBe(1000 - 10 - 6);
    expect(visibleRange(0, 640, 0)).toEqual({ start: 0, end: 0 });
  });
  it('keeps the DOM small for 100 000 rows', () => {
    const r = visibleRange(ROW_HEIGHT * 50_000, 640, 100_000);
    expect(r.end - r.start).toBeLessThan(30);
    expect(contentHeight(100_000)).toBe(6_400_000);
  });
});

describe('HistoryLoader', () => {
  function setup(historySize = 100_000) {
    const mock = new MockBackend({ historySize, autoProgress: false, now: Date.UTC(2025, 0, 1) });
    const queries: HistoryQuery[] = [];
    let changes = 0;
    const loader = new HistoryLoader(
      (q) => {
        queries.push(q);
        return mock.historyPage(q);
      },
      () => changes++,
      { pageSize: 200, maxChunk: 2000 },
    );
    return { mock, loader, queries, changes: () => changes };
  }

  it('loads the first page with beforeId null', async () => {
    const { loader, queries, changes } = setup();
    await loader.reset('', '');
    expect(queries).toEqual([{ search: '', profile: '', beforeId: null, limit: 200 }]);
    expect(loader.rows).toHaveLength(200);
    expect(loader.total).toBe(100_000);
    expect(loader.rows[0].id).toBe(100_000);
    expect(changes()).toBeGreaterThan(0);
  });

  it('continues after the last loaded row (keyset paging)', async () => {
    const { loader, queries } = setup();
    await loader.reset('', '');
    await loader.ensure(250);
    expect(queries[1].beforeId).toBe(loader.rows[199].id);
    expect(loader.rows.length).toBeGreaterThan(250);
    const ids = loader.rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
  });

  it('does not fetch when the rows are there already', async () => {
    const { loader, queries } = setup();
    await loader.reset('', '');
    await loader.ensure(150);
    expect(queries).toHaveLength(1);
  });

  it('catches up to a far row in bounded chunks', async () => {
    const { loader, queries } = setup();
    await loader.reset('', '');
    await loader.ensure(9_000);
    expect(loader.rows.length).toBeGreaterThan(9_000);
    expect(Math.max(...queries.map((q) => q.limit))).toBeLessThanOrEqual(2000);
    for (let i = 1; i < queries.length; i++) expect(queries[i].beforeId).not.toBeNull();
  });

  it('shares one request between concurrent ensure calls', async () => {
    const { loader, queries } = setup();
    await loader.reset('', '');
    await Promise.all([loader.ensure(300), loader.ensure(300), loader.ensure(301)]);
    expect(queries).toHaveLength(2);
  });

  it('stops at the end of a filtered result', async () => {
    const { loader } = setup(5_000);
    await loader.reset('', 'docs-cn');
    const total = loader.total;
    expect(total).toBeGreaterThan(0);
    expect(total).toBeLessThan(5_000);
    await loader.ensure(total + 500);
    expect(loader.rows).toHaveLength(total);
    expect(loader.reachedEnd).toBe(true);
    expect(loader.rows.every((r) => r.profile === 'docs-cn')).toBe(true);
  });

  it('searches by name', async () => {
    const { loader } = setup(20_000);
    await loader.reset('diagram', '');
    expect(loader.total).toBeGreaterThan(0);
    expect(loader.rows.every((r) => r.name.includes('diagram'))).toBe(true);
  });

  it('drops responses to a query that was replaced', async () => {
    const mock = new MockBackend({ historySize: 1000, autoProgress: false });
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const loader = new HistoryLoader(async (q) => {
      if (q.search === 'slow') await gate;
      return mock.historyPage(q);
    });
    const slow = loader.reset('slow', '');
    await loader.reset('', '');
    release();
    await slow;
    expect(loader.query.search).toBe('');
    expect(loader.total).toBe(1000);
  });

  it('removes a deleted row and keeps paging from the last row', async () => {
    const { loader, mock, queries } = setup(1000);
    await loader.reset('', '');
    const victim = loader.rows[5].id;
    await mock.deleteRecord(victim);
    loader.remove(victim);
    expect(loader.total).toBe(999);
    expect(loader.rows.some((r) => r.id === victim)).toBe(false);
    await loader.ensure(400);
    expect(queries.at(-1)!.beforeId).toBe(loader.rows[198].id);
    expect(loader.rows.some((r) => r.id === victim)).toBe(false);
  });

  it('reports an error and retries', async () => {
    let fail = true;
    const mock = new MockBackend({ historySize: 500, autoProgress: false });
    const loader = new HistoryLoader((q) => {
      if (fail) return Promise.reject({ code: 'history.db', message: 'database is locked' });
      return mock.historyPage(q);
    });
    await loader.reset('', '');
    expect(loader.error).toEqual({ code: 'history.db', message: 'database is locked' });
    fail = false;
    await loader.retry();
    expect(loader.error).toBeNull();
    expect(loader.total).toBe(500);
  });
});

describe('HistoryLoader.refresh', () => {
  it('puts new uploads on top without emptying the list in between', async () => {
    const mock = new MockBackend({ historySize: 3000, autoProgress: false });
    const snapshots: number[] = [];
    const loader: HistoryLoader = new HistoryLoader((q) => mock.historyPage(q), () => snapshots.push(loader.rows.length));
    await loader.reset('', '');
    await loader.ensure(700);
    const loaded = loader.rows.length;
    expect(loaded).toBeGreaterThan(700);

    await mock.uploadPaths(['new-shot.png']);
    mock.finishAll();
    snapshots.length = 0;
    await loader.refresh();
    expect(loader.rows[0].name).toBe('new-shot.png');
    expect(loader.total).toBe(3001);
    expect(loader.rows.length).toBeGreaterThan(700);
    expect(Math.min(...snapshots)).toBeGreaterThan(0);
    const ids = loader.rows.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
