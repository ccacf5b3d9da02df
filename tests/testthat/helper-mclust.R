# mclust's me() from a start, and the comparison of an emgmm fit with it
# (test-gmm_fit.R, test-distribute.R).

mclust_me <- function(model, x, labels, tol) {
  fun <- getExportedValue("mclust", paste0("me", model))
  fun(data = x, z = mclust::unmap(labels), control = mclust::emControl(tol = tol))
}

# Compares a gmm fit with an mclust fit of the same model from the same start.
expect_matches_mclust <- function(fit, ref, d) {
  rel <- abs(fit$loglik - ref$loglik) / abs(ref$loglik)
  expect_lt(rel, 1e-8)
  expect_equal(fit$parameters$proportions, ref$parameters$pro, tolerance = 1e-6)
  means <- ref$parameters$mean
  means <- if (d == 1L) matrix(means, ncol = 1L) else t(means)
  expect_equal(unname(fit$parameters$means), unname(means), tolerance = 1e-6)
  sigma <- ref$parameters$variance$sigma
  sigma <- if (is.null(sigma)) {
    array(rep(ref$parameters$variance$sigmasq, length.out = fit$k), c(1L, 1L, fit$k))
  } else sigma
  expect_equal(unname(fit$parameters$covariances), unname(array(sigma, c(d, d, fit$k))),
               tolerance = 1e-6)
  expect_equal(fit$df, mclust::nMclustParams(fit$model, d, fit$k))
  mbic <- mclust::bic(fit$model, ref$loglik, fit$n, d, fit$k)
  expect_equal(fit$bic, -mbic, tolerance = 1e-8)
  info <- attr(ref, "info")
  its <- if ("iterations" %in% names(info)) info[["iterations"]] else info[["niterout"]]
  expect_equal(fit$iterations, unname(its))
  expect_equal(unname(fit$posterior), unname(ref$z), tolerance = 1e-6)
}
