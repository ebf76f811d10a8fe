/**
 * Minimum-cost bipartite assignment (Hungarian method with dual potentials, O(n²·m)) with gating: pairs whose
 * cost exceeds `maxCost` are never matched. The tracker uses it so that one ambiguous measurement cannot be
 * claimed greedily by the wrong track.
 */

/**
 * Assigns rows to columns. `cost` is row-major rows × cols. Returns, per row, the matched column or -1.
 * Among all assignments it first maximises the number of admissible pairs (cost ≤ maxCost), then minimises
 * their total cost.
 */
export function assignMinCost(cost: ArrayLike<number>, rows: number, cols: number, maxCost = Infinity): Int32Array {
  const result = new Int32Array(rows).fill(-1);
  if (rows === 0 || cols === 0) return result;
  if (cost.length !== rows * cols) throw new RangeError(`assignMinCost: ${cost.length} costs for a ${rows}×${cols} matrix`);
  // The potentials algorithm needs rows ≤ cols; solve the transpose otherwise.
  const transpose = rows > cols;
  const n = transpose ? cols : rows;
  const m = transpose ? rows : cols;
  const at = (i: number, j: number): number => (transpose ? cost[j * cols + i] : cost[i * cols + j]);

  // Inadmissible pairs get a cost larger than any sum of admissible costs, so the optimum uses as few of
  // them as possible; they are dropped from the answer afterwards.
  let maxAdmissible = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const c = at(i, j);
      if (c <= maxCost && Number.isFinite(c)) maxAdmissible = Math.max(maxAdmissible, Math.abs(c));
    }
  }
  const big = (maxAdmissible + 1) * (n + 1) * 2;
  const a = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      const c = at(i, j);
      a[i * m + j] = c <= maxCost && Number.isFinite(c) ? c : big;
    }
  }

  // 1-based potentials formulation: p[j] = row matched to column j (0 = none), column 0 is a virtual start.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const p = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  const minv = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    minv.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const cur = a[(i0 - 1) * m + (j - 1)] - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }

  for (let j = 1; j <= m; j++) {
    const i = p[j];
    if (i === 0) continue;
    if (a[(i - 1) * m + (j - 1)] >= big) continue; // forced onto an inadmissible pair: leave unmatched
    if (transpose) result[j - 1] = i - 1;
    else result[i - 1] = j - 1;
  }
  return result;
}
