// Pure helpers of the Markdown view: paths shown relative to the plan's root, the per-file
// counts of a plan's references, and which finished files the live list shows. No DOM, no state.
import type { MdFilePlan, MdProgress, MdRef } from './types';

/** A finished file of a running migration (the `file` progress event). */
export type MdFileDone = Extract<MdProgress, { kind: 'file' }>;

/** `path` relative to `root` when it is inside it ("/blog/posts/a.md", "/blog" → "posts/a.md"),
 *  else `path` unchanged. Either separator counts, so Windows paths work too. */
export function relPath(path: string, root: string): string {
  if (!root) return path;
  const base = root.replace(/[\\/]+$/, '');
  if (!base || path.length <= base.length || !path.startsWith(base)) return path;
  const sep = path[base.length];
  if (sep !== '/' && sep !== '\\') return path;
  const rest = path.slice(base.length).replace(/^[\\/]+/, '');
  return rest || path;
}

export interface RefCounts {
  upload: number;
  skip: number;
  missing: number;
}

export function refCounts(refs: MdRef[]): RefCounts {
  const c: RefCounts = { upload: 0, skip: 0, missing: 0 };
  for (const r of refs) c[r.action]++;
  return c;
}

/** One row of the plan's file list, counted once per plan (not on every render). */
export interface MdFileRow {
  file: MdFilePlan;
  /** The path as shown (relative to the plan's root). */
  shown: string;
  counts: RefCounts;
}

export function fileRows(files: MdFilePlan[], root: string): MdFileRow[] {
  return files.map((file) => ({ file, shown: relPath(file.path, root), counts: refCounts(file.refs) }));
}

/** Whether a finished file belongs in the live list: a file with image references (its result
 *  is news either way), or any file with a problem. Files without images only move the bar. */
export function worthListing(f: MdFileDone, withImages: ReadonlySet<string>): boolean {
  return withImages.has(f.path) || f.changed || f.error !== null || f.failed.length > 0 || f.missing.length > 0;
}
