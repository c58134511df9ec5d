"""Reading figures, dates and names out of sentences."""

from __future__ import annotations

from datetime import date

import pytest

from bot import qa_text


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("cut to 15 percent from 27.5", [15.0]),
        ("a 15% levy, down from 25%", [15.0, 25.0]),
        ("tariffs of 19pc", [19.0]),
        ("eighteen per cent and twenty-five percent", [18.0, 25.0]),
        ("engines enter tariff-free", [0.0]),
        ("up 3 percentage points", []),
    ],
)
def test_percents(text, values):
    assert [m.value for m in qa_text.percents(text)] == values


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("$600bn", [6e11]),
        ("600 billion U.S. dollars", [6e11]),
        ("US$0.55 trillion", [5.5e11]),
        ("$17 billion, from about $14 billion", [1.7e10, 1.4e10]),
        ("a flat fee of $100 per parcel", []),
    ],
)
def test_money(text, values):
    assert [m.value for m in qa_text.money(text)] == values


def test_counts_skip_years_days_and_money():
    found = [
        m.text for m in qa_text.counts("buy 50 Boeing jets and 100,000 cars in 2024 within 90 days, $5 bn")
    ]
    assert found == ["50 Boeing jets", "100,000 cars in"]


def test_dates_explicit_and_relative():
    ref = date(2030, 5, 2)  # a Thursday
    found = qa_text.all_dates(
        "It took effect on Friday, May 1, and a review will start on Monday.", ref, 2030
    )
    assert [(d.day, d.year_known) for d in found] == [(date(2030, 5, 1), False), (date(2030, 5, 6), False)]
    past = qa_text.all_dates("Officials signed it late on Monday.", ref, 2030)
    assert [d.day for d in past] == [date(2030, 4, 29)]
    assert [d.day for d in qa_text.all_dates("From 30 June 2030, and today", ref, 2030)] == [
        date(2030, 6, 30),
        ref,
    ]


def test_story_date_from_its_own_words():
    assert qa_text.story_date("SEOUL, March 2 (wire) — talks went on.", "", 2030) == date(2030, 3, 2)
    text = "The deal was reached on Thursday, March 19, and could take effect from April 1."
    assert qa_text.story_date(text, "", 2030) == date(2030, 3, 19)
    assert qa_text.story_date("Goods could face 40% from June 1.", "", 2030) is None


def test_people_with_titles_and_appositives():
    s = (
        "Minister of Industry and Trade Nguyen Van Binh, who heads the team, met Commerce Secretary Alan Reyes "
        "and Jo Park, the chief negotiator."
    )
    assert [p.name for p in qa_text.people(s)] == ["Nguyen Van Binh", "Alan Reyes", "Jo Park"]


def test_split_sentences_keeps_abbreviations():
    parts = qa_text.split_sentences(
        "It starts at 12:01 a.m. Eastern time on November 10. The U.S. agreed.\n• Cars pay 10% now"
    )
    assert parts == [
        "It starts at 12:01 a.m. Eastern time on November 10.",
        "The U.S. agreed.",
        "Cars pay 10% now",
    ]


def test_corpus_year_from_the_calendar_when_nothing_is_dated():
    texts = [
        "Officials met on Tuesday, July 22, and again on Thursday, July 24.",
        "Talks began Monday 12 May.",
    ]
    assert qa_text.corpus_year(texts, []) == 2025  # the year in which those weekdays fall on those dates
    assert qa_text.corpus_year(texts, [2031, 2031]) == 2031  # dated stories decide when there are some
