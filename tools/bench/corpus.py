"""The pages the benchmarks read (the devset, else the repository's own HTML) and the corpus of
inputs built from them: every page, then exact copies, edited copies and revisions of it."""

from __future__ import annotations

import gzip
import json
import random
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from etl.read import sidecar_url

from .common import REPO_ROOT

DEFAULT_DEVSET = REPO_ROOT.parent / "shared" / "devset"


@dataclass(slots=True)
class Page:
    id: str
    data: bytes  # the page as stored: bytes in whatever charset it declares
    url: str | None


def load_pages(devset: Path) -> tuple[list[Page], str]:
    """Devset pages (traf + np4k, sorted by id), else the project's own HTML fixtures."""
    pages: list[Page] = []
    for name in ("traf", "np4k"):
        labels_path = devset / name / "labels.json"
        if not labels_path.is_file():
            continue
        items = json.loads(labels_path.read_text(encoding="utf-8"))["items"]
        for pid in sorted(items):
            with gzip.open(devset / name / "html" / items[pid]["file"], "rb") as fh:
                pages.append(Page(f"{name}:{pid}", fh.read(), items[pid].get("url")))
    if pages:
        return pages, f"devset {devset} ({len(pages)} pages)"

    for root in (REPO_ROOT / "seeds", REPO_ROOT / "tests" / "fixtures"):
        for path in sorted(root.rglob("*.htm*")) if root.is_dir() else ():
            rel = path.relative_to(REPO_ROOT).as_posix()
            url = sidecar_url(path) or f"https://fixture.example/{rel}"
            pages.append(Page(rel, path.read_bytes(), url))
    where = "seeds/ and tests/fixtures/"
    return pages, f"devset not found at {devset}: using the {len(pages)} HTML pages under {where}"


# Perturbation: replace a few words of one paragraph, so a copy is a near-duplicate, not identical.
_PARAGRAPH = re.compile(rb"(<p\b[^>]*>)([^<]{80,})(</p\s*>)", re.IGNORECASE)
_TEXT_RUN = re.compile(rb"(>)([^<>{};=]{120,})(<)")
_CANONICAL_TAG = re.compile(
    rb"<link\b[^>]*\brel\s*=\s*[\"']?canonical\b[^>]*>|<meta\b[^>]*\bproperty\s*=\s*[\"']og:url[\"'][^>]*>",
    re.IGNORECASE,
)
_URL_ATTR = re.compile(rb"(\b(?:href|content)\s*=\s*)([\"'])[^\"']*\2", re.IGNORECASE)


def perturb(data: bytes, rng: random.Random, words: int = 3) -> tuple[bytes, bool]:
    """Replace ``words`` words of one paragraph (a long text run when there is no <p>)."""
    runs = [m for m in _PARAGRAPH.finditer(data) if m.group(2).count(b" ") >= 10]
    runs = runs or [m for m in _TEXT_RUN.finditer(data) if m.group(2).count(b" ") >= 15]
    if not runs:
        return data, False
    m = rng.choice(runs)
    tokens = m.group(2).split(b" ")
    candidates = [i for i, t in enumerate(tokens) if len(t) >= 3 and b"&" not in t]
    for i in rng.sample(candidates, min(words, len(candidates))):
        tokens[i] = b"bench%x" % rng.getrandbits(32)
    return data[: m.start(2)] + b" ".join(tokens) + data[m.end(2) :], True


def retarget(data: bytes, url: str) -> bytes:
    """Point the page's canonical link and og:url at ``url`` (they override the sidecar URL)."""
    new = url.encode("utf-8")

    def fix(tag: re.Match[bytes]) -> bytes:
        return _URL_ATTR.sub(lambda m: m.group(1) + m.group(2) + new + m.group(2), tag.group(0))

    return _CANONICAL_TAG.sub(fix, data)


def variant_url(url: str | None, page_id: str, copy: int) -> str:
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return f"https://bench.example/{zlib.crc32(page_id.encode('utf-8')):08x}/copy-{copy}"
    return f"{parts.scheme}://{parts.netloc}/bench-copy-{copy}{parts.path or '/'}"


def build_corpus(pages: Sequence[Page], n: int, directory: Path, seed: int = 6) -> dict[str, int]:
    """``n`` inputs as .html + .url: every page once, then copies of it, cycling through
    an exact copy under a new URL (duplicate), an edited copy under a new URL (near-duplicate)
    and an edited copy at the same URL (revision)."""
    rng = random.Random(seed)
    directory.mkdir(parents=True, exist_ok=True)
    kinds = {"original": 0, "exact copy, new URL": 0, "edited, new URL": 0, "edited, same URL": 0}
    total = 0
    for i in range(n):
        page = pages[i % len(pages)]
        copy = i // len(pages)
        data, url = page.data, page.url or variant_url(None, page.id, 0)
        mode = (copy + i) % 3  # every round of copies mixes the three kinds
        if copy == 0:
            kind = "original"
        elif mode == 0:
            kind, url = "exact copy, new URL", variant_url(page.url, page.id, copy)
            data = retarget(data, url)
        elif mode == 1:
            kind, url = "edited, new URL", variant_url(page.url, page.id, copy)
            data = retarget(perturb(data, rng)[0], url)
        else:
            kind = "edited, same URL"
            data = perturb(data, rng)[0]
        kinds[kind] += 1
        total += len(data)
        (directory / f"{i:06d}.html").write_bytes(data)
        (directory / f"{i:06d}.url").write_text(url + "\n", encoding="utf-8")
    return {"inputs": n, "distinct_pages": min(n, len(pages)), "bytes": total, **kinds}
