// The names of the events the Rust shell emits, mirrored from src-tauri/src/events.rs (a Rust
// test reads this file and fails when the two differ). Import names from here, never literals.
export const EVENT_JOB = 'upload://state';
export const EVENT_BATCH = 'upload://batch';
export const EVENT_STATE = 'app://state';
export const EVENT_NAVIGATE = 'app://navigate';
export const EVENT_ERROR = 'app://error';
export const EVENT_HISTORY = 'history://changed';
export const EVENT_MD_PROGRESS = 'markdown://progress';
export const EVENT_MD_OFFER = 'markdown://offer';
export const EVENT_SYNC = 'sync://state';
