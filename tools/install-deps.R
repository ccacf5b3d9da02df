# Installs the R packages emgmm needs to build, test and check it, from CRAN,
# skipping those already installed.  Used by `make demo` and `make check`
# (through tools/install-deps.sh, which first tries Debian's r-cran-* packages
# when run as root).  When the default library is not writable, packages go to
# the user library (R_LIBS_USER), which is created and used.
need <- c("Rcpp", "RcppEigen", "mclust", "testthat", "knitr", "rmarkdown", "ggplot2", "broom",
          "tibble", "generics", "MASS", "Matrix", "withr")
have <- rownames(installed.packages())
missing <- setdiff(need, have)
if (length(missing) > 0L) {
  repos <- getOption("repos")
  if (is.null(repos) || identical(unname(repos["CRAN"]), "@CRAN@")) {
    repos <- c(CRAN = "https://cloud.r-project.org")
  }
  lib <- .libPaths()[1L]
  if (file.access(lib, 2L) != 0L) {
    lib <- Sys.getenv("R_LIBS_USER")
    dir.create(lib, recursive = TRUE, showWarnings = FALSE)
    .libPaths(c(lib, .libPaths()))
  }
  message("Installing from CRAN into ", lib, ": ", paste(missing, collapse = ", "))
  install.packages(missing, repos = repos, lib = lib,
                   Ncpus = max(1L, parallel::detectCores()))
}
still <- setdiff(need, rownames(installed.packages()))
if (length(still) > 0L) {
  stop("could not install: ", paste(still, collapse = ", "))
}
# Optional: the tests compare with these when they are installed, and skip
# the comparison otherwise (norm: em.norm(), one normal with missing values).
optional <- setdiff(c("norm"), rownames(installed.packages()))
if (length(optional) > 0L) {
  repos <- getOption("repos")
  if (is.null(repos) || identical(unname(repos["CRAN"]), "@CRAN@")) {
    repos <- c(CRAN = "https://cloud.r-project.org")
  }
  lib <- .libPaths()[1L]
  if (file.access(lib, 2L) != 0L) lib <- Sys.getenv("R_LIBS_USER")
  tryCatch(install.packages(optional, repos = repos, lib = lib, quiet = TRUE),
           error = function(e) message("optional packages not installed: ", conditionMessage(e)))
}
if (!nzchar(Sys.which("pandoc")) && !nzchar(Sys.getenv("RSTUDIO_PANDOC"))) {
  message("pandoc was not found: the vignette cannot be built (install pandoc).")
}
