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

# the options of ./nabla (measured there)
source "$root/scripts/jvm-options.sh"
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
