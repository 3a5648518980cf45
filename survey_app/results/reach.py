"""Who answered: responses per collection (web and paper), and the reach the overview and
the report's first page count from them, once per group and never for comparison groups.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from survey_app.results import queries
from survey_app.results.queries import CollectionInfo, ResultsScope


@dataclass
class CollectionRow:
    info: CollectionInfo
    web: int
    paper: int

    @property
    def total(self) -> int:
        return self.web + self.paper

    @property
    def rate(self) -> float | None:
        """Responses against the expected group size (None when no size was given)."""
        size = self.info.expected_size
        return self.total / size if size else None


@dataclass
class Overview:
    rows: list[CollectionRow]
    review: int

    @property
    def schools(self) -> int:
        return len({r.info.school_id for r in self.rows})

    @property
    def groups(self) -> int:
        return len({r.info.group_id for r in self.rows})

    @property
    def web(self) -> int:
        return sum(r.web for r in self.rows)

    @property
    def paper(self) -> int:
        return sum(r.paper for r in self.rows)

    @property
    def rate(self) -> float | None:
        sized = [r for r in self.rows if r.info.expected_size]
        expected = sum(r.info.expected_size for r in sized)
        return sum(r.total for r in sized) / expected if expected else None

    def reached(self, audience: str) -> int:
        """People reached (groups that took part): per group, the most responses any one
        collection of that audience had, so before and after are not counted twice."""
        best: dict[int, int] = defaultdict(int)
        for r in self.rows:
            if r.info.audience == audience and not r.info.is_comparison:
                best[r.info.group_id] = max(best[r.info.group_id], r.total)
        return sum(best.values())

    @property
    def schools_reached(self) -> int:
        return len({r.info.school_id for r in self.rows
                    if r.total and not r.info.is_comparison})

    @property
    def sessions(self) -> int:
        """Survey sessions held: collections (not comparison) with at least one response."""
        return sum(1 for r in self.rows if r.total and not r.info.is_comparison)


def overview(scope: ResultsScope, survey_id: int | None = None) -> Overview:
    infos = queries.collections(scope, survey_id)
    ids = [c.id for c in infos]
    counts = queries.response_counts(scope, ids)
    rows = [CollectionRow(c, counts.get((c.id, "web"), 0), counts.get((c.id, "paper"), 0))
            for c in infos]
    return Overview(rows, queries.review_count(scope, ids))
