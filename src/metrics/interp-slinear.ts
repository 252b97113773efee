// `scipy.interpolate.interp1d(x, y, kind='slinear')(x_new)` as scipy <= 1.8 evaluated it, which
// is what insightface's calculate_val (VAL@FAR) was written against:
//   - interp1d sorts x with a stable argsort (kind="mergesort"; a FAR curve is already sorted) and
//     checks bounds (bounds_error=True: x_new outside [x[0], x[-1]] raises);
//   - for k=1, make_interp_spline returned BSpline.construct_fast(t = [x0, x..., x_last], c = y,
//     k = 1) WITHOUT checking for repeated x. scipy >= 1.9 raises "Expect x to not have
//     duplicates" there, and FAR curves always repeat values (0 below the impostor scores, runs of
//     equal FAR between them, the maximum at the top), so today's scipy cannot run calculate_val;
//   - the B-spline is evaluated by scipy's compiled evaluator (_bspl.evaluate_spline, unchanged
//     since): find_interval walks up to the last interval with t[l] <= x_new < t[l+1], so a run of
//     repeated knots is skipped and x_new equal to a repeated FAR takes the threshold of the LAST
//     of them; at x_new == x[-1] the last interval [x[-2], x[-1]] is used, and when the maximum
//     repeats that interval has zero length and the value is 0 (a quirk kept on purpose:
//     calculate_val then thresholds at 0).
// test/metrics/interp-slinear.test.ts checks this against that exact object rebuilt on Debian's
// scipy 1.10 (scripts/golden/make-metrics-golden.py, interp1d_slinear_scipy18) on FAR curves.

/** `x` must be non-decreasing (interp1d's stable argsort is then the identity). */
export function interp1dSlinearLegacy(x: ArrayLike<number>, y: ArrayLike<number>, xNew: number): number {
  const m = x.length;
  if (m !== y.length) throw new Error(`interp1d: x has ${m} values, y ${y.length}`);
  if (m < 2) throw new Error("interp1d: x and y arrays must have at least 2 entries");
  for (let i = 1; i < m; i++) {
    if (!(x[i] >= x[i - 1])) throw new Error("interp1d: x must be sorted ascending (non-decreasing)");
  }
  if (Number.isNaN(xNew)) return Number.NaN;
  // interp1d's bounds_error=True default.
  if (xNew < x[0]) throw new Error(`interp1d: ${xNew} is below the interpolation range's minimum ${x[0]}`);
  if (xNew > x[m - 1]) throw new Error(`interp1d: ${xNew} is above the interpolation range's maximum ${x[m - 1]}`);

  // Knots t[0] = x[0], t[i] = x[i-1] for 1 <= i <= m, t[m+1] = x[m-1]; coefficients c = y; k = 1.
  const t = (i: number): number => (i === 0 ? x[0] : i === m + 1 ? x[m - 1] : x[i - 1]);
  const k = 1;
  const n = m; // number of coefficients = len(t) - k - 1

  // scipy _bspl.pyx find_interval (prev_l = k on a single evaluation).
  let l = k;
  l += 1;
  while (xNew >= t(l) && l !== n) l += 1;
  const interval = l - 1;

  // scipy _deBoor_D for k = 1, nu = 0: work = [B_{l-1}(x), B_l(x)].
  let h0 = 0;
  let h1: number;
  const xb = t(interval + 1);
  const xa = t(interval);
  if (xb === xa) {
    h1 = 0;
  } else {
    const w = 1 / (xb - xa);
    h0 += w * (xb - xNew);
    h1 = w * (xNew - xa);
  }
  // evaluate_spline: out = 0; out += c[interval - 1] * work[0]; out += c[interval] * work[1]
  let out = 0;
  out = out + y[interval - 1] * h0;
  out = out + y[interval] * h1;
  return out;
}
