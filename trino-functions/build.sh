#!/usr/bin/env bash
# Compiles Gravix's Trino functions (src/, one aggregate: gravix_merge_histograms) against the Trino they will run
# in, and lays them out as a plugin directory Trino loads:
#   build.sh <trino-home> <plugin-dir>
# <trino-home> is a Trino install (its lib/ holds the SPI it compiles against); javac comes from JAVA_HOME or PATH
# and must read that Trino's class files (Trino 476: Java 24 or newer). The same script runs in the test harness's
# cache (scripts/testbin.sh trino-functions) and in the Trino pods' init container, on the pod's own Trino image
# (cdk8s/trino-functions.ts), so the plugin always matches the SPI of the server that loads it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
trino_home=$1 out=$2
javac=${JAVA_HOME:+$JAVA_HOME/bin/}javac
jar=${JAVA_HOME:+$JAVA_HOME/bin/}jar
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Only the SPI and Slice: the classes Trino shares with every plugin's class loader. Globs, not find: the public
# Trino image is a minimal one.
shopt -s nullglob
jars=("$trino_home"/lib/*trino-spi-*.jar "$trino_home"/lib/*slice-*.jar)
if [ "${#jars[@]}" -lt 2 ]; then
  echo "build.sh: no trino-spi and slice jars under $trino_home/lib" >&2
  exit 1
fi
classpath=$(IFS=:; echo "${jars[*]}")
mkdir -p "$work/classes"
"$javac" -nowarn -proc:none -encoding UTF-8 -cp "$classpath" -d "$work/classes" "$here"/src/dev/gravix/trino/*.java
cp -r "$here/resources/META-INF" "$work/classes/"
# The jar is made outside <plugin-dir>: Trino loads every file there, so nothing half-written may land in it.
"$jar" --create --file "$work/gravix-trino-functions.jar" -C "$work/classes" .
mkdir -p "$out"
mv "$work/gravix-trino-functions.jar" "$out/gravix-trino-functions.jar"
