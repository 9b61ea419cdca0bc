"""Shared pytest configuration. Fixture modules for live endpoints register themselves here."""

pytest_plugins: list[str] = [
    "support.rabbitmq_fixtures",
    "support.kafka_fixtures",
    "support.moto_server",
    "support.pubsub_emulator",
]
