#!/usr/bin/env bash
# `make valgrind` (developers; not part of `make check`): the testthat suite
# under valgrind's memcheck.  The package is built normally (R's flags,
# -g -O2) from a copy of this tree into a private library (the tree's
# objects and the normal installation are untouched), and the suite runs as
#   R -d "valgrind --error-exitcode=1 ..." -f tools/run-tests.R
# One log per process (forked children have their own) in the output
# directory.  Every log must say "ERROR SUMMARY: 0 errors", R must exit with
# status 0 and the tests' tally must show no failure.  Prints
# "valgrind: OK" or "valgrind: FAILED" last and exits non-zero on any finding.
#   VALGRIND_DIR    where the build, library and logs go (default: a new
#                   directory under /tmp)
#   VALGRIND_TESTS  a regular expression on test file names (default: all)
#   VALGRIND_OPTS   extra valgrind options (e.g. --track-origins=yes to see
#                   where an uninitialised value came from; twice as slow)
#   EMGMM_FUZZ_CASES  the number of random cases of the fuzz tests; 5 here
#                   unless set (the suite is about 20 times slower under valgrind)
set -uo pipefail
cd "$(dirname "$0")/.."
out=${VALGRIND_DIR:-$(mktemp -d /tmp/emgmm-valgrind.XXXXXX)}
mkdir -p "$out/lib" "$out/pkg"
rm -f "$out"/valgrind.*.log
echo "valgrind: building and logging in $out"
if ! command -v valgrind >/dev/null 2>&1; then
  echo "valgrind: valgrind is not installed (apt-get install valgrind)"
  exit 1
fi
export EMGMM_FUZZ_CASES=${EMGMM_FUZZ_CASES:-5}
export MAKEFLAGS=-j$(nproc 2>/dev/null || echo 2)  # both cores for the build

start=$(date +%s)
tar -c --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.tar.gz' \
  --exclude=emgmm.Rcheck . | tar -x -C "$out/pkg"
(cd "$out/pkg" && R CMD INSTALL --preclean --no-multiarch -l "$out/lib" .) >"$out/install.log" 2>&1 || {
  tail -n 40 "$out/install.log"
  echo "valgrind: the build failed; see $out/install.log"
  echo "valgrind: FAILED"
  exit 1
}
echo "build: $(( $(date +%s) - start )) s"

# --leak-check=no: R does not free what it allocates before it exits, by
#   design, so a leak report at exit would be about R, not us.
# No suppressions: R gives no report here, and the engine uses plain C++ threads.
vg="valgrind --tool=memcheck --error-exitcode=1 --leak-check=no --num-callers=40"
vg="$vg --log-file=$out/valgrind.%p.log ${VALGRIND_OPTS:-}"
echo "== testthat suite under $vg (EMGMM_FUZZ_CASES=$EMGMM_FUZZ_CASES)"
start=$(date +%s)
NOT_CRAN=true R_LIBS="$out/lib" EMGMM_TEST_LIB="$out/lib" \
  R -d "$vg" --no-save --no-restore --no-echo -f tools/run-tests.R --args "${VALGRIND_TESTS:-}" \
  >"$out/tests.log" 2>&1
test_status=$?
sed -n '/^seconds per file:/,$p' "$out/tests.log"
echo "testthat: $(( $(date +%s) - start )) s, R exit status $test_status"

status=0
logs=$(ls "$out"/valgrind.*.log 2>/dev/null)
if [ -z "$logs" ]; then
  echo "no valgrind log in $out"
  status=1
fi
for log in $logs; do
  summary=$(grep -E "ERROR SUMMARY:" "$log" | tail -n 1)
  if [ -z "$summary" ] && ! grep -q "   at 0x" "$log"; then
    # a child that exec()s another program (R's system()) is no longer
    # followed and writes no summary; only a report in it would count
    echo "$(basename "$log"): no ERROR SUMMARY and no report (a child that ran another program)"
    continue
  fi
  echo "$(basename "$log"): ${summary:-no ERROR SUMMARY, but a report}"
  if ! echo "$summary" | grep -q "ERROR SUMMARY: 0 errors"; then
    status=1
    grep -m 1 -B 1 -A 30 "   at 0x" "$log"  # the first report
  fi
done
if [ "$test_status" != "0" ] || ! grep -qE '^[0-9]+ passed, 0 failed' "$out/tests.log"; then
  echo "---- the end of $out/tests.log ----"
  tail -n 40 "$out/tests.log"
  status=1
fi
if [ "$status" = "0" ]; then
  echo "valgrind: OK (ERROR SUMMARY: 0 errors in every process)"
else
  echo "valgrind: FAILED"
fi
exit "$status"
