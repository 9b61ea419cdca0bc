#!/usr/bin/env bash
# Fetch an Apache Kafka 4.x broker runtime (KRaft) from Maven Central into .cache/kafka/libs, idempotently.
#
# There is no Kafka broker in Debian or PyPI and the tests must run a real one, so we resolve the broker's jars
# (kafka_2.13, kafka-server, kafka-raft, kafka-metadata, kafka-storage, kafka-tools and their runtime dependencies,
# plus the Log4j 2 binding the official distribution ships) with Maven from .ci/kafka/pom.xml.
# A stamp holding the pom's sha256 marks a complete fetch: a second run with the same pom does no network work.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)

pom=.ci/kafka/pom.xml
dest=.cache/kafka/libs
stamp=.cache/kafka/libs.sha256
want=$(sha256sum "$pom" | cut -d' ' -f1)

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ] && compgen -G "$dest/kafka_2.13-*.jar" >/dev/null; then
  echo "kafka jars cached: $(ls "$dest" | wc -l) jars in $dest ($(( $(date +%s) - start ))s, no network)"
  exit 0
fi

command -v mvn >/dev/null 2>&1 || { echo "mvn not found: install Maven (Debian: apt-get install maven)" >&2; exit 1; }
command -v java >/dev/null 2>&1 || { echo "java not found: Kafka 4 needs Java 17+" >&2; exit 1; }

tmp=$(mktemp -d .cache/kafka-libs.XXXXXX 2>/dev/null || { mkdir -p .cache && mktemp -d .cache/kafka-libs.XXXXXX; })
trap 'rm -rf "$tmp"' EXIT
mvn -B -q -Dstyle.color=never -f "$pom" dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$PWD/$tmp"

# Swap in the complete set only after Maven succeeded, so an interrupted run never leaves a half cache behind.
mkdir -p .cache/kafka
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
echo "$want" > "$stamp"
echo "kafka jars fetched: $(ls "$dest" | wc -l) jars in $dest ($(( $(date +%s) - start ))s)"
