#!/usr/bin/env bash
# Runs every benchmark and writes the results into BENCHMARKS.md at the
# repository's root.
#   benchmarks/run.sh            full run (~20-25 minutes on 2 cores)
#   benchmarks/run.sh --quick    short runs, to check that everything works (~5 minutes)
# Further options go to the harness: --only churn,persistent,closepath,writer,startup,memory,paced,profile,server,
# --out FILE, --jdk17 HOME, --jdk25 HOME, --churn-depth1 (a churn configuration with stack.depth=1), --quiet-wait SECONDS
# (how long, in all, to wait for other processes to go quiet before rounds; 300 by default, 0 with --quick),
# --leak-detector JAR|VERSION (adds lib-file-leak-detector to the paced benchmark: a jar, or a version of
# org.kohsuke:file-leak-detector that Maven fetches; Maven Central has 1.13 only, which does not start on JDK 17, and
# the harness then says so), --async-profiler PATH (libasyncProfiler.so or its jar, for the profile section; by
# default this script fetches tools.profiler:async-profiler:4.1 with Maven, and the section is skipped if it cannot),
# --baseline REF|none (the commit whose agent the profile section also profiles as "before"; by default bcf54f2, the
# last commit before the capture path and start were rebuilt; built once into benchmarks/target/tools).
# Needs Linux and root: each measured JVM runs in a network namespace of its own; without it the runs share the host's
# TCP state and BENCHMARKS.md says so.
# SKIP_BUILD=1 skips the Maven build; JDK17=HOME picks the JDK 17 (default: the java on the PATH).
set -euo pipefail
cd "$(dirname "$0")/.."
JDK17="${JDK17:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
if [[ "${SKIP_BUILD:-}" != 1 ]]; then
  mvn -B -q package -DskipTests
fi
tools=benchmarks/target/tools
ASYNC_PROFILER=tools.profiler:async-profiler:4.1:jar:linux-x64

# Copies one artifact from Maven (Central, or the local repository) into $tools; prints the file's path.
fetch() {
  mkdir -p "$tools"
  mvn -B -q -N dependency:copy -Dartifact="$1" -DoutputDirectory="$tools" >&2 || return 1
  local g a v p c
  IFS=: read -r g a v p c <<<"$1"
  echo "$tools/$a-$v${c:+-$c}.$p"
}

# The harness's own arguments: the options given, with a --leak-detector version resolved to its jar.
given="$*"
args=()
only=""
have_profiler=0
baseline=bcf54f2
while [[ $# -gt 0 ]]; do
  case "$1" in
    --leak-detector)
      [[ $# -ge 2 ]] || { echo "run.sh: --leak-detector needs a jar or a version" >&2; exit 2; }
      if [[ -f "$2" ]]; then
        args+=(--leak-detector "$2")
      elif [[ "$2" =~ ^[0-9][0-9A-Za-z.-]*$ ]]; then
        leak="$(fetch "org.kohsuke:file-leak-detector:$2:jar:jar-with-dependencies")" \
          || { echo "run.sh: could not fetch org.kohsuke:file-leak-detector:$2 with Maven" >&2; exit 1; }
        args+=(--leak-detector "$leak")
      else
        echo "run.sh: --leak-detector $2: no such file, and not a version" >&2
        exit 2
      fi
      shift 2
      ;;
    --async-profiler)
      have_profiler=1
      args+=("$1" "${2:-}")
      shift 2 || shift
      ;;
    --only)
      only="${2:-}"
      args+=("$1" "${2:-}")
      shift 2 || shift
      ;;
    --baseline)
      baseline="${2:-}"
      shift 2 || shift
      ;;
    *)
      args+=("$1")
      shift
      ;;
  esac
done
# The agent before its capture path was rebuilt, profiled beside the current one: built from its commit in a
# worktree of its own, so that the checkout is left as it is.
if [[ "$baseline" != none && ( -z "$only" || ",$only," == *,profile,* ) ]]; then
  base_jar="$PWD/$tools/socket-audit-agent-$baseline.jar"
  if [[ ! -f "$base_jar" ]]; then
    tree="$(mktemp -d)"
    if git worktree add -q --detach "$tree" "$baseline" \
        && (cd "$tree" && mvn -B -q -pl agent -am package -DskipTests >&2); then
      mkdir -p "$tools"
      cp "$tree/agent/target/socket-audit-agent.jar" "$base_jar"
    else
      echo "run.sh: could not build the agent at $baseline; the profile has no 'before' column" >&2
    fi
    git worktree remove --force "$tree" 2>/dev/null || rm -rf "$tree"
  fi
  [[ -f "$base_jar" ]] && args+=(--baseline-agent "$base_jar" --baseline-ref "$baseline")
fi
if [[ $have_profiler == 0 && ( -z "$only" || ",$only," == *,profile,* ) ]]; then
  if profiler="$(fetch "$ASYNC_PROFILER")"; then
    args+=(--async-profiler "$profiler")
  else
    echo "run.sh: could not fetch $ASYNC_PROFILER; the profile section is skipped" >&2
  fi
fi

# Run from a copy: a build started meanwhile must not rewrite the jar under the running harness.
jar="$(mktemp --suffix=.jar)"
trap 'rm -f "$jar"' EXIT
cp benchmarks/target/socket-audit-benchmarks.jar "$jar"
"$JDK17/bin/java" -jar "$jar" \
  --out BENCHMARKS.md --agent agent/target/socket-audit-agent.jar --jdk17 "$JDK17" \
  --command "benchmarks/run.sh${given:+ $given}" "${args[@]}"
