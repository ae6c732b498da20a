"""Record event types of the positions app (registered when the app is ready)."""
