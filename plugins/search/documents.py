"""Reading the user's files into passages: plain text, Markdown and HTML.

A passage is what Search returns as one snippet, so passages are cut near the width MOSS saw
snippets at (a few hundred characters), on paragraph and then sentence boundaries, so that a
hit reads as a whole thought rather than half a sentence.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from plugins.search.errors import DocumentError
from plugins.search.render import clean

DEFAULT_MAX_BYTES = 20 * 1024 * 1024
PASSAGE_CHARS = 280  # target width; the quoted snippet is cut at 300 characters
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".rst", ".html", ".htm", ""}
_HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
_MARKDOWN_SUFFIXES = {".md", ".markdown"}
_SENTENCE_END = re.compile(r"(?<=[。！？!?；;])|(?<=[.!?])\s+")


@dataclass(frozen=True)
class Document:
    """A file read and split, ready for `SearchIndex.add`."""

    source: str
    sha256: str
    size: int
    passages: list[str]


def format_size(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB" if size >= 1024 * 1024 else f"{size} bytes"


def read_document(path: Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    """Read `path` and split it into passages; DocumentError says why a file cannot be used."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise DocumentError(f"{path}: no such file (was it moved or deleted?)") from None
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read it ({exc.strerror})") from None
    if not path.is_file():
        raise DocumentError(f"{path}: not a regular file")
    if size > max_bytes:
        raise DocumentError(
            f"{path}: {format_size(size)} is over the {format_size(max_bytes)} limit; split it "
            "into smaller files or raise the limit with --max-size"
        )
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path}: cannot read it ({exc.strerror})") from None
    text = decode(data, path)
    suffix = path.suffix.lower()
    if suffix in _HTML_SUFFIXES or (suffix == "" and re.match(r"\s*<(!doctype|html)", text, re.I)):
        text = html_to_text(text)
    elif suffix in _MARKDOWN_SUFFIXES:
        text = markdown_to_text(text)
    passages = list(split_passages(text))
    if not passages:
        raise DocumentError(f"{path}: no text in it")
    return Document(str(path.resolve()), hashlib.sha256(data).hexdigest(), size, passages)


def decode(data: bytes, path: Path) -> str:
    """Text from bytes: UTF-8 (with or without BOM), UTF-16 with BOM, or GB18030."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:8192]:
        raise DocumentError(
            f"{path}: looks like a binary file; add plain text, Markdown or HTML "
            "(convert PDFs and office files to text first)"
        )
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DocumentError(f"{path}: not UTF-8 or GB18030 text; convert it to UTF-8 first")


class _TextExtractor(HTMLParser):
    _SKIP = {"script", "style", "noscript", "template", "head", "svg"}
    _BLOCK = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section",
              "article", "blockquote", "pre", "table", "ul", "ol", "dd", "dt", "hr", "title"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self._skipping = max(0, self._skipping - 1)
        elif tag in self._BLOCK:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The visible text of an HTML page, with block elements as paragraph breaks."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = "".join(extractor.parts)
    return "\n\n".join(" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip())


def markdown_to_text(markdown: str) -> str:
    """Markdown without its markup: links keep their text, images their alt text."""
    text = re.sub(r"^```.*$", "", markdown, flags=re.M)
    text = re.sub(r"!?\[([^\]]*)\]\([^)]*\)", r"\1", text)
    text = re.sub(r"^\s{0,3}(#{1,6}|>|[-*+]|\d+[.)])\s+", "", text, flags=re.M)
    text = re.sub(r"(\*\*|__|`)", "", text)
    return text


def split_passages(text: str, width: int = PASSAGE_CHARS) -> Iterator[str]:
    """Passages of about `width` characters: whole paragraphs, joined while they are short,
    long ones cut between sentences (or, for a run-on sentence, at `width`)."""
    pending = ""
    for paragraph in re.split(r"\n\s*\n", text):
        paragraph = clean(paragraph)
        if not paragraph:
            continue
        for piece in _pieces(paragraph, width):
            if pending and len(pending) + 1 + len(piece) > width:
                yield pending
                pending = ""
            pending = f"{pending}\n{piece}" if pending else piece
    if pending:
        yield pending


def _pieces(paragraph: str, width: int) -> Iterator[str]:
    if len(paragraph) <= width:
        yield paragraph
        return
    current = ""
    for sentence in (s.strip() for s in _SENTENCE_END.split(paragraph)):
        if not sentence:
            continue
        while len(sentence) > width:
            if current:
                yield current
                current = ""
            yield sentence[:width]
            sentence = sentence[width:]
        if current and len(current) + 1 + len(sentence) > width:
            yield current
            current = ""
        joiner = "" if not current or re.match(r"[\u3000-\u9fff]", sentence) else " "
        current = f"{current}{joiner}{sentence}" if current else sentence
    if current:
        yield current
