"""Shared pytest configuration. Fixture modules for live endpoints register themselves here."""

pytest_plugins: list[str] = [
    "support.rabbitmq_fixtures",
    "support.kafka_fixtures",
    "support.moto_server",
    "support.pubsub_emulator",
]


def pytest_configure(config: object) -> None:
    """A CI timeout sends SIGTERM: let fixture teardowns stop the brokers and emulators they started."""
    from support.runtime import stop_cleanly_on_sigterm

    stop_cleanly_on_sigterm()
