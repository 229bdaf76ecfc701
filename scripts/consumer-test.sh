#!/usr/bin/env bash
# Checks that nabla is usable as a Maven dependency: installs the library artifacts (BOM, core,
# io, plot, onnx, with their sources and javadoc jars) from this checkout into a PRIVATE local
# repository, target/consumer/m2 (never ~/.m2, which other builds share), then builds and runs
# scripts/consumer (a user's project importing nabla-bom, with README.md's 10-line program)
# against them. Offline: Maven's plugins and the third-party jars come from the read-only
# repository NABLA_SEED_REPO (default ~/.m2/repository, filled by ./run-tests), mirrored as
# file://, so nothing is downloaded. Last, runs the command's jar (nabla-cli/target/nabla.jar,
# built by ./run-tests) with java -jar. Run by ./run-tests after the test suite: ~25 s of CPU.
set -euo pipefail

root=$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)
source "$root/scripts/find-jdk.sh" || exit 1
export MAVEN_OPTS="${MAVEN_OPTS:--Xmx1g}"

seed=${NABLA_SEED_REPO:-$HOME/.m2/repository}
work=$root/target/consumer
repo=$work/m2
[[ -d $seed ]] || { echo "consumer-test: no Maven repository at $seed to take plugins from; run ./run-tests first or set NABLA_SEED_REPO" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
cat >"$work/settings.xml" <<XML
<settings>
  <mirrors>
    <mirror><id>seed</id><mirrorOf>*</mirrorOf><url>file://$seed</url></mirror>
  </mirrors>
</settings>
XML
mvn_args=(-B -q --no-transfer-progress -Dstyle.color=never -s "$work/settings.xml" -Dmaven.repo.local="$repo")

start=$SECONDS
mvn "${mvn_args[@]}" -Dmaven.test.skip=true install -pl nabla-bom,nabla-core,nabla-io,nabla-plot,nabla-onnx -am -f "$root/pom.xml"
for m in nabla-core nabla-io nabla-plot nabla-onnx; do
    dir=$repo/dev/nabla/$m/0.1.0-SNAPSHOT
    for kind in "" -sources -javadoc; do
        [[ -f $dir/$m-0.1.0-SNAPSHOT$kind.jar ]] || { echo "consumer-test: $m-0.1.0-SNAPSHOT$kind.jar was not installed" >&2; exit 1; }
    done
    name=$(unzip -p "$dir/$m-0.1.0-SNAPSHOT.jar" META-INF/MANIFEST.MF | tr -d '\r' | sed -n 's/^Automatic-Module-Name: //p')
    [[ $name == dev.nabla.${m#nabla-} ]] || { echo "consumer-test: $m's Automatic-Module-Name is '$name'" >&2; exit 1; }
done

cp -r "$root/scripts/consumer" "$work/project"
cd "$work/project"
mvn "${mvn_args[@]}" package dependency:build-classpath -Dmdep.outputFile=classpath.txt
out=$("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -cp "target/classes:$(cat classpath.txt)" example.Main 2>&1 \
      | grep -v 'WARNING: Using incubator modules')
echo "$out"
mse=$(sed -n 's/^mse //p' <<<"$out")
awk -v m="$mse" 'BEGIN { exit !(m != "" && m < 1e-3) }' || { echo "consumer-test: the program's mse '$mse' is not below 1e-3" >&2; exit 1; }
[[ -s model.onnx ]] || { echo "consumer-test: the program wrote no model.onnx" >&2; exit 1; }

jar=$root/nabla-cli/target/nabla.jar
[[ -f $jar ]] || { echo "consumer-test: no $jar; build it with ./run-tests or mvn -DskipTests package" >&2; exit 1; }
summary=$("$JAVA_HOME/bin/java" --add-modules jdk.incubator.vector -jar "$jar" summary "$root/examples/fashion-cnn.json" 2>/dev/null)
grep -q "Total params" <<<"$summary" || { echo "consumer-test: java -jar nabla.jar summary printed: $summary" >&2; exit 1; }
echo "consumer-test: java -jar nabla.jar ($(du -k "$jar" | cut -f1) KiB) runs"
echo "consumer-test: passed in $((SECONDS - start)) s (artifacts in $repo)"
