"""Index terms: Chinese words and bigrams, Latin words, and the seams where scripts meet."""

from __future__ import annotations

from plugins.search.tokenize import index_text, query_terms, terms


def test_latin_glued_to_han_is_split_at_script_boundaries() -> None:
    # Chinese writers glue product names to words ("Python编程语言", "5G网络"); before this was
    # split, the whole run became one term that no document shared.
    found = terms("Python编程语言的历史 5G网络 G20峰会")
    assert {"python", "编程语言", "历史", "5g", "网络", "g20", "峰会"} <= set(found)
    assert not any("python编" in t or "5g网" in t for t in found)


def test_han_runs_give_words_subwords_and_bigrams() -> None:
    found = terms("人工智能芯片")
    assert {"人工", "智能", "人工智能", "芯片"} <= set(found)
    assert "能芯" in found  # a bigram across jieba's word boundary catches odd segmentations


def test_single_characters_are_terms_so_one_character_words_match() -> None:
    # jieba reads "，字元让，" as the word "字元"; the question says "的字"
    assert "字" in query_terms("夏侯惇的字是什么")
    assert "字" in index_text("夏侯惇，字元让，沛国谯县人").split()


def test_kana_gets_bigrams_and_latin_is_lowercased() -> None:
    assert terms("ひらがな") == ["ひら", "らが", "がな"]
    assert terms("Hello, WORLD_wide") == ["hello", "world", "wide"]


def test_query_terms_drop_stopwords_unless_nothing_else_is_left() -> None:
    assert "的" not in query_terms("中国的首都")
    assert query_terms("what is it") == ["what", "is", "it"]
    assert query_terms("python python 编程") == ["python", "编程", "编", "程"]
