// History's "Check links", kept by the app store: a check asks every link over the network and
// can take a minute, so it goes on while another view shows, cannot be started twice, and its
// result is still there on coming back. Holds the profile checked, the answer (or why the check
// failed, for Retry), and the re-upload of the broken uploads whose source is kept: those
// started are remembered so the panel says so and does not offer them twice.
import type { Backend } from './backend';
import { toAppError } from './errors';
import type { AppError, BrokenLink, LinkHealth } from './types';

export class LinkCheckSession {
  /** A check is on its way. */
  running = $state(false);
  /** The profile of the check shown (or running); null = every profile. */
  profile = $state<string | null>(null);
  result = $state.raw<LinkHealth | null>(null);
  /** Why the last check failed. */
  error = $state<AppError | null>(null);
  /** Broken uploads of this result already started again. */
  restarted = $state.raw<ReadonlySet<number>>(new Set());
  reuploading = $state(false);
  /** Why the last re-upload was refused. */
  reuploadError = $state<AppError | null>(null);

  /** Bumped per check and on close: a re-upload answering an older result is not applied to
   *  the one shown. */
  private seq = 0;

  constructor(private readonly backend: Backend) {}

  /** Whether there is something to show: a result or a failure. */
  get shown(): boolean {
    return this.result !== null || this.error !== null;
  }

  /** The broken uploads that can still be uploaded again from here. */
  get reuploadable(): BrokenLink[] {
    return this.result?.broken.filter((b) => b.reuploadable && !this.restarted.has(b.id)) ?? [];
  }

  /** Checks the links of `profile`'s uploads (null = every profile); nothing while one runs. */
  async check(profile: string | null): Promise<void> {
    if (this.running) return;
    const seq = ++this.seq;
    this.running = true;
    this.profile = profile;
    this.result = null;
    this.error = null;
    this.reuploadError = null;
    this.restarted = new Set();
    try {
      const result = await this.backend.historyCheck(profile);
      if (seq === this.seq) this.result = result;
    } catch (e) {
      if (seq === this.seq) this.error = toAppError(e);
    } finally {
      this.running = false;
    }
  }

  /** Checks the same profile again (after a failure). */
  retry(): Promise<void> {
    return this.check(this.profile);
  }

  /** Puts the result away (a running check is not stopped: its answer is dropped). */
  close(): void {
    this.seq++;
    this.result = null;
    this.error = null;
    this.reuploadError = null;
    this.restarted = new Set();
  }

  /** Uploads the reuploadable broken ones again under their links. Returns how many started,
   *  or undefined when there was nothing to do or the shell refused (see reuploadError). */
  async reupload(): Promise<number | undefined> {
    const ids = this.reuploadable.map((b) => b.id);
    if (ids.length === 0 || this.reuploading) return undefined;
    const seq = this.seq;
    this.reuploading = true;
    this.reuploadError = null;
    try {
      const started = await this.backend.historyReupload(ids);
      if (seq === this.seq) this.restarted = new Set([...this.restarted, ...ids]);
      return started;
    } catch (e) {
      if (seq === this.seq) this.reuploadError = toAppError(e);
      return undefined;
    } finally {
      this.reuploading = false;
    }
  }
}
