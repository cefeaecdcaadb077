"""Body by agreement: the project's blocks, trafilatura's and Resiliparse's text, one vote.

Well-kept extractors make different mistakes: ours picks one container and judges its
blocks; trafilatura cleans the whole tree with its own rules and a fallback; Resiliparse
scores DOM nodes for main content. Where two of them keep a line, it is usually article
text; where one keeps it alone, usually not. So every candidate line gets a vote from
each extractor, and a weighted majority decides.

An extractor that failed on a page (returned nothing, or another part of the page) would
spoil the vote, so its weight counts only where its text agrees with another's
(``min_agreement``); where no two agree, our blocks stand. The weights, the threshold and
that agreement floor are the only parameters; they are fitted under k-fold cross-validation
by ``tools/fit_vote.py`` (see the README's Quality section) and stored in ``FITTED``.

The vote only decides which blocks are text. The project's own finishing (credit,
source and dateline lines into their fields, related-articles and comments cuts, bios,
trailing lines) then runs on the elected blocks, as on ours alone.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from etl.extract.clean import Block

log = logging.getLogger(__name__)

VOTERS = ("own", "trafilatura", "resiliparse")
_WORD = re.compile(r"\w+")
GRAM = 3  # a line is covered by a text when most of its word trigrams occur in it
AGREEMENT_GRAM = 4  # page-level agreement: shared 4-word windows (the eval's overlap unit)
MIN_COVERAGE = 0.5


@dataclass(frozen=True, slots=True)
class VoteParams:
    """Weights of the voters (``VOTERS`` order), the share of the active weight a line
    needs, and the agreement a voter's text needs with the others to have its weight."""

    weights: tuple[float, float, float]
    threshold: float
    min_agreement: float
    bridge: bool = False  # keep a list of ours the vote dropped between two elected lines
    lead: bool = False  # keep our opening lines the vote dropped before its first elected one


# Fitted by tools/fit_vote.py on the devset's htmldate body labels (pages no rule was written
# for); the fold figures are in the README's Quality section.
FITTED = VoteParams(weights=(1.5, 1.5, 0.5), threshold=0.6, min_agreement=0.2, bridge=True, lead=True)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A line that may be article text, with each voter's decision on it."""

    block: Block
    votes: tuple[bool, bool, bool]


@dataclass(frozen=True, slots=True)
class Ballot:
    """Everything the vote needs for one page. Parameter-free, so a fit can reuse it."""

    candidates: tuple[Candidate, ...]
    agreement: tuple[float, float, float]  # each voter's best agreement with another


def _words(text: str) -> list[str]:
    return _WORD.findall(text.casefold())


def _grams(words: Sequence[str], n: int) -> set[tuple[str, ...]]:
    return {tuple(words[i : i + n]) for i in range(max(1, len(words) - n + 1))} if words else set()


class _Text:
    """One voter's text, indexed for coverage lookups."""

    def __init__(self, text: str) -> None:
        words = _words(text)
        self.squeezed = " ".join(words)
        self.grams = _grams(words, GRAM)
        self.windows = _grams(words, AGREEMENT_GRAM)

    def covers(self, line: str) -> bool:
        """Most of the line's trigrams occur in this text (short lines: all of it)."""
        words = _words(line)
        if not words:
            return False
        if len(words) < GRAM:
            return f" {' '.join(words)} " in f" {self.squeezed} "
        grams = _grams(words, GRAM)
        return len(grams & self.grams) >= MIN_COVERAGE * len(grams)


def _agreement(a: _Text, b: _Text) -> float:
    """Dice overlap of two texts' 4-word windows (0 when either is empty)."""
    total = len(a.windows) + len(b.windows)
    return 2 * len(a.windows & b.windows) / total if total else 0.0


def ballot(own: Sequence[Block], others: Sequence[str]) -> Ballot:
    """Candidates in document order: our blocks (kept or judged boilerplate), then each line
    that trafilatura keeps and our blocks do not hold, after the block of ours it follows.
    A line only Resiliparse keeps never reaches the weight to be elected, so it is a vote,
    not a candidate."""
    traf_text, resili_text = others
    texts = (_Text("\n".join(b.text for b in own if not b.boilerplate)), _Text(traf_text), _Text(resili_text))
    pair = {(i, j): _agreement(texts[i], texts[j]) for i in range(3) for j in range(i + 1, 3)}
    agreement = tuple(max(v for k, v in pair.items() if i in k) for i in range(3))
    slots: list[list[Candidate]] = [[] for _ in range(len(own) + 1)]  # slot 0: before our first block
    where: dict[tuple[str, ...], int] = {}  # trigram -> first block of ours holding it
    for i, block in enumerate(own):
        votes = (not block.boilerplate, texts[1].covers(block.text), texts[2].covers(block.text))
        slots[i + 1].append(Candidate(block, votes))
        for gram in _grams(_words(block.text), GRAM):
            where.setdefault(gram, i + 1)
    all_own = _Text("\n".join(b.text for b in own))
    anchor = 0
    for line in (ln.strip() for ln in traf_text.split("\n")):
        if not line:
            continue
        if all_own.covers(line):  # a block of ours holds it: it votes through that block
            hits = Counter(where[g] for g in _grams(_words(line), GRAM) if g in where)
            anchor = max(hits, key=lambda slot: (hits[slot], slot >= anchor), default=anchor)
            continue
        votes = (False, True, texts[2].covers(line))
        slots[anchor].append(Candidate(Block("p", line, boilerplate=True), votes))
    return Ballot(tuple(c for slot in slots for c in slot), agreement)  # type: ignore[arg-type]


def elect(
    ballot: Ballot, params: VoteParams = FITTED, marker: Callable[[str], bool] | None = None
) -> list[Block]:
    """The blocks the weighted vote keeps, in order; the rest marked boilerplate (our
    finishing still reads credit lines from them). A block of ours that is a ``marker`` (a
    heading our finishing cuts the text at: related articles, comments, an author box) stays
    where we kept it, so the cut still happens when the others kept what follows it."""
    weights = [
        w if a >= params.min_agreement else 0.0 for w, a in zip(params.weights, ballot.agreement, strict=True)
    ]
    if not any(weights):  # no two texts agree: nothing to vote on, our blocks stand
        return [c.block for c in ballot.candidates]
    need = params.threshold * sum(weights)
    keep = [
        sum(w for w, v in zip(weights, c.votes, strict=True) if v) >= need - 1e-9 for c in ballot.candidates
    ]
    if marker is not None:
        keep = [
            k or (c.votes[0] and marker(c.block.text)) for k, c in zip(keep, ballot.candidates, strict=True)
        ]
    ours_active = weights[0] > 0  # smoothing trusts our structure only where our text agreed
    if params.bridge and ours_active:
        keep = _bridged(keep, [c.votes[0] and c.block.kind == "li" for c in ballot.candidates])
    if params.lead and ours_active and True in keep:
        keep = _led(keep, [c.votes[0] for c in ballot.candidates])
    return [
        c.block if k != c.block.boilerplate else replace(c.block, boilerplate=not k)
        for c, k in zip(ballot.candidates, keep, strict=True)
    ]


def _led(keep: list[bool], ours: list[bool]) -> list[bool]:
    """The run of lines our extractor kept right before the first elected line is kept: a
    standfirst or first paragraph in the article's header, which the others often skip."""
    out = list(keep)
    i = keep.index(True) - 1
    while i >= 0 and ours[i]:
        out[i] = True
        i -= 1
    return out


def _bridged(keep: list[bool], ours: list[bool]) -> list[bool]:
    """Context smoothing (as jusText's): a run of lines the vote dropped but our extractor
    kept (``ours``: here, our list items), with elected lines on both sides, is kept: a list
    inside the article that one extractor skips (trafilatura's fallback on table layouts)."""
    out = list(keep)
    run: list[int] = []
    seen_kept = False
    for i, (k, own) in enumerate(zip(keep, ours, strict=True)):
        if k:
            if seen_kept:
                for j in run:
                    out[j] = True
            seen_kept, run = True, []
        elif own:
            run.append(i)
        else:
            seen_kept, run = False, []
    return out


def other_texts(html: str, url: str | None) -> tuple[str, str]:
    """trafilatura's and Resiliparse's main text of the page ('' where one fails: its
    weight then drops out, see ``elect``)."""
    return _trafilatura(html, url), _resiliparse(html)


def preload() -> None:
    """Import the other extractors and build trafilatura's all-language justext stoplist now (it
    is built on the first page that falls back to justext: ~30 MB and ~0.2 CPU s): a
    process that forks workers afterwards shares it, where each worker would build its own."""
    import trafilatura.external
    from justext.core import define_stoplist
    from resiliparse.parse.html import HTMLTree  # noqa: F401

    build = getattr(trafilatura.external, "jt_stoplist_init", None)  # not a public API
    if build is not None:
        define_stoplist(trafilatura.external.JT_STOPLIST or build())  # justext's cached frozenset


def _trafilatura(html: str, url: str | None) -> str:
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=False, include_comments=False)
    except Exception as exc:  # a voter's failure must not cost the article
        log.debug("trafilatura failed on %s: %s", url or "document", exc)
        return ""
    return (doc.text if doc is not None else "") or ""


def _resiliparse(html: str) -> str:
    from resiliparse.extract.html2text import extract_plain_text
    from resiliparse.parse.html import HTMLTree

    try:
        return extract_plain_text(HTMLTree.parse(html), main_content=True, alt_texts=False, links=False)
    except Exception as exc:
        log.debug("resiliparse failed: %s", exc)
        return ""
