// The capture overlay's geometry, apart from the DOM so it is unit-tested: a drag in CSS pixels
// (any direction) becomes a region in the picture's device pixels, clamped to the picture.
import type { EditRect } from './types';

export interface Point {
  x: number;
  y: number;
}

/** A drag shorter than this (CSS px) either way is a click, not a region. */
export const MIN_DRAG = 4;

/** The rectangle between two corners of a drag, in CSS pixels; null for a click. */
export function dragRect(a: Point, b: Point): EditRect | null {
  const w = Math.abs(b.x - a.x);
  const h = Math.abs(b.y - a.y);
  if (w < MIN_DRAG || h < MIN_DRAG) return null;
  return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w, h };
}

/** `r` (CSS px) in the picture's device pixels (`scale` = devicePixelRatio): whole pixels,
 *  inside the `width`×`height` picture, never empty; null when it lies outside. */
export function toDevice(r: EditRect, scale: number, width: number, height: number): EditRect | null {
  const x0 = Math.max(0, Math.round(r.x * scale));
  const y0 = Math.max(0, Math.round(r.y * scale));
  const x1 = Math.min(width, Math.round((r.x + r.w) * scale));
  const y1 = Math.min(height, Math.round((r.y + r.h) * scale));
  if (x1 <= x0 || y1 <= y0) return null;
  return { x: x0, y: y0, w: x1 - x0, h: y1 - y0 };
}
