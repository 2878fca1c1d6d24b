#!/usr/bin/env python3
"""Reference values for the drift tests (io.mlqueue.stats.drift), computed independently of the
Java code with NumPy and SciPy, the way Evidently 0.4's stattests compute them.

Run with Debian's python3 (python3-numpy, python3-scipy), from this directory:

    python3 make_drift_fixtures.py > drift_fixtures.json

Every draw is seeded. Evidently itself is not installed here, so its stattests are restated below
from its source (evidently/calculations/stattests/*.py and utils.get_binned_data), each a few lines
around the SciPy call it makes:

* ks: scipy.stats.ks_2samp(ref, cur, method='asymp') (Evidently uses the default 'auto', which is
  exact below 10,000 rows; the Java code uses the asymptotic distribution; 'auto' is recorded too);
* wasserstein: scipy.stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001);
* chisquare: scipy.stats.chisquare(observed current counts, reference counts * len(cur)/len(ref));
* z: two-proportion Z test with pooled variance on the share of one value, scipy.stats.norm;
* jensenshannon: scipy.spatial.distance.jensenshannon of get_binned_data(..., feel_zeroes=False);
* psi: sum((ref% - cur%) * ln(ref% / cur%)) of get_binned_data(..., feel_zeroes=True).
"""
import json

import numpy as np
import scipy
from scipy import stats
from scipy.spatial import distance

rng = np.random.default_rng(20261204)


def binned(ref, cur, feel_zeroes=True):
    """Evidently's get_binned_data for a numerical column."""
    if len(np.unique(ref)) > 20:
        bins = np.histogram_bin_edges(np.concatenate([ref, cur]), bins="sturges")
        r = np.histogram(ref, bins)[0] / len(ref)
        c = np.histogram(cur, bins)[0] / len(cur)
    else:
        keys = np.unique(np.concatenate([ref, cur]))
        r = np.array([np.sum(ref == k) / len(ref) for k in keys])
        c = np.array([np.sum(cur == k) / len(cur) for k in keys])
    if feel_zeroes:
        for a in (r, c):
            m = np.min(a[a != 0])
            np.place(a, a == 0, m / 10**6 if m <= 0.0001 else 0.0001)
    return r, c


def chisquare(ref, cur):
    keys = np.unique(np.concatenate([ref, cur]))
    k = len(cur) / len(ref)
    observed = [np.sum(cur == key) for key in keys]
    expected = [np.sum(ref == key) * k for key in keys]
    with np.errstate(divide="ignore", invalid="ignore"):
        res = stats.chisquare(observed, expected)
    return float(res[0]), float(res[1])


def z_test(ref, cur):
    target = min(np.min(ref), np.min(cur))
    r = (ref == target).astype(float)
    c = (cur == target).astype(float)
    n1, n2 = len(r), len(c)
    p1, p2 = r.sum() / n1, c.sum() / n2
    pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
    z = (p1 - p2) / np.sqrt(pooled * (1 - pooled) * (1.0 / n1 + 1.0 / n2))
    return float(z), float(2 * (1 - stats.norm.cdf(np.abs(z))))


def case(ref, cur):
    ref = np.asarray(ref, dtype=float)
    cur = np.asarray(cur, dtype=float)
    ks = stats.ks_2samp(ref, cur, method="asymp")
    ks_auto = stats.ks_2samp(ref, cur)
    w = stats.wasserstein_distance(ref, cur) / max(np.std(ref), 0.001)
    jr, jc = binned(ref, cur, feel_zeroes=False)
    pr, pc = binned(ref, cur, feel_zeroes=True)
    out = {
        "reference": [float(v) for v in ref],
        "current": [float(v) for v in cur],
        "ks": {"statistic": float(ks.statistic), "p": float(ks.pvalue), "p_auto": float(ks_auto.pvalue)},
        "wasserstein": float(w),
        "jensenshannon": float(distance.jensenshannon(jr, jc)),
        "psi": float(np.sum((pr - pc) * np.log(pr / pc))),
    }
    if len(np.unique(np.concatenate([ref, cur]))) <= 5:
        chi, p = chisquare(ref, cur)
        out["chisquare"] = {"statistic": chi, "p": p}
    if len(np.unique(np.concatenate([ref, cur]))) <= 2:
        z, p = z_test(ref, cur)
        out["z"] = {"statistic": z, "p": p}
    return out


cases = {
    # the same distribution: no drift expected
    "normal_same_400_300": case(rng.normal(0, 1, 400), rng.normal(0, 1, 300)),
    # a shift of a quarter standard deviation in a small window
    "normal_shift_400_200": case(rng.normal(0, 1, 400), rng.normal(0.25, 1, 200)),
    # a small sample (exact region of Commons Math's Kolmogorov distribution, n <= 140)
    "normal_shift_60_50": case(rng.normal(0, 1, 60), rng.normal(0.5, 1.2, 50)),
    # large reference: Wasserstein and Jensen-Shannon territory, with a scale change
    "large_scale_3000_800": case(rng.normal(5, 2, 3000), rng.normal(5, 2.6, 800)),
    # ties: values rounded to one decimal
    "rounded_ties_500_500": case(np.round(rng.normal(0, 1, 500), 1), np.round(rng.normal(0.1, 1, 500), 1)),
    # three categories coded as numbers: chi-square
    "three_values_500_200": case(rng.choice([1.0, 2.0, 3.0], 500, p=[0.5, 0.3, 0.2]),
                                 rng.choice([1.0, 2.0, 3.0], 200, p=[0.4, 0.3, 0.3])),
    # binary (as the diabetes set's sex column): Z test
    "binary_442_300": case(rng.choice([-0.044642, 0.05068], 442, p=[0.53, 0.47]),
                           rng.choice([-0.044642, 0.05068], 300, p=[0.4, 0.6])),
}

print(json.dumps({"numpy": np.__version__, "scipy": scipy.__version__, "cases": cases}, indent=1))
