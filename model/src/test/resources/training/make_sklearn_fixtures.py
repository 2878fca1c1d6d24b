#!/usr/bin/env python3
"""Reference fits of the diabetes data by scikit-learn, for mlqueue's algorithm tests.

Run from this directory with Debian's python3-sklearn (1.2) and python3-numpy:
    /usr/bin/python3 make_sklearn_fixtures.py
It reads mlqueue's own copy of the data (the built-in data set, data/src/main/resources) and writes
sklearn_fixtures.json beside this script.
"""
import json
import pathlib

import numpy as np
import sklearn
from sklearn.linear_model import Ridge
from sklearn.tree import DecisionTreeRegressor

here = pathlib.Path(__file__).resolve().parent
data = here.parents[4] / "data/src/main/resources/io/mlqueue/data/diabetes.csv"
table = np.genfromtxt(data, delimiter=",", names=True)
features = [n for n in table.dtype.names if n != "target"]
X = np.column_stack([table[n] for n in features])
y = table["target"]

out = {"sklearn_version": sklearn.__version__, "features": features, "ridge": [], "tree": []}
for alpha in (0.1, 1.0, 10.0):
    m = Ridge(alpha=alpha, solver="cholesky").fit(X, y)
    out["ridge"].append({"alpha": alpha, "intercept": float(m.intercept_),
                         "coef": [float(c) for c in m.coef_]})
for depth in (1, 2, 3, 4):
    # Tribuo's minimum child weight of 5 acts as min_samples_split=5 (a node of fewer than 5 rows
    # is not split), not as min_samples_leaf: at depth 3 both trees have a 2-row leaf.
    m = DecisionTreeRegressor(max_depth=depth, min_samples_split=5, random_state=0).fit(X, y)
    out["tree"].append({"max_depth": depth, "min_samples_split": 5,
                        "predictions": [float(p) for p in m.predict(X)]})
(here / "sklearn_fixtures.json").write_text(json.dumps(out, indent=1) + "\n")
print("wrote", here / "sklearn_fixtures.json")
