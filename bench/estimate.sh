#!/bin/sh
# Benchmark of issue 13 (ctip estimate):
#   sh bench/estimate.sh [SEEDS] [POPULATION] [BOOT]     (defaults 20, 10000, 200)
# 1. Speed: stepwise + 1,000 BCa replicates on UKdat_5 (1 and 2 threads), lcm with 10,000
#    iterations on the same five lists; the median of 5 runs each, beside a fixed CPU-bound
#    peer measured in the same run (the ratio holds across machines and loads).
# 2. Against a known truth: for each seed and data condition, `ctip demo generate
#    --population N` (only detected victims written), init, import, link run, estimate
#    --method all; prints each estimate and whether its 95 % interval holds the true total,
#    then the coverage and the median error per method and condition.
# CONDITIONS="H:K ..." sets the conditions: heterogeneity H (0 none, 1 three classes) and K
# agencies (default "0:5 1:5 1:4").
set -eu
cd "$(dirname "$0")/.."
SEEDS=${1:-20}
POP=${2:-10000}
BOOT=${3:-200}
CONDITIONS=${CONDITIONS:-"0:5 1:5 1:4"}
CTIP=${CTIP:-$(pwd)/build/ctip}
W=${BENCH_DIR:-build/bench}/estimate
mkdir -p "$W"
UK=tests/fixtures/mse/UKdat_5.csv

median() {
	label=$1
	shift
	i=0
	: >"$W/times"
	while [ $i -lt 5 ]; do
		/usr/bin/time -f "%e %U %S" -o "$W/t1" "$@" >"$W/out" 2>"$W/err" || { cat "$W/err"; exit 1; }
		awk '{printf "%.3f %.3f\n", $1, $2 + $3}' "$W/t1" >>"$W/times"
		i=$((i + 1))
	done
	wall=$(cut -d' ' -f1 "$W/times" | sort -n | sed -n 3p)
	cpu=$(cut -d' ' -f2 "$W/times" | sort -n | sed -n 3p)
	printf '%-58s %7.0f ms wall %7.0f ms cpu\n' "$label" "$(echo "$wall * 1000" | bc)" "$(echo "$cpu * 1000" | bc)"
}

echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg) (the machine may be shared)"
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -n1)"
echo "== speed"
median "peer: python3, 3 million square roots" python3 -c "import math; s=0.0
for i in range(3000000): s += math.sqrt(i)"
median "stepwise + 1,000 BCa replicates, UKdat_5, 2 threads" "$CTIP" estimate --histories "$UK" --threads 2 --format csv
median "stepwise + 1,000 BCa replicates, UKdat_5, 1 thread" "$CTIP" estimate --histories "$UK" --threads 1 --format csv
median "lcm, 10,000 iterations, UKdat_5 (five lists)" "$CTIP" estimate --histories "$UK" --method lcm --iterations 10000 --format csv
median "bic (6,212 models with three-list terms; the best 64 on each replicate) + 1,000 BCa replicates, UKdat_5" "$CTIP" estimate --histories "$UK" --method bic --format csv

echo "== against a known truth: population $POP, $SEEDS seeds, $BOOT bootstrap replicates"
printf '%-5s %-4s %8s %8s  %-26s %-26s %-26s\n' cond seed detected truth stepwise bic lcm
: >"$W/cover"
for cond in $CONDITIONS; do
	H=${cond%%:*}
	K=${cond##*:}
	s=1
	while [ "$s" -le "$SEEDS" ]; do
		DB="$W/pop.db"
		rm -f "$DB" "$DB"-* "$DB.audit"* "$DB.key"
		"$CTIP" demo generate --population "$POP" --lists "$K" --heterogeneity "$H" --seed "$s" \
			-o "$W/pop.csv" --truth "$W/truth.csv" 2>/dev/null
		truth=$(sed -n 's/^# population=\([0-9]*\).*/\1/p' "$W/truth.csv")
		"$CTIP" --db "$DB" init >/dev/null
		"$CTIP" --db "$DB" import "$W/pop.csv" >/dev/null
		"$CTIP" --db "$DB" link run >/dev/null
		"$CTIP" --db "$DB" estimate --method all --bootstrap "$BOOT" --seed "$s" --format json >"$W/e.json"
		line=$(jq -r --argjson t "$truth" '.estimates[0] as $e | [$e.observed] + [$e.methods[] |
			if .estimate == null then "-" else
			"\(.estimate | round) [\(.interval.lower | round),\(.interval.upper | round)]\(if .interval.lower <= $t and $t <= .interval.upper then "+" else "-" end)" end] | @tsv' "$W/e.json")
		set -- $line
		printf '%-5s %-4s %8s %8s  %-26s %-26s %-26s\n' "$H:$K" "$s" "$1" "$truth" "$2 $3" "$4 $5" "$6 $7"
		jq -r --arg c "$H:$K" --argjson t "$truth" '.estimates[0].methods[] | select(.estimate != null) |
			"\($c) \(.method) \(if .interval.lower <= $t and $t <= .interval.upper then 1 else 0 end) \(((.estimate - $t) / $t * 1000 | round) / 10)"' "$W/e.json" >>"$W/cover"
		s=$((s + 1))
	done
done
echo "== coverage of the 95 % interval, and the median error of the estimate (per cent of the truth)"
for cond in $CONDITIONS; do
	for m in stepwise bic lcm; do
		n=$(grep -c "^$cond $m " "$W/cover" || true)
		[ "$n" -gt 0 ] || continue
		k=$(grep "^$cond $m " "$W/cover" | awk '{k += $3} END {print k}')
		med=$(grep "^$cond $m " "$W/cover" | awk '{print $4}' | sort -g | awk '{e[NR] = $1}
			END {print (NR % 2) ? e[(NR + 1) / 2] : (e[NR / 2] + e[NR / 2 + 1]) / 2}')
		printf 'heterogeneity:lists %-4s %-9s %2d of %2d intervals hold the truth (%3.0f %%), median error %+.1f %%\n' \
			"$cond" "$m" "$k" "$n" "$(echo "100 * $k / $n" | bc -l)" "$med"
	done
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
