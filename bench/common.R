# What the benchmarks share (sourced by bench/bench.R and bench/optimum.R,
# run from the package root).

# The Python with scikit-learn they compare against: the first of
# EMGMM_BENCH_PYTHON, /usr/bin/python3 and python3 on the PATH that can
# import sklearn, or "" when none can.
python <- local({
  found <- ""
  for (p in c(Sys.getenv("EMGMM_BENCH_PYTHON"), "/usr/bin/python3", Sys.which("python3"))) {
    if (nzchar(p) && file.exists(p) &&
        identical(suppressWarnings(system2(p, c("-c", shQuote("import sklearn")),
                                           stdout = FALSE, stderr = FALSE)), 0L)) {
      found <- p
      break
    }
  }
  found
})

# Replaces the lines of `txt` (bench/README.md's lines) between the markers
# <!-- tag begin --> and <!-- tag end --> by `lines`, and writes the file.
replace_readme_block <- function(txt, tag, lines, readme = file.path("bench", "README.md")) {
  b <- grep(sprintf("<!-- %s begin -->", tag), txt, fixed = TRUE)
  e <- grep(sprintf("<!-- %s end -->", tag), txt, fixed = TRUE)
  if (length(b) == 1L && length(e) == 1L && e > b) {
    writeLines(c(txt[seq_len(b)], lines, txt[e:length(txt)]), readme)
    cat("bench/README.md updated\n")
  } else {
    cat("markers not found in bench/README.md; not updated\n")
  }
}
