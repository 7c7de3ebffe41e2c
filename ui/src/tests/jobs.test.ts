// The upload view's reducer: events → rows, newest batch first, clear finished.
import { describe, expect, it } from 'vitest';
import { translate } from '../lib/i18n/core';
import { applyJob, clearFinished, dropFailed, emptyJobs, hasFinished, jobProgress, jobRows, noteText } from '../lib/jobs';
import type { JobState, Stage } from '../lib/types';

function job(batchId: number, index: number, stage: Stage, extra: Partial<JobState> = {}): JobState {
  return {
    jobId: `${batchId}-${index}`, batchId, index, name: `f${batchId}-${index}.png`, profile: 'blog', stage,
    bytesIn: null, bytesOut: null, bytesSent: null, historyId: null, links: null, url: null,
    thumbnail: null, existing: false, note: null, error: null, ...extra,
  };
}

describe('jobs reducer', () => {
  it('a retry drops only the failed row of that upload', () => {
    let m = applyJob(emptyJobs, job(1, 0, 'failed', { historyId: 7 }));
    m = applyJob(m, job(1, 1, 'failed', { historyId: 8 }));
    m = applyJob(m, job(2, 0, 'done', { historyId: 7 }));
    m = dropFailed(m, 7);
    expect(jobRows(m).map((j) => j.jobId)).toEqual(['2-0', '1-1']);
  });

  it('adds and updates rows by jobId', () => {
    let m = applyJob(emptyJobs, job(1, 0, 'queued'));
    m = applyJob(m, job(1, 0, 'processing'));
    expect(jobRows(m)).toHaveLength(1);
    expect(jobRows(m)[0].stage).toBe('processing');
  });

  it('orders newest batch first, files in batch order', () => {
    let m = emptyJobs;
    for (const j of [job(1, 1, 'queued'), job(2, 0, 'queued'), job(1, 0, 'queued'), job(3, 2, 'queued'), job(3, 0, 'queued')]) {
      m = applyJob(m, j);
    }
    expect(jobRows(m).map((j) => j.jobId)).toEqual(['3-0', '3-2', '2-0', '1-0', '1-1']);
  });

  it('does not move a finished job back to an earlier stage', () => {
    let m = applyJob(emptyJobs, job(1, 0, 'done', { url: 'https://x/a.png' }));
    const same = applyJob(m, job(1, 0, 'uploading'));
    expect(same).toBe(m);
    m = applyJob(m, job(1, 0, 'failed'));
    expect(jobRows(m)[0].stage).toBe('failed');
  });

  it('clears finished jobs only', () => {
    let m = emptyJobs;
    m = applyJob(m, job(1, 0, 'done'));
    m = applyJob(m, job(1, 1, 'failed'));
    m = applyJob(m, job(2, 0, 'uploading'));
    expect(hasFinished(m)).toBe(true);
    m = clearFinished(m);
    expect(jobRows(m).map((j) => j.jobId)).toEqual(['2-0']);
    expect(hasFinished(m)).toBe(false);
  });

  it('does not mutate the previous model', () => {
    const a = applyJob(emptyJobs, job(1, 0, 'queued'));
    const b = applyJob(a, job(1, 1, 'queued'));
    expect(a.byId.size).toBe(1);
    expect(b.byId.size).toBe(2);
    expect(emptyJobs.byId.size).toBe(0);
  });

  it('reports progress', () => {
    expect(jobProgress(job(1, 0, 'queued'))).toBe(0);
    expect(jobProgress(job(1, 0, 'uploading', { bytesOut: 100, bytesSent: 50 }))).toBeCloseTo(0.6);
    expect(jobProgress(job(1, 0, 'uploading', { bytesOut: 0, bytesSent: 0 }))).toBeCloseTo(0.2);
    expect(jobProgress(job(1, 0, 'done'))).toBe(1);
  });
});

describe('job notes', () => {
  const en = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('en', key, params);
  const zh = (key: Parameters<typeof translate>[1], params?: Parameters<typeof translate>[2]) => translate('zh-CN', key, params);

  it('say a format fallback in the window language, as the core says it in English', () => {
    const note = {
      code: 'image.format_limit' as const, message: 'WebP holds at most 16383 px on a side: uploaded as PNG',
      wanted: 'WebP', maxSide: 16383, used: 'PNG', original: false,
    };
    expect(noteText(note, en)).toBe(note.message);
    expect(noteText({ ...note, original: true }, en)).toBe('WebP holds at most 16383 px on a side: uploaded as the original PNG');
    expect(noteText(note, zh)).toBe('WebP 每边最多 16383 像素：已改为 PNG 上传');
  });

  it('say a pixel-limit original with the limit in megapixels', () => {
    const note = {
      code: 'image.pixel_limit' as const, message: 'm', width: 30000, height: 12000, limit: 100_000_000, used: 'JPEG',
    };
    expect(noteText(note, en)).toBe('30000×12000 is above the 100 megapixel limit for converting: uploaded as the original JPEG');
  });

  it('fall back to the English message for a code this build does not know', () => {
    expect(noteText({ code: 'image.something_new', message: 'as the core said it' }, zh)).toBe('as the core said it');
  });
});
