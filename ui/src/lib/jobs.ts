// The upload view's model: a pure reducer from `upload://state` events (JobState) to the rows
// shown, newest batch first and files in their batch order, plus "clear finished". No DOM.
import type { MessageKey } from './i18n/en';
import type { Params } from './i18n/core';
import type { JobNote, JobState, Stage } from './types';

export interface JobsModel {
  /** Latest state of each job, by jobId. */
  readonly byId: ReadonlyMap<string, JobState>;
}

export const emptyJobs: JobsModel = { byId: new Map() };

export function isFinished(stage: Stage): boolean {
  return stage === 'done' || stage === 'failed';
}

/** Applies one event. A finished job never goes back to an earlier stage (late events). */
export function applyJob(model: JobsModel, job: JobState): JobsModel {
  const prev = model.byId.get(job.jobId);
  if (prev && isFinished(prev.stage) && !isFinished(job.stage)) return model;
  const byId = new Map(model.byId);
  byId.set(job.jobId, job);
  return { byId };
}

/** Drops the failed row(s) of history row `historyId` (a retry replaces them). */
export function dropFailed(model: JobsModel, historyId: number): JobsModel {
  const byId = new Map<string, JobState>();
  for (const [id, j] of model.byId) {
    if (!(j.stage === 'failed' && j.historyId === historyId)) byId.set(id, j);
  }
  return { byId };
}

/** Drops every done or failed job; batches still running keep their unfinished files. */
export function clearFinished(model: JobsModel): JobsModel {
  const byId = new Map<string, JobState>();
  for (const [id, j] of model.byId) if (!isFinished(j.stage)) byId.set(id, j);
  return { byId };
}

/** Rows to show: newest batch first, then by the file's index within its batch. */
export function jobRows(model: JobsModel): JobState[] {
  return [...model.byId.values()].sort((a, b) => b.batchId - a.batchId || a.index - b.index);
}

export function hasFinished(model: JobsModel): boolean {
  for (const j of model.byId.values()) if (isFinished(j.stage)) return true;
  return false;
}

/** Progress of one job in 0..1 for the small bar: stages give coarse steps, upload is exact. */
export function jobProgress(job: JobState): number {
  switch (job.stage) {
    case 'queued':
      return 0;
    case 'processing':
      return 0.1;
    case 'uploading': {
      const total = job.bytesOut ?? 0;
      const sent = job.bytesSent ?? 0;
      const frac = total > 0 ? Math.min(1, Math.max(0, sent / total)) : 0;
      return 0.2 + 0.8 * frac;
    }
    case 'done':
    case 'failed':
      return 1;
  }
}

/** A note in the window's language (`tr` is `t`); a note this build does not know keeps the
 *  core's English message. */
export function noteText(note: JobNote, tr: (key: MessageKey, params?: Params) => string): string {
  if (note.code === 'image.format_limit' && 'maxSide' in note) {
    const params = { wanted: note.wanted, max: note.maxSide, used: note.used };
    return tr(note.original ? 'upload.noteFormatOriginal' : 'upload.noteFormat', params);
  }
  if (note.code === 'image.pixel_limit' && 'limit' in note) {
    const limit = Number.isInteger(note.limit / 1e6) ? note.limit / 1e6 : (note.limit / 1e6).toFixed(1);
    return tr('upload.notePixels', { width: note.width, height: note.height, limit, used: note.used });
  }
  return note.message;
}
