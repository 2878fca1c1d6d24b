"""The fixture of TwoSampleSequenceTest: the canary's always-valid interval of a difference of means
computed here with NumPy, independently of the Java code: each model's Gaussian-mixture boundary
(Waudby-Smith et al. 2024, Theorem 2.2, rho tuned for t* as in make_fixtures.py) at alpha / 2 over
its own losses, joined by a union bound.

    python3 make_two_sample_fixture.py > two_sample_fixture.json
"""
import json
import sys

import numpy as np

ALPHA = 0.05
T_STAR = 200
rng = np.random.default_rng(20261205)
# Absolute errors of a champion (sd 50) on 300 rows and a challenger (sd 40) on 120: a 30 % canary.
baseline = np.abs(rng.normal(0, 50, 300))
candidate = np.abs(rng.normal(0, 40, 120))


def half_width(x, alpha, t_star):
    n = len(x)
    lg = -2 * np.log(alpha)
    rho2 = (lg + np.log(1 + lg)) / t_star
    sd = x.std(ddof=1)
    return sd * np.sqrt(2 * (n * rho2 + 1) / (n ** 2 * rho2) * np.log(np.sqrt(n * rho2 + 1) / alpha))


ha = half_width(baseline, ALPHA / 2, T_STAR)
hb = half_width(candidate, ALPHA / 2, T_STAR)
ma, mb = baseline.mean(), candidate.mean()
json.dump({
    "generated_by": "make_two_sample_fixture.py",
    "versions": {"python": sys.version.split()[0], "numpy": np.__version__},
    "alpha": ALPHA,
    "tuned_for": T_STAR,
    "baseline": [float(v) for v in baseline],
    "candidate": [float(v) for v in candidate],
    "difference": float(ma - mb),
    "lower": float((ma - ha) - (mb + hb)),
    "upper": float((ma + ha) - (mb - hb)),
}, sys.stdout, separators=(",", ":"))
sys.stdout.write("\n")
