# Two commands for a fresh machine (R installed, no R packages):
#   make demo   installs dependencies and the package, fits the series and faithful
#   make check  installs dependencies, R CMD build, R CMD check --as-cran --no-manual
.PHONY: demo check deps install document bench

deps:
	@bash tools/install-deps.sh

install: deps
	R CMD INSTALL --preclean --no-multiarch .

demo: install
	Rscript tools/demo.R

check: deps
	@bash tools/check.sh

# For developers: regenerate RcppExports and the roxygen documentation.
document:
	Rscript -e 'Rcpp::compileAttributes(); roxygen2::roxygenize()'

bench: install
	Rscript bench/bench.R
