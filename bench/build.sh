# Sourced by bench/run and bench/hsoftmax: finds the JDK, builds nabla-core and the bench module
# quietly with package (no install into ~/.m2, which other builds resolve), and sets
#   root       the repository
#   classpath  the bench's and nabla-core's classes
#   jvm_opts   the JVM options of every bench JVM, NABLA_JAVA_OPTS appended (e.g. NABLA_JAVA_OPTS="-Xmx8g")
# and bench_java, which runs java with them, dropping the JVM's "Using incubator modules" line from stderr.
root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
source "$root/scripts/find-jdk.sh" || exit 1

bench_log=$(mktemp "${TMPDIR:-/tmp}/nabla-bench-build.XXXXXX")
if ! (cd "$root" && mvn -q -B -DskipTests package -pl bench -am) >"$bench_log" 2>&1; then
    cat "$bench_log" >&2
    rm -f "$bench_log"
    echo "$(basename "$0"): the build failed (Maven's output above)." >&2
    exit 1
fi
rm -f "$bench_log"

classpath="$root/bench/target/classes:$root/nabla-core/target/classes:$root/bench/target/lib/*"

# G1, measured (2 cores): fashion-cnn (conv + batch norm, ~100 MB of activations per step) trains
# an epoch in 37.6 s with a peak RSS of 1.4 GiB, where ParallelGC with -Xmn256m took 58.6 s and
# 6.2 GiB (its young collections copy and promote the live activations: ~30 ms of pauses a step;
# with -Xmn1g 36.6 s but still 5.8 GiB); on VGG16 0.3 s of pauses where ParallelGC's young
# collections copied the 100 MB activations for seconds. bench/run mlp and runge are unchanged by
# it: MLP 1.19 s per epoch either way (peak RSS 410 -> 800 MiB), Runge lr=0.01 0.136 -> 0.128 s and
# lr=0.001 0.097 -> 0.104 s (medians of 3). NABLA_JAVA_OPTS comes after, so it can override it
# (with -XX:-UseG1GC). -XX:GCTimeRatio=4 keeps the heap near a step's live set, as in ./nabla (see
# the measurements there).
# -XX:G1HeapRegionSize=8m: the dcgan protocol's 3.2 MB activations are young objects, not humongous
# ones (measured in ./nabla, which sets it too).
jvm_opts=(--add-modules jdk.incubator.vector -XX:+UseG1GC -XX:GCTimeRatio=4 -XX:G1HeapRegionSize=8m)
if [[ -n ${NABLA_JAVA_OPTS:-} ]]; then
    read -r -a extra <<<"$NABLA_JAVA_OPTS"
    jvm_opts+=("${extra[@]}")
fi

bench_java() {
    cd "$root"
    set +e
    { "$JAVA_HOME/bin/java" "${jvm_opts[@]}" -cp "$classpath" "$@" 2>&1 1>&3 3>&- \
      | grep -v -x --line-buffered 'WARNING: Using incubator modules: jdk.incubator.vector' >&2; } 3>&1
    return "${PIPESTATUS[0]}"
}
