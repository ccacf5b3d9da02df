# Installs the R packages emgmm needs to build, test and check, from CRAN,
# skipping those already installed.  Used by `make demo` and `make check`.
# (On Debian, `make deps-apt` installs prebuilt r-cran-* packages first, which
# is much faster than building from source.)
args <- commandArgs(trailingOnly = TRUE)
need <- c("Rcpp", "RcppEigen", "mclust", "testthat", "knitr", "rmarkdown", "roxygen2")
if (length(args) > 0L && args[1L] == "--runtime") need <- c("Rcpp", "RcppEigen")
have <- rownames(installed.packages())
missing <- setdiff(need, have)
if (length(missing) > 0L) {
  repos <- getOption("repos")
  if (is.null(repos) || identical(unname(repos["CRAN"]), "@CRAN@")) {
    repos <- c(CRAN = "https://cloud.r-project.org")
  }
  lib <- .libPaths()[1L]
  message("Installing from CRAN into ", lib, ": ", paste(missing, collapse = ", "))
  install.packages(missing, repos = repos, lib = lib,
                   Ncpus = max(1L, parallel::detectCores()))
}
still <- setdiff(need, rownames(installed.packages()))
if (length(still) > 0L) {
  stop("could not install: ", paste(still, collapse = ", "))
}
