// The Markdown view's pure helpers: paths relative to a plan's root (either separator), the
// per-file counts, and which finished files the live list shows.
import { describe, expect, it } from 'vitest';
import { fileRows, refCounts, relPath, worthListing, type MdFileDone } from '../lib/md-plan';

describe('relPath', () => {
  it('shortens paths inside the root and leaves the others', () => {
    expect(relPath('/home/me/blog/posts/a.md', '/home/me/blog')).toBe('posts/a.md');
    expect(relPath('/home/me/blog/posts/a.md', '/home/me/blog/')).toBe('posts/a.md');
    expect(relPath('/home/me/blog-old/a.md', '/home/me/blog')).toBe('/home/me/blog-old/a.md');
    expect(relPath('/home/me/blog', '/home/me/blog')).toBe('/home/me/blog');
    expect(relPath('/elsewhere/a.png', '/home/me/blog')).toBe('/elsewhere/a.png');
    expect(relPath('/home/me/blog/a.md', '')).toBe('/home/me/blog/a.md');
    expect(relPath('https://i.imgur.com/x.jpg', '/home/me/blog')).toBe('https://i.imgur.com/x.jpg');
  });

  it('takes Windows paths', () => {
    expect(relPath('C:\\Users\\me\\vault\\Daily\\x.md', 'C:\\Users\\me\\vault')).toBe('Daily\\x.md');
    expect(relPath('C:\\a.md', 'C:\\')).toBe('a.md');
  });
});

describe('plan rows', () => {
  it('count each file\'s references by action', () => {
    const refs = [
      { line: 1, link: 'a.png', action: 'upload' as const, detail: '/b/a.png' },
      { line: 2, link: 'b.png', action: 'upload' as const, detail: '/b/b.png' },
      { line: 3, link: 'c.png', action: 'missing' as const, detail: 'no such file' },
      { line: 4, link: 'data:x', action: 'skip' as const, detail: 'a data: URI' },
    ];
    expect(refCounts(refs)).toEqual({ upload: 2, skip: 1, missing: 1 });
    const [row] = fileRows([{ path: '/b/p.md', refs }], '/b');
    expect(row.shown).toBe('p.md');
    expect(row.counts.upload).toBe(2);
  });

  it('list finished files with images or problems, not the others', () => {
    const done = (path: string, over: Partial<MdFileDone> = {}): MdFileDone => ({
      id: 1, kind: 'file', path, done: 1, total: 2, changed: false, rewritten: 0, failed: [], missing: [], error: null, ...over,
    });
    const withImages = new Set(['/b/p.md']);
    expect(worthListing(done('/b/p.md'), withImages)).toBe(true);
    expect(worthListing(done('/b/plain.md'), withImages)).toBe(false);
    expect(worthListing(done('/b/plain.md', { error: 'permission denied' }), withImages)).toBe(true);
    expect(worthListing(done('/b/plain.md', { missing: [{ line: 1, link: 'x.png', reason: 'no such file' }] }), withImages)).toBe(true);
  });
});
