"""/forget's buttons."""

from __future__ import annotations

FORGET_YES = "forget:yes"
FORGET_NO = "forget:no"
