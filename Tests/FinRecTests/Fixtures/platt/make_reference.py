"""Makes the scikit-learn reference for the Platt scaling tests (PlattScalingTests).

Run once with scikit-learn installed:
    python Tests/FinRecTests/Fixtures/platt/make_reference.py
It writes data.csv (2,000 logits of a miscalibrated model, whose true probability is
σ(1.6·z − 0.7), their 0/1 outcomes and a sample weight) and reference.json: the slope and
intercept that scikit-learn's Platt calibration (sklearn.calibration._sigmoid_calibration, the
method="sigmoid" of CalibratedClassifierCV, with Platt's smoothed targets) fits, without and with
the weights. scikit-learn writes P = 1 / (1 + exp(A·z + B)); FinRec's σ(a·z + b) has a = −A, b = −B.
"""
import json
import os

import numpy as np
import sklearn
from sklearn.calibration import _sigmoid_calibration

here = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(11)
n = 2000
z = rng.normal(-1.0, 1.5, size=n).round(6)
y = (rng.uniform(size=n) < 1 / (1 + np.exp(-(1.6 * z - 0.7)))).astype(float)
weight = rng.uniform(0.5, 2.0, size=n).round(3)

with open(os.path.join(here, "data.csv"), "w") as out:
    out.write("logit,label,weight\n")
    for i in range(n):
        out.write(f"{repr(float(z[i]))},{int(y[i])},{repr(float(weight[i]))}\n")

reference = {"sklearn": sklearn.__version__}
for name, w in (("unweighted", None), ("weighted", weight)):
    a, b = _sigmoid_calibration(z, y, sample_weight=w)
    reference[name] = {"slope": -float(a), "intercept": -float(b)}
with open(os.path.join(here, "reference.json"), "w") as out:
    json.dump(reference, out, indent=2)
    out.write("\n")
