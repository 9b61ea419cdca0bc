"""Broker-side topology documents derived from the model (RabbitMQ definitions, Kafka topic/ACL plans)."""
