"""Benchmark: exact Fisher power and the sample-size search against the naive loop.

Run ``python benchmarks/bench_planning.py``; prints one markdown section.
"""

from __future__ import annotations

import time

from scipy import stats

from etiquette_lab.planning import exact_power, sample_size


def naive_power(n: int, p_c: float, p_n: float, alpha: float = 0.05) -> float:
    """The baseline: scipy.stats.fisher_exact called on every outcome table."""
    total = 0.0
    for x_c in range(n + 1):
        for x_n in range(n + 1):
            table = [[x_n, x_c], [n - x_n, n - x_c]]
            if stats.fisher_exact(table).pvalue <= alpha:
                total += stats.binom.pmf(x_c, n, p_c) * stats.binom.pmf(x_n, n, p_n)
    return total


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    naive_60 = best_of(lambda: naive_power(60, 0.2, 0.4), repeat=1)
    fast_60 = best_of(lambda: exact_power(60, 60, 0.2, 0.4))
    check = abs(naive_power(30, 0.2, 0.4) - exact_power(30, 30, 0.2, 0.4).power)
    rows = [
        ("naive loop, n = 60 per arm (3,721 fisher_exact calls)", naive_60, "1 (baseline)"),
        ("exact_power, n = 60 per arm", fast_60, f"{naive_60 / fast_60:,.0f}x faster"),
    ]
    for n, p in [(1000, (0.2, 0.24)), (1000, (0.5, 0.55)), (2000, (0.5, 0.55))]:
        t = best_of(lambda n=n, p=p: exact_power(n, n, *p))
        rows.append((f"exact_power, n = {n:,} per arm, {p[0]:.0%} vs {p[1]:.0%}", t, "-"))
    for p in [(0.2, 0.24), (0.5, 0.55), (0.2, 0.5)]:
        t = best_of(lambda p=p: sample_size(*p, max_n=2000), repeat=3)
        plan = sample_size(*p, max_n=2000)
        rows.append(
            (
                f"sample_size {p[0]:.0%} vs {p[1]:.0%} (answer n = {plan.n_per_arm:,}, "
                f"{len(plan.evaluated)} n evaluated)",
                t,
                "-",
            )
        )
    print("## Planning: exact power and sample size\n")
    print(
        "Exact power of Fisher's exact test (two-sided, alpha 0.05) summed over every outcome "
        "table, against the naive loop calling `scipy.stats.fisher_exact` on each table, in "
        f"the same run (the two agree to {check:.1e} at n = 30). Best of several runs; the "
        "sample-size search is capped at n = 2,000 per arm. Targets: n = 1,000 in under 0.2 s, "
        "a search up to 2,000 in under 2 s.\n"
    )
    print("| what | seconds | ratio |")
    print("| --- | ---: | --- |")
    for name, seconds, ratio in rows:
        print(f"| {name} | {seconds:.4f} | {ratio} |")


if __name__ == "__main__":
    main()
