"""/practice: short exercises in softer words, for calm moments."""
