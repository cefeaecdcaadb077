"""Fit the body vote's parameters (etl.extract.combine.VoteParams) and report their k-fold figures.

Usage:
    python tools/fit_vote.py [--devset PATH] [--folds K]

The vote is fitted on the htmldate pages that have body labels (tools/labels/htmldate_body.json):
pages no extraction rule of this project was written for. The traf and np4k pages are not
used for fitting: our own rules were written while looking at them, so our extractor's
votes there look better than they are on unseen pages (traf: 0.951 on the devset, 0.906 on
held-out pages), and a fit on them would trust it too much.

Prints, per fold, the parameters fitted on the other folds and the snippet F1 on the fold,
then the mean ± sd, and the parameters fitted on all labelled pages: the values to keep in
``etl.extract.combine.FITTED``.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

TOOLS_DIR = Path(__file__).resolve().parent
for _p in (str(TOOLS_DIR), str(TOOLS_DIR.parent)):
    if _p not in sys.path:
        sys.path.insert(0, _p)

import eval as ev  # noqa: E402
import eval_folds as folds  # noqa: E402
import eval_metrics as m  # noqa: E402

from etl.extract.combine import Ballot, VoteParams, elect  # noqa: E402
from etl.extract.extract import ballot_of  # noqa: E402

FIT_DATASET = "htmldate"
GRID = [
    VoteParams((own, traf, resili), threshold, floor, bridge, lead)
    for own, traf, resili, threshold, floor, bridge, lead in itertools.product(
        (1.0, 1.5, 2.0),
        (1.0, 1.5, 2.0),
        (0.5, 1.0),
        (0.3, 0.4, 0.5, 0.6),
        (0.0, 0.2, 0.4, 0.6),
        (True, False),  # bridging lists ties on the fit pages: the tie keeps the lists
        (True, False),
    )
]


def fit_pages(pages: Sequence[ev.Page]) -> list[ev.Page]:
    """The pages a fit may use: htmldate pages with body snippets."""
    return [p for p in pages if p.dataset == FIT_DATASET and p.label.get("with")]


def voted_text(ballot: Ballot | None, params: VoteParams) -> str:
    """The text the vote elects (before the finishing that extract_article adds)."""
    if ballot is None:
        return ""
    return "\n".join(b.text for b in elect(ballot, params) if not b.boilerplate)


def snippet_f1(pages: Sequence[ev.Page], ballots: Mapping[str, Ballot | None], params: VoteParams) -> float:
    total = m.SnippetCounts()
    for p in pages:
        total = total + m.snippet_counts(
            voted_text(ballots[p.id], params), p.label["with"], p.label["without"]
        )
    return m.snippet_scores(total)["f1"] or 0.0


def fit(pages: Sequence[ev.Page], ballots: Mapping[str, Ballot | None]) -> VoteParams:
    """The grid point with the best snippet F1 on ``pages`` (the first of equals)."""
    return max(GRID, key=lambda params: snippet_f1(pages, ballots, params))


def ballots_for(pages: Sequence[ev.Page]) -> dict[str, Ballot | None]:
    return {p.id: ballot_of(p.data, p.url) for p in pages}


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--devset", type=Path, default=ev.DEFAULT_DEVSET)
    ap.add_argument("--folds", type=int, default=folds.DEFAULT_FOLDS)
    args = ap.parse_args(argv)
    ev.quiet_libraries()
    pages = fit_pages(ev.load_dataset(args.devset, FIT_DATASET))
    print(f"{len(pages)} labelled {FIT_DATASET} pages; {len(GRID)} parameter sets")
    ballots = ballots_for(pages)
    scores = []
    groups = folds.split(pages, lambda p: folds.fold_of(p.data, args.folds), args.folds)
    for f, test in enumerate(groups):
        train = [p for g, group in enumerate(groups) if g != f for p in group]
        params = fit(train, ballots)
        scores.append(snippet_f1(test, ballots, params))
        print(f"fold {f}: {len(test)} pages, fitted on the others {params}: F1 {scores[-1]:.4f}")
    mean, sd = folds.mean_sd(scores)
    print(f"{args.folds}-fold snippet F1 of the vote (before finishing): {mean:.4f} ± {sd or 0:.4f}")
    print(f"fitted on all {len(pages)} pages: {fit(pages, ballots)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
