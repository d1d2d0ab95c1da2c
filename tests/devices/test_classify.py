"""Scan classification: published library barcodes, near misses, configured rules."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.config import classifier_from_tables
from kiosk.config.table import ConfigError
from kiosk.devices.classify import Classified, Classifier, ClassifyError, KindRule, ScanKind, check_digit_problem

LUHN_VALID = ["30234000517861", "33191000105864"]
WEIGHTED31_VALID = ["35555000012349"]


@pytest.mark.parametrize("number", LUHN_VALID)
def test_luhn_numbers_in_use_validate(number):
    assert check_digit_problem(number, "luhn") == ""


@pytest.mark.parametrize("number", WEIGHTED31_VALID)
def test_weighted31_number_in_use_validates(number):
    assert check_digit_problem(number, "weighted31") == ""


@pytest.mark.parametrize("number, scheme", [(n, "luhn") for n in LUHN_VALID]
                         + [(n, "weighted31") for n in WEIGHTED31_VALID])
def test_every_other_check_digit_is_a_near_miss(number, scheme):
    for digit in "0123456789":
        if digit != number[-1]:
            problem = check_digit_problem(number[:-1] + digit, scheme)
            assert problem == f"check digit should be {number[-1]}, got {digit}"


@pytest.mark.parametrize("number, scheme", [(n, "luhn") for n in LUHN_VALID]
                         + [(n, "weighted31") for n in WEIGHTED31_VALID])
def test_single_digit_errors_in_the_body_are_caught(number, scheme):
    for position in range(13):
        for digit in "0123456789":
            if digit != number[position]:
                changed = number[:position] + digit + number[position + 1:]
                assert check_digit_problem(changed, scheme).startswith("check digit should be")


def test_the_schemes_are_not_interchangeable():
    assert check_digit_problem("35555000012349", "luhn") != ""
    assert check_digit_problem("30234000517861", "weighted31") != ""


def test_length_and_character_problems_are_explained():
    assert check_digit_problem("301900051", "luhn") == "14 digits expected, got 9"
    assert check_digit_problem("3023400051786A", "luhn") == "14 digits expected, got other characters"
    assert check_digit_problem("anything", "none") == ""


def test_default_rules_classify_patron_and_item():
    classifier = Classifier()
    assert classifier.classify("30234000517861") == Classified(ScanKind.ITEM, "30234000517861")
    # Worked by hand: doubled 2,1,1,0,1,5,6 -> 4+2+2+0+2+1+3 = 14; others 3+9+0+0+0+8 = 20;
    # 34 -> check digit 6.
    assert classifier.classify("23191000105866") == Classified(ScanKind.PATRON, "23191000105866")


def test_whitespace_is_trimmed():
    assert Classifier().classify("  30234000517861\t\n") == Classified(ScanKind.ITEM, "30234000517861")


def test_unknown_scans_carry_a_human_reason():
    classifier = Classifier()
    short = classifier.classify("301900051")
    assert short == Classified(ScanKind.UNKNOWN, "301900051", "14 digits expected, got 9", ScanKind.ITEM)
    wrong = classifier.classify("30234000517869")
    assert wrong.kind is ScanKind.UNKNOWN and wrong.reason == "check digit should be 1, got 9"
    assert wrong.candidate is ScanKind.ITEM
    other = classifier.classify("HELLO")
    assert other == Classified(ScanKind.UNKNOWN, "HELLO", "matches no pattern")
    assert classifier.classify("   ").reason == "empty scan"


def test_configured_rules_with_technician_card_and_weighted_items():
    classifier = classifier_from_tables({
        "patron": {"pattern": r"2\d{13}", "check_digit": "luhn"},
        "item": {"pattern": r"3\d{13}", "check_digit": "weighted31"},
        "technician": {"pattern": r"TECH-[0-9]{4}"},
    })
    assert classifier.classify("35555000012349").kind is ScanKind.ITEM
    assert classifier.classify("TECH-0042").kind is ScanKind.TECHNICIAN
    assert classifier.classify("30234000517861").reason == "check digit should be 7, got 1"
    # The strict 14-digit pattern does not match 9 digits at all.
    assert classifier.classify("301900051").reason == "matches no pattern"


def test_first_passing_rule_wins_and_later_rules_are_tried_after_a_failed_check():
    classifier = Classifier([KindRule.build(ScanKind.PATRON, r"\d{14}", "weighted31"),
                             KindRule.build(ScanKind.ITEM, r"\d{14}", "luhn")])
    assert classifier.classify("30234000517861").kind is ScanKind.ITEM
    assert classifier.classify("35555000012349").kind is ScanKind.PATRON


@pytest.mark.parametrize("table, message", [
    ({"patron": {"pattern": "(unclosed"}}, "patron.pattern: not a valid regular expression"),
    ({"item": {"pattern": r"\d+", "check_digit": "mod11"}}, "item.check_digit: expected one of none, luhn, weighted31"),
    ({"item": "3*"}, "item: expected a table"),
    ({"item": {"pattern": r"\d+", "chek_digit": "luhn"}}, "item.chek_digit: unknown key (did you mean 'check_digit'?)"),
    ({"technician": {"check_digit": "none"}}, "technician: missing key 'pattern'"),
])
def test_bad_rule_configuration_names_the_table_and_key(table, message):
    with pytest.raises(ConfigError) as caught:
        classifier_from_tables(table)
    assert message in str(caught.value)


def test_unknown_is_not_a_rule_kind():
    with pytest.raises(ClassifyError):
        KindRule.build(ScanKind.UNKNOWN, "x")


@settings(max_examples=500, deadline=None)
@given(st.one_of(st.text(max_size=40), st.from_regex(r"[23]\d{12,14}", fullmatch=True)))
def test_random_text_always_classifies(text):
    result = Classifier().classify(text)
    assert isinstance(result, Classified)
    assert result.text == text.strip()
    assert (result.kind is ScanKind.UNKNOWN) == bool(result.reason)


@given(st.from_regex(r"3[0-9]{12}", fullmatch=True))
def test_exactly_one_check_digit_completes_any_item_body(body):
    passing = [d for d in "0123456789" if check_digit_problem(body + d, "luhn") == ""]
    assert len(passing) == 1
