// Error normalisation: whatever a backend call throws (an AppError object from Rust, a string,
// an Error, nothing) becomes an AppError `{code, message}` the views can show and branch on.
import type { AppError } from './types';

export function isAppError(e: unknown): e is AppError {
  return (
    typeof e === 'object' && e !== null &&
    typeof (e as AppError).code === 'string' &&
    typeof (e as AppError).message === 'string'
  );
}

export function toAppError(e: unknown): AppError {
  if (isAppError(e)) return { code: e.code, message: e.message };
  if (e instanceof Error) return { code: 'internal', message: e.message || String(e) };
  if (typeof e === 'string') {
    // Some commands may serialise the error as JSON text.
    try {
      const parsed: unknown = JSON.parse(e);
      if (isAppError(parsed)) return { code: parsed.code, message: parsed.message };
    } catch {
      /* plain text */
    }
    return { code: 'internal', message: e };
  }
  if (typeof e === 'object' && e !== null && 'message' in e) {
    return { code: 'internal', message: String((e as { message: unknown }).message) };
  }
  return { code: 'internal', message: e === undefined ? 'Unknown error' : String(e) };
}
