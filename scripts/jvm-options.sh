# shellcheck shell=bash
# Sourced by ./nabla, bench/build.sh and bench/spark: sets jvm_opts, the JVM options every nabla JVM runs with
# (the callers append NABLA_JAVA_OPTS after them, so a user's option overrides one of these).
# Each was measured on the 2-core machines this project runs on:
#
# G1 (-XX:+UseG1GC): fashion-cnn (conv + batch norm, ~100 MB of activations per step) trains an
# epoch in 37.6 s with a peak RSS of 1.4 GiB, where ParallelGC with -Xmn256m took 58.6 s and 6.2 GiB
# (its young collections copy and promote the live activations: ~30 ms of pauses a step; with
# -Xmn1g 36.6 s but still 5.8 GiB); on VGG16 0.3 s of pauses where ParallelGC's young collections
# copied the 100 MB activations for seconds. bench/run mlp and runge are unchanged by it: MLP 1.19 s
# per epoch either way (peak RSS 410 -> 800 MiB), Runge lr=0.01 0.136 -> 0.128 s and lr=0.001
# 0.097 -> 0.104 s (medians of 3).
# -XX:GCTimeRatio=1 (G1's default is 12): G1 grows the heap when collections take more than a
# threshold of the time, half with this ratio (12: 8%), scaled down in proportion while the heap is
# below half its maximum (floor 1%): 6.5% for 392 MB of a 6 GB maximum, as -Xlog:gc+ergo*=debug
# prints it at each collection. A training step's live set is small beside what it allocates (bench
# mlp: 57 MB live after a collection, 330 MB of dead young arrays between two), and with a higher
# ratio the collections of the JIT's warm-up grow the heap, which G1 never gives back (4 grew the
# mlp's to 568 MB, 12 to 728). Alternated pairs of processes, 2 cores, at 0a8682b..ee8c044 with 4
# before: peak RSS mlp 587-602 -> 418-518 MiB, cnn 769-872 -> 603-635, dcgan 846-979 -> 605-713,
# Runge 425-519 -> 335-352, reduce 422-433 -> 393-409; vgg16 2.7-2.8 GB either way. The pauses add
# up to the same (cnn 203 -> 223 ms in a 23 s run, with 79 collections instead of 39; mlp 116 ->
# 101 ms); the speeds stayed within their spread (mlp 0.55-0.92 s an epoch either way).
# -XX:-G1UseAdaptiveIHOP -XX:InitiatingHeapOccupancyPercent=70 (adaptive by default, from 45%): with
# the smaller heap, a program that allocates arrays of 64 MB (the elementwise protocol) crossed the
# adaptive threshold at nearly each one, and the marking cycles it started on the two cores took
# 15-25% of its speed (the chain 18.3-20.3 -> 15.5-17.4 GB/s); a fixed 70% gave most of it back
# (5 alternated pairs against the former options: medians 19.1 -> 18.8 GB/s, one run at 14.9).
# -XX:G1HeapRegionSize=8m (the default here is 4m): G1 allocates an array of half a region or more
# as "humongous", outside the young generation, each allocation taking a lock and possibly starting
# a concurrent cycle; with 8m regions a 3.2 MB activation (the dcgan protocol's at batch 128) is an
# ordinary young object again. bench dcgan, 7 alternated pairs of processes on 2 cores: faster in
# all 7, 644 -> 690 samples/s over the last 4; peak RSS unchanged (1001 -> 987 MiB); cnn, vgg16,
# mlp and runge within their run-to-run spread (cnn 2,340-3,285 samples/s either way).
# -XX:MinHeapFreeRatio=25 (40 by default): at the end of a marking cycle (Remark) G1 grows the heap
# until that share of it is free beside what the marking found live, and everything allocated during
# the cycle counts as live. The VGG16 protocol's warm-up, while its vector kernels still run
# unoptimized (boxing vectors: gigabytes a step), started one that found 1,362 MB "live" and grew
# the heap from 1,644 to 2,292 MB (-Xlog:gc+ergo+heap=debug), which the following steps all
# touched. Alternated pairs of processes, 2 cores (AMD Zen 3), against 40: vgg16 peak RSS
# 2,376-2,708 -> 2,125-2,138 MiB at the same speed, dcgan 638-675 -> 558-590 MiB (samples/s within
# their spread, higher in 3 of 3 pairs), cnn, mlp, Runge and elementwise within their spread. 10 held
# VGG16 to 1,842-1,870 MiB but the dcgan's heap to ~400 MB, where it collected 100 times a run
# instead of 58 and trained slower (4 pairs against 25: 281-333 vs 298-366 samples/s, slower in 3).
# With the young generation capped (below), 10 took VGG16 to 1,792-1,796 MiB and left the dcgan's
# peak as it was, but the gemm protocol peaked at 518 instead of 395 MiB and the elementwise one
# collected 130 times instead of 88 (one run each), so 25 stays.
# -XX:MaxNewSize=96m: G1 sizes the young generation for its pause goal, and with the few megabytes
# a training step leaves alive (BufferPool carries its large arrays from step to step; what is left
# in the young generation is small arrays and objects, nearly all dead at a collection) that goal
# allows up to 60% of the heap: the Runge protocol's eden filled 216 MB of the initial 384 between
# collections, and every page of it counts in the peak RSS. Capped, the collections come more often
# and each copies as little. Alternated processes, 2 cores (AMD Zen 3), default -> 96m, peak RSS
# MiB: Runge 343-356 -> 212-235 (JAX: 240), mlp 386-395 -> 254-280, gemm 435-470 -> 387-405, cnn
# 493-590 -> 477-559, dcgan 545-616 -> 549-583, VGG16 2,087 -> 2,083, reduce 375 -> 387-396,
# elementwise 618-682 either way (it lands on one or the other); GC pauses a run (-Xlog:gc): Runge
# 156-183 -> 376-412 collections, 266-273 -> 528-594 ms in 31 s; mlp 103-130 -> 110-134 ms; cnn 208
# -> 194; dcgan 197-215 -> 268-387 ms in 25 s; speeds within their run-to-run spread. 64m did not
# lower the Runge peak further (243) and doubled the mlp's collections.
jvm_opts=(--add-modules jdk.incubator.vector -XX:+UseG1GC -XX:GCTimeRatio=1 -XX:-G1UseAdaptiveIHOP
    -XX:InitiatingHeapOccupancyPercent=70 -XX:G1HeapRegionSize=8m -XX:MinHeapFreeRatio=25 -XX:MaxNewSize=96m)

# -XX:CICompilerCount=4 where the JVM would take fewer (below 8 processors: 2 on 2 or 3, 3 on 4
# to 7; 4 on 8 and 12 on 16, as -XX:ActiveProcessorCount=N shows): one C1 and up to three C2
# compiler threads, which the JVM starts only while methods wait to be compiled and stops after
# 100 ms idle. The SIMD kernels run 50-200 times slower before C2 has compiled them (exp over 1,280
# floats: 70-300 us a call, then 1.3), and a training run's first seconds queue hundreds of methods
# for one C2 thread: the mlp protocol's timed epochs (its 2nd to 4th) still waited on it. 14
# alternated pairs of processes, 2 cores: bench mlp 0.657 -> 0.571 s an epoch (medians; faster in
# 12 of the 14 pairs); 8 pairs each: cnn 3,391 -> 3,381 samples/s, dcgan 711 -> 712, Runge lr=0.01
# 0.0275 -> 0.0275 s, all within their spread.
if (( $(nproc 2>/dev/null || echo 1) < 8 )); then
    jvm_opts+=(-XX:CICompilerCount=4)
fi

# -XX:TrimNativeHeapInterval=1000: the JVM calls glibc's malloc_trim every second, so that the C
# heap the JIT's compilations freed goes back to the system instead of staying in the process's
# resident memory (glibc keeps it for the next malloc) until the peak. Alternated pairs of
# processes, 2 cores (AMD Zen 3), peak RSS MiB: Runge 219-310 -> 200-210 (6 pairs; one default
# run peaked at 310), mlp 252-257 -> 242-246 (6 pairs), cnn 461-462 -> 444-454 (2); a trim took
# 0.5-3 ms (-Xlog:trimnative, mlp protocol); Runge lr=0.01 0.0361 and 0.0347 s -> 0.0363 and
# 0.0349 in the pairs of a quiet spell, the mlp faster in 2 of 4 pairs. A product switch from JDK 23
# on (21.0.1-22 have it as an experimental one, 21.0.0 not at all): set for those only.
if (( ${NABLA_JAVA_FEATURE:-0} >= 23 )); then
    jvm_opts+=(-XX:TrimNativeHeapInterval=1000)
fi
