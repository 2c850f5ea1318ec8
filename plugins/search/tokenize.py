"""Turn text into index terms that FTS5 can match, for Chinese as well as spaced scripts.

SQLite's own tokenizers either treat a whole run of Chinese characters as one token
(`unicode61`: a query word matches only when the document's sentence is the same run) or cut
everything into trigrams (`trigram`: no ranking of two-character words, which are most Chinese
words). So terms are computed here, in Python, and stored space-separated in an FTS5 column
whose `unicode61` tokenizer only splits on the spaces and applies Porter stemming to Latin
words. The same function runs on documents and on queries, so both sides agree.

Terms for a run of Han characters: jieba's search-mode segmentation (words and the shorter
words inside them, so "人工智能" also yields "人工" and "智能") plus the run's character
bigrams, which catch names and words jieba's dictionary splits differently in the document
and in the query, plus every single Han character: many are words ("字", "年") that jieba
keeps apart in a question ("夏侯惇的字") and joins to a neighbour in a text ("，字元让，").
Measured on the recorded MOSS searches (`bench/search.py`): first hit 49.5% -> 51.9% (Chinese
48.9% -> 52.4%; English 52.3% -> 49.5%, as Chinese passages grew longer in BM25's length
normalization), at a third of the speed (about 1,500 queries/s on that index). A second FTS5
column for the characters did no better (50.2%): FTS5 normalizes by the length of the row. Kana, Hangul, Thai and other scripts without jieba get character bigrams.
Latin, Cyrillic, digits and the like are split on non-word characters and lowercased.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import Any

# Han (CJK unified ideographs, extension A, compatibility ideographs).
_HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# Scripts written without spaces that jieba does not know: kana, Thai, Lao, Khmer, Myanmar.
_UNSPACED = "\u3040-\u30ff\u31f0-\u31ff\u0e00-\u0eff\u1780-\u17ff\u1000-\u109f"
_HAN_RUNS = re.compile(rf"[{_HAN}]+")
_RUNS = re.compile(rf"([{_HAN}]+)|([{_UNSPACED}]+)|((?:(?![{_HAN}{_UNSPACED}])[^\W_])+)")

# Terms that carry no meaning in a query; dropping them keeps OR queries from matching
# every passage. Kept short on purpose: BM25's IDF already discounts common terms.
STOPWORDS: frozenset[str] = frozenset(
    """a an and are as at be by can do does for from how i in is it its of on or that the
    their there these this to was were what when where which who why will with you your
    的 了 是 在 和 与 及 吗 呢 吧 啊 有 什么 怎么 怎样 如何 哪些 哪个 为什么 一个 这个 那个 我 你 他
    """.split()
)


@lru_cache(maxsize=1)
def _jieba() -> Any:  # the jieba module has no types
    """Import jieba once, quietly: it logs its dictionary loading to stderr by default."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def load() -> None:
    """Load jieba's dictionary now (about a second), so the first query does not pay for it."""
    _jieba()


def _bigrams(run: str) -> list[str]:
    if len(run) == 1:
        return [run]
    return [run[i : i + 2] for i in range(len(run) - 1)]


def terms(text: str, *, bigrams: bool = True) -> list[str]:
    """The index terms of `text`, in order, lowercased; stopwords are kept (see `query_terms`)."""
    out: list[str] = []
    for match in _RUNS.finditer(text):
        han, unspaced, word = match.groups()
        if han:
            out.extend(w for w in _jieba().cut_for_search(han) if w.strip())
            if bigrams and len(han) > 2:
                out.extend(_bigrams(han))
        elif unspaced:
            out.extend(_bigrams(unspaced))
        else:
            out.append(word.lower())
    return out


def han_characters(text: str) -> list[str]:
    """Every Han character of `text`, in order."""
    return [c for run in _HAN_RUNS.findall(text) for c in run]


def index_text(text: str) -> str:
    """The space-separated term string stored in the FTS5 column for `text`."""
    return " ".join(terms(text) + han_characters(text))


def query_terms(query: str) -> list[str]:
    """Distinct meaningful terms of a query, its Han characters last; stopwords only when
    nothing else is left."""
    seen: dict[str, None] = {}
    for term in terms(query) + han_characters(query):
        seen.setdefault(term, None)
    meaningful = [t for t in seen if t not in STOPWORDS]
    return meaningful or list(seen)
