# Two commands for a fresh machine (R installed, no R packages):
#   make demo   installs dependencies and the package, fits the series and faithful
#   make check  installs dependencies, R CMD build, R CMD check --as-cran --no-manual
.PHONY: demo check deps install document bench engine-test sanitize valgrind

deps:
	@bash tools/install-deps.sh

install: deps
	rm -f src/*.o src/*.so src/engine/*.o
	R CMD INSTALL --preclean --no-multiarch .

demo: install
	Rscript tools/demo.R

check: deps engine-test
	@bash tools/check.sh

# The R-free engine built on its own with strict warnings, and its unit tests.
engine-test: deps
	@$(MAKE) --no-print-directory -C src/engine/tests

# For developers, not part of `make check` (README.md, "Sanitizers and
# valgrind"): the engine's tests and the testthat suite built with
# AddressSanitizer and UndefinedBehaviorSanitizer, and the testthat suite
# under valgrind.  Each builds into a private library under /tmp and exits
# non-zero on any report.
sanitize: deps
	@bash tools/sanitize.sh

valgrind: deps
	@bash tools/valgrind.sh

# For developers: regenerate RcppExports and the roxygen documentation.
document:
	Rscript -e 'Rcpp::compileAttributes(); roxygen2::roxygenize()'

# Benchmarks (see bench/README.md): agreement with mclust, the hierarchical
# start, the n_init study, speed, the default start against each kind, and
# the best log-likelihood per (k, model) against mclust and scikit-learn, and
# fits with missing values.
bench: install
	Rscript bench/agreement.R
	Rscript bench/hc.R
	Rscript bench/n_init.R
	Rscript bench/bench.R
	Rscript bench/starts.R
	Rscript bench/optimum.R
	Rscript bench/missing.R
