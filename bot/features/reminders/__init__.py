"""/reminders, /checkin, /journal: time zone, daily check-in, nudges, follow-ups."""
