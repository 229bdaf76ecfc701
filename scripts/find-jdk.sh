# shellcheck shell=bash
# Sourced by ./nabla and ./run-tests: finds a JDK >= 21 and exports JAVA_HOME and PATH for it.
#
# Looks, in order, at: $JAVA_HOME; the `java` on PATH; then every JDK under the usual folders
# (/usr/lib/jvm, /usr/local/openjdk*, /opt/java*, ...), taking the newest there. A candidate
# must have bin/java and bin/javac (Maven compiles with it).
# NABLA_JVM_DIRS (space- or colon-separated folders) replaces the usual folders; for tests.
# On failure prints one sentence to stderr and returns 1 (the caller exits).
# On success also sets NABLA_JAVA_FEATURE (e.g. 25), and on JDK 23+ adds to MAVEN_OPTS the
# option that keeps Maven 3.8 from warning about sun.misc.Unsafe.

# Prints the feature version (21, 25, ...) of the JDK at $1, or nothing.
_nabla_jdk_feature() {
    local home=$1 v=
    [[ -x $home/bin/java && -x $home/bin/javac ]] || return 1
    if [[ -r $home/release ]]; then   # cheap: no JVM start
        v=$(sed -n 's/^JAVA_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$home/release" | head -n 1)
    fi
    if [[ -z $v ]]; then              # ask the JVM itself
        v=$("$home/bin/java" -XshowSettings:properties -version 2>&1 \
            | sed -n 's/^ *java\.specification\.version = //p' | head -n 1)
    fi
    v=${v#1.}      # 1.8 -> 8
    v=${v%%[.+-]*} # 25.0.3 -> 25
    [[ $v =~ ^[0-9]+$ ]] || return 1
    printf '%s\n' "$v"
}

_nabla_find_jdk() {
    local cand v best= best_v=0 dir d
    # 1. JAVA_HOME
    if [[ -n ${JAVA_HOME:-} ]] && v=$(_nabla_jdk_feature "$JAVA_HOME") && (( v >= 21 )); then
        best=$JAVA_HOME best_v=$v
    fi
    # 2. java on PATH (follow symlinks such as /usr/bin/java -> /etc/alternatives/... -> the JDK)
    if [[ -z $best ]] && cand=$(command -v java 2>/dev/null); then
        cand=$(readlink -f "$cand" 2>/dev/null || printf '%s' "$cand")
        cand=${cand%/bin/java}
        if v=$(_nabla_jdk_feature "$cand") && (( v >= 21 )); then
            best=$cand best_v=$v
        fi
    fi
    # 3. the usual folders: the newest JDK >= 21 found there
    if [[ -z $best ]]; then
        local dirs
        if [[ -n ${NABLA_JVM_DIRS:-} ]]; then
            dirs=${NABLA_JVM_DIRS//:/ }
        else
            dirs="/usr/lib/jvm /usr/local/lib/jvm /usr/java /usr/local/openjdk* /opt/java* /opt/jdk* \
                  /opt/openjdk* /usr/local/java* $HOME/.sdkman/candidates/java $HOME/.jdks"
        fi
        for dir in $dirs; do   # unquoted on purpose: split and expand globs
            [[ -d $dir ]] || continue
            for d in "$dir" "$dir"/*/; do
                d=${d%/}
                if v=$(_nabla_jdk_feature "$d") && (( v >= 21 && v > best_v )); then
                    best=$d best_v=$v
                fi
            done
        done
    fi
    if [[ -z $best ]]; then
        echo "nabla needs a JDK 21 or newer; none found in JAVA_HOME, PATH or /usr/lib/jvm. Install one, e.g. \`apt-get install openjdk-21-jdk\`, or set JAVA_HOME." >&2
        return 1
    fi
    export JAVA_HOME=$best
    export PATH="$JAVA_HOME/bin:$PATH"
    NABLA_JAVA_FEATURE=$best_v
    # Maven 3.8's Guava calls sun.misc.Unsafe, which JDK 24+ warns about on every run; that
    # option exists from JDK 23 on and is an error before, hence the test.
    if (( best_v >= 23 )) && [[ ${MAVEN_OPTS:-} != *--sun-misc-unsafe-memory-access* ]]; then
        export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }--sun-misc-unsafe-memory-access=allow"
    fi
}

_nabla_find_jdk
