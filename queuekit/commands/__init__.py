"""Subcommands of the ``queuekit`` CLI (see ``queuekit.cli``)."""
