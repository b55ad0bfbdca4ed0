#!/usr/bin/env bash
# Fuzzes the import file readers (CSV and XLSX) with libFuzzer under ASan + UBSan: builds
# fuzz/*_fuzzer.cpp with clang++ into build/fuzz/ and runs each fuzzer for N inputs, one after the
# other on one core, on build/fuzz/corpus-<name> (the committed seeds in fuzz/seeds/<name> copied
# in; inputs found earlier kept there). Prints inputs run, exec/s, time and corpus size; exits
# non-zero when a fuzzer finds a crash, a sanitizer report, a hang (10 s) or memory over 2 GB,
# leaving the input in build/fuzz/artifacts/. Idempotent: rerunning rebuilds and fuzzes again.
#
#   scripts/fuzz.sh [runs] [csv|xlsx ...]     runs defaults to $FUZZ_RUNS or 1000000; both fuzzers
#   FUZZ_FRESH=1 scripts/fuzz.sh              start again from the seeds alone
#   build/fuzz/xlsx_reader_fuzzer build/fuzz/artifacts/xlsx-crash-...   replay one input
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${1:-${FUZZ_RUNS:-1000000}}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(csv xlsx)
[[ $runs =~ ^[0-9]+$ ]] || { echo "runs must be a number, not '$runs'" >&2; exit 2; }

cxx=${CXX_FUZZ:-/usr/bin/clang++}
out=build/fuzz
mkdir -p "$out/artifacts"

# simdjson's pkg-config file names it; expat, zlib and libzip too, with plain -l as a fallback.
libs=$(pkg-config --cflags --libs simdjson expat zlib libzip 2>/dev/null || echo "-lsimdjson -lexpat -lz -lzip")
# shellcheck disable=SC2054  # the commas are clang's
flags=(-std=c++20 -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
       -fno-omit-frame-pointer -Isrc)

# What each fuzzer compiles: the reader and the parts of core it uses.
declare -A sources=(
  [csv]="src/imports/csv_reader.cpp src/core/result.cpp"
  [xlsx]="src/imports/xlsx_reader.cpp src/imports/zip.cpp src/core/result.cpp src/core/clock.cpp"
)
declare -A max_len=([csv]=16384 [xlsx]=65536)

status=0
for name in "${targets[@]}"; do
  [ -n "${sources[$name]:-}" ] || { echo "no fuzzer named '$name' (csv, xlsx)" >&2; exit 2; }
  binary=$out/${name}_reader_fuzzer
  echo "== building $binary"
  # shellcheck disable=SC2086  # $libs and the source lists are word lists
  "$cxx" "${flags[@]}" -o "$binary" "fuzz/${name}_reader_fuzzer.cpp" ${sources[$name]} $libs

  corpus=$out/corpus-$name
  [ "${FUZZ_FRESH:-0}" = 1 ] && rm -rf "$corpus"
  mkdir -p "$corpus"
  cp -n "fuzz/seeds/$name"/* "$corpus"/
  dict=()
  [ -f "fuzz/$name.dict" ] && dict=(-dict="fuzz/$name.dict")

  echo "== fuzzing $name: $runs inputs, starting from $(find "$corpus" -type f | wc -l) files"
  log=$out/$name.log
  start=$(date +%s)
  set +e
  "$binary" "$corpus" "${dict[@]}" -runs="$runs" -max_len="${max_len[$name]}" -timeout=10 \
    -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$out/artifacts/$name-" \
    >"$log" 2>&1
  rc=$?
  set -e
  seconds=$(($(date +%s) - start))
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -1 || true)
  [ -n "$done_line" ] || done_line=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
  executed=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
  peak=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log")
  echo "   last status: ${done_line:-none}"
  echo "   inputs run: ${executed:-?}, ${speed:-?} exec/s, ${seconds} s, peak RSS ${peak:-?} MB," \
    "corpus $(find "$corpus" -type f | wc -l) files; log $log"
  if [ $rc -ne 0 ]; then
    echo "!! $name fuzzer failed (exit $rc):" >&2
    grep -E 'ERROR: |runtime error|SUMMARY|_fuzzer: |Test unit written' "$log" | head -20 >&2 || true
    status=1
  fi
done
exit $status
