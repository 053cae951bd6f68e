"""Finished messages: /history, page by page, each shown again with its share options."""
