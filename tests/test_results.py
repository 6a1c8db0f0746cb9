"""The pandas-free text table prints exactly what pandas prints for the same table."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from etiquette_lab.results import TextTable


def _pandas_text(table: TextTable) -> str:
    # What Result.__str__ printed before TextTable, for the same cells.
    frame = pd.DataFrame(
        [list(row) for row in table.rows], columns=list(table.columns), index=table.labels
    )
    return frame.to_string(
        na_rep="-", float_format=lambda v: f"{v:.4g}", index=table.labels is not None
    )


def _random_cells(rng, kind, rows):
    if kind == "int":
        return [int(v) for v in rng.integers(-(10 ** rng.integers(1, 7)), 10**6, rows)]
    if kind == "float":
        pool = [math.nan, 0.0, -0.0, 0.05, 1e-9, 123456.789, -2.5, 1e300, math.inf, -math.inf]
        return [
            float(rng.choice(pool))
            if rng.random() < 0.3
            else float(rng.normal(0, 10.0 ** rng.integers(-4, 7)))
            for _ in range(rows)
        ]
    words = ["20%", "two-sided", "fisher", "80.2%", "not reached", "x", "Ørjan", "-", "+3.1 points"]
    return [str(rng.choice(words)) for _ in range(rows)]


@pytest.mark.parametrize("seed", range(200))
def test_text_table_prints_what_pandas_prints(seed):
    rng = np.random.default_rng(seed)
    rows, width = int(rng.integers(1, 4)), int(rng.integers(1, 7))
    names = [
        str(rng.choice(["n", "n_new", "power", "alpha", "a very long header", "p"])) + str(i)
        for i in range(width)
    ]
    kinds = [str(rng.choice(["int", "float", "str"])) for _ in range(width)]
    cells = [_random_cells(rng, kind, rows) for kind in kinds]
    labels = None
    if rng.random() < 0.5:
        labels = tuple(
            str(rng.choice(["smallest n reaching the power", "r1", "arm"])) + str(i)
            for i in range(rows)
        )
    table = TextTable(tuple(names), tuple(zip(*cells, strict=True)), labels)
    assert table.to_string() == _pandas_text(table)


def test_text_table_refuses_a_column_of_mixed_kinds():
    with pytest.raises(TypeError, match="mixes"):
        TextTable(("a",), ((1,), ("x",))).to_string()


def test_planning_results_print_as_their_frames_did():
    # The results `plan` and `power` print: their plain tables are what pandas printed from
    # the same cells (Result._frame_text, the path every other result takes).
    from etiquette_lab.planning.power import (
        bayes_assurance,
        exact_power,
        minimum_detectable_effect,
        sample_size,
    )

    results = [
        exact_power(5, 5, 0.2, 0.8),
        exact_power(20, 40, 0.2, 0.5, alternative="greater"),
        sample_size(0.2, 0.5),
        sample_size(0.1, 0.3, ratio=2),
        minimum_detectable_effect(10, baseline=0.2),
        bayes_assurance(5, 5, 0.2, 0.8),
    ]
    for result in results:
        assert ["", result._text_table().to_string()] == result._frame_text()
