# Agreement with mclust's me() from the same starting labels (reg = 0).
# Run from the package root:   Rscript bench/agreement.R
# Prints, per model and data set, the relative log-likelihood difference, the
# largest absolute differences in proportions, means and covariances, and the
# iteration counts of both, for mclust's default tol (1e-5) and for 1e-8, and
# for models with an iterative M-step (VEI) with mclust's default inner
# tolerance (sqrt(eps)) and with 1e-12, on both sides.
suppressPackageStartupMessages({
  library(emgmm)
  library(mclust)
})
options(width = 160)

hc_labels <- function(x, k, model) {
  as.integer(hclass(hc(x, modelName = model), k))
}
# (the simulated set here is drawn directly, not with the tests' helper, so
# its values differ from the test's; it plays the same role)

sets <- list(
  "faithful k=3" = list(x = as.matrix(faithful), k = 3L, hc = "VVV"),
  "iris k=3" = list(x = as.matrix(iris[, 1:4]), k = 3L, hc = "VVV"),
  "iris k=4" = list(x = as.matrix(iris[, 1:4]), k = 4L, hc = "VVV"),
  "sim3 k=3" = list(x = local({
    # the 3-variable set of tests/testthat/test-gmm_fit.R
    set.seed(21)
    means <- rbind(c(0, 0, 0), c(4, 1, 0), c(0, 5, 3))
    covs <- list(diag(3), 0.5 * diag(3) + 0.3, diag(c(2, 1, 0.5)))
    sizes <- c(160L, 120L, 120L)
    do.call(rbind, lapply(1:3, function(j)
      sweep(matrix(rnorm(sizes[j] * 3), sizes[j]) %*% chol(covs[[j]]), 2, means[j, ], "+")))
  }), k = 3L, hc = "VVV"),
  "series k=3" = list(x = series, k = 3L, hc = "E"),
  "waiting k=2" = list(x = faithful$waiting, k = 2L, hc = "E")
)
rows <- list()
for (name in names(sets)) {
  s <- sets[[name]]
  d <- NCOL(s$x)
  models <- if (d == 1L) c("E", "V") else {
    c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV",
      "EVV", "VVV")
  }
  labels <- hc_labels(s$x, s$k, s$hc)
  for (model in models) for (tol in c(1e-5, 1e-8)) for (inner in c(sqrt(.Machine$double.eps), 1e-12)) {
    # the inner tolerance only matters for models with an iterative M-step
    if (inner < 1e-9 && !model %in% c("VEI", "VEE", "EVE", "VVE", "VEV")) next
    ref <- get(paste0("me", model))(data = s$x, z = unmap(labels),
                                    control = emControl(tol = c(tol, inner)))
    fit <- gmm_fit(s$x, k = s$k, model = model, init = labels, reg = 0, tol = c(tol, inner),
                   threads = 1)
    mu <- if (d == 1L) matrix(ref$parameters$mean, ncol = 1L) else t(ref$parameters$mean)
    sig <- ref$parameters$variance$sigma
    if (is.null(sig)) sig <- array(rep(ref$parameters$variance$sigmasq, length.out = s$k),
                                   c(1L, 1L, s$k))
    rows[[length(rows) + 1L]] <- data.frame(
      data = name, model = model, tol = tol, inner = inner,
      loglik_rel = abs(fit$loglik - ref$loglik) / abs(ref$loglik),
      pro = max(abs(fit$parameters$proportions - ref$parameters$pro)),
      mean = max(abs(unname(fit$parameters$means) - unname(mu))),
      cov = max(abs(unname(fit$parameters$covariances) - unname(array(sig, c(d, d, s$k))))),
      iter = fit$iterations,
      iter_mclust = unname(attr(ref, "info")[[if ("iterations" %in% names(attr(ref, "info")))
        "iterations" else "niterout"]]),
      bic_diff = abs(fit$bic + bic(model, ref$loglik, fit$n, d, s$k))
    )
  }
}
tab <- do.call(rbind, rows)
print(tab, digits = 3, row.names = FALSE)
cat("\nLargest differences by model and inner tolerance:\n")
agg <- aggregate(cbind(loglik_rel, pro, mean, cov) ~ model + inner, data = tab, FUN = max)
print(agg, digits = 3, row.names = FALSE)
cat(sprintf("\nLargest relative log-likelihood difference: %.3g\n", max(tab$loglik_rel)))
cat(sprintf("Largest parameter difference: %.3g\n", max(tab$pro, tab$mean, tab$cov)))
cat(sprintf("Iteration counts equal in %d of %d fits\n", sum(tab$iter == tab$iter_mclust),
            nrow(tab)))
