# Runs the testthat suite (tests/testthat) against an emgmm installed in a
# private library, for `make sanitize` and `make valgrind`.  Run from the
# package root with R_LIBS=<library>, e.g.
#   R_LIBS=/tmp/lib Rscript tools/run-tests.R [filter]
# `filter` is a regular expression on the test file names, as testthat's
# (e.g. "predict|hc"); EMGMM_TEST_LIB, if set, is the library the package
# must come from.  Prints the time per file and the tally
# "N passed, M failed, S skipped" on its own line, and exits 1 if a test
# failed or stopped with an error.
args <- commandArgs(trailingOnly = TRUE)
filter <- if (length(args) > 0L && nzchar(args[1L])) args[1L] else NULL

path <- dirname(find.package("emgmm"))
want <- Sys.getenv("EMGMM_TEST_LIB")
if (nzchar(want) && normalizePath(path) != normalizePath(want)) {
  cat("emgmm comes from", path, "not from", want, "\n")
  quit(save = "no", status = 1L)
}
cat("emgmm", format(utils::packageVersion("emgmm")), "from", path, "\n")

library(testthat)
res <- test_dir("tests/testthat", package = "emgmm", load_package = "installed",
                reporter = "summary", stop_on_failure = FALSE, filter = filter)
df <- as.data.frame(res)
cat("\nseconds per file:\n")
per_file <- tapply(df$real, df$file, sum)
print(round(per_file[order(-per_file)], 1))
passed <- sum(df$passed)
failed <- sum(df$failed) + sum(df$error)
skipped <- sum(df$skipped)
cat(sprintf("%d passed, %d failed, %d skipped\n", passed, failed, skipped))
quit(save = "no", status = if (failed > 0L || nrow(df) == 0L) 1L else 0L)
