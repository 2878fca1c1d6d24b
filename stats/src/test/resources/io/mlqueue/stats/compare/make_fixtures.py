#!/usr/bin/env python3
"""Reference values for the evaluation statistics (io.mlqueue.stats.errors, .bootstrap, .compare),
computed independently of the Java code with NumPy and SciPy.

Run with Debian's python3 (packages python3-numpy, python3-scipy), from this
directory:

    python3 make_fixtures.py > evaluation_fixtures.json

Every random draw is seeded, so the output is the same on every run with the same library versions
(recorded in the file). What is checked, and how:

* error metrics: their definitions in NumPy (as scikit-learn's mean_absolute_error,
  mean_squared_error and r2_score compute them) and np.quantile (type 7);
* bootstrap, exactly: fixed resample indices (drawn here, stored in the file) and the percentile and
  BCa intervals computed from them by an implementation of Efron & Tibshirani (1993), ch. 14.3 and
  eq. 15.36, written below in NumPy; the script asserts that it agrees with scipy.stats.bootstrap to
  Monte Carlo precision;
* bootstrap, statistically: scipy.stats.bootstrap's BCa interval with 20,000 resamples, which the Java
  interval (its own seeded resamples) must match within Monte Carlo tolerance;
* scipy.stats.wilcoxon (defaults: zero_method='wilcox', correction=False, exact up to 50 pairs),
  scipy.stats.ttest_rel, scipy.stats.ttest_ind(equal_var=False) with the t interval,
  scipy.stats.mannwhitneyu(use_continuity=False, method='asymptotic');
* the confidence sequence: the boundary formula of Waudby-Smith et al. (2024), Theorem 2.2,
  evaluated here in NumPy at every t of a stream.
"""
import json
import sys

import numpy as np
import scipy
from scipy import stats
from scipy.special import ndtr, ndtri

rng = np.random.default_rng(20240612)


def mean_absolute_error(t, p):
    return np.mean(np.abs(t - p))


def mean_squared_error(t, p):
    return np.mean((t - p) ** 2)


def r2_score(t, p):
    return 1 - np.sum((t - p) ** 2) / np.sum((t - np.mean(t)) ** 2)
ALPHA = 0.05


def floats(a):
    return [float(v) for v in np.asarray(a).ravel()]


# ---------------------------------------------------------------- error metrics
y_true = np.round(rng.normal(150, 60, 200), 0)
y_pred = y_true + rng.normal(3, 45, 200)
error_metrics = {
    "y_true": floats(y_true),
    "y_pred": floats(y_pred),
    "mae": float(mean_absolute_error(y_true, y_pred)),
    "rmse": float(np.sqrt(mean_squared_error(y_true, y_pred))),
    "r2": float(r2_score(y_true, y_pred)),
    "quantiles": {str(p): float(np.quantile(np.abs(y_true - y_pred), p)) for p in (0.5, 0.9, 0.95)},
}


# ---------------------------------------------------------------- bootstrap, exact arithmetic
def percentile_interval(theta_b, alpha):
    return float(np.percentile(theta_b, 100 * alpha)), float(np.percentile(theta_b, 100 * (1 - alpha)))


def bca_interval(theta_hat, theta_b, jackknifes, alpha):
    """Efron & Tibshirani (1993) 14.3; the acceleration summed over samples as in eq. 15.36."""
    b = len(theta_b)
    z0 = ndtri((np.sum(theta_b < theta_hat) + np.sum(theta_b <= theta_hat)) / (2 * b))
    num = 0.0
    den = 0.0
    for jack in jackknifes:
        n = len(jack)
        u = (n - 1) * (jack.mean() - jack)
        num += np.sum(u ** 3) / n ** 3
        den += np.sum(u ** 2) / n ** 2
    a = num / (6 * den ** 1.5)
    z = ndtri(alpha)
    lo = ndtr(z0 + (z0 + z) / (1 - a * (z0 + z)))
    hi = ndtr(z0 + (z0 - z) / (1 - a * (z0 - z)))
    return float(np.percentile(theta_b, 100 * lo)), float(np.percentile(theta_b, 100 * hi))


def loo(x, statistic):
    return np.array([statistic(np.delete(x, i)) for i in range(len(x))])


def r2_of(t, p):
    return r2_score(t, p)


n1 = 40
sample = rng.gamma(2.0, 20.0, n1)  # absolute errors: skewed
truth = np.round(rng.normal(150, 60, n1), 0)
pred = truth + rng.normal(0, 40, n1)
B = 300
idx = rng.integers(0, n1, size=(B, n1))
one_sample = {"x": floats(sample), "y_true": floats(truth), "y_pred": floats(pred),
              "indices": idx.tolist(), "alpha": ALPHA, "cases": {}}
stats_one = {
    "mean": (lambda x: x.mean(), sample),
    "quantile_0.9": (lambda x: np.quantile(x, 0.9), sample),
    "root_mean": (lambda x: np.sqrt(x.mean()), sample),
}
for name, (f, x) in stats_one.items():
    theta_b = np.array([f(x[row]) for row in idx])
    one_sample["cases"][name] = {
        "estimate": float(f(x)),
        "percentile": percentile_interval(theta_b, ALPHA / 2),
        "bca": bca_interval(f(x), theta_b, [loo(x, f)], ALPHA / 2),
    }
theta_b = np.array([r2_of(truth[row], pred[row]) for row in idx])
jack = np.array([r2_of(np.delete(truth, i), np.delete(pred, i)) for i in range(n1)])
one_sample["cases"]["r2"] = {
    "estimate": float(r2_of(truth, pred)),
    "percentile": percentile_interval(theta_b, ALPHA / 2),
    "bca": bca_interval(r2_of(truth, pred), theta_b, [jack], ALPHA / 2),
}

na, nb = 35, 45
xa = rng.gamma(2.0, 20.0, na)
xb = rng.gamma(2.0, 17.0, nb)
ia = rng.integers(0, na, size=(B, na))
ib = rng.integers(0, nb, size=(B, nb))
theta_b = np.array([xa[ra].mean() - xb[rb].mean() for ra, rb in zip(ia, ib)])
theta_hat = xa.mean() - xb.mean()
jack_a = loo(xa, np.mean) - xb.mean()
jack_b = xa.mean() - loo(xb, np.mean)
two_sample = {
    "a": floats(xa), "b": floats(xb), "indices_a": ia.tolist(), "indices_b": ib.tolist(),
    "alpha": ALPHA, "estimate": float(theta_hat),
    "percentile": percentile_interval(theta_b, ALPHA / 2),
    "bca": bca_interval(theta_hat, theta_b, [jack_a, jack_b], ALPHA / 2),
}

# ---------------------------------------------------------------- bootstrap against SciPy itself
R = 20000
scipy_one = stats.bootstrap((sample,), np.mean, confidence_level=1 - ALPHA, n_resamples=R,
                            method="BCa", random_state=np.random.default_rng(1))
scipy_q = stats.bootstrap((sample,), lambda x, axis: np.quantile(x, 0.9, axis=axis),
                          confidence_level=1 - ALPHA, n_resamples=R, method="BCa",
                          random_state=np.random.default_rng(2))
scipy_two = stats.bootstrap((xa, xb), lambda a, b, axis: a.mean(axis=axis) - b.mean(axis=axis),
                            confidence_level=1 - ALPHA, n_resamples=R, method="BCa",
                            random_state=np.random.default_rng(3))
# The NumPy BCa above, run with many resamples, must agree with SciPy's: an independent check of it.
big = rng.integers(0, n1, size=(R, n1))
mine = bca_interval(sample.mean(), sample[big].mean(axis=1), [loo(sample, np.mean)], ALPHA / 2)
ci = scipy_one.confidence_interval
assert abs(mine[0] - ci.low) < 0.5 and abs(mine[1] - ci.high) < 0.5, (mine, ci)
scipy_bootstrap = {
    "resamples": R,
    "mean": [float(scipy_one.confidence_interval.low), float(scipy_one.confidence_interval.high)],
    "mean_standard_error": float(scipy_one.standard_error),
    "quantile_0.9": [float(scipy_q.confidence_interval.low), float(scipy_q.confidence_interval.high)],
    "quantile_0.9_standard_error": float(scipy_q.standard_error),
    "difference": [float(scipy_two.confidence_interval.low), float(scipy_two.confidence_interval.high)],
    "difference_standard_error": float(scipy_two.standard_error),
}


# ---------------------------------------------------------------- classical tests
def wilcoxon_case(d):
    d = np.asarray(d, dtype=float)
    res = stats.wilcoxon(d)
    nonzero = d[d != 0]
    return {"d": floats(d), "statistic": float(res.statistic), "p": float(res.pvalue),
            "n": int(len(nonzero)), "zeros": int(np.sum(d == 0))}


wilcoxon = {
    "exact_20": wilcoxon_case(rng.normal(0.4, 1, 20)),
    "exact_50": wilcoxon_case(rng.normal(0.1, 1, 50)),
    "approx_300": wilcoxon_case(rng.normal(0.1, 1, 300)),
    # Rounded: ties and zeros, normal approximation with the tie correction.
    "ties_zeros_200": wilcoxon_case(np.round(rng.normal(0.2, 2, 200))),
}
# Beyond 46,340 pairs (where Commons Math's own test overflows): integers, so Java regenerates the
# same values from the formula instead of reading 60,000 numbers.
big_d = np.array([((i * 7919) % 10007) - 4990 for i in range(1, 60001)], dtype=float)
res = stats.wilcoxon(big_d)
wilcoxon["formula_60000"] = {"statistic": float(res.statistic), "p": float(res.pvalue),
                             "n": int(np.sum(big_d != 0)), "zeros": int(np.sum(big_d == 0))}


def t_interval(diff, se, df):
    q = stats.t.ppf(1 - ALPHA / 2, df)
    return [float(diff - q * se), float(diff + q * se)]


xp = rng.gamma(2.0, 20.0, 120)
yp = xp * rng.normal(0.95, 0.1, 120)
tr = stats.ttest_rel(xp, yp)
d = xp - yp
paired_t = {"x": floats(xp), "y": floats(yp), "t": float(tr.statistic), "p": float(tr.pvalue),
            "df": len(d) - 1,
            "interval": t_interval(d.mean(), d.std(ddof=1) / np.sqrt(len(d)), len(d) - 1)}

xw = rng.gamma(2.0, 20.0, 80)
yw = rng.gamma(2.2, 15.0, 130)
tw = stats.ttest_ind(xw, yw, equal_var=False)
va, vb = xw.var(ddof=1) / len(xw), yw.var(ddof=1) / len(yw)
dfw = (va + vb) ** 2 / (va ** 2 / (len(xw) - 1) + vb ** 2 / (len(yw) - 1))
welch = {"x": floats(xw), "y": floats(yw), "t": float(tw.statistic), "p": float(tw.pvalue),
         "df": float(dfw), "interval": t_interval(xw.mean() - yw.mean(), np.sqrt(va + vb), dfw)}


def mw_case(x, y):
    r = stats.mannwhitneyu(x, y, use_continuity=False, method="asymptotic")
    return {"x": floats(x), "y": floats(y), "u1": float(r.statistic), "p": float(r.pvalue)}


mann_whitney = {
    "continuous": mw_case(rng.gamma(2.0, 20.0, 70), rng.gamma(2.0, 16.0, 90)),
    "ties": mw_case(np.round(rng.gamma(2.0, 3.0, 60)), np.round(rng.gamma(2.0, 2.5, 75))),
}

# ---------------------------------------------------------------- confidence sequence
stream = rng.standard_t(5, 500) * 10 + 1.0
t_star = 100
lg = -2 * np.log(ALPHA)
rho2 = (lg + np.log(1 + lg)) / t_star
t = np.arange(1, len(stream) + 1)
means = np.cumsum(stream) / t
sds = np.array([np.nan] + [stream[:k].std(ddof=1) for k in range(2, len(stream) + 1)])
half = sds * np.sqrt(2 * (t * rho2 + 1) / (t ** 2 * rho2) * np.log(np.sqrt(t * rho2 + 1) / ALPHA))
sequence = {"alpha": ALPHA, "tuned_for": t_star, "d": floats(stream),
            "lower": floats((means - half)[1:]), "upper": floats((means + half)[1:])}

json.dump({
    "generated_by": "make_fixtures.py",
    "versions": {"python": sys.version.split()[0], "numpy": np.__version__, "scipy": scipy.__version__},
    "error_metrics": error_metrics,
    "bootstrap_fixed": {"one_sample": one_sample, "two_sample": two_sample},
    "scipy_bootstrap": scipy_bootstrap,
    "wilcoxon": wilcoxon,
    "paired_t": paired_t,
    "welch": welch,
    "mann_whitney": mann_whitney,
    "confidence_sequence": sequence,
}, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
