"""Planning figures as tables to read: several targets at once, powers in words."""

from __future__ import annotations

from scipy.stats import binom, fisher_exact

from etiquette_lab.formatting import power_text
from etiquette_lab.lessons.simulation import power_curves
from etiquette_lab.planning.power import power_curve, sample_size, sample_size_table


def brute_fisher_power(n: int, baseline: float, target: float, m: int | None = None) -> float:
    """Every table of n (control) against m (new, n by default) requests, with scipy's Fisher
    test: the probability that p <= 0.05 when the rates are *baseline* and *target*."""
    m = n if m is None else m
    return sum(
        binom.pmf(x0, n, baseline) * binom.pmf(x1, m, target)
        for x0 in range(n + 1)
        for x1 in range(m + 1)
        if fisher_exact([[x1, m - x1], [x0, n - x0]])[1] <= 0.05
    )


def test_a_row_per_target_with_the_sample_size_s_figures():
    table = sample_size_table(0.2, {"as observed": 0.8, "half of it": 0.5})
    assert table.index.tolist() == ["as observed", "half of it"]
    # By brute force: 11 per wording fall short of 80% for 20% against 80%, 12 reach it.
    assert brute_fisher_power(11, 0.2, 0.8) < 0.8 <= brute_fisher_power(12, 0.2, 0.8)
    row = table.loc["as observed"]
    assert row["requests per wording"] == 12 and row["requests in all"] == 24
    assert row["power"] == f"{100 * brute_fisher_power(12, 0.2, 0.8):.1f}%"
    half = sample_size(0.2, 0.5)
    assert table.loc["half of it"].tolist() == [
        "20%",
        "50%",
        half.n_per_arm,
        half.n_per_arm_stable,
        half.n_total,
        f"{100 * half.power:.1f}%",
        f"{half.normal_approximation_n:.1f}",
    ]


def test_targets_without_labels_are_named_by_their_rate():
    assert sample_size_table(0.2, [0.35, 0.65]).index.tolist() == ["35%", "65%"]


def test_powers_are_never_rounded_to_a_certainty():
    assert power_text(0.99961) == "> 99.9%" and power_text(0.0004) == "< 0.1%"
    assert (power_text(1.0), power_text(0.0), power_text(0.3758)) == ("100%", "0%", "37.6%")
    curves = power_curves([(0.2, 0.8)], n=[5, 6, 44])
    # Brute force: 20% against 80% at 5 and 6 per wording, the saw-tooth of notebook 02.
    assert (
        curves.rounded_summary["20% vs 80%"].tolist()
        == [
            f"{100 * brute_fisher_power(5, 0.2, 0.8):.1f}%",
            f"{100 * brute_fisher_power(6, 0.2, 0.8):.1f}%",
            "> 99.9%",
        ]
        == ["37.6%", "27.5%", "> 99.9%"]
    )
    curve = power_curve(0.2, 0.8, n=[5, 6])
    assert curve.rounded_summary["power"].tolist() == ["37.6%", "27.5%"]
    assert curve.summary["power"].iloc[0] == curves.curves[0].power[0]  # numbers stay numbers
