"""Bad input to the Python API is an InvalidInputError with one line, never a TypeError."""

from __future__ import annotations

import pytest

import etiquette_lab as el


@pytest.mark.parametrize(
    "call",
    [
        lambda: el.exact_power("5", 5, 0.2, 0.8),
        lambda: el.exact_power(5, None, 0.2, 0.8),
        lambda: el.compare_counts({"a": (1, 5), "b": (2, 5)}, sent={"a": 5}),
        lambda: el.time_to_response_from_durations({"a": ([1.0], [True])}, alpha="x"),
        lambda: el.simulate_null_experiments(experiments=1.5),
        lambda: el.compare_counts({"a": (1, 0)}),
        lambda: el.sample_size(0.2, 0.2),
    ],
)
def test_bad_input_is_an_invalid_input_error(call):
    with pytest.raises(el.InvalidInputError) as caught:
        call()
    assert "\n" not in str(caught.value)


def test_a_numeric_string_alpha_is_read_like_the_stats_engine_reads_it():
    report = el.time_to_response_from_durations({"a": ([1.0, 2.0], [True, False])}, alpha="0.1")
    assert report.alpha == 0.1
