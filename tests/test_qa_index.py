"""The sentence index: BM25 for stories added after the last full index matches a full re-index."""

from __future__ import annotations

from types import SimpleNamespace

import bm25s
import numpy as np

from bot import qa_index


def _row(i: int, text: str) -> SimpleNamespace:
    return SimpleNamespace(
        id=i,
        url=f"s{i}",
        title=f"Story {i}",
        published=None,
        text=text,
        relevant=True,
        analysis={"published": f"2030-01-0{i}"},
    )


def test_delta_scores_equal_bm25s_scores():
    docs = [
        ["tariff", "japan", "cars"],
        ["japan", "invest", "billion"],
        ["vietnam", "tariff", "tariff"],
        ["rice"],
    ]
    full = bm25s.BM25()
    full.index(docs, show_progress=False)
    delta = qa_index._Delta()
    for doc in docs:
        delta.add(doc)
    query = ["tariff", "japan", "rice"]
    assert np.allclose(full.get_scores(query), delta.scores(docs, query))


def test_stories_added_later_are_found_without_a_full_reindex():
    index = qa_index.Index()
    qa_index.add_stories(index, [_row(1, "Japan agreed a 15% tariff on cars."), _row(2, "Vietnam pays 20%.")])
    covered = index.indexed
    qa_index.add_stories(index, [_row(3, "Korea will invest $300 billion in shipyards.")])
    assert index.indexed == covered < len(index.sentences)  # the new sentence is scored outside bm25s
    scores = qa_index.bm25_scores(index, qa_index.tokens("korea invest shipyards"))
    assert scores.shape == (len(index.sentences),) and int(np.argmax(scores)) == len(index.sentences) - 1
    rebuilt = qa_index.Index()
    qa_index.add_stories(
        rebuilt,
        [
            _row(1, "Japan agreed a 15% tariff on cars."),
            _row(2, "Vietnam pays 20%."),
            _row(3, "Korea will invest $300 billion in shipyards."),
        ],
    )
    # the new sentences score as a full re-index would score them (the same corpus statistics)
    query = qa_index.tokens("japan tariff korea")
    new = slice(covered, len(index.sentences))
    assert np.allclose(qa_index.bm25_scores(index, query)[new], qa_index.bm25_scores(rebuilt, query)[new])
