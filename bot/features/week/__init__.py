"""The weekly reflection: /week, and the opt-in weekly message with its picture."""
