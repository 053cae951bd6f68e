"""The listener's turn: "Say what I heard", and the speaker's "Did I get it right?"."""
