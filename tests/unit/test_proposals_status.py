"""A commitment's status and its PAM score are derived from verified indicators and
deadline outcomes (``proposals.status``), at any moment."""

from __future__ import annotations

import datetime as dt

from coordcell.proposals.status import Facts, history, pam_score, status_at

T0 = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def h(n: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=n)


def test_status_follows_the_indicators_and_the_deadlines() -> None:
    due = h(48)
    open_ = Facts(T0, (None, None), ((due, "", None),))
    assert status_at(open_, h(1)) == "not_started"
    half = Facts(T0, (h(2), None), ((due, "", None),))
    assert (status_at(half, h(1)), status_at(half, h(3))) == ("not_started", "in_progress")
    met = Facts(T0, (h(2), h(5)), ((due, "met", h(5)),))
    assert (status_at(met, h(4)), status_at(met, h(6))) == ("in_progress", "met")
    missed = Facts(T0, (h(2), None), ((due, "missed", h(49)),))
    assert (status_at(missed, h(48.5)), status_at(missed, h(50))) == ("in_progress", "missed")
    late = Facts(T0, (h(2), h(60)), ((due, "missed", h(49)),))
    assert [status_at(late, h(x)) for x in (50, 61)] == ["missed", "met_late"]
    # extended by both parties: the first deadline ends "extended", the new one runs
    extended = Facts(T0, (None,), ((due, "extended", h(10)), (h(96), "", None)))
    assert status_at(extended, h(50)) == "not_started"


def test_the_pam_score_reads_the_share_of_verified_indicators() -> None:
    facts = Facts(T0, (h(1), h(2), h(3), None), ())
    assert [pam_score(facts, h(x)) for x in (0.5, 1.5, 2.5, 3.5)] == [0, 1, 2, 2]
    assert pam_score(Facts(T0, (h(1),), ()), h(2)) == 3
    assert pam_score(Facts(T0, (), ()), h(2)) == 0


def test_history_counts_each_day_what_existed_by_its_end() -> None:
    a = Facts(T0, (h(30),), ((h(48), "met", h(30)),))
    b = Facts(h(40), (None,), ((h(50), "missed", h(51)),))
    days = [T0.date() + dt.timedelta(days=k) for k in range(3)]
    got = history([a, b], days, dt.UTC)
    shown = [{k: n for k, n in counts.items() if n} for _day, counts in got]
    # day 1 ends at 15 h: a exists, nothing verified; day 2 at 39 h: a met (b is made at
    # 40 h); day 3 at 63 h: b missed at 51 h
    assert shown == [{"not_started": 1}, {"met": 1}, {"met": 1, "missed": 1}]
