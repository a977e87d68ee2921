"""Edges of the registry's rules and names that the mutation run (docs/benchmarks.md) found untested:
length limits on both sides, every refusal's sentence, operator synonyms, the figures in a gate failure."""

from __future__ import annotations

import math

import pytest

from desktop_app.core.registry.entities import KpiRule
from desktop_app.core.registry.errors import GateFailedError, InvalidNameError, KpiRuleError
from desktop_app.core.registry.gate import (
    as_rule,
    check_gate,
    gate_error,
    known_metric_names,
    parse_rule,
    validate_rules,
)
from desktop_app.core.registry.names import MAX_ALIAS, MAX_MODEL_NAME, clean_alias, clean_model_name, clean_tags
from desktop_app.core.training.metrics import BINARY_METRICS, MULTICLASS_METRICS, REGRESSION_METRICS

# -- names ---------------------------------------------------------------------------------------------

def test_model_names_up_to_the_limit():
    longest = "m" * MAX_MODEL_NAME
    assert clean_model_name(f"  {longest} ") == longest
    with pytest.raises(InvalidNameError) as caught:
        clean_model_name(longest + "m")
    assert str(caught.value) == f"The model name is longer than {MAX_MODEL_NAME} characters; choose a shorter name."


def test_alias_up_to_the_limit():
    longest = "a" * MAX_ALIAS
    assert clean_alias(longest) == longest
    with pytest.raises(InvalidNameError, match=f"longer than {MAX_ALIAS} characters"):
        clean_alias(longest + "a")


@pytest.mark.parametrize("call, message", [
    (lambda: clean_model_name("  "), "The model name is empty; give the model a name, e.g. heart-risk."),
    (lambda: clean_model_name("_x"), "The model name '_x' holds characters MLDesk does not allow; use letters, "
                                     "digits, spaces, '.', '-' and '_', starting with a letter or digit."),
    (lambda: clean_alias(None), "The alias is empty; give one such as production or staging."),
    (lambda: clean_alias("Prod"), "The alias 'Prod' is not allowed; use lowercase letters, digits, '-' and '_' "
                                  "(e.g. production)."),
    (lambda: clean_alias("123"), "The alias '123' is all digits, which reads as a version number; choose a name "
                                 "such as production."),
    (lambda: clean_tags({" ": "x"}), "A tag has an empty name; give every tag a name."),
])
def test_each_refused_name_says_why_in_one_sentence(call, message):
    with pytest.raises(InvalidNameError) as caught:
        call()
    assert str(caught.value) == message


def test_tags_are_trimmed_text_and_none_is_empty():
    assert clean_tags({" team ": "cardio", "n": 3, "empty": None}) == {"team": "cardio", "n": "3", "empty": ""}
    assert clean_tags(None) == {}


# -- rules ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, op", [("recall ≥ 0.7", ">="), ("recall=>0.7", ">="), ("log_loss ≤ 0.5", "<="),
                                      ("log_loss =< 0.5", "<=")])
def test_operator_synonyms(text, op):
    assert parse_rule(text).op == op


def test_refused_rules_name_what_was_given():
    with pytest.raises(KpiRuleError) as caught:
        parse_rule("  recall = 0.7 ")
    assert str(caught.value) == ("'recall = 0.7' is not a KPI rule; write it as METRIC>=VALUE, e.g. recall>=0.7 "
                                 "(operators: >=, >, <=, <).")
    with pytest.raises(KpiRuleError) as caught:
        as_rule({"metric": "recall", "op": "=="})
    assert str(caught.value).startswith("{'metric': 'recall', 'op': '=='} is not a KPI rule; write it as")
    with pytest.raises(KpiRuleError) as caught:
        as_rule({"metric": "recall", "op": "==", "value": 0.7})
    assert str(caught.value) == "'==' is not an operator of a KPI rule; use >=, >, <= or <."
    with pytest.raises(KpiRuleError) as caught:
        as_rule(KpiRule("Recall", ">=", math.inf))
    assert str(caught.value) == "The KPI rule on recall needs a finite number, not inf."


def test_rules_name_a_metric_runs_record():
    names = known_metric_names()
    assert set(names) == set(BINARY_METRICS) | set(MULTICLASS_METRICS) | set(REGRESSION_METRICS)
    assert len(names) == len(set(names))
    assert validate_rules(["r2>=0.5", "recall>=0.7", "recall >= 0.7"]) == (KpiRule("r2", ">=", 0.5),
                                                                         KpiRule("recall", ">=", 0.7))
    with pytest.raises(KpiRuleError) as caught:
        validate_rules(["speed>=1"])
    assert str(caught.value) == f"'speed' is not a metric; use one of: {', '.join(names)}."
    with pytest.raises(KpiRuleError) as caught:
        validate_rules(["r2>=0.5"], ["recall", "roc_auc"], "risk's versions")
    assert str(caught.value) == "'r2' is not a metric of risk's versions; use one of: recall, roc_auc."


# -- failures --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value, shown", [
    (0.6999988, "0.699999"),               # 4 digits would read 0.7: 6 are enough (not 7: 0.6999988)
    (0.6999999877, "0.699999988"),         # 6 would read 0.7: 9 (not 10)
    (0.6999999999877, "0.699999999988"),   # 9 would read 0.7: 12 (not 13)
    (math.nextafter(0.7, 0), "0.69999999999999984"),   # only 17 digits tell it from 0.7 (not 18)
])
def test_a_failing_metric_is_shown_with_just_enough_digits(value, shown):
    assert check_gate([KpiRule("recall", ">", 0.7)], {"recall": value}) == [
        f"recall {shown} <= 0.7 (rule recall>0.7)"]


def test_a_metric_that_is_not_a_number_fails_its_rule():
    rule = KpiRule("recall", ">=", 0.7)
    expected = ["recall is not among the run's test metrics (rule recall>=0.7)"]
    assert check_gate([rule], {"recall": "n/a"}) == expected
    assert check_gate([rule], {"recall": math.nan}) == expected
    assert check_gate([rule], {}) == expected


def test_gate_error_lists_every_failure():
    error = gate_error("risk v2", ["recall 0.5 < 0.7 (rule recall>=0.7)", "f1 0.1 < 0.2 (rule f1>=0.2)"])
    assert isinstance(error, GateFailedError) and len(error.failures) == 2
    assert str(error) == ("risk v2 does not pass the KPI gate: recall 0.5 < 0.7 (rule recall>=0.7); f1 0.1 < 0.2 "
                          "(rule f1>=0.2); train a better model or change the gate.")
