"""Feature slices (see DESIGN.md section 3): one folder per feature, with its handlers (PTB
routing). Views and flows are being drawn out of the handlers feature by feature; the
interaction layer they share is bot/handlers/, and bot/routing.py orders them."""
