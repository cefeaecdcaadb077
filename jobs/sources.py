"""``jobs/sources.toml``: the sites to scrape, loaded with tomllib and validated on load.

Every key is checked: an unknown key or a bad value is a ConfigError naming the key
(``sources.demo.http.rate_limit: expected a number > 0, got 'fast'``), so a typo never
silently turns into a default. Start points may be relative to the source's ``site``.
"""

from __future__ import annotations

import difflib
import ipaddress
import re
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import soupsieve

from etl.crawl.engine import ListPage, Source
from etl.crawl.fetch import FetchPolicy, parse_networks
from etl.crawl.state import RetryPolicy

DEFAULT_CONFIG = Path(__file__).resolve().parent / "sources.toml"


class ConfigError(ValueError):
    """A problem in sources.toml, naming the file and the key."""


@dataclass(frozen=True, slots=True)
class Config:
    path: Path
    sources: dict[str, Source]

    def select(self, name: str | None = None) -> list[Source]:
        """The named source (enabled or not), or every enabled one."""
        if name is None:
            return [s for s in self.sources.values() if s.enabled]
        if name not in self.sources:
            known = ", ".join(sorted(self.sources)) or "none"
            raise ConfigError(f"{self.path}: no source named {name!r} (configured: {known})")
        return [self.sources[name]]


# --- value checks ----------------------------------------------------------------------

Check = Callable[[Any], Any]


def _number(minimum: float, *, integer: bool = False, strict: bool = False) -> Check:
    word = "an integer" if integer else "a number"
    bound = f"> {minimum:g}" if strict else f">= {minimum:g}"

    def check(value: Any) -> Any:
        ok_type = isinstance(value, int) if integer else isinstance(value, int | float)
        if isinstance(value, bool) or not ok_type or (value <= minimum if strict else value < minimum):
            raise ValueError(f"expected {word} {bound}")
        return value if integer else float(value)

    return check


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("expected a non-empty string")
    return value.strip()


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("expected true or false")
    return value


def _http_url(value: Any) -> str:
    url = _text(value)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError("expected an absolute http:// or https:// URL")
    return url


def _relative_url(value: Any) -> str:
    """A start point: absolute, or a path resolved against the site."""
    url = _text(value)
    if urlsplit(url).scheme not in ("", "http", "https"):
        raise ValueError("expected an http(s) URL or a path on the site")
    return url


def _regex(value: Any) -> str:
    try:
        re.compile(_text(value))
    except re.error as exc:
        raise ValueError(f"not a regular expression: {exc}") from None
    return value


def _css(value: Any) -> str:
    selector = _text(value)
    try:
        soupsieve.compile(selector)
    except soupsieve.SelectorSyntaxError as exc:
        raise ValueError(f"not a CSS selector: {str(exc).splitlines()[0]}") from None
    return selector


def _language(value: Any) -> str:
    if not isinstance(value, str) or not re.fullmatch(r"[a-z]{2}", value):
        raise ValueError("expected a two-letter ISO 639-1 code like 'ar'")
    return value


def _host(value: Any) -> str:
    host = _text(value).lower()
    if not re.fullmatch(r"[a-z0-9.-]+|\[[0-9a-f:.]+\]", host):
        raise ValueError("expected a host name like 'en.example.com'")
    return host


def _network(value: Any) -> str:
    try:
        ipaddress.ip_network(_text(value), strict=False)
    except ValueError:
        raise ValueError("expected an IP network like '127.0.0.1/32'") from None
    return value


def _date(value: Any) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(_text(value))
    except ValueError:
        raise ValueError("expected a date like 2020-01-01") from None


def _list(item: Check) -> Check:
    def check(value: Any) -> tuple[Any, ...]:
        if not isinstance(value, list):
            raise ValueError("expected a list")
        out = []
        for i, element in enumerate(value):
            try:
                out.append(item(element))
            except ValueError as exc:
                raise ValueError(f"item {i + 1}: {exc}, got {element!r}") from None
        return tuple(out)

    return check


_POSITIVE = _number(0, strict=True)
_NON_NEGATIVE = _number(0)
HTTP_KEYS: dict[str, Check] = {
    "user_agent": _text,
    "rate_limit": _POSITIVE,
    "connect_timeout": _POSITIVE,
    "read_timeout": _POSITIVE,
    "total_timeout": _POSITIVE,
    "retries": _number(0, integer=True),
    "backoff": _NON_NEGATIVE,
    "max_backoff": _NON_NEGATIVE,
    "max_retry_after": _NON_NEGATIVE,
    "max_bytes": _number(1024, integer=True),
    "max_redirects": _number(0, integer=True),
    "allow_addresses": _list(_network),
    "max_tries": _number(1, integer=True),
    "retry_later": _NON_NEGATIVE,
}
LIST_KEYS: dict[str, Check] = {"url": _relative_url, "links": _css, "next": _css}
EXTRACT_KEYS: dict[str, Check] = {"title": _css, "date": _css, "body": _css}
SOURCE_KEYS: dict[str, Check] = {
    "site": _http_url,
    "enabled": _bool,
    "languages": _list(_language),
    "feeds": _list(_relative_url),
    "sitemaps": _list(_relative_url),
    "lists": lambda v: v,  # checked by _lists
    "article_pattern": _regex,
    "hosts": _list(_host),
    "max_pages": _number(1, integer=True),
    "list_depth": _number(1, integer=True),
    "since": _date,
    "http": lambda v: v,  # checked by _http
    "extract": lambda v: v,  # checked by _table
}
REQUIRED = {"site"}


def _table(value: Any, keys: Mapping[str, Check], where: str, path: Path) -> dict[str, Any]:
    """Check every key of one TOML table; the error names the file and the key."""
    if not isinstance(value, dict):
        raise ConfigError(f"{path}: {where}: expected a table")
    out = {}
    for key, raw in value.items():
        if key not in keys:
            hint = difflib.get_close_matches(key, keys, n=1)
            suggestion = f" (did you mean {hint[0]!r}?)" if hint else f" (known: {', '.join(keys)})"
            raise ConfigError(f"{path}: {where}: unknown key {key!r}{suggestion}")
        try:
            out[key] = keys[key](raw)
        except ValueError as exc:
            raise ConfigError(f"{path}: {where}.{key}: {exc}, got {raw!r}") from None
    return out


def _http(value: Any, where: str, path: Path, base: dict[str, Any]) -> tuple[FetchPolicy, RetryPolicy]:
    merged = {**base, **_table(value, HTTP_KEYS, where, path)}
    retry_names = {f.name for f in fields(RetryPolicy)}
    fetch_args = {k: v for k, v in merged.items() if k not in retry_names}
    if "allow_addresses" in fetch_args:
        fetch_args["allow_addresses"] = parse_networks(fetch_args["allow_addresses"])
    retry_args = {k: v for k, v in merged.items() if k in retry_names}
    return FetchPolicy(**fetch_args), RetryPolicy(**retry_args)


def _lists(value: Any, where: str, path: Path) -> tuple[ListPage, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{path}: {where}: expected an array of tables ([[{where}]])")
    pages = []
    for i, item in enumerate(value):
        entry = _table(item, LIST_KEYS, f"{where}[{i}]", path)
        if "url" not in entry:
            raise ConfigError(f"{path}: {where}[{i}]: missing key 'url'")
        pages.append(ListPage(**entry))
    return tuple(pages)


def _source(name: str, value: Any, path: Path, http_base: dict[str, Any]) -> Source:
    where = f"sources.{name}"
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        raise ConfigError(f"{path}: {where}: a source name uses letters, digits, '-' and '_' only")
    entry = _table(value, SOURCE_KEYS, where, path)
    for key in REQUIRED - entry.keys():
        raise ConfigError(f"{path}: {where}: missing key {key!r}")
    fetch, retry = _http(entry.pop("http", {}), f"{where}.http", path, http_base)
    lists = _lists(entry.pop("lists", []), f"{where}.lists", path)
    extract = _table(entry.pop("extract", {}), EXTRACT_KEYS, f"{where}.extract", path)
    if not (entry.get("feeds") or entry.get("sitemaps") or lists):
        raise ConfigError(f"{path}: {where}: needs at least one of 'feeds', 'sitemaps' or 'lists'")
    return Source(name=name, fetch=fetch, retry=retry, lists=lists, extract=extract, **entry)


def parse_sources(data: dict[str, Any], path: Path) -> Config:
    top = _table(data, {"http": lambda v: v, "sources": lambda v: v}, "top level", path)
    http_base = _table(top.get("http", {}), HTTP_KEYS, "http", path)
    sources = top.get("sources", {})
    if not isinstance(sources, dict):
        raise ConfigError(f"{path}: sources: expected tables like [sources.NAME]")
    return Config(path, {name: _source(name, value, path, http_base) for name, value in sources.items()})


def load_sources(path: str | Path = DEFAULT_CONFIG) -> Config:
    """Read and validate a sources file; raises ConfigError with the file and key."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: no such file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    return parse_sources(data, path)
