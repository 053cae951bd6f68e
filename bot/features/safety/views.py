"""The safety message's buttons."""

from __future__ import annotations

SAFETY_CONTINUE = "safety:continue"
SAFETY_SHOW = "safety:show"
