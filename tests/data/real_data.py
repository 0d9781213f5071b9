"""Where the real public data for tests is (../shared/data/real), or a skip saying why not.

The data lives next to the repository, never inside it: `<repository root>/../shared/data/real`.
In a git worktree the repository root is the main checkout (git's common directory), so a
worktree at /work/wt/<name> finds the same /work/shared as /work/main does.
`TRIALSCOPE_SHARED_DATA` overrides the location. With `TRIALSCOPE_REQUIRE_SHARED_DATA=1` a
missing file fails the test instead of skipping it.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

CHECKOUT = Path(__file__).resolve().parents[2]


def _candidates() -> list[Path]:
    override = os.environ.get("TRIALSCOPE_SHARED_DATA")
    if override:
        return [Path(override)]
    found = [CHECKOUT.parent / "shared" / "data" / "real"]
    try:
        common = subprocess.run(
            ["git", "rev-parse", "--path-format=absolute", "--git-common-dir"],
            cwd=CHECKOUT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return found
    main_checkout = Path(common).parent
    found.append(main_checkout.parent / "shared" / "data" / "real")
    return found


def real_data(relative: str) -> Path:
    """The real data file or folder `relative` (e.g. 'ctgov'); skips (or fails) when missing."""
    for root in _candidates():
        path = root / relative
        if path.exists():
            return path
    reason = (
        f"real data {relative!r} not found under {', '.join(str(c) for c in _candidates())} "
        "(../shared/data/real next to the repository; a clone alone has none)"
    )
    if os.environ.get("TRIALSCOPE_REQUIRE_SHARED_DATA") == "1":
        pytest.fail(reason + " and TRIALSCOPE_REQUIRE_SHARED_DATA=1")
    pytest.skip(reason)
