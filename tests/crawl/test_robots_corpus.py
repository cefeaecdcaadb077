"""robots.txt over Protego's 4,231 real files (``../shared/corpora/protego/tests/test_data/``,
file name = host), served from 127.0.0.1 and read by the fetcher as a crawl would.

For each file, the fetcher's allow/deny answers for a fixed set of paths (common ones, and
the first paths its own rules name) must equal ``Protego.parse(...).can_fetch`` on the same
rules, as RFC 9309 and Google read them: the first 512 KiB (whole lines), without a BOM. A
sample is also served as text/html and with a BOM added, which must change nothing. The
sample runs always; the whole corpus is marked slow.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from protego import Protego

from etl.crawl.fetch import ROBOTS_MAX_BYTES, Fetcher, FetchError, FetchPolicy, parse_networks
from tests.conftest import ROOT
from tests.sitefixture import FixtureSite

CORPUS = ROOT.parent / "shared" / "corpora" / "protego" / "tests" / "test_data"
POLICY = FetchPolicy(rate_limit=0.0, retries=0, allow_addresses=parse_networks(["127.0.0.1/32"]))
AGENTS = ("news-archive/0.1 (+tests)", "Googlebot/2.1 (+tests)")  # our group is often "*"; Google's, its own
COMMON = (
    "/",
    "/index.html",
    "/search?q=news",
    "/admin/",
    "/wp-admin/admin-ajax.php",
    "/api/v1/items",
    "/news/2024/05/story.html",
    "/cgi-bin/test.cgi",
    "/private/data.json",
    "/images/logo.png",
)
_RULE = re.compile(r"^\s*(?:dis)?allow\s*:\s*(/\S*)", re.IGNORECASE | re.MULTILINE)
SAMPLE_EVERY = 14  # about 300 files
VARIANT_EVERY = 10  # of the sample: also as text/html, and with a BOM added


def robots_files() -> list[Path]:
    if not CORPUS.is_dir():
        pytest.skip(f"the protego corpus is not at {CORPUS}")
    return sorted(CORPUS.iterdir())


def paths_for(text: str) -> list[str]:
    """COMMON plus the first eight paths the file's own rules name (wildcards filled in)."""
    named = [m.group(1).replace("*", "x").rstrip("$") or "/" for m in _RULE.finditer(text)][:8]
    return list(dict.fromkeys([*COMMON, *named]))


def expected_text(body: bytes) -> str:
    """The rules as Google reads them: the first 512 KiB in whole lines, no BOM."""
    if len(body) > ROBOTS_MAX_BYTES:
        body = body[:ROBOTS_MAX_BYTES]
        body = body[: body.rfind(b"\n") + 1]
    return body.decode("utf-8", "replace").removeprefix("\ufeff")


@pytest.fixture(scope="module")
def site() -> Iterator[FixtureSite]:
    with FixtureSite(crawl_delay=0.0) as served:
        yield served


def disagreements(site: FixtureSite, body: bytes, agent: str, content_type: str) -> tuple[int, list[str]]:
    """(checks made, paths where the fetcher and Protego disagree) for one served body."""
    site.pages["/robots.txt"] = body
    site.content_types["/robots.txt"] = content_type
    text = expected_text(body)
    reference = Protego.parse(text)
    token = agent.split("/")[0]
    paths = paths_for(text)
    differ = []
    with Fetcher(replace(POLICY, user_agent=agent)) as fetcher:
        for path in paths:
            url = site.base + path
            try:
                fetcher._check_robots(url)
                allowed = True
            except FetchError as exc:
                assert exc.reason == "disallowed by robots.txt", exc.reason
                allowed = False
            if allowed != reference.can_fetch(url, token):
                differ.append(path)
    return len(paths), differ


def check(site: FixtureSite, files: list[Path], variants: bool) -> None:
    checks, differ = 0, []
    for i, path in enumerate(files):
        body = path.read_bytes()
        served = [(body, "text/plain")]
        if variants and i % VARIANT_EVERY == 0:
            served += [(body, "text/html; charset=utf-8"), (b"\xef\xbb\xbf" + body, "text/plain")]
        for variant, content_type in served:
            made, wrong = disagreements(site, variant, AGENTS[i % 2], content_type)
            checks += made
            differ += [f"{path.name} ({content_type}): {p}" for p in wrong]
    assert checks > 10 * len(files)
    assert differ == []


def test_a_sample_of_real_robots_files_gets_protegos_answers(site: FixtureSite) -> None:
    files = robots_files()
    oversized = [p for p in files if p.stat().st_size > ROBOTS_MAX_BYTES]
    with_bom = [p for p in files if p.read_bytes().startswith(b"\xef\xbb\xbf")][:10]
    check(site, sorted({*files[::SAMPLE_EVERY], *oversized, *with_bom}), variants=True)


@pytest.mark.slow
def test_every_real_robots_file_gets_protegos_answers(site: FixtureSite) -> None:
    check(site, robots_files(), variants=False)
