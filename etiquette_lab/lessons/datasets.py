"""The kit's bundled data: the article's counts, a published field experiment, and a seeded
simulator of a realistic outreach log (one generated example log ships with the package).

Everything here is either reported data (counts exactly as the article or the paper gives them,
nothing added) or synthetic data made by :func:`simulate_log`, which is labelled as such. The
simulator never reads the clock: every time it writes is derived from ``start`` and the seed, so
the same call writes a byte-identical file on any machine. Sources and citations are in
``docs/datasets.md``; what each file is, and how to regenerate it, in ``data/README.md``.
"""

from __future__ import annotations

import datetime as _dt
import json
import math
import os
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from ..errors import InvalidInputError
from ..timestamps import parse_time

if TYPE_CHECKING:
    import pandas as pd

    from ..log.file import LogFile

__all__ = [
    "EXAMPLE_LOG_SETTINGS",
    "article_counts",
    "article_table",
    "example_log_as_of",
    "example_log_path",
    "published_experiment",
    "simulate_example_log",
    "simulate_log",
]

# -- reported data ---------------------------------------------------------------------------


def _data_file(name: str) -> Path:
    """A file shipped in ``etiquette_lab/data/`` (works from a clone and from an install)."""
    return Path(str(resources.files("etiquette_lab") / "data" / name))


def _read_counts(name: str) -> pd.DataFrame:
    import pandas as pd

    table = pd.read_csv(
        _data_file(name),
        dtype={"arm": str, "requests": "int64", "responses": "int64"},
        encoding="utf-8",
    )
    return table[["arm", "requests", "responses"]]


def article_table() -> pd.DataFrame:
    """The article's experiment as the article reports it: one row per wording.

    Five colleagues were asked for a LinkedIn recommendation with LinkedIn's default text and
    five similar colleagues with a personal message; after one week, 1 of the 5 default and 4
    of the 5 personalised requests had produced a recommendation. ``responses`` counts
    recommendations received within that week.

    The article gives counts only: no dates, no names, no test. Nothing in the kit invents
    timing for these ten requests; use :func:`simulate_log` for a log with times, and never
    present simulated times as the article's observations.

    Returns
    -------
    DataFrame
        Columns ``arm`` (str), ``requests`` (int) and ``responses`` (int).

    Examples
    --------
    >>> article_table()
                arm  requests  responses
    0       default         5          1
    1  personalised         5          4
    """
    return _read_counts("article_counts.csv")


def article_counts() -> dict[str, tuple[int, int]]:
    """The article's counts as ``{arm: (responses, requests)}``, the form the statistics take.

    Recommendations received within one week of asking (see :func:`article_table`).

    Examples
    --------
    >>> article_counts()
    {'default': (1, 5), 'personalised': (4, 5)}
    """
    table = article_table()
    return {
        str(row.arm): (int(row.responses), int(row.requests))
        for row in table.itertuples(index=False)
    }


def published_experiment() -> dict[str, Any]:
    """A published randomised experiment on personalised versus non-personalised invitations.

    Thiblin, Woodford, Öhman and von Essen (2022) sent 509 parents of children previously
    treated for cancer an invitation letter to a trial: 254 personalised (name and address)
    and 255 non-personalised, assigned at random. The outcome is enrolment into the host
    trial. The counts and the printed statistic are those of the paper's abstract (Results);
    they are stored as package data (``thiblin2022.csv`` and ``thiblin2022.json``).

    Returns
    -------
    dict
        ``counts`` ({arm: (responses, requests)}), ``control``, ``treatment``, ``outcome``,
        ``citation`` (authors, year, title, journal, volume, doi, ...), ``source`` (where in the
        paper the numbers are printed) and ``printed`` (the statistic the paper prints: an odds
        ratio from logistic regression with its 95% Wald interval, to 2 decimals).

    Examples
    --------
    >>> study = published_experiment()
    >>> study["counts"]
    {'non-personalised': (26, 255), 'personalised': (30, 254)}
    >>> study["printed"]["odds_ratio"], study["printed"]["ci"]
    (1.18, [0.68, 2.06])
    """
    meta = json.loads(_data_file("thiblin2022.json").read_text(encoding="utf-8"))
    table = _read_counts("thiblin2022.csv")
    meta["counts"] = {
        str(row.arm): (int(row.responses), int(row.requests))
        for row in table.itertuples(index=False)
    }
    return meta


# -- the simulator ---------------------------------------------------------------------------

_SHORT_TEMPLATE = (
    "Hi {first_name},\n\nWould you write a short LinkedIn recommendation about our work on "
    "{shared_project}? A line on my {skill} would be perfect.\n\nThank you!"
)
# Message templates by wording; "default" is LinkedIn's own text, as in the article.
_TEMPLATES: dict[str, str] = {
    "default": "builtin:linkedin-recommendation-default",
    "personalised": "builtin:recommendation-personalised",
    "personalised_short": _SHORT_TEMPLATE,
}
_FIRST_NAMES = tuple(
    (
        "Ada Åse Bjørn Camille Dagny Eirik Fatima Gunnhild Hamid Ingrid Jonas Kari Lars Maja"
        " Nikolai Oda Ørjan Priya Ragnhild Sindre Tuva Ulrik Vilde William Xiu Yusuf Zoë Astrid"
        " Emil Sofie"
    ).split()
)
_LAST_NAMES = tuple(
    (
        "Aasen Berg Dahl Eriksen Fjelltopp Haugen Iversen Johansen Kvistrud Lund Moe Nilsen Olsen"
        " Pedersen Quillfeather Rønning Solberg Tindeklev Ueland Vik Wold Østby Ødegård Aune"
        " Bakke"
    ).split()
)
_PROJECTS = (
    "the Puffin booking app",
    "the harbour sensor dashboard",
    "the Nordlys migration",
    "the spring hackathon",
    "the payroll rewrite",
    "the ferry timetable API",
    "the customer interview series",
    "the data warehouse move",
)
_SKILLS = (
    "data modelling",
    "user research",
    "stakeholder reporting",
    "Python",
    "project planning",
    "technical writing",
    "SQL",
    "mentoring",
)
_EVENT_ORDER = {"sent": 0, "reminded": 1, "responded": 2, "withdrawn": 3, "thanked": 4}
_DAY = 86_400.0


def simulate_log(
    path: str | os.PathLike[str],
    *,
    seed: int = 2026,
    n_per_arm: int = 50,
    arms: Mapping[str, float] | None = None,
    start: Any = "2026-01-05T09:00+01:00",
    as_of: Any = None,
    weeks: float = 8.0,
    pattern: str = "steady",
    strata: Mapping[str, float] | None = None,
    median_delay_days: float = 3.0,
    delay_spread: float = 1.2,
    decline_rate: float = 0.15,
    remind_after_days: float = 14.0,
    remind_share: float = 0.6,
    withdraw_after_days: float = 60.0,
    withdraw_share: float = 0.5,
    thank_share: float = 0.85,
    experiment: str = "simulated",
    kind: str = "recommendation",
    channel: str = "linkedin",
    messages: Mapping[str, str] | None = None,
) -> LogFile:
    """Write a synthetic but realistic outreach log, deterministically from *seed*.

    Each request is assigned a wording at random (exactly *n_per_arm* per wording), sent on a
    working day within *weeks* of *start*, and then follows its own story: the recipient
    eventually does what was asked with probability ``arms[wording]`` (adjusted by the
    stratum), otherwise declines with probability *decline_rate* or never answers. Response
    delays are log-normal (median *median_delay_days*, most within days, a long tail). A
    request still unanswered after *remind_after_days* is reminded with probability
    *remind_share* (a reminder brings a late answer forward); one still unanswered after
    *withdraw_after_days* is withdrawn with probability *withdraw_share* (and its answer never
    comes). Most recommendations are thanked. Only events up to *as_of* are written: later
    answers are censored, so some requests are pending, as in any real log.

    Every event is recorded through the log's own API (:func:`~etiquette_lab.log.file.create_log`,
    ``send``, ``remind``, ``respond``, ``withdraw``, ``thank``) in time order, so the result is
    a valid log. The same arguments always produce a byte-identical file: all randomness comes
    from ``numpy.random.default_rng(seed)`` and all times from *start* (give it with a UTC
    offset; a time without one is read as the machine's local time).

    Parameters
    ----------
    path : path-like
        Where to write the new log (it must not exist).
    seed : int
        Seed of the random generator.
    n_per_arm : int
        Requests per wording (at least 1).
    arms : mapping of str -> float, optional
        Wording -> probability that a request eventually succeeds (recommended, accepted, ...),
        before censoring. Default ``{"default": 0.25, "personalised": 0.5}``.
    start : time
        When the experiment starts; sends fall on working days between the start's clock time
        and 8 hours later.
    as_of : time, optional
        The moment the log is "read"; events after it are not written. Default: 14 days after
        the last send. It must not be before the last send.
    weeks : float
        How many weeks the sends are spread over.
    pattern : {"steady", "bursts"}
        ``"steady"``: sends on random working days; ``"bursts"``: sends clustered on about one
        day a week, a few hours apart at most (what the article's etiquette advises against).
    strata : mapping of str -> float, optional
        Stratum name -> odds multiplier of success, such as ``{"close colleague": 2.0,
        "acquaintance": 0.6, "senior": 0.8}``. Each person is drawn into a stratum at random
        (equal chances); the wording's rate applies to a stratum with multiplier 1.
    median_delay_days, delay_spread : float
        Median and log-scale standard deviation of the log-normal response delay.
    decline_rate : float
        Share of the unsuccessful requests that get an explicit "declined" answer.
    remind_after_days, remind_share, withdraw_after_days, withdraw_share : float
        When and how often unanswered requests are reminded and withdrawn.
    thank_share : float
        Share of successes that are thanked (within three days).
    experiment, kind, channel : str
        Recorded on every send; the experiment is declared with the wordings as its variants.
    messages : mapping of str -> str, optional
        Message template per wording (``{first_name}``, ``{last_name}``, ``{shared_project}``
        and ``{skill}`` are filled in; ``builtin:NAME`` names a shipped template). Wordings
        ``default``, ``personalised`` and ``personalised_short`` have templates already; any
        other wording needs one. The ``score`` column is the personalisation score of each
        message against the default wording.

    Returns
    -------
    LogFile
        The new log, open.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> log = simulate_log(folder / "sim.csv", n_per_arm=3, seed=1)
    >>> log.requests()["variant"].value_counts().sort_index().to_dict()
    {'default': 3, 'personalised': 3}
    >>> same = simulate_log(folder / "again.csv", n_per_arm=3, seed=1)
    >>> same.path.read_bytes() == log.path.read_bytes()
    True
    """
    from ..log.file import create_log

    arm_rates = _check_arms(arms)
    stratum_odds = _check_strata(strata)
    _check_options(
        n_per_arm=n_per_arm,
        weeks=weeks,
        pattern=pattern,
        median_delay_days=median_delay_days,
        delay_spread=delay_spread,
        shares={
            "decline_rate": decline_rate,
            "remind_share": remind_share,
            "withdraw_share": withdraw_share,
            "thank_share": thank_share,
        },
        days={"remind_after_days": remind_after_days, "withdraw_after_days": withdraw_after_days},
    )
    begin = parse_time(start, what="start")
    templates = _templates(list(arm_rates), messages)

    rng = np.random.default_rng(seed)
    plan = _plan(
        rng,
        arm_rates,
        stratum_odds,
        n_per_arm=n_per_arm,
        weeks=weeks,
        pattern=pattern,
        begin=begin,
        median_delay_days=median_delay_days,
        delay_spread=delay_spread,
        decline_rate=decline_rate,
        remind_after_days=remind_after_days,
        remind_share=remind_share,
        withdraw_after_days=withdraw_after_days,
        withdraw_share=withdraw_share,
        thank_share=thank_share,
    )
    people = _people(rng, len(plan["arm"]))

    last_send = float(plan["sent"].max())
    if as_of is None:
        horizon = last_send + 14 * _DAY
    else:
        horizon = (parse_time(as_of, what="as_of") - begin).total_seconds()
        if horizon < last_send:
            raise InvalidInputError(
                f"as_of {as_of!r} is before the last send "
                f"({_at(begin, last_send).isoformat()}); choose a later as_of"
            )

    names = list(arm_rates)
    strata_names = list(stratum_odds)
    log = create_log(path, experiment=experiment, variants=names, at=begin)
    rendered = _render(templates, names, plan["arm"], people)
    for seconds, event, index in _timeline(plan, horizon):
        at = _at(begin, seconds)
        if event == "sent":
            arm = names[plan["arm"][index]]
            log.send(
                people[index]["name"],
                arm,
                kind=kind,
                channel=channel,
                message=rendered[index][0],
                at=at,
                experiment=experiment,
                stratum=strata_names[plan["stratum"][index]] if strata_names else "",
                score=rendered[index][1],
            )
        else:
            rid = f"r{index + 1:04d}"
            if event == "responded":
                log.respond(rid, outcome=None if plan["success"][index] else "declined", at=at)
            else:
                getattr(
                    log, {"reminded": "remind", "withdrawn": "withdraw", "thanked": "thank"}[event]
                )(rid, at=at)
    return log


def _plan(
    rng: np.random.Generator,
    arm_rates: dict[str, float],
    stratum_odds: dict[str, float],
    *,
    n_per_arm: int,
    weeks: float,
    pattern: str,
    begin: _dt.datetime,
    median_delay_days: float,
    delay_spread: float,
    decline_rate: float,
    remind_after_days: float,
    remind_share: float,
    withdraw_after_days: float,
    withdraw_share: float,
    thank_share: float,
) -> dict[str, np.ndarray]:
    """Every request's story as arrays of seconds after *begin* (NaN: never happens).

    All random numbers are drawn in one fixed order whatever the options, so changing, say,
    the reminder share does not reshuffle who answers.
    """
    k = len(arm_rates)
    n = k * n_per_arm
    arm = rng.permutation(np.repeat(np.arange(k), n_per_arm))
    sent = _schedule(rng, n, weeks=weeks, pattern=pattern, begin=begin)
    stratum = rng.integers(0, max(1, len(stratum_odds)), size=n)
    u_success, u_decline = rng.random(n), rng.random(n)
    delay = rng.lognormal(math.log(median_delay_days), delay_spread, size=n) * _DAY
    u_remind, remind_jitter = rng.random(n), rng.uniform(0, 3, size=n) * _DAY
    nudge = rng.lognormal(math.log(1.5), 0.8, size=n) * _DAY
    u_withdraw, withdraw_jitter = rng.random(n), rng.uniform(0, 7, size=n) * _DAY
    u_thank, thank_delay = rng.random(n), rng.uniform(0.05, 3, size=n) * _DAY

    rate = np.array(list(arm_rates.values()))[arm]
    if stratum_odds:
        odds = (
            rate
            / np.where(rate < 1, 1 - rate, np.nan)
            * np.array(list(stratum_odds.values()))[stratum]
        )
        rate = np.where(rate >= 1, 1.0, np.where(rate <= 0, 0.0, odds / (1 + odds)))
    success = u_success < rate
    answers = success | (u_decline < decline_rate)
    response = np.where(answers, sent + delay, np.inf)

    remind_at = sent + remind_after_days * _DAY + remind_jitter
    reminded = (response > remind_at) & (u_remind < remind_share)
    # A reminder brings a late answer forward; it does not change whether one comes.
    response = np.where(reminded & answers, np.minimum(response, remind_at + nudge), response)
    withdraw_at = sent + withdraw_after_days * _DAY + withdraw_jitter
    withdrawn = (response > withdraw_at) & (u_withdraw < withdraw_share)
    response = np.where(withdrawn, np.inf, response)
    thanked = success & np.isfinite(response) & (u_thank < thank_share)
    return {
        "arm": arm,
        "stratum": stratum,
        "success": success,
        "sent": sent,
        "reminded": np.where(reminded, remind_at, np.nan),
        "responded": np.where(np.isfinite(response), response, np.nan),
        "withdrawn": np.where(withdrawn, withdraw_at, np.nan),
        "thanked": np.where(thanked, response + thank_delay, np.nan),
    }


def _schedule(
    rng: np.random.Generator, n: int, *, weeks: float, pattern: str, begin: _dt.datetime
) -> np.ndarray:
    """Send times (seconds after *begin*) on working days, in increasing order."""
    span = max(1, math.ceil(weeks * 7))
    days = np.array(
        [d for d in range(span) if (begin + _dt.timedelta(days=d)).weekday() < 5] or [0]
    )
    day_pick = rng.integers(0, len(days), size=n)
    clock = rng.uniform(0, 8, size=n) * 3600.0
    burst_days = rng.permutation(days)[: max(1, min(len(days), round(weeks)))]
    burst_pick = rng.integers(0, len(burst_days), size=n)
    burst_clock = rng.uniform(0, 2, size=n) * 3600.0
    if pattern == "bursts":
        sent = burst_days[burst_pick] * _DAY + burst_clock
    else:
        sent = days[day_pick] * _DAY + clock
    return np.sort(np.round(sent / 60.0) * 60.0)


def _people(rng: np.random.Generator, n: int) -> list[dict[str, str]]:
    """Unique synthetic recipients with the fields the message templates use."""
    combos = len(_FIRST_NAMES) * len(_LAST_NAMES)
    order = rng.permutation(max(n, combos))
    project = rng.integers(0, len(_PROJECTS), size=n)
    skill = rng.integers(0, len(_SKILLS), size=n)
    people = []
    for i in range(n):
        number = int(order[i])
        first = _FIRST_NAMES[number % combos % len(_FIRST_NAMES)]
        last = _LAST_NAMES[number % combos // len(_FIRST_NAMES)]
        suffix = f" {number // combos + 1}" if number >= combos else ""
        people.append(
            {
                "name": f"{first} {last}{suffix}",
                "first_name": first,
                "last_name": last,
                "shared_project": _PROJECTS[project[i]],
                "skill": _SKILLS[skill[i]],
            }
        )
    return people


def _render(
    templates: dict[str, str], names: list[str], arm: np.ndarray, people: list[dict[str, str]]
) -> list[tuple[str, float]]:
    """Each request's message and its personalisation score against the default wording."""
    from ..design.score import personalisation_score
    from ..design.templates import render_template

    default = _template_text(_TEMPLATES["default"])
    out = []
    for index, person in enumerate(people):
        message = render_template(templates[names[arm[index]]], person, recipient=person["name"])
        baseline = render_template(default, person, recipient=person["name"])
        score = personalisation_score(message, default=baseline, fields=person).score
        out.append((message, round(float(score), 4)))
    return out


def _timeline(plan: dict[str, np.ndarray], horizon: float) -> list[tuple[float, str, int]]:
    """(seconds, event, request index) for every event up to *horizon*, in time order."""
    events = []
    for event in _EVENT_ORDER:
        times = plan[event]
        for index in np.flatnonzero(np.isfinite(times) & (times <= horizon)):
            events.append((float(times[index]), event, int(index)))
    events.sort(key=lambda e: (e[0], _EVENT_ORDER[e[1]], e[2]))
    return events


def _at(begin: _dt.datetime, seconds: float) -> _dt.datetime:
    return begin + _dt.timedelta(seconds=round(seconds))


def _template_text(spec: str) -> str:
    from ..design.templates import builtin_template

    return builtin_template(spec[len("builtin:") :]) if spec.startswith("builtin:") else spec


def _templates(names: list[str], messages: Mapping[str, str] | None) -> dict[str, str]:
    chosen = {**_TEMPLATES, **dict(messages or {})}
    missing = [name for name in names if name not in chosen]
    if missing:
        raise InvalidInputError(
            f"no message template for wording {missing[0]!r}; pass messages={{...}}"
        )
    return {name: _template_text(chosen[name]) for name in names}


def _check_arms(arms: Mapping[str, float] | None) -> dict[str, float]:
    rates = {"default": 0.25, "personalised": 0.5} if arms is None else dict(arms)
    if not rates:
        raise InvalidInputError("arms must name at least one wording")
    for name, rate in rates.items():
        if not isinstance(name, str) or not name.strip() or "|" in name:
            raise InvalidInputError(f"wording name {name!r} must be non-empty text without '|'")
        if not (isinstance(rate, (int, float)) and 0 <= rate <= 1):
            raise InvalidInputError(f"rate of wording {name!r} must be a number from 0 to 1")
    return {name: float(rate) for name, rate in rates.items()}


def _check_strata(strata: Mapping[str, float] | None) -> dict[str, float]:
    odds = dict(strata or {})
    for name, multiplier in odds.items():
        if not isinstance(name, str) or not name.strip():
            raise InvalidInputError(f"stratum name {name!r} must be non-empty text")
        if not (isinstance(multiplier, (int, float)) and 0 < multiplier < math.inf):
            raise InvalidInputError(
                f"odds multiplier of stratum {name!r} must be a positive finite number"
            )
    return {name: float(m) for name, m in odds.items()}


def _check_options(
    *,
    n_per_arm: int,
    weeks: float,
    pattern: str,
    median_delay_days: float,
    delay_spread: float,
    shares: dict[str, float],
    days: dict[str, float],
) -> None:
    if not isinstance(n_per_arm, (int, np.integer)) or n_per_arm < 1:
        raise InvalidInputError(f"n_per_arm must be a whole number >= 1, not {n_per_arm!r}")
    if not 0 < weeks < math.inf:
        raise InvalidInputError(f"weeks must be a positive number, not {weeks!r}")
    if pattern not in ("steady", "bursts"):
        raise InvalidInputError(f"pattern must be 'steady' or 'bursts', not {pattern!r}")
    if not (0 < median_delay_days < math.inf and 0 <= delay_spread < math.inf):
        raise InvalidInputError("median_delay_days must be positive and delay_spread >= 0")
    for name, value in shares.items():
        if not 0 <= value <= 1:
            raise InvalidInputError(f"{name} must be a number from 0 to 1, not {value!r}")
    for name, value in days.items():
        if not 0 <= value < math.inf:
            raise InvalidInputError(f"{name} must be a non-negative number, not {value!r}")


# -- the bundled example log -----------------------------------------------------------------

#: The arguments of :func:`simulate_log` that made the bundled example log
#: (``etiquette_lab/data/example_log.csv``, copied to ``data/examples/example_log.csv``).
EXAMPLE_LOG_SETTINGS: dict[str, Any] = {
    "seed": 2026,
    "n_per_arm": 50,
    "arms": {"default": 0.25, "personalised": 0.5, "personalised_short": 0.4},
    "start": "2026-01-05T09:00:00+01:00",
    "as_of": "2026-03-16T12:00:00+01:00",
    "weeks": 10.0,
    "pattern": "steady",
    "strata": {"close colleague": 2.0, "acquaintance": 0.6, "senior": 0.8},
    "experiment": "recommendation-wording-example",
}


def simulate_example_log(path: str | os.PathLike[str]) -> LogFile:
    """Write the example log again (:func:`simulate_log` with :data:`EXAMPLE_LOG_SETTINGS`).

    The file written is byte-identical to the bundled :func:`example_log_path`; this is how
    the bundled copy was made and how the tests check it.
    """
    return simulate_log(path, **EXAMPLE_LOG_SETTINGS)


def example_log_path() -> Path:
    """The bundled example log: SYNTHETIC data from :func:`simulate_example_log`.

    150 recommendation requests (50 per wording: ``default``, ``personalised`` and
    ``personalised_short``) to made-up people in three strata, sent over ten weeks from
    5 January 2026 and read as of :func:`example_log_as_of`. No real person or response is
    in it. Open it read-only (``open_log``); to record into it, copy it first.

    Examples
    --------
    >>> from etiquette_lab.log.file import open_log
    >>> requests = open_log(example_log_path()).requests()
    >>> len(requests), sorted(requests["variant"].unique())
    (150, ['default', 'personalised', 'personalised_short'])
    """
    return _data_file("example_log.csv")


def example_log_as_of() -> pd.Timestamp:
    """The moment the bundled example log was read (its as-of time): 2026-03-16 12:00 +01:00.

    Requests without a response by then are pending (censored), not failures.

    Examples
    --------
    >>> example_log_as_of().isoformat()
    '2026-03-16T12:00:00+01:00'
    """
    import pandas as pd

    return pd.Timestamp(EXAMPLE_LOG_SETTINGS["as_of"])
