import { describe, expect, it } from 'vitest';
import { dragRect, toDevice } from '../lib/capture-region';

describe('capture region', () => {
  it('a drag in any direction gives the same rectangle; a click gives none', () => {
    const want = { x: 10, y: 20, w: 100, h: 50 };
    expect(dragRect({ x: 10, y: 20 }, { x: 110, y: 70 })).toEqual(want);
    expect(dragRect({ x: 110, y: 70 }, { x: 10, y: 20 })).toEqual(want);
    expect(dragRect({ x: 110, y: 20 }, { x: 10, y: 70 })).toEqual(want);
    expect(dragRect({ x: 10, y: 20 }, { x: 12, y: 90 })).toBeNull();
  });

  it('CSS pixels become whole device pixels on a 2× screen, clamped to the picture', () => {
    expect(toDevice({ x: 10.2, y: 20, w: 100, h: 50.3 }, 2, 5120, 2880)).toEqual({ x: 20, y: 40, w: 200, h: 101 });
    expect(toDevice({ x: -5, y: 2500 / 2, w: 100, h: 1000 }, 2, 5120, 2880)).toEqual({ x: 0, y: 2500, w: 190, h: 380 });
    expect(toDevice({ x: 3000, y: 0, w: 10, h: 10 }, 2, 5120, 2880)).toBeNull();
  });
});
