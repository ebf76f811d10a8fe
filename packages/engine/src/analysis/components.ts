/** 8-connected component labelling of a binary grid (two-pass, union–find), used to turn foreground into blobs. */

export interface Component {
  /** Inclusive bounds in grid cells. */
  minX: number;
  minY: number;
  maxX: number;
  maxY: number;
  /** Number of set cells. */
  area: number;
  /** Sum of the cells' weights (the caller's per-cell value, e.g. foreground pixel count). */
  weight: number;
}

export interface Labelling {
  /** Per cell: component index + 1, or 0 for background. */
  labels: Int32Array;
  components: Component[];
}

/**
 * Labels the non-zero cells of `grid` (w × h, row-major). Component order follows the first cell in raster
 * order, so the output is deterministic. `weights` (same layout) is summed per component when given.
 */
export function labelComponents(grid: ArrayLike<number>, w: number, h: number, weights?: ArrayLike<number>): Labelling {
  const labels = new Int32Array(w * h);
  const parent: number[] = [0];
  const find = (a: number): number => {
    while (parent[a] !== a) {
      parent[a] = parent[parent[a]];
      a = parent[a];
    }
    return a;
  };
  const union = (a: number, b: number): number => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return ra;
    const lo = Math.min(ra, rb);
    parent[Math.max(ra, rb)] = lo;
    return lo;
  };

  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      if (!grid[i]) continue;
      // Already-visited neighbours: W, NW, N, NE.
      let l = 0;
      for (let n = 0; n < 4; n++) {
        let j: number;
        if (n === 0) j = x > 0 ? i - 1 : -1;
        else if (n === 1) j = x > 0 && y > 0 ? i - w - 1 : -1;
        else if (n === 2) j = y > 0 ? i - w : -1;
        else j = y > 0 && x < w - 1 ? i - w + 1 : -1;
        if (j < 0) continue;
        const lj = labels[j];
        if (lj === 0) continue;
        l = l === 0 ? lj : union(l, lj);
      }
      if (l === 0) {
        l = parent.length;
        parent.push(l);
      }
      labels[i] = l;
    }
  }

  const remap = new Int32Array(parent.length);
  const components: Component[] = [];
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l === 0) continue;
    const root = find(l);
    let c = remap[root];
    if (c === 0) {
      components.push({ minX: w, minY: h, maxX: -1, maxY: -1, area: 0, weight: 0 });
      c = components.length;
      remap[root] = c;
    }
    labels[i] = c;
    const comp = components[c - 1];
    const x = i % w;
    const y = (i - x) / w;
    if (x < comp.minX) comp.minX = x;
    if (x > comp.maxX) comp.maxX = x;
    if (y < comp.minY) comp.minY = y;
    if (y > comp.maxY) comp.maxY = y;
    comp.area++;
    comp.weight += weights ? weights[i] : 1;
  }
  return { labels, components };
}
