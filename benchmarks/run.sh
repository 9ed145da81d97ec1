#!/usr/bin/env bash
# Runs every benchmark of issue 5 and writes the results into BENCHMARKS.md at the repository's root.
#   benchmarks/run.sh            full run (~15-20 minutes on 2 cores)
#   benchmarks/run.sh --quick    short runs, to check that everything works (~3 minutes)
# Further options go to the harness: --only churn,persistent,closepath,writer,startup,memory, --out FILE,
# --jdk17 HOME, --jdk25 HOME, --churn-depth1 (a churn configuration with stack.depth=1), --quiet-wait SECONDS (how long, in all, to wait for other processes to go quiet
# before rounds; 300 by default, 0 with --quick). Needs Linux and root: each measured JVM runs in a network
# namespace of its own; without it the runs share the host's TCP state and BENCHMARKS.md says so.
# SKIP_BUILD=1 skips the Maven build; JDK17=HOME picks the JDK 17 (default: the java on the PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
JDK17="${JDK17:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  mvn -B -q package -DskipTests
fi
# Run from a copy: a build started meanwhile must not rewrite the jar under the running harness.
jar="$(mktemp --suffix=.jar)"
trap 'rm -f "$jar"' EXIT
cp benchmarks/target/socket-audit-benchmarks.jar "$jar"
"$JDK17/bin/java" -jar "$jar" \
  --out BENCHMARKS.md --agent agent/target/socket-audit-agent.jar --jdk17 "$JDK17" \
  --command "benchmarks/run.sh${*:+ $*}" "$@"
