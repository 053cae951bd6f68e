"""The partner's side of co-regulation: "I need a little time" with a gentle come-back
reminder, and a time to talk that the other confirms, with a reminder for both before it."""
