"""etiquette-lab: honest experiments on how you ask.

Log the outreach requests you send (recommendation and connection requests, cold e-mails) and
what came back, then compare how each wording was answered with statistics that stay truthful
at five requests per wording.

Where to start
--------------
* The notebooks in ``notebooks/`` (``make lab`` opens them), in order:
  ``01_article_five_vs_five.ipynb`` (the article's 1 of 5 against 4 of 5, and what it does and
  does not prove), ``02_plan_your_experiment``, ``03_log_and_follow_up``,
  ``04_analyse_your_results``, ``05_how_small_is_too_small``,
  ``06_published_field_experiment``, ``07_peeking_without_fooling_yourself`` and
  ``08_let_your_archive_fill_in_the_log``.
* ``README.md``: the quick start and the ``etiquette-lab`` command (``etiquette-lab --help``;
  every command's help ends with examples). ``docs/`` explains the log format, the methods,
  planning and the etiquette checks in plain words.
* The main entry points, one per step:

  - compare wordings from counts: :func:`compare_counts`;
  - record sends and answers: :func:`create_log`, :func:`open_log` (then ``log.send``,
    ``log.respond``, ...), or :func:`import_requests` from a spreadsheet;
  - let LinkedIn's data export and your mailbox fill in the answers: :func:`sync_log`;
  - analyse a log: :func:`read_requests`, :func:`compare_requests`, :func:`time_to_response`,
    :func:`plot_report`;
  - plan before you send: :func:`sample_size`, :func:`exact_power`;
  - follow the article's etiquette: :func:`check_etiquette`, :func:`todo_list`;
  - look while it runs without fooling yourself: :func:`sequential_design`,
    :func:`anytime_design`, :func:`sequential_decision`.

  Every result prints as plain text, renders as a table in a notebook, and has ``.summary``
  (a DataFrame) and ``.to_dict()`` (JSON-safe).

The public API is flat: what a user calls, stage by stage (``docs/api.md`` lists it with one
line each), is available here as ``etiquette_lab.compare_counts`` or ``from etiquette_lab import
open_log``; helpers and result types stay in their modules. Submodules are imported on first
use, so ``import etiquette_lab`` (and ``etiquette-lab --help``) stays fast and never imports
matplotlib, pandas or scipy until a function needs them, while editors and type checkers see
every name with its real type (the imports under ``TYPE_CHECKING`` below).

Examples
--------
>>> import etiquette_lab as el
>>> result = el.compare_counts({"default": (1, 5), "personalised": (4, 5)})
>>> round(result.comparisons[0].tests.fisher.p_value, 2)  # the article's table
0.21
"""

import importlib as _importlib
import importlib.util as _importlib_util
from typing import TYPE_CHECKING

__version__ = "0.1.0"

# What `import etiquette_lab as el` offers, module by module in the order the loop runs (the
# ground floor first). docs/api.md lists the same names with one line each; a test keeps the
# imports under TYPE_CHECKING below, docs/api.md and every module's __all__ in step with it.
_EXPORTS: dict[str, tuple[str, ...]] = {
    "errors": (
        "EtiquetteLabError",
        "InvalidInputError",
        "LogError",
        "TornLineError",
        "UnfinishedWriteError",
    ),
    "results": ("Result",),
    "timestamps": (
        "parse_as_of",
        "parse_time",
    ),
    "planning.power": (
        "bayes_assurance",
        "exact_power",
        "minimum_detectable_effect",
        "power_curve",
        "sample_size",
        "sample_size_table",
    ),
    "planning.bayes": ("probability_new_better",),
    "design.messages": (
        "Experiment",
        "Variant",
        "assign_variants",
        "assignment_balance",
        "builtin_template",
        "builtin_template_names",
        "load_experiment",
        "log_messages",
        "personalisation_score",
        "plan_messages",
        "read_contacts",
        "read_plan",
        "render_messages",
        "render_template",
        "save_experiment",
        "validate_contacts",
        "wording_distance",
        "write_plan",
    ),
    "log.file": (
        "LogFile",
        "create_log",
        "is_observational",
        "open_log",
        "read_events",
        "read_requests",
    ),
    "log.requests": ("requests_from_events",),
    "log.repair": ("repair_log",),
    "log.importing": ("import_requests",),
    "log.privacy": (
        "load_pseudonym_key",
        "pseudonymise",
    ),
    "sync": (
        "import_history",
        "match_outcomes",
        "read_linkedin_export",
        "read_mailbox",
        "sync_example_paths",
        "sync_log",
    ),
    "followup.etiquette": (
        "EtiquetteSettings",
        "check_etiquette",
        "todo_list",
    ),
    "analyse.outcomes": (
        "arm_overview",
        "count_outcomes",
        "rows_of_experiment",
        "window_status",
    ),
    "analyse.report": ("compare_requests",),
    "analyse.looks": ("looks_from_requests",),
    "analyse.timing": (
        "time_to_response",
        "time_to_response_from_durations",
    ),
    "stats": (
        "bayes_compare",
        "boschloo_test",
        "chi2_test",
        "compare_counts",
        "conditional_odds_ratio",
        "difference_interval",
        "fisher_test",
        "holm_adjust",
        "mantel_haenszel",
        "odds_ratio_interval",
        "omnibus_test",
        "rate_interval",
        "risk_ratio_interval",
        "sample_ratio_check",
        "wald_test",
    ),
    "sequential": (
        "alpha_spending",
        "anytime_design",
        "classical_boundaries",
        "compare_designs",
        "e_process",
        "design_spec",
        "monitor_look",
        "naive_peeking",
        "operating_characteristics",
        "replay_looks",
        "sequential_decision",
        "sequential_design",
        "sequential_power",
        "sequential_sample_size",
    ),
    "lessons.datasets": (
        "EXAMPLE_LOG_SETTINGS",
        "article_counts",
        "article_table",
        "example_log_as_of",
        "example_log_path",
        "published_experiment",
        "simulate_example_log",
        "simulate_log",
    ),
    "lessons.simulation": (
        "power_curves",
        "simulate_null_experiments",
        "simulate_null_experiments_like",
        "simulate_peeking",
        "simulate_winners_curse",
    ),
    "plots": (
        "plot_power_curve",
        "plot_response_rates",
        "plot_report",
        "plot_difference_distribution",
        "plot_exaggeration",
        "plot_null_experiments",
        "plot_peeking",
        "plot_power_curves",
        "plot_winners_curse",
        "plot_time_to_response",
        "plot_operating_characteristics",
        "plot_sequential_boundaries",
        "plot_request_timeline",
        "plot_personalisation_scores",
        "plot_design_power",
        "alt_text",
        "figure_with_alt",
    ),
}

__all__ = ["__version__", *(name for names in _EXPORTS.values() for name in names)]

if TYPE_CHECKING:
    # Generated from _EXPORTS (tests/test_api_surface.py writes it): the real types, for tools.
    # In the loop's order, not sorted: the order is the table's.
    from .errors import (  # noqa: I001
        EtiquetteLabError as EtiquetteLabError,
        InvalidInputError as InvalidInputError,
        LogError as LogError,
        TornLineError as TornLineError,
        UnfinishedWriteError as UnfinishedWriteError,
    )
    from .results import (
        Result as Result,
    )
    from .timestamps import (
        parse_as_of as parse_as_of,
        parse_time as parse_time,
    )
    from .planning.power import (
        bayes_assurance as bayes_assurance,
        exact_power as exact_power,
        minimum_detectable_effect as minimum_detectable_effect,
        power_curve as power_curve,
        sample_size as sample_size,
        sample_size_table as sample_size_table,
    )
    from .planning.bayes import (
        probability_new_better as probability_new_better,
    )
    from .design.messages import (
        Experiment as Experiment,
        Variant as Variant,
        assign_variants as assign_variants,
        assignment_balance as assignment_balance,
        builtin_template as builtin_template,
        builtin_template_names as builtin_template_names,
        load_experiment as load_experiment,
        log_messages as log_messages,
        personalisation_score as personalisation_score,
        plan_messages as plan_messages,
        read_contacts as read_contacts,
        read_plan as read_plan,
        render_messages as render_messages,
        render_template as render_template,
        save_experiment as save_experiment,
        validate_contacts as validate_contacts,
        wording_distance as wording_distance,
        write_plan as write_plan,
    )
    from .log.file import (
        LogFile as LogFile,
        create_log as create_log,
        is_observational as is_observational,
        open_log as open_log,
        read_events as read_events,
        read_requests as read_requests,
    )
    from .log.requests import (
        requests_from_events as requests_from_events,
    )
    from .log.repair import (
        repair_log as repair_log,
    )
    from .log.importing import (
        import_requests as import_requests,
    )
    from .log.privacy import (
        load_pseudonym_key as load_pseudonym_key,
        pseudonymise as pseudonymise,
    )
    from .sync import (
        import_history as import_history,
        match_outcomes as match_outcomes,
        read_linkedin_export as read_linkedin_export,
        read_mailbox as read_mailbox,
        sync_example_paths as sync_example_paths,
        sync_log as sync_log,
    )
    from .followup.etiquette import (
        EtiquetteSettings as EtiquetteSettings,
        check_etiquette as check_etiquette,
        todo_list as todo_list,
    )
    from .analyse.outcomes import (
        arm_overview as arm_overview,
        count_outcomes as count_outcomes,
        rows_of_experiment as rows_of_experiment,
        window_status as window_status,
    )
    from .analyse.report import (
        compare_requests as compare_requests,
    )
    from .analyse.looks import (
        looks_from_requests as looks_from_requests,
    )
    from .analyse.timing import (
        time_to_response as time_to_response,
        time_to_response_from_durations as time_to_response_from_durations,
    )
    from .stats import (
        bayes_compare as bayes_compare,
        boschloo_test as boschloo_test,
        chi2_test as chi2_test,
        compare_counts as compare_counts,
        conditional_odds_ratio as conditional_odds_ratio,
        difference_interval as difference_interval,
        fisher_test as fisher_test,
        holm_adjust as holm_adjust,
        mantel_haenszel as mantel_haenszel,
        odds_ratio_interval as odds_ratio_interval,
        omnibus_test as omnibus_test,
        rate_interval as rate_interval,
        risk_ratio_interval as risk_ratio_interval,
        sample_ratio_check as sample_ratio_check,
        wald_test as wald_test,
    )
    from .sequential import (
        alpha_spending as alpha_spending,
        anytime_design as anytime_design,
        classical_boundaries as classical_boundaries,
        compare_designs as compare_designs,
        e_process as e_process,
        design_spec as design_spec,
        monitor_look as monitor_look,
        naive_peeking as naive_peeking,
        operating_characteristics as operating_characteristics,
        replay_looks as replay_looks,
        sequential_decision as sequential_decision,
        sequential_design as sequential_design,
        sequential_power as sequential_power,
        sequential_sample_size as sequential_sample_size,
    )
    from .lessons.datasets import (
        EXAMPLE_LOG_SETTINGS as EXAMPLE_LOG_SETTINGS,
        article_counts as article_counts,
        article_table as article_table,
        example_log_as_of as example_log_as_of,
        example_log_path as example_log_path,
        published_experiment as published_experiment,
        simulate_example_log as simulate_example_log,
        simulate_log as simulate_log,
    )
    from .lessons.simulation import (
        power_curves as power_curves,
        simulate_null_experiments as simulate_null_experiments,
        simulate_null_experiments_like as simulate_null_experiments_like,
        simulate_peeking as simulate_peeking,
        simulate_winners_curse as simulate_winners_curse,
    )
    from .plots import (
        plot_power_curve as plot_power_curve,
        plot_response_rates as plot_response_rates,
        plot_report as plot_report,
        plot_difference_distribution as plot_difference_distribution,
        plot_exaggeration as plot_exaggeration,
        plot_null_experiments as plot_null_experiments,
        plot_peeking as plot_peeking,
        plot_power_curves as plot_power_curves,
        plot_winners_curse as plot_winners_curse,
        plot_time_to_response as plot_time_to_response,
        plot_operating_characteristics as plot_operating_characteristics,
        plot_sequential_boundaries as plot_sequential_boundaries,
        plot_request_timeline as plot_request_timeline,
        plot_personalisation_scores as plot_personalisation_scores,
        plot_design_power as plot_design_power,
        alt_text as alt_text,
        figure_with_alt as figure_with_alt,
    )
    # End of the generated imports.
else:
    # At run time each name is imported from its module on first use and then cached here.
    _OWNER = {name: module for module, names in _EXPORTS.items() for name in names}

    def __getattr__(name: str) -> object:
        # `from . import x` inside a submodule asks for x here first; answer with the submodule
        # itself, so that resolving it never imports every other module (and never cycles).
        module = _OWNER.get(name)
        if module is None:
            if _importlib_util.find_spec(f"{__name__}.{name}") is not None:
                return _importlib.import_module(f"{__name__}.{name}")
            raise AttributeError(f"module 'etiquette_lab' has no attribute {name!r}")
        value = getattr(_importlib.import_module(f"{__name__}.{module}"), name)
        globals()[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted({"__version__", *_OWNER})
