"""Alternative text for the kit's figures, and a notebook display that carries it.

A screen reader says nothing useful about a chart without a description, and nbconvert's HTML
export warns "Alternative text is missing". :func:`alt_text` says in words what a plot function
of the kit draws, computed from the same result it draws (so it stays true on your own data),
and :func:`figure_with_alt` shows the figure with that text.

Why an ``<img>`` in HTML: nbconvert's default HTML template ("lab") writes an image output as
an ``<img>`` without reading any alt text from the output's metadata (only its "classic"
template reads ``metadata["image/png"]["alt"]``), and JupyterLab's image renderer has no alt
text either. An HTML output whose ``<img>`` carries ``alt`` is read the same way by both. The
display bundle also holds the PNG with the alt text in its metadata (for the classic template
and other converters) and the words alone as plain text.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

from ..analyse.report import LogReport
from ..errors import InvalidInputError
from ..formatting import pct_text, power_text
from ..sequential.decide import replay_looks
from .design_power import describe_design_power
from .scores import describe_personalisation_scores
from .timeline import describe_request_timeline

__all__ = ["FigureWithAlt", "alt_text", "figure_with_alt"]


def _pct(rate: float) -> str:
    """A rate as the descriptions word it: a missing estimate is said, not printed as nan."""
    return pct_text(rate) if math.isfinite(rate) else "not estimable yet"


def _level(alpha: float) -> str:
    return f"{100 * (1 - alpha):g}%"


def _power(value: float) -> str:

    return power_text(value)


def _looks(looks: Sequence[int]) -> str:
    """The sizes of the looks: "every 2 requests per wording up to 60" when evenly spaced."""
    steps = {b - a for a, b in zip((0, *looks), looks, strict=False)}
    if len(looks) > 3 and len(steps) == 1:
        return f"every {looks[0]} requests per wording up to {looks[-1]}"
    return ", ".join(str(n) for n in looks) + " requests per wording"


# -- one description per plot function, with the plot's own parameters (ax= aside) ----------


def _response_rates(report: Any, *, max_dots: int = 200) -> str:
    if isinstance(report, LogReport):
        report = report.comparison
    methods = {"wilson": "Wilson", "clopper-pearson": "Clopper-Pearson", "jeffreys": "Jeffreys"}
    arms = sorted(report.arms, key=lambda a: a.name != report.control)
    parts = [
        f"{a.name}{' (control)' if a.name == report.control else ''}: {a.responded} of {a.n}, "
        f"{_pct(a.rate)}, interval {_pct(a.ci_low)} to {_pct(a.ci_high)}"
        for a in arms
    ]
    thinned = any(max(a.responded, a.n - a.responded) > max_dots for a in arms)
    return (
        f"Response rate per wording with its {_level(report.alpha)} "
        f"{methods.get(arms[0].method, arms[0].method)} interval (a diamond and a bar), each "
        f"request a dot at 100% (a success) or 0% (not)"
        + (f", at most {max_dots} dots per row" if thinned else "")
        + ". "
        + "; ".join(parts)
        + "."
    )


def _time_to_response(
    report: Any,
    *,
    show_ci: bool = True,
    show_censored: bool = True,
    show_at_risk: bool = True,
    show_window: bool = True,
    max_days: float | None = None,
) -> str:
    shown = [
        words
        for on, words in (
            (show_ci, f"{_level(report.alpha)} bands"),
            (show_censored, "ticks where requests were censored (pending or withdrawn)"),
            (show_at_risk, "the numbers still waiting under the axis"),
        )
        if on
    ]
    order = [report.control] + [a.name for a in report.arms if a.name != report.control]
    day = f"day {report.window_days:g}"
    by_window = "; ".join(
        f"{name} {_pct(report.arm(name).p_by_window)}"
        + (
            f" ({_pct(report.arm(name).p_by_window_ci_low)} to "
            f"{_pct(report.arm(name).p_by_window_ci_high)})"
            if math.isfinite(report.arm(name).p_by_window)
            else ""
        )
        for name in order
    )
    ends = "; ".join(
        f"{name} {_pct(report.arm(name).curve.p_responded[-1])} by day "
        f"{report.arm(name).curve.days[-1]:.3g}"
        for name in order
        if report.arm(name).curve.days
    )
    return (
        "Kaplan-Meier curves of the share of requests with any answer by each day since the "
        "first send, one rising step line per wording"
        + (f", with {', '.join(shown)}" if shown else "")
        + f". By {day}"
        + (" (a dashed line)" if show_window else "")
        + f": {by_window}. At the end of the follow-up: {ends}."
    )


def _report(report: Any, *, axes: Any = None) -> str:
    timing = report.time_to_response if isinstance(report, LogReport) else None
    if timing is None:
        return _response_rates(report)
    return "Left panel: " + _response_rates(report) + " Right panel: " + _time_to_response(timing)


def _reached(xs: Sequence[Any], powers: Sequence[float], target: float, at: str = "n = ") -> str:
    """Where a power curve first reaches *target*: "reaches 80% at n = 44"."""
    hit = [x for x, p in zip(xs, powers, strict=True) if p >= target]
    goal = f"{100 * target:g}%"
    return f"reaches {goal} at {at}{hit[0]}" if hit else f"stays below {goal}"


def _largest_drop(ns: Sequence[int], powers: Sequence[float]) -> str:
    drops = [(powers[i] - powers[i + 1], i) for i in range(len(powers) - 1)]
    size, i = max(drops, default=(0.0, 0))
    if size <= 0:
        return "it never falls as n grows"
    count = sum(d > 0 for d, _ in drops)
    return (
        f"it is saw-toothed: it falls {count} time{'s' if count != 1 else ''} as n grows by one, "
        f"most from {_power(powers[i])} at n = {ns[i]} to {_power(powers[i + 1])} at "
        f"n = {ns[i + 1]}"
    )


def _power_curve(curve: Any, *, target_power: float | None = 0.8, sample_size: Any = None) -> str:
    names = {"fisher": "Fisher's exact", "boschloo": "Boschloo's exact", "normal": "normal"}
    side = "two-sided" if curve.alternative == "two-sided" else "one-sided"
    text = (
        f"Power against requests per wording (n = {curve.n[0]} to {curve.n[-1]}) to tell "
        f"{_pct(curve.baseline)} from {_pct(curve.target)} ({side}, alpha {curve.alpha:g}): "
        f"exact power of {names[curve.test]} test as dots, the normal approximation dashed. "
        f"Exact power goes from {_power(curve.power[0])} to {_power(curve.power[-1])}"
    )
    if target_power is not None:
        text += (
            f" and {_reached(curve.n, curve.power, target_power)} (normal approximation: "
            f"{_reached(curve.n, curve.normal_power, target_power)}; a dotted line marks "
            f"{100 * target_power:g}%)"
        )
    text += "; " + _largest_drop(curve.n, curve.power) + "."
    if sample_size is not None:
        text += f" A vertical line marks the smallest n reaching the power, {sample_size.n_per_arm}"
        if sample_size.n_per_arm_stable != sample_size.n_per_arm:
            text += f", another the n from which it stays there, {sample_size.n_per_arm_stable}"
        text += "."
    return text


def _difference_distribution(distribution: Any, *, true_difference: float | None = None) -> str:
    significant = sum(distribution.exact_significant)
    text = (
        f"Bars: how often each observed difference in response rate (new - control) occurred "
        f"in simulated experiments with {distribution.n_per_arm} requests per wording, the part "
        f"that Fisher's test calls significant in another colour ({_power(significant)} of "
        f"experiments, exact), and the exact probabilities as black dashes."
    )
    if true_difference is not None:
        text += f" A dashed line marks the true difference, {100 * true_difference:+.3g} points."
    return text


def _null_experiments(result: Any) -> str:
    a, b = result.split
    n = result.n_per_arm
    return (
        f"Bars: the observed differences between two wordings both answered {_pct(result.rate)} "
        f"of the time, in {result.experiments:,} simulated {n}-versus-{n} experiments, with the "
        f"exact probabilities as black dashes. Shaded: one wording wins {a} to {b} or more, "
        f"either way: {_power(result.exact_as_extreme)} exact, {_power(result.as_extreme)} "
        f"simulated. Fisher's test calls {_power(result.exact_significant)} of them significant "
        f"(exact)."
    )


def _power_curves(result: Any, *, target_power: float | None = 0.8) -> str:
    target = 0.8 if target_power is None else target_power
    parts = [
        f"{label}: from {_power(c.power[0])} at n = {c.n[0]} to {_power(c.power[-1])} at "
        f"n = {c.n[-1]}, {_reached(c.n, c.power, target)}"
        for label, c in zip(result.labels(), result.curves, strict=True)
    ]
    return (
        f"Exact power of Fisher's test (two-sided, alpha {result.curves[0].alpha:g}) against "
        "requests per wording, one saw-toothed line per pair of true response rates"
        + (f", a dotted line at {100 * target_power:g}%" if target_power is not None else "")
        + ". "
        + "; ".join(parts)
        + "."
    )


def _exaggeration(result: Any) -> str:
    parts = [
        (f"{ratio:.2g} times at n = {n}" if ratio == ratio else f"none significant at n = {n}")
        + f" (power {_power(power)})"
        for n, ratio, power in zip(
            result.n, result.exact_exaggeration, result.exact_power, strict=True
        )
    ]
    return (
        f"Exaggeration ratio, the average difference of the significant experiments divided by "
        f"the true {100 * result.true_difference:+.3g} points ({_pct(result.baseline)} vs "
        f"{_pct(result.target)}), against requests per wording on a log scale: exact as a line, "
        f"simulated as circles with error bars, 1 (no exaggeration) dotted. Exact: "
        + "; ".join(parts)
        + "."
    )


def _winners_curse(result: Any, *, n: int) -> str:
    i = result.n.index(n)
    mean = result.exact_exaggeration[i] * result.true_difference
    significant = (
        f"the significant ones ({_power(result.exact_power[i])} of experiments, exact) average "
        f"{100 * mean:+.0f} points"
        if mean == mean
        else "no result can be significant"
    )
    return (
        f"Bars: the observed differences in {result.experiments:,} simulated experiments with "
        f"{n} requests per wording when the true rates are {_pct(result.baseline)} and "
        f"{_pct(result.target)} (a dashed line at the true {100 * result.true_difference:+.3g} "
        f"points); {significant}."
    )


def _peeking(result: Any) -> str:
    return (
        f"False-alarm rate of two equally good wordings (both answered {_pct(result.rate)} of "
        f"the time, {result.per_day} requests per wording a day) against days run: stopping at "
        f"the first daily look with a significant test reaches {_power(result.exact_daily[-1])} "
        f"after {result.days} days (exact; simulated {_power(result.daily[-1])}), one look at "
        f"the end {_power(result.exact_single[-1])}; a dotted line marks the nominal "
        f"{result.alpha:.0%}."
    )


def _sequential_boundaries(design: Any, *, path: Any = None) -> str:
    side = "two-sided" if design.alternative == "two-sided" else "one-sided"
    head = f"The {design.label}, {side} at alpha {design.alpha:g}, looking at "
    head += _looks(design.looks)
    if hasattr(design, "threshold"):
        text = (
            f"{head}. On the e-value scale (logarithmic), it stops with evidence when the "
            f"e-value reaches {design.threshold:g} (a horizontal line)."
        )
    else:
        bounds = "; ".join(
            f"{b:.2f} at {n}" if math.isfinite(b) else f"it cannot stop at {n}"
            for n, b in zip(design.looks, design.boundary_z, strict=True)
        )
        text = (
            f"{head}. On the pooled z scale, it stops with evidence when "
            f"{'|z|' if side == 'two-sided' else 'z'} reaches the boundary of the look: {bounds}"
        )
        if design.method == "exact" and len(design.looks) > 1:
            text += "; the normal-approximation boundaries are dashed"
        if design.futility_z is not None:
            text += "; non-binding futility bounds are dash-dotted"
        text += "."
    if path is None:
        return text

    replay = path if hasattr(path, "decisions") else replay_looks(design, path)
    anytime = hasattr(design, "threshold")
    looks = "; ".join(
        f"{(d.n_control + d.n_new) / 2:g} per wording ({d.x_control} of {d.n_control} against "
        f"{d.x_new} of {d.n_new}): "
        + (f"e = {d.e_value:.3g}" if anytime else f"z = {d.z:.2f}")
        + f", {d.decision_text}"
        for d in replay.decisions
    )
    return f"{text} The observed looks, joined by a line: {looks}."


def _operating_characteristics(curves: Any, *, kind: str = "power") -> str:
    many = [curves] if hasattr(curves, "power") else list(curves)
    null = all(c == n for oc in many for c, n in zip(oc.p_control, oc.p_new, strict=True))
    first = many[0]
    if null:
        axis = (
            f"the common response rate of both wordings, {_pct(min(first.p_control))} to "
            f"{_pct(max(first.p_control))}"
        )
    else:
        differences = [n - c for c, n in zip(first.p_control, first.p_new, strict=True)]
        axis = (
            f"the difference in response rate (new - control), {100 * min(differences):+.3g} to "
            f"{100 * max(differences):+.3g} points"
        )
    if kind == "power" and null:
        what = "False-alarm rate"
        parts = [
            f"{oc.design}: at most {_power(max(oc.power))} (at "
            f"{_pct(oc.p_control[oc.power.index(max(oc.power))])})"
            for oc in many
        ]
        extra = f"; a dotted line marks alpha {first.alpha:g}"
    elif kind == "power":
        what = "Power (the chance of stopping with evidence)"
        parts = []
        for oc in many:
            points = [
                f"{100 * (n - c):+.3g} points" for c, n in zip(oc.p_control, oc.p_new, strict=True)
            ]
            parts.append(
                f"{oc.design}: {_reached(points, oc.power, 0.8, at='')}, "
                f"{_power(oc.power[-1])} at {points[-1]}"
            )
        extra = ""
    else:
        what = "Expected requests per wording"
        parts = [
            f"{oc.design}: "
            + (
                f"{oc.expected_n[0]:.1f} throughout"
                if min(oc.expected_n) == max(oc.expected_n)
                else f"from {min(oc.expected_n):.1f} to {max(oc.expected_n):.1f}"
            )
            for oc in many
        ]
        extra = f"; a dotted line marks the maximum, {first.max_n}"
    return f"{what} against {axis}, one line per design{extra}. " + "; ".join(parts) + "."


_DESCRIPTIONS: dict[str, Callable[..., str]] = {
    "plot_response_rates": _response_rates,
    "plot_time_to_response": _time_to_response,
    "plot_report": _report,
    "plot_power_curve": _power_curve,
    "plot_difference_distribution": _difference_distribution,
    "plot_null_experiments": _null_experiments,
    "plot_power_curves": _power_curves,
    "plot_exaggeration": _exaggeration,
    "plot_winners_curse": _winners_curse,
    "plot_peeking": _peeking,
    "plot_sequential_boundaries": _sequential_boundaries,
    "plot_operating_characteristics": _operating_characteristics,
    "plot_request_timeline": describe_request_timeline,
    "plot_personalisation_scores": describe_personalisation_scores,
    "plot_design_power": describe_design_power,
}


def alt_text(plot: Callable[..., Any] | str, *args: Any, **kwargs: Any) -> str:
    """What ``plot(*args, **kwargs)`` draws, in words: the figure's alternative text.

    The description is computed from the same results the plot draws (the rates and their
    intervals, where a power curve reaches its target, the boundaries of a design), so it
    stays true when a notebook runs on other data.

    Parameters
    ----------
    plot : plot function or its name
        One of the kit's plot functions, such as :func:`etiquette_lab.plot_response_rates`.
    *args, **kwargs
        The arguments given to the plot function (``ax=`` and ``axes=`` are ignored).

    Returns
    -------
    str

    Examples
    --------
    >>> from etiquette_lab.stats import compare_counts
    >>> from etiquette_lab.plots import plot_response_rates
    >>> report = compare_counts({"default": (1, 5), "personalised": (4, 5)})
    >>> print(alt_text(plot_response_rates, report))  # doctest: +NORMALIZE_WHITESPACE
    Response rate per wording with its 95% Wilson interval (a diamond and a bar), each request
    a dot at 100% (a success) or 0% (not). default (control): 1 of 5, 20%, interval 3.6% to
    62.4%; personalised: 4 of 5, 80%, interval 37.6% to 96.4%.
    """
    name = plot if isinstance(plot, str) else getattr(plot, "__name__", "")
    try:
        describe = _DESCRIPTIONS[name]
    except KeyError:
        known = ", ".join(sorted(_DESCRIPTIONS))
        raise InvalidInputError(f"no description for {name or plot!r}; known: {known}") from None
    for drawn_on in ("ax", "axes"):
        kwargs.pop(drawn_on, None)
    return describe(*args, **kwargs)


class FigureWithAlt:
    """A matplotlib figure to display in a notebook with its alternative text.

    Displayed (the last expression of a cell, or ``IPython.display.display``), it is an HTML
    ``<img>`` with ``alt``, the PNG (its metadata holds the same ``alt``) and the text alone.
    The PNG is drawn when first displayed, so later changes to the figure are included.
    """

    def __init__(self, figure: Any, alt: str) -> None:
        self.figure = figure
        self.alt = alt
        self._png: bytes | None = None

    def png(self) -> bytes:
        """The figure as PNG bytes, as the notebook's inline backend draws it."""
        if self._png is None:
            import io

            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", bbox_inches="tight")
            self._png = buffer.getvalue()
        return self._png

    def _repr_mimebundle_(
        self, include: Any = None, exclude: Any = None
    ) -> tuple[dict[str, str], dict[str, dict[str, str]]]:
        import base64  # display-time modules: importing the plots stays light
        import html

        data = base64.b64encode(self.png()).decode("ascii")
        alt = html.escape(self.alt, quote=True)
        bundle = {
            "text/html": f'<img src="data:image/png;base64,{data}" alt="{alt}"/>',
            "image/png": data,
            "text/plain": f"Figure: {self.alt}",
        }
        return bundle, {"image/png": {"alt": self.alt}}

    def __repr__(self) -> str:
        return f"FigureWithAlt({self.alt!r})"


def _figure_of(drawn: Any) -> Any:
    if hasattr(drawn, "savefig"):
        return drawn
    if hasattr(drawn, "figure"):
        return drawn.figure
    if isinstance(drawn, Sequence) or hasattr(drawn, "flat"):  # a tuple or an array of Axes
        first = next(iter(getattr(drawn, "flat", drawn)), None)
        if first is not None and hasattr(first, "figure"):
            return first.figure
    raise InvalidInputError(f"expected a matplotlib Figure or Axes, got {type(drawn).__name__}")


def _panel_names(figure: Any) -> list[str]:
    axes = list(figure.axes)
    one_row = len({round(a.get_position().y0, 3) for a in axes}) == 1
    if one_row and len(axes) == 2:
        return ["Left panel", "Right panel"]
    if one_row and len(axes) == 3:
        return ["Left panel", "Middle panel", "Right panel"]
    return [f"Panel {i} of {len(axes)}" for i in range(1, len(axes) + 1)]


def figure_with_alt(drawn: Any, alt: str | Sequence[str]) -> FigureWithAlt:
    """Show a figure in a notebook with its alternative text (see :func:`alt_text`).

    The figure is closed in pyplot, so the notebook shows it once, through the returned object.

    Parameters
    ----------
    drawn : matplotlib Figure, Axes, or a sequence of Axes
        What a plot function returned (its figure is shown whole).
    alt : str or sequence of str
        The description; a sequence gives one per Axes of the figure, in order ("Left
        panel: ...", "Right panel: ...").

    Returns
    -------
    FigureWithAlt

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import matplotlib.pyplot as plt
    >>> fig, (left, right) = plt.subplots(1, 2)
    >>> figure_with_alt(fig, ["A rising line.", "A falling line."]).alt
    'Left panel: A rising line. Right panel: A falling line.'
    """
    figure = _figure_of(drawn)
    if isinstance(alt, str):
        text = alt.strip()
    else:
        texts = [str(a).strip() for a in alt]
        names = _panel_names(figure)
        if len(texts) != len(names):
            raise InvalidInputError(
                f"the figure has {len(names)} panel(s) but {len(texts)} description(s) were given"
            )
        text = " ".join(f"{name}: {t}" for name, t in zip(names, texts, strict=True))
    if not text:
        raise InvalidInputError("the alternative text is empty: say what the figure shows")
    import matplotlib.pyplot as plt

    plt.close(figure)
    return FigureWithAlt(figure, text)
