#!/usr/bin/python3
"""Writes the golden files of test/metrics/golden/ with the reference tools.

Run with Debian's interpreter and packages (apt-get install python3-sklearn python3-numpy
python3-scipy), from the repository root:

    /usr/bin/python3 scripts/golden/make-metrics-golden.py

Generated with numpy 1.24.2, scipy 1.10.1, scikit-learn 1.2.1, CPython 3.11 (x86-64). The
Python 2 pickle (golden/bin/py2-protocol2.bin) is written by /root/.pyenv/versions/2.7.18 when
that interpreter exists, and kept as committed otherwise.

The reference algorithms below are copied from insightface (recognition/arcface_torch/
eval/verification.py and eval_ijbc.py). Every departure from the copied text is marked
"# CHANGED:" or "# ADDED:" and is there only to feed distances directly, to expose
intermediate values (best thresholds, per-fold VAL), or to replace scipy's interp1d, which since
scipy 1.9 raises on repeated x values, by the exact object scipy <= 1.8 built (see
interp1d_slinear_scipy18).
"""
import hashlib
import json
import os
import pickle
import shutil
import struct
import subprocess
import sys

import numpy as np
import scipy
import sklearn
import sklearn.preprocessing
from scipy.interpolate import BSpline
from sklearn.metrics import auc, roc_curve
from sklearn.model_selection import KFold

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "test", "metrics", "golden")
PY2 = "/root/.pyenv/versions/2.7.18/bin/python"

VERSIONS = {
    "python": sys.version.split()[0],
    "numpy": np.__version__,
    "scipy": scipy.__version__,
    "sklearn": sklearn.__version__,
}


def fl(x):
    """A float for JSON: repr-exact, with non-finite values as strings."""
    x = float(x)
    if x != x:
        return "nan"
    if x in (float("inf"), float("-inf")):
        return "inf" if x > 0 else "-inf"
    return x


def fls(a):
    return [fl(v) for v in np.asarray(a, dtype=np.float64).ravel()]


def write_json(name, obj):
    path = os.path.join(OUT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    obj = {"generator": "scripts/golden/make-metrics-golden.py", "versions": VERSIONS, **obj}
    with open(path, "w") as f:
        json.dump(obj, f, separators=(",", ":"))
        f.write("\n")
    size = os.path.getsize(path)
    assert size < 200_000, f"{name} is {size} bytes"
    print(f"wrote {name} ({size} bytes)")


# =============================================================================================
# scipy <= 1.8 interp1d(kind='slinear')
# =============================================================================================
def interp1d_slinear_scipy18(x, y):
    """What scipy.interpolate.interp1d(x, y, kind='slinear') built in scipy <= 1.8.

    interp1d sorted x with np.argsort(x, kind="mergesort"), and for k=1 make_interp_spline
    returned BSpline.construct_fast(np.r_[x[0], x, x[-1]], y, 1) (no duplicate check; that came
    in 1.9). Calling it checks the bounds (bounds_error=True) and evaluates the BSpline with
    scipy's compiled evaluator, unchanged since.
    """
    x = np.array(x, dtype=np.float64)
    y = np.array(y, dtype=np.float64)
    ind = np.argsort(x, kind="mergesort")
    x = x[ind]
    y = np.take(y, ind, axis=0)
    t = np.r_[x[0], x, x[-1]]
    spline = BSpline.construct_fast(t, np.ascontiguousarray(y), 1)

    def f(x_new):
        x_new = np.asarray(x_new)
        if np.any(x_new < x[0]) or np.any(x_new > x[-1]):
            raise ValueError("out of the interpolation range")
        return spline(x_new)

    return f


# self-check: where x has no repeats, the legacy object equals today's interp1d
_x = np.array([0.0, 0.1, 0.25, 0.5, 1.0])
_y = np.array([0.0, 1.0, 2.0, 3.5, 4.0])
for _v in (0.0, 0.05, 0.1, 0.3, 0.999, 1.0):
    assert float(interp1d_slinear_scipy18(_x, _y)(_v)) == float(scipy.interpolate.interp1d(_x, _y, kind="slinear")(_v))


def make_interp():
    """interp1d_slinear_scipy18 evaluated directly, on FAR curves with repeated values."""
    rng = np.random.default_rng(1808)
    cases = []

    def case(name, x, y, x_new, note="", compact=None):
        f = interp1d_slinear_scipy18(x, y)
        data = compact if compact is not None else {"x": fls(x), "y": fls(y)}
        cases.append({"name": name, "note": note, **data, "xNew": fls(x_new),
                      "expected": [fl(f(v)) for v in x_new]})

    case("repeated-interior-knots", [0, 0.5, 0.5, 0.5, 1], [0, 1, 2, 3, 4], [0, 0.25, 0.5, 0.75, 1])
    case("repeated-maximum", [0, 0.5, 1, 1], [0, 1, 2, 3], [0, 0.5, 0.9, 1], note="x_new == repeated max -> 0")
    case("repeated-minimum", [0, 0, 0, 0.2, 0.6], [0.0, 0.1, 0.2, 0.3, 0.4], [0, 1e-9, 0.1, 0.2, 0.6])
    case("all-distinct", [0.0, 0.1, 0.25, 0.5, 1.0], [0.0, 1.0, 2.0, 3.5, 4.0], [0.0, 0.05, 0.1, 0.3, 0.999, 1.0])
    # FAR curves as calculate_val builds them: far_train over np.arange(0, 4, 0.001) on random distances
    thresholds = np.arange(0, 4, 0.001)
    for k, n_diff in enumerate((90, 540, 5400)):
        d = np.concatenate([rng.normal(1.7, 0.25, n_diff), rng.normal(0.8, 0.3, n_diff)])
        neg = d[:n_diff]
        counts = np.array([np.sum(neg < t) for t in thresholds])
        far = np.array([c / n_diff for c in counts])
        assert np.array_equal(thresholds, np.arange(4000) * 0.001)
        compact = {"xCounts": [int(c) for c in counts], "xDenominator": n_diff, "yStep": 0.001}
        targets = [1e-3, 1e-2, 0.1, far[far > 0][0], far[1234], far[-1]]
        targets += [float(v) for v in rng.uniform(0, far[-1], 6)]
        case("far-curve-%d" % n_diff, far, thresholds, targets, compact=compact,
             note="x = far_train = xCounts / xDenominator, y = np.arange(0, 4, 0.001) = i * yStep (long runs of repeated x)")
    write_json("interp-slinear.json", {"cases": cases})


# =============================================================================================
# insightface recognition/arcface_torch/eval/verification.py (copied)
# =============================================================================================
class LFold:
    def __init__(self, n_splits=2, shuffle=False):
        self.n_splits = n_splits
        if self.n_splits > 1:
            self.k_fold = KFold(n_splits=n_splits, shuffle=shuffle)

    def split(self, indices):
        if self.n_splits > 1:
            return self.k_fold.split(indices)
        else:
            return [(indices, indices)]


def calculate_roc(thresholds,
                  dist,  # CHANGED: distances instead of embeddings1, embeddings2
                  actual_issame,
                  nrof_folds=10,
                  pca=0):
    nrof_pairs = min(len(actual_issame), dist.shape[0])  # CHANGED: dist.shape[0]
    nrof_thresholds = len(thresholds)
    k_fold = LFold(n_splits=nrof_folds, shuffle=False)

    tprs = np.zeros((nrof_folds, nrof_thresholds))
    fprs = np.zeros((nrof_folds, nrof_thresholds))
    accuracy = np.zeros((nrof_folds))
    indices = np.arange(nrof_pairs)
    best_thresholds = np.zeros((nrof_folds))  # ADDED

    # CHANGED: the `diff = ...; dist = ...` lines and the PCA branch are gone (dist is given)

    for fold_idx, (train_set, test_set) in enumerate(k_fold.split(indices)):
        # Find the best threshold for the fold
        acc_train = np.zeros((nrof_thresholds))
        for threshold_idx, threshold in enumerate(thresholds):
            _, _, acc_train[threshold_idx] = calculate_accuracy(
                threshold, dist[train_set], actual_issame[train_set])
        best_threshold_index = np.argmax(acc_train)
        best_thresholds[fold_idx] = thresholds[best_threshold_index]  # ADDED
        for threshold_idx, threshold in enumerate(thresholds):
            tprs[fold_idx, threshold_idx], fprs[fold_idx, threshold_idx], _ = calculate_accuracy(
                threshold, dist[test_set],
                actual_issame[test_set])
        _, _, accuracy[fold_idx] = calculate_accuracy(
            thresholds[best_threshold_index], dist[test_set],
            actual_issame[test_set])

    tpr = np.mean(tprs, 0)
    fpr = np.mean(fprs, 0)
    return tpr, fpr, accuracy, best_thresholds  # CHANGED: + best_thresholds


def calculate_accuracy(threshold, dist, actual_issame):
    predict_issame = np.less(dist, threshold)
    tp = np.sum(np.logical_and(predict_issame, actual_issame))
    fp = np.sum(np.logical_and(predict_issame, np.logical_not(actual_issame)))
    tn = np.sum(
        np.logical_and(np.logical_not(predict_issame),
                       np.logical_not(actual_issame)))
    fn = np.sum(np.logical_and(np.logical_not(predict_issame), actual_issame))

    tpr = 0 if (tp + fn == 0) else float(tp) / float(tp + fn)
    fpr = 0 if (fp + tn == 0) else float(fp) / float(fp + tn)
    acc = float(tp + tn) / dist.size
    return tpr, fpr, acc


def calculate_val(thresholds,
                  dist,  # CHANGED: distances instead of embeddings1, embeddings2
                  actual_issame,
                  far_target,
                  nrof_folds=10):
    nrof_pairs = min(len(actual_issame), dist.shape[0])  # CHANGED: dist.shape[0]
    nrof_thresholds = len(thresholds)
    k_fold = LFold(n_splits=nrof_folds, shuffle=False)

    val = np.zeros(nrof_folds)
    far = np.zeros(nrof_folds)
    fold_thresholds = np.zeros(nrof_folds)  # ADDED

    # CHANGED: the `diff = ...; dist = ...` lines are gone (dist is given)
    indices = np.arange(nrof_pairs)

    for fold_idx, (train_set, test_set) in enumerate(k_fold.split(indices)):

        # Find the threshold that gives FAR = far_target
        far_train = np.zeros(nrof_thresholds)
        for threshold_idx, threshold in enumerate(thresholds):
            _, far_train[threshold_idx] = calculate_val_far(
                threshold, dist[train_set], actual_issame[train_set])
        if np.max(far_train) >= far_target:
            f = interp1d_slinear_scipy18(far_train, thresholds)  # CHANGED: was interpolate.interp1d(far_train, thresholds, kind='slinear')
            threshold = f(far_target)
        else:
            threshold = 0.0
        fold_thresholds[fold_idx] = threshold  # ADDED

        val[fold_idx], far[fold_idx] = calculate_val_far(
            threshold, dist[test_set], actual_issame[test_set])

    val_mean = np.mean(val)
    far_mean = np.mean(far)
    val_std = np.std(val)
    return val_mean, val_std, far_mean, val, far, fold_thresholds  # CHANGED: + per-fold values


def calculate_val_far(threshold, dist, actual_issame):
    predict_issame = np.less(dist, threshold)
    true_accept = np.sum(np.logical_and(predict_issame, actual_issame))
    false_accept = np.sum(
        np.logical_and(predict_issame, np.logical_not(actual_issame)))
    n_same = np.sum(actual_issame)
    n_diff = np.sum(np.logical_not(actual_issame))
    # print(true_accept, false_accept)
    # print(n_same, n_diff)
    val = float(true_accept) / float(n_same)
    far = float(false_accept) / float(n_diff)
    return val, far


def evaluate(dist, actual_issame, nrof_folds=10, far_target=1e-3):  # CHANGED: dist, far_target
    # Calculate evaluation metrics
    thresholds = np.arange(0, 4, 0.01)
    tpr, fpr, accuracy, best = calculate_roc(thresholds,
                                             dist,
                                             np.asarray(actual_issame),
                                             nrof_folds=nrof_folds)
    thresholds = np.arange(0, 4, 0.001)
    try:  # ADDED: record the reference's ZeroDivisionError instead of stopping
        val = calculate_val(thresholds,
                            dist,
                            np.asarray(actual_issame),
                            far_target,
                            nrof_folds=nrof_folds)
    except ZeroDivisionError:
        val = None
    return tpr, fpr, accuracy, best, val


# insightface test(): embeddings = embeddings_list[0] + embeddings_list[1] (float64 buffers,
# np.zeros), sklearn.preprocessing.normalize, then in evaluate() embeddings[0::2] / [1::2] and
#     diff = np.subtract(embeddings1, embeddings2); dist = np.sum(np.square(diff), 1)
def insightface_distances(raw_original, raw_flipped):
    embeddings_list = [np.zeros(raw_original.shape), np.zeros(raw_flipped.shape)]
    embeddings_list[0][:, :] = raw_original
    embeddings_list[1][:, :] = raw_flipped
    embeddings = embeddings_list[0] + embeddings_list[1]
    embeddings = sklearn.preprocessing.normalize(embeddings)
    embeddings1 = embeddings[0::2]
    embeddings2 = embeddings[1::2]
    diff = np.subtract(embeddings1, embeddings2)
    dist = np.sum(np.square(diff), 1)
    return dist


# =============================================================================================
# verification golden cases
# =============================================================================================
assert np.array_equal(np.arange(0, 4, 0.01), np.arange(400) * 0.01)
assert np.array_equal(np.arange(0, 4, 0.001), np.arange(4000) * 0.001)


def verification_case(name, dist, issame, far_target=1e-3, note=""):
    dist = np.asarray(dist, dtype=np.float64)
    issame = [bool(v) for v in issame]
    tpr, fpr, accuracy, best, val = evaluate(dist, issame, far_target=far_target)
    case = {
        "name": name,
        "note": note,
        "dist": fls(dist),
        "issame": [1 if v else 0 for v in issame],
        "farTarget": far_target,
        "expected": {
            "foldAccuracies": fls(accuracy),
            "accuracy": fl(np.mean(accuracy)),
            "accuracyStd": fl(np.std(accuracy)),
            "bestThresholds": fls(best),
            "tpr": fls(tpr),
            "fpr": fls(fpr),
            "val": None,
        },
    }
    if val is not None:
        val_mean, val_std, far_mean, val_f, far_f, thr_f = val
        case["expected"]["val"] = {
            "val": fl(val_mean), "valStd": fl(val_std), "far": fl(far_mean),
            "foldVal": fls(val_f), "foldFar": fls(far_f), "foldThresholds": fls(thr_f),
        }
    return case


def realistic(rng, n, pos_mean=0.75, neg_mean=1.7, spread=0.28, decimals=5):
    issame = rng.random(n) < 0.5
    d = np.where(issame, rng.normal(pos_mean, spread, n), rng.normal(neg_mean, spread * 0.8, n))
    return np.round(np.clip(d, 0.0, 4.0), decimals), issame


def make_verification():
    rng = np.random.default_rng(20240604)
    small = []

    # Two separated thresholds tie for the best training accuracy (0.31 and 0.61): the first wins.
    pattern_d = [0.3, 0.5, 0.6, 0.9]
    pattern_s = [True, False, True, False]
    small.append(verification_case(
        "two-thresholds-tie", pattern_d * 10, pattern_s * 10,
        note="train accuracy peaks at t in (0.30,0.50] and again in (0.60,0.90]; argmax takes the first"))

    # Distances exactly on the grid (i*0.01 as numpy computes it) and the decimal literals next to them.
    g_idx = rng.integers(0, 400, 150)
    grid = g_idx * 0.01
    literal = np.array([float("%.2f" % v) for v in grid])
    d = np.concatenate([grid, literal, grid + 1e-12, literal - 1e-12])
    assert np.any(grid != literal)
    s = rng.random(d.size) < 0.5
    small.append(verification_case("on-grid", d, s, note="dist == i*0.01 exactly; strict < decides"))

    d, s = realistic(rng, 17)
    s[:4] = [True, False, True, False]
    small.append(verification_case("n17", d, s, note="17 pairs: folds of 2,2,2,2,2,2,2,1,1,1"))

    d, s = realistic(rng, 123, decimals=2)
    small.append(verification_case("n123-coarse", d, s, note="distances on a 0.01 grid: many ties with thresholds"))

    # VAL: the training FAR never reaches 1e-3 -> threshold 0.
    s = np.array([True, False] * 50)
    d = np.where(s, rng.uniform(0.2, 1.2, s.size), 3.9995)
    small.append(verification_case("val-never-reached", d, s))

    # VAL at FAR 0.1 equal to the (repeated) maximum training FAR -> legacy interp gives 0.
    d, s = [], []
    for _ in range(10):
        d += [0.3, 0.4, 0.5, 0.6, 0.7] + [2.5] + [4.0] * 9
        s += [True] * 5 + [False] * 10
    small.append(verification_case("val-target-equals-max-far", d, s, far_target=0.1,
                                   note="far_train max 9/90 == 0.1, repeated: zero-length last interval"))

    # VAL at FAR 0.1 hitting a repeated interior knot.
    d, s = [], []
    for _ in range(10):
        d += [0.2, 0.4, 0.6, 0.8, 0.9] + [0.95, 1.5, 2.0, 2.5, 3.0, 4.0, 4.0, 4.0, 4.0, 4.0]
        s += [True] * 5 + [False] * 10
    small.append(verification_case("val-target-on-knot", d, s, far_target=0.1))

    # A fold without positives: tpr falls back to 0 there, VAL divides by zero in the reference.
    d, s = realistic(rng, 40)
    s[:4] = False
    small.append(verification_case("fold-without-positives", d, s, note="reference raises ZeroDivisionError in calculate_val"))

    # Distances from raw embeddings through insightface's own fusion/normalisation/distance code.
    emb = {}
    for dim, pairs in ((64, 40), (13, 25)):
        same = rng.random(pairs) < 0.5
        base = rng.standard_normal((pairs, dim))
        a = base + rng.standard_normal((pairs, dim)) * 0.3
        b = np.where(same[:, None], base + rng.standard_normal((pairs, dim)) * 0.35, rng.standard_normal((pairs, dim)))
        raw = np.empty((2 * pairs, dim), dtype=np.float32)
        raw[0::2] = a
        raw[1::2] = b
        flip = (raw + rng.standard_normal(raw.shape).astype(np.float32) * 0.1).astype(np.float32)
        np.save(os.path.join(OUT, "npy", f"emb{dim}-original.npy"), raw)
        np.save(os.path.join(OUT, "npy", f"emb{dim}-flipped.npy"), flip)
        dist = insightface_distances(raw, flip)
        emb[str(dim)] = {"pairs": pairs, "distances": fls(dist)}
        if dim == 64:
            small.append(verification_case("from-embeddings-64", dist, same, note="distances of npy/emb64-*.npy"))
    write_json("verification-small.json", {"cases": small, "embeddings": emb})

    d, s = realistic(rng, 6000)
    write_json("verification-6000.json", {"cases": [verification_case("lfw-sized", d, s)]})
    d, s = realistic(rng, 6003, pos_mean=0.9, neg_mean=1.5, spread=0.3)
    write_json("verification-6003.json", {"cases": [
        verification_case("n6003", d, s, note="6003 pairs: the first 3 folds hold 601"),
    ]})
    d, s = realistic(rng, 2000, pos_mean=1.0, neg_mean=1.35, spread=0.35)
    write_json("verification-far-0.01.json", {"cases": [verification_case("far-0.01", d, s, far_target=0.01)]})


# =============================================================================================
# roc_curve + the eval_ijbc.py TAR@FAR readout (copied)
# =============================================================================================
x_labels = [10 ** -6, 10 ** -5, 10 ** -4, 10 ** -3, 10 ** -2, 10 ** -1]
assert x_labels == [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 1e-1]


def ijb_readout(label, score):
    fpr, tpr, _ = roc_curve(label, score)
    roc_auc = auc(fpr, tpr)
    fpr = np.flipud(fpr)
    tpr = np.flipud(tpr)  # select largest tpr at same fpr
    tpr_fpr_row = []
    min_indices = []  # ADDED
    for fpr_iter in np.arange(len(x_labels)):
        _, min_index = min(
            list(zip(abs(fpr - x_labels[fpr_iter]), range(len(fpr)))))
        tpr_fpr_row.append(tpr[min_index])  # CHANGED: the value, not '%.2f' % (tpr[min_index] * 100)
        min_indices.append(len(fpr) - 1 - min_index)  # ADDED: index in the unflipped arrays
    return tpr_fpr_row, min_indices, roc_auc


def sklearn_roc(label, score):
    fpr, tpr, thr = roc_curve(label, score)
    thr = np.asarray(thr, dtype=np.float64).copy()
    # scikit-learn < 1.3 starts the thresholds at max(score) + 1, >= 1.3 at +inf; we follow >= 1.3.
    thr[0] = np.inf
    return fpr, tpr, thr


def roc_case(name, label, score, note="", store_inputs=True, readout=True):
    label = np.asarray(label)
    fpr, tpr, thr = sklearn_roc(label, score)
    case = {"name": name, "note": note, "dtype": str(np.asarray(score).dtype)}
    if store_inputs:
        case["labels"] = [int(v) for v in label]
        case["scores"] = fls(score)
    case["expected"] = {"fpr": fls(fpr), "tpr": fls(tpr), "thresholds": fls(thr)}
    if readout:
        tars, idx, roc_auc = ijb_readout(label, score)
        case["expected"]["tar"] = fls(tars)
        case["expected"]["tarIndex"] = [int(i) for i in idx]
        case["expected"]["auc"] = fl(roc_auc)
    return case


def mulberry32(seed, count):
    """The mulberry32 generator (uint32 outputs), same as the JS test helper."""
    a = seed & 0xFFFFFFFF
    out = np.empty(count, dtype=np.uint64)
    for i in range(count):
        a = (a + 0x6D2B79F5) & 0xFFFFFFFF
        t = ((a ^ (a >> 15)) * (1 | a)) & 0xFFFFFFFF
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & 0xFFFFFFFF)) & 0xFFFFFFFF) ^ t
        out[i] = (t ^ (t >> 14)) & 0xFFFFFFFF
    return out


def sha(a):
    return hashlib.sha256(np.ascontiguousarray(np.asarray(a, dtype="<f8")).tobytes()).hexdigest()


def make_roc():
    rng = np.random.default_rng(7)
    cases = []
    # PROTOCOLS.md / scikit-learn's tie example
    lab = [1, 1, 1, 0, 0, 0, 1, 0]
    sc = [.9, .8, .4, .7, .3, .2, .8, .8]
    fpr, tpr, _ = roc_curve(lab, sc)
    assert list(fpr) == [0, 0, .25, .5, .5, 1] and list(tpr) == [0, .25, .75, .75, 1, 1]
    cases.append(roc_case("sklearn-tie-example", lab, sc))

    n = 400
    lab = (rng.random(n) < 0.3).astype(int)
    sc = rng.integers(0, 25, n) / 24 + lab * 0.1
    cases.append(roc_case("heavy-ties", lab, sc))

    n = 3000
    lab = (rng.random(n) < 0.1).astype(int)
    sc = np.round(rng.normal(0.0, 0.1, n) + lab * 0.35, 3).astype(np.float32)
    cases.append(roc_case("float32-ties", lab, sc))

    # Negatives only, in tie groups of different sizes between positives: the drop rule sees
    # fps increments 1, 2, 3, ... and keeps those points.
    sc, lab = [], []
    v = 1.0
    for g in range(1, 9):
        sc += [v] * g
        lab += [0] * g
        v -= 0.01
        if g % 3 == 0:
            sc.append(v)
            lab.append(1)
            v -= 0.01
    cases.append(roc_case("negative-tie-groups", lab, sc))
    cases.append(roc_case("one-score", [0, 1, 0, 1, 1], [0.5] * 5))
    cases.append(roc_case("two-scores", [0, 1, 0, 1], [0.5, 0.7, 0.7, 0.5]))
    cases.append(roc_case("no-ties", [0, 1, 1, 0, 1, 0, 0], [0.1, 0.9, 0.4, 0.35, 0.8, 0.2, 0.6]))
    cases.append(roc_case("negative-scores", [1, 0, 0, 1, 0], [-0.25, -0.5, -0.5, 0.75, -1.0]))
    with np.errstate(invalid="ignore", divide="ignore"):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cases.append(roc_case("no-negatives", [1, 1, 1], [0.3, 0.2, 0.3], readout=False))
            cases.append(roc_case("no-positives", [0, 0, 0, 0], [0.3, 0.2, 0.3, 0.1], readout=False))

    # IJB-like readout where several points lie at the same distance from a target.
    lab = [1] * 6 + [0] * 20
    sc = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4] + list(np.linspace(0.95, 0.05, 20))
    cases.append(roc_case("readout-ties", lab, sc))

    # Large: labels/scores from mulberry32 (see test helper), 1,000,000 pairs, ~1/800 genuine,
    # impostor scores on a 2^-16 grid (many ties). Arrays compared by hash.
    big_n = 1_000_000
    u = mulberry32(12345, 2 * big_n)
    label = (u[0::2] % 800 == 0).astype(np.int64)
    score = np.where(label == 1, 0.25 + (u[1::2] >> np.uint64(8)).astype(np.float64) / 2 ** 24 * 0.75,
                     (u[1::2] >> np.uint64(16)).astype(np.float64) / 2 ** 16 * 0.5 - 0.1)
    fpr, tpr, thr = sklearn_roc(label, score)
    tars, idx, roc_auc = ijb_readout(label, score)
    large = {
        "name": "mulberry32-1M", "seed": 12345, "n": big_n, "genuine": int(label.sum()),
        "expected": {
            "length": int(fpr.size), "fprSha256": sha(fpr), "tprSha256": sha(tpr), "thresholdsSha256": sha(thr),
            "head": {"fpr": fls(fpr[:50]), "tpr": fls(tpr[:50]), "thresholds": fls(thr[:50])},
            "tar": fls(tars), "tarIndex": [int(i) for i in idx], "auc": fl(roc_auc),
        },
    }
    write_json("roc.json", {"xLabels": x_labels, "cases": cases, "large": large})


# =============================================================================================
# eval_ijbc.py template pooling and scoring (copied)
# =============================================================================================
captured = {}
_normalize = sklearn.preprocessing.normalize


def _capturing_normalize(x, *args, **kwargs):  # ADDED: exposes template_feats before normalising
    captured["template_feats"] = np.array(x, copy=True)
    return _normalize(x, *args, **kwargs)


def image2template_feature(img_feats=None, templates=None, medias=None):
    # ==========================================================
    # 1. face image feature l2 normalization. img_feats:[number_image x feats_dim]
    # 2. compute media feature.
    # 3. compute template feature.
    # ==========================================================
    unique_templates = np.unique(templates)
    template_feats = np.zeros((len(unique_templates), img_feats.shape[1]))

    for count_template, uqt in enumerate(unique_templates):

        (ind_t,) = np.where(templates == uqt)
        face_norm_feats = img_feats[ind_t]
        face_medias = medias[ind_t]
        unique_medias, unique_media_counts = np.unique(face_medias,
                                                       return_counts=True)
        media_norm_feats = []
        for u, ct in zip(unique_medias, unique_media_counts):
            (ind_m,) = np.where(face_medias == u)
            if ct == 1:
                media_norm_feats += [face_norm_feats[ind_m]]
            else:  # image features from the same video will be aggregated into one feature
                media_norm_feats += [
                    np.mean(face_norm_feats[ind_m], axis=0, keepdims=True)
                ]
        media_norm_feats = np.array(media_norm_feats)
        # media_norm_feats = media_norm_feats / np.sqrt(np.sum(media_norm_feats ** 2, -1, keepdims=True))
        template_feats[count_template] = np.sum(media_norm_feats, axis=0)
    # template_norm_feats = template_feats / np.sqrt(np.sum(template_feats ** 2, -1, keepdims=True))
    template_norm_feats = _capturing_normalize(template_feats)  # CHANGED: capturing wrapper of sklearn.preprocessing.normalize
    # print(template_norm_feats.shape)
    return template_norm_feats, unique_templates


def verification(template_norm_feats=None,
                 unique_templates=None,
                 p1=None,
                 p2=None):
    # ==========================================================
    #         Compute set-to-set Similarity Score.
    # ==========================================================
    template2id = np.zeros((max(unique_templates) + 1, 1), dtype=int)
    for count_template, uqt in enumerate(unique_templates):
        template2id[uqt] = count_template

    score = np.zeros((len(p1),))  # save cosine distance between pairs

    total_pairs = np.array(range(len(p1)))
    batchsize = 100000  # small batchsize instead of all pairs in one batch due to the memory limiation
    sublists = [
        total_pairs[i:i + batchsize] for i in range(0, len(p1), batchsize)
    ]
    for c, s in enumerate(sublists):
        feat1 = template_norm_feats[template2id[p1[s]]]
        feat2 = template_norm_feats[template2id[p2[s]]]
        similarity_score = np.sum(feat1 * feat2, -1)
        score[s] = similarity_score.flatten()
    return score


def make_ijb():
    rng = np.random.default_rng(99)
    meta = os.path.join(OUT, "ijb", "meta")
    os.makedirs(meta, exist_ok=True)
    dim = 16
    # templates with media of 1, 2, 3 and 9 images; some templates share media ids
    rows = []  # (image, tid, mid)
    img = 0
    layout = {
        11: [(101, 1)], 12: [(102, 2), (103, 1)], 13: [(104, 3)], 14: [(105, 9), (106, 1), (107, 2)],
        3: [(108, 1), (109, 1), (110, 1)], 27: [(111, 2), (101, 3)], 8: [(112, 4)], 40: [(113, 1), (114, 5)],
        5: [(115, 2)], 6: [(116, 1), (117, 1)], 19: [(118, 3), (119, 3)], 2: [(120, 1)],
    }
    order = []
    for tid, medias in layout.items():
        for mid, count in medias:
            for _ in range(count):
                order.append((tid, mid))
    perm = rng.permutation(len(order))  # interleave templates/medias in file order
    for k in perm:
        tid, mid = order[k]
        img += 1
        rows.append(("%d.jpg" % img, tid, mid))
    n_img = len(rows)
    with open(os.path.join(meta, "ijbc_face_tid_mid.txt"), "w") as f:
        for name, tid, mid in rows:
            f.write("%s %d %d\n" % (name, tid, mid))
    scores_txt = ["%.5f" % v for v in rng.uniform(0.3, 1.0, n_img)]
    landmarks = []
    with open(os.path.join(meta, "ijbc_name_5pts_score.txt"), "w") as f:
        for (name, _, _), s in zip(rows, scores_txt):
            lmk = ["%.3f" % v for v in rng.uniform(20, 90, 10)]
            # eval_ijbc.py: np.array([float(x) for x in name_lmk_score[1:-1]], dtype=np.float32)
            landmarks.append(np.array([float(x) for x in lmk], dtype=np.float32))
            f.write(name + " " + " ".join(lmk) + " " + s + "\n")
    tids = sorted(layout)
    pairs = []
    for i, a in enumerate(tids):
        for b in tids[i + 1:]:
            if rng.random() < 0.45:
                pairs.append((a, b, int(rng.random() < 0.3)))
    pairs.append((tids[0], tids[1], 1))
    pairs.append((tids[2], tids[3], 0))
    with open(os.path.join(meta, "ijbc_template_pair_label.txt"), "w") as f:
        for a, b, lab in pairs:
            f.write("%d %d %d\n" % (a, b, lab))

    raw = rng.standard_normal((n_img, dim)).astype(np.float32) * 3
    raw_flip = (raw + rng.standard_normal((n_img, dim)).astype(np.float32)).astype(np.float32)
    np.save(os.path.join(OUT, "ijb", "features-original.npy"), raw)
    np.save(os.path.join(OUT, "ijb", "features-flipped.npy"), raw_flip)

    # eval_ijbc.py reads these with pd.read_csv(sep=' ').values and .astype(int)
    ijb_meta = np.array([[r[0], r[1], r[2]] for r in rows], dtype=object)
    templates = ijb_meta[:, 1].astype(int)
    medias = ijb_meta[:, 2].astype(int)
    p1 = np.array([p[0] for p in pairs]).astype(int)
    p2 = np.array([p[1] for p in pairs]).astype(int)
    label = np.array([p[2] for p in pairs]).astype(int)
    faceness_scores = np.array(scores_txt).astype(np.float32)
    img_feats = np.concatenate([raw, raw_flip], axis=1)  # forward_db: [original | flipped]

    configs = []
    for use_flip_test, use_norm_score, use_detector_score in (
            (True, True, True), (False, True, False), (True, False, True), (True, False, False)):
        # ---- copied from eval_ijbc.py, step 3 ----
        if use_flip_test:
            # concat --- F1
            # img_input_feats = img_feats
            # add --- F2
            img_input_feats = img_feats[:, 0:img_feats.shape[1] //
                                        2] + img_feats[:, img_feats.shape[1] // 2:]
        else:
            img_input_feats = img_feats[:, 0:img_feats.shape[1] // 2]

        if use_norm_score:
            img_input_feats = img_input_feats
        else:
            # normalise features to remove norm information
            img_input_feats = img_input_feats / np.sqrt(
                np.sum(img_input_feats ** 2, -1, keepdims=True))

        if use_detector_score:
            img_input_feats = img_input_feats * faceness_scores[:, np.newaxis]
        else:
            img_input_feats = img_input_feats

        template_norm_feats, unique_templates = image2template_feature(
            img_input_feats, templates, medias)
        score = verification(template_norm_feats, unique_templates, p1, p2)
        # ---- end of copy ----
        assert img_input_feats.dtype == np.float32
        tars, idx, roc_auc = ijb_readout(label, score)
        fpr, tpr, thr = sklearn_roc(label, score)
        configs.append({
            "flip": use_flip_test, "normalizeImages": not use_norm_score, "detectorScore": use_detector_score,
            "imageFeatures": fls(img_input_feats),
            "templateIds": [int(t) for t in unique_templates],
            "templateSums": fls(captured["template_feats"]),
            "templateFeatures": fls(template_norm_feats),
            "scores": fls(score),
            "roc": {"fpr": fls(fpr), "tpr": fls(tpr), "thresholds": fls(thr)},
            "tar": fls(tars), "tarIndex": [int(i) for i in idx],
        })
    write_json("ijb.json", {
        "dim": dim, "images": n_img, "faceness": fls(faceness_scores),
        "landmarks": fls(np.array(landmarks)),
        "pairs": {"t1": [int(v) for v in p1], "t2": [int(v) for v in p2], "label": [int(v) for v in label]},
        "configs": configs,
    })

    # sklearn normalize on rows of several lengths (the einsum order), float64
    norm_cases = []
    for d in (1, 3, 7, 8, 13, 17, 64, 512):
        x = rng.standard_normal((3, d)) * rng.uniform(0.1, 10)
        x[2] = 0.0 if d == 1 else x[2]
        norm_cases.append({"dim": d, "x": fls(x), "normalized": fls(sklearn.preprocessing.normalize(x))})
    write_json("normalize.json", {"cases": norm_cases})


# =============================================================================================
# .npy files
# =============================================================================================
def u32bits(a):
    return [int(v) for v in np.asarray(a, dtype=np.float32).view(np.uint32).ravel()]


def make_npy():
    d = os.path.join(OUT, "npy")
    os.makedirs(d, exist_ok=True)
    files = {}
    f32_2d = np.array([[0.0, -0.0, 1.5, -2.25, np.inf], [-np.inf, np.nan, 1e-45, 3.4028235e38, 0.1],
                       [1 / 3, -1e-40, 7.0, 65504.0, -0.5]], dtype=np.float32)
    f32_1d = np.arange(7, dtype=np.float32) / 7
    f32_0d = np.array(2.5, dtype=np.float32)
    f32_empty = np.zeros((0, 4), dtype=np.float32)
    f16_vals = np.array([[0.0, -0.0, 1.0, -2.0, 65504.0, 6.1e-5], [5.96e-8, -5.96e-8, 1e-6, np.inf, -np.inf, 0.333],
                         [np.nan, 1024.0, 0.1, 3.14159, -7.5, 2048.5], [1e-7, 6e-8, 1.0009765625, 0.5, 0.25, 100.0]],
                        dtype=np.float16)
    f16_bits = f16_vals.view(np.uint16).copy()
    f16_bits[2, 0] = 0x7C01  # a signalling NaN with payload
    f16_bits[3, 5] = 0xFE55  # a negative quiet NaN with payload
    f16 = f16_bits.view(np.float16)
    for name, arr in (("f32-2d", f32_2d), ("f32-1d", f32_1d), ("f32-0d", f32_0d), ("f32-empty", f32_empty), ("f16-2d", f16)):
        np.save(os.path.join(d, name + ".npy"), arr)
        files[name] = {"shape": list(arr.shape), "descr": arr.dtype.str, "float32Bits": u32bits(arr.astype(np.float32))}
    for version in ((2, 0), (3, 0)):
        name = "f32-v%d" % version[0]
        with open(os.path.join(d, name + ".npy"), "wb") as f:
            np.lib.format.write_array(f, f32_1d.reshape(1, 7), version=version)
        files[name] = {"shape": [1, 7], "descr": "<f4", "float32Bits": u32bits(f32_1d)}
    errors = {}
    np.save(os.path.join(d, "bad-fortran.npy"), np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
    errors["bad-fortran"] = "Fortran order"
    np.save(os.path.join(d, "bad-f8.npy"), np.arange(3, dtype=np.float64))
    errors["bad-f8"] = "'<f8' is not supported"
    np.save(os.path.join(d, "bad-big-endian.npy"), np.arange(3, dtype=">f4"))
    errors["bad-big-endian"] = "'>f4' is not supported"
    with open(os.path.join(d, "bad-truncated.npy"), "wb") as f:
        f.write(open(os.path.join(d, "f32-2d.npy"), "rb").read()[:-3])
    errors["bad-truncated"] = "expected 60 data bytes"
    all_halves = np.arange(65536, dtype=np.uint32).astype(np.uint16).view(np.float16)
    write_json("npy.json", {
        "files": files, "errors": errors,
        "allHalvesToFloat32Sha256": hashlib.sha256(all_halves.astype(np.float32).view(np.uint32).astype("<u4").tobytes()).hexdigest(),
    })


# =============================================================================================
# insightface .bin (pickle of (bins, issame_list))
# =============================================================================================
def fake_image(i, n):
    return bytes(((i * 131 + k * 7) & 255) for k in range(n))


def make_bin():
    d = os.path.join(OUT, "bin")
    os.makedirs(d, exist_ok=True)
    bins = [fake_image(i, n) for i, n in enumerate([3, 300, 70000, 12, 255, 256])]
    issame = [True, False, True]
    with open(os.path.join(d, "py3-highest.bin"), "wb") as f:
        pickle.dump((bins, issame), f, protocol=pickle.HIGHEST_PROTOCOL)
    with open(os.path.join(d, "py3-numpy-bins.bin"), "wb") as f:
        pickle.dump(([np.frombuffer(b, dtype=np.uint8) for b in bins[:2]], [True]), f, protocol=4)
    if os.path.exists(PY2):
        script = (
            "import pickle\n"
            "def fake(i, n): return ''.join(chr((i * 131 + k * 7) & 255) for k in range(n))\n"
            "bins = [fake(i, n) for i, n in enumerate([3, 300, 70000, 12, 255, 256])]\n"
            "f = open(%r, 'wb')\n"
            "pickle.dump((bins, [True, False, True]), f, protocol=pickle.HIGHEST_PROTOCOL)\n"
            "f.close()\n" % os.path.join(d, "py2-protocol2.bin"))
        subprocess.check_call([PY2, "-c", script])
    # the Python 2 file reads back under Python 3 like insightface's load_bin does
    with open(os.path.join(d, "py2-protocol2.bin"), "rb") as f:
        b2, s2 = pickle.load(f, encoding="bytes")
    assert b2 == bins and s2 == issame

    # writer cases: CPython pickle.dumps output hashes for generated contents
    import random
    random.seed(1)
    specs = [
        ("tiny", [3, 5], [True]), ("empty", [], []), ("one-pair", [10, 20], [False]),
        ("small", [100] * 20, [True, False] * 5),
        ("frame-crosses-in-bools", [38] * 1120 + [37] * 480, [True, False] * 400),
        ("big-bytes", [70000, 300, 65536, 65535], [False, True]),
        ("thousand-plus-one", [40] * 2002, [i % 3 == 0 for i in range(1001)]),
        ("exact-65536-frame", [65536 - 200, 2], [True] * 1),
    ]
    for sz in range(312, 334, 2):  # frame commits moving through and past the bool list
        specs.append(("sweep-%d" % sz, [sz] * 200, [True] * 100))
    for t in range(24):
        n = random.randint(1, 30)
        sizes = [random.choice([1, 2, 255, 256, 3000, 20000, 65535, 65536, 70000]) for _ in range(2 * n)]
        specs.append(("random-%d" % t, sizes, [random.random() < 0.5 for _ in range(n)]))
    cases = []
    for name, sizes, iss in specs:
        assert len(sizes) == 2 * len(iss), name
        data = [fake_image(i, n) for i, n in enumerate(sizes)]
        for proto in (4, 5):
            blob = pickle.dumps((data, iss), protocol=proto)
            assert pickle.loads(blob) == (data, iss)
            cases.append({"name": name, "protocol": proto, "sizes": sizes, "issame": [1 if v else 0 for v in iss],
                          "sha256": hashlib.sha256(blob).hexdigest(), "length": len(blob)})
    write_json("bin.json", {
        "files": {"py3-highest.bin": {"sizes": [len(b) for b in bins], "issame": issame, "protocol": pickle.HIGHEST_PROTOCOL},
                  "py2-protocol2.bin": {"sizes": [len(b) for b in bins], "issame": issame, "protocol": 2}},
        "writerCases": cases,
    })


if __name__ == "__main__":
    os.makedirs(os.path.join(OUT, "npy"), exist_ok=True)
    make_npy()
    make_interp()
    make_verification()
    make_roc()
    make_ijb()
    make_bin()
