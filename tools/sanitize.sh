#!/usr/bin/env bash
# `make sanitize` (developers; not part of `make check`): AddressSanitizer and
# UndefinedBehaviorSanitizer over our C++.
#  1. The engine's own tests (src/engine/tests) built with the sanitizers and
#     run.
#  2. The package built with the sanitizers from a copy of this tree (the
#     tree's objects and the normal installation are untouched) into a
#     private library, through a private Makevars (R_MAKEVARS_USER), and the
#     testthat suite run against it.  R is not built with ASan, so the ASan
#     runtime is preloaded into R (LD_PRELOAD); only our code is instrumented.
# Both builds also check indices where ASan cannot see them (past a row or a
# column but inside the same allocation): Eigen's assertions (-UNDEBUG; R's
# flags define NDEBUG) and libstdc++'s (-D_GLIBCXX_ASSERTIONS).
# Any sanitizer report or failed assertion stops the process with a non-zero
# status; the output is also searched for "runtime error:" (UBSan), "ERROR:
# AddressSanitizer" and "Assertion ... failed", and the tests' tally for
# failures.  Prints "sanitize: OK" or "sanitize: FAILED" last and exits
# non-zero on any finding.
#   SANITIZE_DIR    where the build, library and logs go (default: a new
#                   directory under /tmp)
#   SANITIZE_TESTS  a regular expression on test file names (default: all)
set -uo pipefail
cd "$(dirname "$0")/.."
out=${SANITIZE_DIR:-$(mktemp -d /tmp/emgmm-sanitize.XXXXXX)}
mkdir -p "$out/lib" "$out/pkg"
echo "sanitize: building and logging in $out"

flags="-fsanitize=address,undefined -fno-sanitize-recover -fno-omit-frame-pointer"
cxx=$(R CMD config CXX17)
cc=${cxx%% *}
libasan=$("$cc" -print-file-name=libasan.so)
if [ ! -e "$libasan" ] || [ "$libasan" = "libasan.so" ]; then
  echo "sanitize: $cc has no libasan.so (GCC's ASan runtime is needed)"
  exit 1
fi

# halt_on_error=1: stop at the first report (the default without
#   -fsanitize-recover; stated so that no one's environment turns it off).
# abort_on_error=0: exit with status 1 rather than abort() and a core dump.
# detect_leaks=0: R does not free what it allocates before it exits (its
#   heap, the global environment, loaded namespaces), by design; a leak check
#   at exit would report all of that.  Use-after-free, overflows and the rest
#   are still detected.
# detect_odr_violation=2 (the default), kept explicitly: only emgmm.so is
#   instrumented, so only our own globals are checked, and none is reported.
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1:abort_on_error=0:detect_odr_violation=2:print_summary=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
# LD_PRELOAD is set for the test run only, not for the compilers.

# both cores for the build
export MAKEFLAGS=-j$(nproc 2>/dev/null || echo 2)

status=0
findings() {  # file: sanitizer reports in a log
  grep -E "runtime error:|ERROR: AddressSanitizer|SUMMARY: (Address|UndefinedBehavior)Sanitizer|Assertion .* failed" "$1"
}

# -- 1. the engine's tests ---------------------------------------------------
echo "== engine tests (src/engine/tests) with $flags"
start=$(date +%s)
rm -f "$out/engine_tests"  # rebuilt every time, with these flags
make --no-print-directory -C src/engine/tests SANITIZE="-g -O1 -D_GLIBCXX_ASSERTIONS $flags" BIN="$out/engine_tests" \
  >"$out/engine.log" 2>&1
engine_status=$?
tail -n 1 "$out/engine.log"
if [ "$engine_status" != "0" ] || findings "$out/engine.log" >/dev/null; then
  echo "engine tests: FAILED (status $engine_status); see $out/engine.log"
  findings "$out/engine.log" | head -n 20
  tail -n 40 "$out/engine.log"
  status=1
fi
echo "engine tests: $(( $(date +%s) - start )) s"

# -- 2. the package and the testthat suite -----------------------------------
echo "== R package built with $flags"
start=$(date +%s)
tar -c --exclude=.git --exclude='*.o' --exclude='*.so' --exclude='*.tar.gz' \
  --exclude=emgmm.Rcheck . | tar -x -C "$out/pkg"
cat >"$out/Makevars" <<EOF
# emgmm's sanitizer build (tools/sanitize.sh): compile and link with ASan and UBSan.
CXX17 = $cxx $flags
CXX17FLAGS = -g -O1
# R's flags define NDEBUG; after them, this turns Eigen's assertions back on
CPPFLAGS = -UNDEBUG -D_GLIBCXX_ASSERTIONS
EOF
# --no-test-load: emgmm.so can only be loaded with the ASan runtime preloaded
(cd "$out/pkg" && R_MAKEVARS_USER="$out/Makevars" \
  R CMD INSTALL --preclean --no-multiarch --no-test-load -l "$out/lib" .) >"$out/install.log" 2>&1
install_status=$?
if [ "$install_status" != "0" ] || ! grep -q -- "-fsanitize=address" "$out/install.log"; then
  tail -n 40 "$out/install.log"
  echo "sanitize: the instrumented build failed (status $install_status); see $out/install.log"
  echo "sanitize: FAILED"
  exit 1
fi
echo "build: $(( $(date +%s) - start )) s"

echo "== testthat suite under ASan + UBSan (LD_PRELOAD=$libasan)"
start=$(date +%s)
NOT_CRAN=true R_LIBS="$out/lib" EMGMM_TEST_LIB="$out/lib" LD_PRELOAD="$libasan" \
  Rscript tools/run-tests.R "${SANITIZE_TESTS:-}" >"$out/tests.log" 2>&1
test_status=$?
sed -n '/^seconds per file:/,$p' "$out/tests.log"
echo "testthat: $(( $(date +%s) - start )) s, R exit status $test_status"
if [ "$test_status" != "0" ] || findings "$out/tests.log" >/dev/null ||
  ! grep -qE '^[0-9]+ passed, 0 failed' "$out/tests.log"; then
  echo "---- sanitizer reports and the end of $out/tests.log ----"
  findings "$out/tests.log" | head -n 20
  tail -n 60 "$out/tests.log"
  status=1
fi
if [ "$status" = "0" ]; then
  echo "sanitize: OK (no AddressSanitizer or UndefinedBehaviorSanitizer report)"
else
  echo "sanitize: FAILED"
fi
exit "$status"
