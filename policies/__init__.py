"""queuekit's policy pack: rules that run in CrossGuard and offline (``queuekit check``)."""
