"""The interaction layer every update passes before and after the features (bot/features/):
the gate, the redelivery guard, the typed context, callback data codecs, the catch-alls and
the error handler. bot/routing.py puts them and the features in order."""
