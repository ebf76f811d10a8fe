/**
 * A plane (a frame, a background model, a heat or flow map) moved by whole cells, for camera shake and
 * pans: rows are copied, and only the strip the move uncovers is filled.
 */

/**
 * The cols×rows plane moved by (dx, dy) cells: out(x, y) = plane(x − dx, y − dy); where that falls off the
 * plane, `empty` fills in (a value, or one per cell). A new plane of the same kind.
 */
export function shiftPlane<T extends Uint8Array | Float32Array>(plane: T, cols: number, rows: number, dx: number, dy: number, empty: number | ((x: number, y: number) => number)): T {
  const out = plane.slice() as T;
  const at = typeof empty === 'number' ? () => empty : empty;
  const fill = (y: number, from: number, to: number): void => {
    for (let x = from; x < to; x++) out[y * cols + x] = at(x, y);
  };
  const x0 = Math.max(0, dx);
  const x1 = Math.min(cols, cols + dx);
  for (let y = 0; y < rows; y++) {
    const ys = y - dy;
    if (ys < 0 || ys >= rows || x1 <= x0) {
      fill(y, 0, cols);
      continue;
    }
    out.set(plane.subarray(ys * cols + x0 - dx, ys * cols + x1 - dx), y * cols + x0);
    fill(y, 0, x0);
    fill(y, x1, cols);
  }
  return out;
}
