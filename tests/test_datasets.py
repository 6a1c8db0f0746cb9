"""Bundled data: the article's counts, the published experiment, and the seeded simulator."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats
from scipy.stats.contingency import odds_ratio

from etiquette_lab.errors import InvalidInputError
from etiquette_lab.lessons import datasets
from etiquette_lab.lessons.datasets import (
    EXAMPLE_LOG_SETTINGS,
    article_counts,
    article_table,
    example_log_as_of,
    example_log_path,
    published_experiment,
    simulate_example_log,
    simulate_log,
)
from etiquette_lab.log.file import open_log

REPO = Path(__file__).resolve().parents[1]
REGENERATE = (
    'regenerate it: python -c "from etiquette_lab.lessons.datasets import simulate_example_log; '
    "simulate_example_log('etiquette_lab/data/example_log.csv')\" (see data/README.md)"
)


# -- the article -----------------------------------------------------------------------------


def test_article_counts_are_what_the_article_reports():
    # ARTICLE-NOTES.md: after one week, 1 of 5 default and 4 of 5 personalised requests.
    assert article_counts() == {"default": (1, 5), "personalised": (4, 5)}


def test_article_table_has_counts_only_and_agrees_with_article_counts():
    table = article_table()
    assert list(table.columns) == ["arm", "requests", "responses"]
    assert table["requests"].dtype == np.int64 and table["responses"].dtype == np.int64
    assert {r.arm: (r.responses, r.requests) for r in table.itertuples()} == article_counts()


# -- the published experiment ----------------------------------------------------------------


def _published_table():
    study = published_experiment()
    responses_t, n_t = study["counts"][study["treatment"]]
    responses_c, n_c = study["counts"][study["control"]]
    return study, np.array([[responses_t, n_t - responses_t], [responses_c, n_c - responses_c]])


def test_published_counts_match_the_abstract():
    # Thiblin et al. (2022), abstract: personalised 30/254 (11.8%), non-personalised 26/255
    # (10.2%); 56 of 509 enrolled in all.
    study = published_experiment()
    assert study["counts"] == {"non-personalised": (26, 255), "personalised": (30, 254)}
    assert sum(n for _, n in study["counts"].values()) == 509
    assert sum(r for r, _ in study["counts"].values()) == 56
    assert round(100 * 30 / 254, 1) == 11.8 and round(100 * 26 / 255, 1) == 10.2
    citation = study["citation"]
    assert citation["doi"] == "10.1186/s12874-022-01553-5"
    assert citation["year"] == 2022 and citation["volume"] == 22


def test_printed_odds_ratio_is_reproduced_by_logistic_regression():
    # The paper prints OR 1.18, 95% CI 0.68-2.06 from logistic regression. Independent
    # recomputation: statsmodels' Logit on the 509 individual outcomes (Wald interval).
    study, table = _published_table()
    printed = study["printed"]
    y = np.repeat([1, 0, 1, 0], table.ravel())
    treated = np.repeat([1, 1, 0, 0], table.ravel())
    fit = sm.Logit(y, sm.add_constant(treated.astype(float))).fit(disp=0)
    estimate = math.exp(fit.params[1])
    low, high = np.exp(fit.conf_int(alpha=1 - printed["ci_level"])[1])
    digits = printed["decimals"]
    assert round(estimate, digits) == printed["odds_ratio"]
    assert [round(low, digits), round(high, digits)] == printed["ci"]


def test_printed_odds_ratio_is_the_sample_odds_ratio_with_woolf_interval():
    # A second, closed-form route: scipy's sample odds ratio and its log-normal (Woolf)
    # interval equal the Wald logistic-regression figures for one binary covariate.
    study, table = _published_table()
    result = odds_ratio(table, kind="sample")
    interval = result.confidence_interval(confidence_level=study["printed"]["ci_level"])
    assert round(result.statistic, 2) == 1.18
    assert [round(interval.low, 2), round(interval.high, 2)] == [0.68, 2.06]
    # The conditional-MLE interval (Fisher's) does not match: the paper did not use it.
    conditional = odds_ratio(table).confidence_interval()
    assert [round(conditional.low, 2), round(conditional.high, 2)] != [0.68, 2.06]


def test_published_difference_is_not_significant_by_pearson_chi_square():
    # The paper reports no significant effect; Pearson's chi-square without correction agrees
    # (computed here, not printed by the paper).
    _, table = _published_table()
    _, p_value, dof, _ = stats.chi2_contingency(table, correction=False)
    assert dof == 1 and p_value > 0.05


# -- the simulator ---------------------------------------------------------------------------

SMALL = {"n_per_arm": 6, "arms": {"default": 0.3, "personalised": 0.6}}


def test_same_seed_gives_identical_bytes(tmp_path):
    first = simulate_log(tmp_path / "a.csv", seed=7, **SMALL)
    second = simulate_log(tmp_path / "b.csv", seed=7, **SMALL)
    assert first.path.read_bytes() == second.path.read_bytes()


def test_different_seed_gives_different_log(tmp_path):
    first = simulate_log(tmp_path / "a.csv", seed=7, **SMALL)
    second = simulate_log(tmp_path / "b.csv", seed=8, **SMALL)
    assert first.path.read_bytes() != second.path.read_bytes()


def test_simulated_log_reads_back_as_a_valid_log(tmp_path):
    log = simulate_log(
        tmp_path / "sim.csv", seed=3, strata={"close colleague": 2.0, "senior": 0.5}, **SMALL
    )
    requests = open_log(log.path).requests()
    assert len(requests) == 12
    assert requests["variant"].value_counts().to_dict() == {"default": 6, "personalised": 6}
    assert set(requests["stratum"]) <= {"close colleague", "senior"}
    assert requests["recipient"].is_unique
    assert requests["score"].between(0, 1).all()
    assert (requests.loc[requests["variant"] == "default", "score"] == 0).all()
    assert (requests.loc[requests["variant"] == "personalised", "score"] > 0.5).all()
    assert log.variants == {"simulated": ("default", "personalised")}


def test_times_come_from_start_never_from_the_clock(tmp_path):
    log = simulate_log(tmp_path / "sim.csv", seed=3, start="2031-06-02T08:00+02:00", **SMALL)
    events = log.events()
    assert events["at"].min() == pd.Timestamp("2031-06-02T06:00Z")  # the declaration
    sends = events.loc[events["event"] == "sent", "at"].dt.tz_convert("+02:00")
    assert sends.dt.day_of_week.lt(5).all()  # working days
    assert sends.dt.hour.between(8, 16).all()


def test_rates_follow_the_inputs_over_a_large_simulation(tmp_path):
    # Nothing censored (as_of two years on) and nothing withdrawn, so every request's final
    # outcome is observed. Seeded, so the result is fixed: the bound is loose (p > 0.001 in
    # an exact two-sided binomial test, scipy) rather than a flaky coin toss.
    rates = {"default": 0.2, "personalised": 0.6}
    log = simulate_log(
        tmp_path / "big.csv",
        seed=11,
        n_per_arm=250,
        arms=rates,
        weeks=4,
        as_of="2028-01-01T00:00+01:00",
        withdraw_share=0.0,
        remind_share=0.0,
        thank_share=0.0,
        decline_rate=0.2,
    )
    requests = log.requests()
    for arm, rate in rates.items():
        mine = requests[requests["variant"] == arm]
        successes = int((mine["outcome"] == "recommended").sum())
        assert stats.binomtest(successes, len(mine), rate).pvalue > 0.001, (arm, successes)
    failed = requests[requests["outcome"] != "recommended"]
    declines = int((failed["outcome"] == "declined").sum())
    assert stats.binomtest(declines, len(failed), 0.2).pvalue > 0.001
    assert requests["outcome"].notna().sum() == requests["responses"].gt(0).sum()


def test_strata_shift_the_rates_in_the_direction_given(tmp_path):
    log = simulate_log(
        tmp_path / "s.csv",
        seed=5,
        n_per_arm=150,
        weeks=4,
        arms={"default": 0.4, "personalised": 0.4},
        strata={"close colleague": 4.0, "acquaintance": 0.25},
        as_of="2028-01-01T00:00+01:00",
        remind_share=0.0,
        thank_share=0.0,
    )
    requests = log.requests()
    rate = requests.assign(ok=requests["outcome"] == "recommended").groupby("stratum")["ok"]
    assert rate.mean()["close colleague"] > rate.mean()["acquaintance"] + 0.2


def test_a_later_as_of_only_appends_the_censored_events(tmp_path):
    # Censoring cuts the same story at as_of: the earlier log is a prefix of the later one,
    # and requests pending at the earlier time get answers afterwards.
    early = simulate_log(
        tmp_path / "early.csv", seed=4, n_per_arm=20, as_of="2026-03-01T00:00+01:00"
    )
    late = simulate_log(tmp_path / "late.csv", seed=4, n_per_arm=20, as_of="2027-01-01T00:00+01:00")
    assert late.path.read_bytes().startswith(early.path.read_bytes())
    before, after = early.requests(), late.requests()
    pending = before["first_response_at"].isna() & before["withdrawn_at"].isna()
    answered_later = after.loc[pending, "first_response_at"].notna()
    assert answered_later.any()


def test_follow_ups_happen_as_described(tmp_path):
    log = simulate_log(tmp_path / "f.csv", seed=9, n_per_arm=60, as_of="2027-01-01T00:00+01:00")
    r = log.requests()
    reminded = r[r["reminders"] > 0]
    waited = (reminded["last_reminded_at"] - reminded["first_sent_at"]).dt.days
    assert len(reminded) and waited.between(14, 17).all()
    withdrawn = r[r["withdrawn_at"].notna()]
    assert len(withdrawn) and withdrawn["first_response_at"].isna().all()
    assert ((withdrawn["withdrawn_at"] - withdrawn["first_sent_at"]).dt.days >= 60).all()
    thanked = r[r["thanked_at"].notna()]
    assert (thanked["outcome"] == "recommended").all()
    assert len(thanked) > 0.6 * (r["outcome"] == "recommended").sum()
    delays = (r["first_response_at"] - r["first_sent_at"]).dt.total_seconds() / 86_400
    assert delays.median() < 7 and delays.max() > 14  # most within days, a long tail


def test_bursts_put_many_sends_on_few_days(tmp_path):
    log = simulate_log(tmp_path / "b.csv", seed=2, n_per_arm=20, weeks=4, pattern="bursts")
    sends = log.requests()["first_sent_at"]
    assert sends.dt.date.nunique() <= 4


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"n_per_arm": 0}, "n_per_arm"),
        ({"arms": {"default": 1.5}}, "from 0 to 1"),
        ({"arms": {}}, "at least one"),
        ({"arms": {"formal": 0.3}}, "no message template"),
        ({"pattern": "random"}, "pattern"),
        ({"strata": {"senior": 0}}, "positive"),
        ({"as_of": "2026-01-06T00:00+01:00"}, "before the last send"),
        ({"decline_rate": -0.1}, "decline_rate"),
    ],
)
def test_bad_arguments_are_rejected_with_one_line(tmp_path, kwargs, message):
    with pytest.raises(InvalidInputError, match=message) as caught:
        simulate_log(tmp_path / "x.csv", **kwargs)
    assert "\n" not in str(caught.value)
    assert not (tmp_path / "x.csv").exists()


def test_custom_wording_with_its_own_template(tmp_path):
    log = simulate_log(
        tmp_path / "c.csv",
        n_per_arm=2,
        arms={"default": 0.2, "formal": 0.3},
        messages={"formal": "Dear {first_name} {last_name}, may I ask ..."},
    )
    formal = log.requests().query("variant == 'formal'")
    assert formal["message"].str.startswith("Dear ").all()


def test_one_arm_and_certain_rates_are_defined(tmp_path):
    log = simulate_log(
        tmp_path / "one.csv",
        n_per_arm=5,
        arms={"personalised": 1.0},
        strata={"senior": 0.5},
        as_of="2027-01-01T00:00+01:00",
        withdraw_share=0.0,
    )
    assert (log.requests()["outcome"] == "recommended").all()


# -- the bundled example ---------------------------------------------------------------------


def test_bundled_example_equals_a_fresh_regeneration(tmp_path):
    fresh = simulate_example_log(tmp_path / "example.csv").path.read_bytes()
    assert example_log_path().read_bytes() == fresh, REGENERATE
    repo_copy = REPO / "data" / "examples" / "example_log.csv"
    assert repo_copy.read_bytes() == fresh, "data/examples/example_log.csv: copy the package one"


def test_bundled_example_shape_and_pending_requests_at_its_as_of(tmp_path):
    requests = open_log(example_log_path()).requests()
    settings = EXAMPLE_LOG_SETTINGS
    assert requests["variant"].value_counts().to_dict() == dict.fromkeys(settings["arms"], 50)
    assert set(requests["stratum"]) == set(settings["strata"])
    as_of = example_log_as_of()
    assert as_of == pd.Timestamp("2026-03-16T12:00:00+01:00")
    assert requests["first_sent_at"].max() <= as_of
    assert (requests["last_response_at"].dropna() <= as_of).all()
    pending = requests["first_response_at"].isna() & requests["withdrawn_at"].isna()
    assert pending.sum() >= 10
    # Some are censored, not refusals: the same story read a year later has their answers.
    later = simulate_log(
        tmp_path / "later.csv", **{**settings, "as_of": "2027-03-16T12:00:00+01:00"}
    ).requests()
    assert later.loc[pending, "first_response_at"].notna().sum() >= 1
    assert (requests["outcome"] == "declined").any()
    assert (requests["reminders"] > 0).any() and requests["withdrawn_at"].notna().any()
    assert requests["thanked_at"].notna().any()


def test_public_names_are_listed():
    assert set(datasets.__all__) == {
        "EXAMPLE_LOG_SETTINGS",
        "article_counts",
        "article_table",
        "example_log_as_of",
        "example_log_path",
        "published_experiment",
        "simulate_example_log",
        "simulate_log",
    }
