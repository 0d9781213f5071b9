"""Column values: the lookups give what numpy's own formatting and draws give."""

from __future__ import annotations

import numpy as np

from trialscope.audit.column_values import iso_dates, pick

ANCHOR = np.datetime64("2022-01-03")


def test_dates_inside_and_outside_the_lookup_table_are_iso_strings() -> None:
    days = ANCHOR + np.array([-5000, -400, 0, 1999, 2000, 9000])
    assert iso_dates(days, ANCHOR).tolist() == np.datetime_as_string(days).tolist()
    assert iso_dates(days[2:4], ANCHOR).tolist() == ["2022-01-03", "2027-06-25"]
    assert iso_dates(days[:0], ANCHOR).tolist() == []


def test_pick_draws_what_rng_choice_draws() -> None:
    for seed in range(200):
        for options in (("a", "b", "c"), ("lung", "breast", "colon", "pancreas")):
            ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
            assert pick(ours, options, 300) == numpys.choice(list(options), size=300).tolist()
            assert ours.random() == numpys.random()  # the streams stay in step
