#!/usr/bin/env bash
# Installs what emgmm needs to build, test and check it.  On Debian/Ubuntu as
# root, prebuilt r-cran-* packages come from apt (fast); anything still missing
# is installed from CRAN by tools/install-deps.R.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  missing=$(Rscript -e 'need <- c(Rcpp="r-cran-rcpp", RcppEigen="r-cran-rcppeigen", mclust="r-cran-mclust", testthat="r-cran-testthat", knitr="r-cran-knitr", rmarkdown="r-cran-rmarkdown", ggplot2="r-cran-ggplot2", broom="r-cran-broom", tibble="r-cran-tibble", generics="r-cran-generics", MASS="r-cran-mass", Matrix="r-cran-matrix", withr="r-cran-withr"); cat(need[!names(need) %in% rownames(installed.packages())])')
  # the vignette is rendered by rmarkdown, which needs pandoc
  if ! command -v pandoc >/dev/null 2>&1; then missing="$missing pandoc"; fi
  # R CMD check --as-cran uses qpdf on any PDF it finds
  if ! command -v qpdf >/dev/null 2>&1; then missing="$missing qpdf"; fi
  if [ -n "$missing" ]; then
    echo "Installing from apt: $missing"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >/dev/null || true
    # shellcheck disable=SC2086
    apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
      echo "apt-get could not install everything; falling back to CRAN"
  fi
fi
Rscript tools/install-deps.R
