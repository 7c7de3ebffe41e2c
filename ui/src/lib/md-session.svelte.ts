// The Markdown view's state, kept by the app store so a migration keeps its progress, summary
// and undo while another view shows: the chosen paths and the `remote` choice, the plan from
// Rust, the run's progress from `markdown://progress` events, and the undo's results.
// Phases: idle → planning → planned → running → done | failed; choosing paths or planning again
// starts over (never while running).
import { SvelteSet } from 'svelte/reactivity';
import type { Backend } from './backend';
import { toAppError } from './errors';
import { worthListing, type MdFileDone } from './md-plan';
import type { AppError, MdPlan, MdProgress, MdSummary, MdUndoLine } from './types';

export type MdPhase = 'idle' | 'planning' | 'planned' | 'running' | 'done' | 'failed';

/** The end of a migration: its counts, and the run that kept the originals (null when no file
 *  changed). */
export interface MdEnd {
  summary: MdSummary;
  run: string | null;
  backupDir: string | null;
}

export class MdSession {
  paths = $state.raw<string[]>([]);
  remote = $state(false);
  phase = $state<MdPhase>('idle');
  /** The plan shown (kept while a new one for other options is made, and during the run). */
  plan = $state.raw<MdPlan | null>(null);
  planError = $state<AppError | null>(null);
  /** Files of the plan whose references are shown. */
  readonly expanded = new SvelteSet<string>();

  progress = $state.raw({ done: 0, total: 0 });
  /** Finished files worth a line (see md-plan's worthListing), in the order they finished. */
  finished = $state.raw<MdFileDone[]>([]);
  end = $state.raw<MdEnd | null>(null);
  runError = $state<AppError | null>(null);

  undoing = $state(false);
  undone = $state.raw<MdUndoLine[] | null>(null);
  undoError = $state<AppError | null>(null);

  /** Bumped per plan request: an answer to an older one is dropped. */
  private seq = 0;
  private runId: number | null = null;
  private withImages = new Set<string>();

  constructor(
    private readonly backend: Backend,
    private readonly activeProfile: () => string | null,
  ) {}

  get running(): boolean {
    return this.phase === 'running';
  }

  /** New paths to migrate: a new plan; the last run's results are dropped. */
  async choose(paths: string[]): Promise<void> {
    if (this.running || paths.length === 0) return;
    this.paths = [...paths];
    this.plan = null;
    this.expanded.clear();
    await this.replan();
  }

  /** Plans the chosen paths (again) for the active profile and the `remote` choice. */
  async replan(): Promise<void> {
    if (this.running || this.paths.length === 0) return;
    const token = ++this.seq;
    this.phase = 'planning';
    this.planError = null;
    this.clearRun();
    try {
      const plan = await this.backend.mdPlan(this.paths, this.activeProfile(), this.remote);
      if (token !== this.seq) return;
      const still = new Set(plan.files.map((f) => f.path));
      for (const p of [...this.expanded]) if (!still.has(p)) this.expanded.delete(p);
      this.plan = plan;
      this.phase = 'planned';
    } catch (e) {
      if (token !== this.seq) return;
      this.plan = null;
      this.planError = toAppError(e);
      this.phase = 'idle';
    }
  }

  /** "Also copy images from other websites": a plan not run yet is made again with it. */
  setRemote(remote: boolean): void {
    if (this.remote === remote) return;
    this.remote = remote;
    if (this.phase === 'planned' || this.phase === 'planning' || (this.phase === 'idle' && this.paths.length)) {
      void this.replan();
    }
  }

  /** The active profile changed: a plan waiting for Migrate is made again for it. */
  followProfile(profile: string | null): void {
    if (this.phase === 'planned' && this.plan && profile && this.plan.profile !== profile) void this.replan();
  }

  toggle(path: string): void {
    if (this.expanded.has(path)) this.expanded.delete(path);
    else this.expanded.add(path);
  }

  /** Starts migrating the plan shown; progress arrives through onProgress. */
  async migrate(): Promise<void> {
    const plan = this.plan;
    if (!plan || this.phase !== 'planned' || plan.uploads === 0) return;
    this.runId = plan.id;
    this.withImages = new Set(plan.files.map((f) => f.path));
    this.clearRun();
    this.progress = { done: 0, total: Math.max(0, plan.fileCount - plan.unreadable.length) };
    this.phase = 'running';
    try {
      await this.backend.mdRun(plan.id);
    } catch (e) {
      if (this.runId === plan.id && this.running) {
        this.runError = toAppError(e);
        this.phase = 'failed';
      }
    }
  }

  /** A `markdown://progress` event (those of other plans are ignored). */
  onProgress(p: MdProgress): void {
    if (p.id !== this.runId || !this.running) return;
    if (p.kind === 'file') {
      this.progress = { done: p.done, total: p.total };
      if (worthListing(p, this.withImages)) this.finished = [...this.finished, p];
    } else if (p.kind === 'done') {
      this.end = { summary: p.summary, run: p.run, backupDir: p.backupDir };
      this.progress = { done: this.progress.total, total: this.progress.total };
      this.phase = 'done';
    } else {
      this.runError = { code: p.code, message: p.message };
      this.phase = 'failed';
    }
  }

  /** Puts back the originals of the finished run. */
  async undo(): Promise<void> {
    const run = this.end?.run;
    if (!run || this.undoing || this.undone) return;
    this.undoing = true;
    this.undoError = null;
    try {
      this.undone = await this.backend.mdUndo(run);
    } catch (e) {
      this.undoError = toAppError(e);
    } finally {
      this.undoing = false;
    }
  }

  private clearRun(): void {
    this.progress = { done: 0, total: 0 };
    this.finished = [];
    this.end = null;
    this.runError = null;
    this.undone = null;
    this.undoError = null;
  }
}
