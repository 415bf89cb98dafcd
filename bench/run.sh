#!/bin/sh
# Runs every benchmark. Figures are recorded by hand in docs/BENCHMARKS.md.
set -eu
cd "$(dirname "$0")/.."
sh bench/import_search.sh "${BENCH_N:-1000000}"
sh bench/server.sh "${BENCH_SERVER_N:-220000}"
sh bench/stats.sh "${BENCH_STATS_N:-2000000}"
sh bench/link.sh "${BENCH_LINK_N:-100000}"
sh bench/import_xlsx.sh "${BENCH_XLSX_N:-100000}"
sh bench/release.sh "${BENCH_RELEASE_N:-1000000}"
sh bench/estimate.sh "${BENCH_ESTIMATE_SEEDS:-20}"
