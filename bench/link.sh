#!/bin/sh
# Benchmark of issues 5 and 12 (record linkage): for each data-quality profile, generate N
# person records with their truth, import them, link them, and measure pairwise precision,
# recall and F1 against the truth, the candidate pairs and the recall of the blocking, the true
# against the linked number of distinct persons, and the model's own estimates (`ctip link
# report`); wall time and peak memory of `ctip link run`.
#   sh bench/link.sh [N]      (default 100000)
#   PROFILES="good typical poor indep" (the default) SEED=1 sh bench/link.sh N
#     good, typical, poor: `ctip demo generate --quality P`; indep: bench/indep_gen.py, a
#     second generator with its own error model (about 1.76 records per person: N records
#     are made from N / 1.76 persons); indep-b: the same generator with every rate changed
#     (bench/indep_gen.py VARIANT b: more missing, more typos, persons recorded twice by one
#     organisation; N / 2.02 persons)
#   LOSS=1 sh bench/link.sh N   also where the loss is (bench/link_loss.py: true pairs never
#     candidates, below the threshold, refused by the guards; false pairs and their patterns)
#   ORACLE=1 sh bench/link.sh N   also the oracle bound (bench/link_oracle.py: the best
#     classifier over the linker's own features, the ceiling of the blocking, features the
#     linker does not use); keeps the candidate pairs in BENCH_DIR/PROFILE-N-SEED/cand.tsv
#   INCR=10000 sh bench/link.sh N   also (typical): N - 10000 linked, then 10000 more
#     incrementally
set -eu
cd "$(dirname "$0")/.."
N=${1:-100000}
CTIP=${CTIP:-build/ctip}
W=${BENCH_DIR:-build/bench-link}
mkdir -p "$W"

run() {
	label=$1
	shift
	/usr/bin/time -f "%e %U %S %M" -o "$W/time" "$@" >"$W/out" 2>&1 || { cat "$W/out"; exit 1; }
	read -r secs user sys kb <"$W/time"
	printf '%-22s %7.2f s wall %7.2f s cpu %8.1f MB peak\n' "$label" "$secs" \
		"$(echo "$user + $sys" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GB", $2/1048576}' /proc/meminfo), load $(cut -d' ' -f1 /proc/loadavg)"
echo "records: $N"
SEED=${SEED:-1}
for P in ${PROFILES:-good typical poor indep}; do
	PD="$W/$P-$N-$SEED"
	mkdir -p "$PD"
	DB="$PD/link.db"
	# the data is made once per profile, N and seed (BENCH_FRESH=1 to remake it)
	if [ ! -f "$PD/done" ] || [ "${BENCH_FRESH:-0}" = 1 ]; then
		rm -f "$DB" "$DB-wal" "$DB-shm" "$DB.key" "$DB.audit" "$DB.audit-wal" "$DB.audit-shm" "$PD/done"
		if [ "$P" = indep ]; then
			python3 bench/indep_gen.py "$(echo "$N / 1.76" | bc)" "$SEED" "$PD/data.csv" "$PD/truth.csv"
		elif [ "$P" = indep-b ]; then
			python3 bench/indep_gen.py "$(echo "$N / 2.02" | bc)" "$SEED" "$PD/data.csv" "$PD/truth.csv" b
		else
			$CTIP demo generate --persons "$N" --seed "$SEED" --quality "$P" -o "$PD/data.csv" \
				--truth "$PD/truth.csv" 2>/dev/null
		fi
		$CTIP --db "$DB" init >/dev/null
		$CTIP --db "$DB" import "$PD/data.csv" >/dev/null
		touch "$PD/done"
	fi
	$CTIP --db "$DB" init >/dev/null 2>&1 # migrates a database made by an older ctip
	echo "== profile $P (seed $SEED)"
	# the candidate pairs for the recall of the blocking (their writing is in the wall time:
	# CAND=0 leaves it out; off by default above 200,000 records)
	rm -f "$PD/cand.tsv"
	if [ "${CAND:-$([ "$N" -le 200000 ] && echo 1 || echo 0)}" = 1 ]; then
		export CTIP_LINK_CANDIDATES="$PD/cand.tsv"
	fi
	run "link run" $CTIP --db "$DB" link run --full --timing ${LINK_ARGS:-}
	unset CTIP_LINK_CANDIDATES
	cat "$W/out"
	$CTIP --db "$DB" link export --format csv -o "$PD/keys.csv" 2>/dev/null
	if [ -f "$PD/cand.tsv" ]; then
		python3 bench/link_eval.py "$PD/truth.csv" "$PD/keys.csv" "$PD/cand.tsv"
		# LOSS=1: where the loss is (bench/link_loss.py)
		if [ "${LOSS:-0}" = 1 ]; then
			python3 bench/link_loss.py "$PD/truth.csv" "$PD/keys.csv" "$PD/cand.tsv" \
				"$($CTIP --db "$DB" link report --json 2>/dev/null |
					python3 -c 'import json, sys; print(json.load(sys.stdin)["threshold"])')"
		fi
		if [ "${ORACLE:-0}" = 1 ]; then
			python3 bench/link_oracle.py "$PD/truth.csv" "$PD/cand.tsv" "$PD/data.csv" \
				--keys "$PD/keys.csv"
		fi
	else
		python3 bench/link_eval.py "$PD/truth.csv" "$PD/keys.csv"
	fi
	[ "${ORACLE:-0}" = 1 ] || rm -f "$PD/cand.tsv"
	$CTIP --db "$DB" link report --json 2>/dev/null | python3 -c "
import json, sys
q = json.load(sys.stdin)
print('model: threshold %.3f, precision %.4f recall %.4f F1 %.4f, persons %d expected %.0f in [%d, %d], review %d pairs'
      % (q['threshold'], q['precision'], q['recall'], q['f1'], q['persons'], q['persons_expected'],
         q['persons_low'], q['persons_high'], q['review']['pairs']))"
done
# the rest on the typical profile
DB="$W/typical-$N-$SEED/link.db"
if [ -f "$DB" ]; then
	cp "$W/typical-$N-$SEED/data.csv" "$W/data.csv"
	cp "$W/typical-$N-$SEED/truth.csv" "$W/truth.csv"
	# re-trafficking: persons victims in cases whose exploitation periods do not overlap
	$CTIP --db "$DB" link retrafficked 2>&1 >/dev/null | sed 's/^/found: /'
	python3 bench/retraffic_truth.py "$W/data.csv" "$W/truth.csv"
fi

# incremental (INCR=10000 sh bench/link.sh N): the records of about INCR persons' cases held
# back, the rest imported and linked, then the held-back ones imported and linked by an
# incremental run; compared with a full run over the same records
if [ "${INCR:-0}" -gt 0 ]; then
	I="$W/incr"
	mkdir -p "$I"
	if [ ! -f "$I/db-$N-$INCR.done" ] || [ "${BENCH_FRESH:-0}" = 1 ]; then
		rm -f "$I"/*
		frac=$(echo "1 - $INCR / $N" | bc -l)
		python3 tests/e2e/link_split.py "$W/data.csv" "$frac" "$I/p1.csv" "$I/p2.csv"
		$CTIP --db "$I/i.db" init >/dev/null
		$CTIP --db "$I/i.db" import "$I/p1.csv" >/dev/null
		$CTIP --db "$I/i.db" link run >/dev/null
		cp "$I/i.db" "$I/base.db"
		cp "$I/i.db.key" "$I/base.db.key"
		cp "$I/i.db.audit" "$I/base.db.audit"
		touch "$I/db-$N-$INCR.done"
	fi
	for f in i.db i.db.key i.db.audit; do cp "$I/base${f#i}" "$I/$f"; done
	rm -f "$I/i.db-wal" "$I/i.db-shm"
	run "import held back" $CTIP --db "$I/i.db" import "$I/p2.csv"
	cat "$W/out"
	run "incremental link run" $CTIP --db "$I/i.db" link run --timing
	cat "$W/out"
	$CTIP --db "$I/i.db" link export --format csv -o "$I/inc.csv"
	python3 bench/link_eval.py "$W/truth.csv" "$I/inc.csv" | sed 's/^/incremental: /'
	$CTIP --db "$I/base.db" link export --format csv -o "$I/base.csv"
	python3 -c "
import csv, sys
a = {(r['src_Organisation'], r['src_RecordId']): r['person_key'] for r in csv.DictReader(open(sys.argv[1]))}
b = {(r['src_Organisation'], r['src_RecordId']): r['person_key'] for r in csv.DictReader(open(sys.argv[2]))}
print('incremental: records linked before keeping their person key: %d of %d' % (sum(a[k] == b[k] for k in a), len(a)))
" "$I/base.csv" "$I/inc.csv"
	run "full link run" $CTIP --db "$I/i.db" link run --full --timing
	cat "$W/out"
	$CTIP --db "$I/i.db" link export --format csv -o "$I/full.csv"
	python3 bench/link_eval.py "$W/truth.csv" "$I/full.csv" | sed 's/^/full: /'
fi
