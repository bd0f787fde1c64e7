"""Model files: the same model gives the same bytes in any process; a changed file or an
untrusted type is refused before anything is loaded."""

from __future__ import annotations

import fractions
import subprocess
import sys

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression

from quantdesk.errors import ArtifactTampered, ArtifactUntrusted
from quantdesk.store import artifacts

SCRIPT = """
import numpy as np, sys
from sklearn.ensemble import HistGradientBoostingClassifier
from quantdesk.store import artifacts
rng = np.random.default_rng(0)
x = rng.normal(size=(300, 4)); y = (x[:, 0] > 0).astype(int)
model = HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(x, y)
sys.stdout.write(artifacts.sha256_of(artifacts.dumps(model)))
"""


def _data():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 4))
    return x, (x[:, 0] > 0).astype(int)


def test_two_processes_write_the_same_bytes_for_the_same_model():
    run = [sys.executable, "-c", SCRIPT]
    first, second = (subprocess.run(run, capture_output=True, text=True, check=True).stdout
                     for _ in range(2))  # fmt: skip
    assert first == second and len(first) == 64


def test_a_model_loads_back_and_predicts_the_same(tmp_path):
    x, y = _data()
    model = HistGradientBoostingClassifier(max_iter=5, random_state=0).fit(x, y)
    data = artifacts.dumps(model)
    path = tmp_path / "m.skops"
    artifacts.write(path, data)
    loaded = artifacts.load_verified(path, artifacts.sha256_of(data), {"model": "m"})
    assert np.array_equal(loaded.predict_proba(x), model.predict_proba(x))


def test_a_changed_byte_is_refused(tmp_path):
    x, y = _data()
    data = artifacts.dumps(LogisticRegression().fit(x, y))
    path = tmp_path / "m.skops"
    artifacts.write(path, data[:-1] + bytes([data[-1] ^ 1]))
    with pytest.raises(ArtifactTampered) as refused:
        artifacts.load_verified(path, artifacts.sha256_of(data), {"model": "m"})
    assert refused.value.details["expected_sha256"] == artifacts.sha256_of(data)


def test_a_missing_file_is_refused_as_tampered(tmp_path):
    with pytest.raises(ArtifactTampered):
        artifacts.load_verified(tmp_path / "gone.skops", "0" * 64, {"model": "m"})


def test_an_untrusted_type_is_refused_even_with_its_checksum(tmp_path):
    data = artifacts.dumps({"smuggled": fractions.Fraction(1, 3)})
    path = tmp_path / "m.skops"
    artifacts.write(path, data)
    with pytest.raises(ArtifactUntrusted) as refused:
        artifacts.load_verified(path, artifacts.sha256_of(data), {"model": "m"})
    assert refused.value.details["untrusted_types"] == ["fractions.Fraction"]


def test_a_file_that_is_not_a_model_is_refused(tmp_path):
    data = b"not a zip"
    path = tmp_path / "m.skops"
    artifacts.write(path, data)
    with pytest.raises(ArtifactUntrusted):
        artifacts.load_verified(path, artifacts.sha256_of(data), {"model": "m"})
