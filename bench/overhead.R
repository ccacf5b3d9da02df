# Overhead of the weights and missing-value code on fits without either:
# the same EM, per iteration, with this source tree's build and with an
# earlier build installed elsewhere (before weights and missing values).
#
# Run from the package root, with the earlier build in OLD_LIB:
#   git worktree add /tmp/old 867f099 && R CMD INSTALL -l /tmp/oldlib /tmp/old
#   OLD_LIB=/tmp/oldlib Rscript bench/overhead.R
# Each build runs in its own R process (the two cannot share one session),
# the processes alternate, and the medians of 7 rounds are compared.
# Workload: n = 1e6, d = 10, k = 5, VVV and VVI, from the same labels
# (tol = 0), 2 threads: a fit of 10 and one of 40 EM iterations; seconds per
# iteration are the difference of their times over the difference of the
# iterations they really ran, so that the fixed costs of a fit cancel.

old_lib <- Sys.getenv("OLD_LIB")
if (!nzchar(old_lib)) stop("set OLD_LIB to the library holding the earlier build")
new_lib <- Sys.getenv("NEW_LIB", .libPaths()[1L])
one <- function(lib, model) {
  code <- sprintf('
    library(emgmm, lib.loc = "%s")
    set.seed(42)
    n <- 1e6; d <- 10; k <- 5
    lab <- sample.int(k, n, replace = TRUE)
    x <- matrix(rnorm(n * d), n) + 0.7 * lab
    fit <- function(m) gmm_fit(x, k, "%s", init = lab, tol = 0, max_iter = m, threads = 2)
    t1 <- system.time(f1 <- suppressWarnings(fit(10)))[["elapsed"]]
    t2 <- system.time(f2 <- suppressWarnings(fit(40)))[["elapsed"]]
    # the fixed costs (checks, starts, posteriors) cancel in the difference
    cat((t2 - t1) / (f2$iterations - f1$iterations), f2$iterations,
        format(f2$loglik, digits = 17), "\\n")', lib, model)
  out <- system2(file.path(R.home("bin"), "Rscript"), c("-e", shQuote(code)), stdout = TRUE)
  as.numeric(strsplit(trimws(out[length(out)]), " ")[[1L]])
}
rows <- list()
for (model in c("VVV", "VVI")) {
  old <- new <- NULL
  for (r in 1:7) {
    old <- rbind(old, one(old_lib, model))
    new <- rbind(new, one(new_lib, model))
  }
  rows[[model]] <- data.frame(model = model, iterations = new[1, 2],
                              old_s_per_iter = median(old[, 1]),
                              new_s_per_iter = median(new[, 1]),
                              ratio = median(new[, 1]) / median(old[, 1]),
                              same_loglik = all(old[, 3] == new[, 3]))
}
print(do.call(rbind, rows), digits = 4, row.names = FALSE)
