"""Words that point to danger: coaching stops, care and support options instead."""
