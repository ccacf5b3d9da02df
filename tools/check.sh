#!/usr/bin/env bash
# `make check`: R CMD build, then R CMD check --as-cran --no-manual on the
# tarball (which runs the testthat suite).  Prints the test tally read from
# testthat's results as "N passed, M failed" on its own line, and exits
# non-zero if the check has an ERROR or a WARNING or a test failed.
set -uo pipefail
cd "$(dirname "$0")/.."
pkg=$(sed -n 's/^Package: //p' DESCRIPTION)
ver=$(sed -n 's/^Version: //p' DESCRIPTION)
out=${CHECK_DIR:-$(mktemp -d)}
mkdir -p "$out"
R CMD build . >"$out/build.log" 2>&1
build_status=$?
if [ ! -f "${pkg}_${ver}.tar.gz" ]; then
  cat "$out/build.log"
  echo "0 passed, 1 failed"
  exit 1
fi
mv "${pkg}_${ver}.tar.gz" "$out/"
(cd "$out" && NOT_CRAN=true _R_CHECK_FORCE_SUGGESTS_=false R CMD check --as-cran --no-manual "${pkg}_${ver}.tar.gz")
check_status=$?
log="$out/${pkg}.Rcheck/00check.log"
rout=$(ls "$out/${pkg}.Rcheck/tests/"testthat.Rout* 2>/dev/null | head -n 1)
passed=0
failed=0
if [ -n "$rout" ]; then
  tally=$(grep -E '\[ FAIL [0-9]+ \| WARN [0-9]+ \| SKIP [0-9]+ \| PASS [0-9]+ \]' "$rout" | tail -n 1)
  if [ -n "$tally" ]; then
    failed=$(echo "$tally" | sed -E 's/.*FAIL ([0-9]+).*/\1/')
    passed=$(echo "$tally" | sed -E 's/.*PASS ([0-9]+).*/\1/')
  else
    failed=1
  fi
  if [[ "$rout" == *.fail ]]; then
    echo "---- test output ($rout) ----"
    tail -n 60 "$rout"
    [ "$failed" = "0" ] && failed=1
  fi
else
  echo "no test output found under $out/${pkg}.Rcheck/tests"
  failed=1
fi
status_line=$(grep -E '^Status:' "$log" 2>/dev/null | tail -n 1)
echo "check: ${status_line:-no status (see $log)}; build status $build_status"
echo "${passed} passed, ${failed} failed"
if [ "$check_status" != "0" ] || [ "$failed" != "0" ] || echo "$status_line" | grep -qE 'ERROR|WARNING' || [ -z "$status_line" ]; then
  exit 1
fi
exit 0
