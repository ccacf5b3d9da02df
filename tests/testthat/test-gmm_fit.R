# gmm_fit(): agreement with mclust's me() from the same start, recovery of
# known mixtures, the 50-value series, invariants and selection.

# mclust's hierarchical start (hc()'s own default transformation, "VARS").
hc_labels <- function(x, k, model = "VVV") {
  as.integer(mclust::hclass(mclust_hc(x, model, use = "VARS"), k))
}


multivariate <- c("EII", "VII", "VVI", "EEE", "VVV")

# A simulated 3-variable mixture of three components of different shapes.
sim3_data <- function() {
  sim_mixture(400, rbind(c(0, 0, 0), c(4, 1, 0), c(0, 5, 3)),
              covs = array(c(diag(3), 0.5 * diag(3) + 0.3, diag(c(2, 1, 0.5))),
                           c(3, 3, 3)), props = c(0.4, 0.3, 0.3), seed = 21)$x
}

test_that("multivariate models reproduce mclust::me() from the same start (faithful, iris, sim3)", {
  skip_if_not_installed("mclust")
  sets <- list(faithful = list(x = as.matrix(faithful), k = 3L),
               iris = list(x = as.matrix(iris[, 1:4]), k = 3L),
               iris4 = list(x = as.matrix(iris[, 1:4]), k = 4L),
               sim3 = list(x = sim3_data(), k = 3L))
  for (set in sets) {
    labels <- hc_labels(set$x, set$k)
    for (model in multivariate) {
      for (tol in c(1e-5, 1e-8)) {
        ref <- mclust_me(model, set$x, labels, tol)
        fit <- gmm_fit(set$x, k = set$k, model = model, init = labels, reg = 0, tol = tol,
                       threads = 1)
        expect_identical(fit$model, model)
        expect_matches_mclust(fit, ref, ncol(set$x))
      }
    }
  }
})

test_that("EEI, VEI, EVI, VEE, EVE, VVE, EEV, VEV and EVV reproduce mclust::me() from the same start", {
  skip_if_not_installed("mclust")
  sets <- list(faithful = list(x = as.matrix(faithful), k = 3L),
               iris = list(x = as.matrix(iris[, 1:4]), k = 3L),
               sim3 = list(x = sim3_data(), k = 3L))
  for (set in sets) {
    labels <- hc_labels(set$x, set$k)
    for (model in c("EEI", "EVI", "EEV", "EVV")) {
      ref <- mclust_me(model, set$x, labels, 1e-8)
      fit <- gmm_fit(set$x, k = set$k, model = model, init = labels, reg = 0, tol = 1e-8,
                     threads = 1)
      expect_matches_mclust(fit, ref, ncol(set$x))
    }
    # VEI and VEV iterate inside their M-step: the same inner tolerance on
    # both sides
    for (model in c("VEI", "VEV", "VEE", "EVE", "VVE"))
      for (inner in c(sqrt(.Machine$double.eps), 1e-12)) {
      ref <- mclust_me(model, set$x, labels, c(1e-8, inner))
      fit <- gmm_fit(set$x, k = set$k, model = model, init = labels, reg = 0,
                     tol = c(1e-8, inner), threads = 1)
      expect_matches_mclust(fit, ref, ncol(set$x))
    }
  }
})

test_that("with a ridge, EVE and VVE find their orientation by rotations: mclust's EVE fit, faster", {
  skip_if_not_installed("mclust")
  # EVE: the same optimum as mclust's majorisation-minimisation steps from
  # the same start (they solve the same M-step; the rotations to convergence)
  for (set in list(list(x = as.matrix(faithful), k = 3L), list(x = as.matrix(iris[, 1:4]), k = 3L),
                   list(x = sim3_data(), k = 3L))) {
    labels <- hc_labels(set$x, set$k)
    ref <- mclust_me("EVE", set$x, labels, 1e-8)
    fit <- gmm_fit(set$x, k = set$k, model = "EVE", init = labels, tol = 1e-8, threads = 1)
    expect_equal(fit$loglik, ref$loglik, tolerance = 1e-6)
    perm <- match_components(fit, t(ref$parameters$mean))
    expect_equal(unname(fit$parameters$means[perm, ]), unname(t(ref$parameters$mean)),
                 tolerance = 1e-4)
  }
  # on badly scaled data the rotations converge where mclust's steps crawl
  # (state.x77: areas in square miles beside rates in percent), and reach a
  # higher likelihood
  x <- datasets::state.x77
  labels <- gmm_fit(x, k = 2, model = "VVV", init = "hc", threads = 1)$classification
  mm <- gmm_fit(x, k = 2, model = "EVE", init = labels, reg = 0, tol = 1e-8,
                max_iter = c(1000, 1000), threads = 1)
  rot <- gmm_fit(x, k = 2, model = "EVE", init = labels, tol = 1e-8, threads = 1)
  expect_gte(rot$loglik, mm$loglik - 1e-6)
  expect_lt(rot$iterations, 1000L)
  # VVE: a shared orientation and varying volumes and shapes
  vve <- gmm_fit(x, k = 2, model = "VVE", init = labels, tol = 1e-8, threads = 1)
  vec <- lapply(1:2, function(j) eigen(vve$parameters$covariances[, , j], symmetric = TRUE)$vectors)
  expect_equal(sort(apply(abs(crossprod(vec[[1]], vec[[2]])), 1, max)), rep(1, 8),
               tolerance = 1e-6)
})

test_that("constrained models keep their constraints, with and without the ridge", {
  x <- as.matrix(iris[, 1:4])
  for (reg in list(0, NULL, 0.01)) {
    set.seed(3)
    models <- c("EEI", "VEI", "EVI", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV")
    fits <- lapply(models, function(m)
      suppressWarnings(gmm_fit(x, k = 3, model = m, reg = reg, threads = 1)))
    names(fits) <- models
    cov <- lapply(fits, function(f) f$parameters$covariances)
    dets <- lapply(cov, function(s) apply(s, 3, det))
    # equal volume: EEI, EVI, EEV, EVV
    for (m in c("EEI", "EVI", "EVE", "EEV", "EVV")) {
      expect_equal(dets[[m]], rep(dets[[m]][1], 3), tolerance = 1e-8)
    }
    # diagonal: EEI, VEI, EVI
    for (m in c("EEI", "VEI", "EVI")) {
      off <- apply(cov[[m]], 3, function(s) max(abs(s[upper.tri(s)])))
      expect_true(all(off == 0))
    }
    # equal shape (VEI): B = Sigma_k / |Sigma_k|^(1/d) is shared
    shape <- apply(cov$VEI, 3, function(s) diag(s) / det(s)^(1 / 4))
    expect_equal(shape[, 2], shape[, 1], tolerance = 1e-8)
    expect_equal(shape[, 3], shape[, 1], tolerance = 1e-8)
    # equal shape (EEV): the eigenvalues are shared
    ev <- apply(cov$EEV, 3, function(s) eigen(s, symmetric = TRUE)$values)
    expect_equal(ev[, 2], ev[, 1], tolerance = 1e-8)
    expect_equal(ev[, 3], ev[, 1], tolerance = 1e-8)
    # equal shape (VEV): eigenvalues / |Sigma_k|^(1/d) are shared
    ev <- apply(cov$VEV, 3, function(s) eigen(s, symmetric = TRUE)$values / det(s)^(1 / 4))
    expect_equal(ev[, 2], ev[, 1], tolerance = 1e-8)
    expect_equal(ev[, 3], ev[, 1], tolerance = 1e-8)
    # VEE: Sigma_k / |Sigma_k|^(1/d) is shared
    cn <- apply(cov$VEE, 3, function(s) s / det(s)^(1 / 4))
    expect_equal(cn[, 2], cn[, 1], tolerance = 1e-8)
    expect_equal(cn[, 3], cn[, 1], tolerance = 1e-8)
    # EVE, VVE: a shared orientation (the eigenvectors, up to sign and order)
    for (m in c("EVE", "VVE")) {
      vec <- lapply(1:3, function(j) eigen(cov[[m]][, , j], symmetric = TRUE)$vectors)
      for (j in 2:3) {
        overlap <- abs(crossprod(vec[[1]], vec[[j]]))
        expect_equal(sort(apply(overlap, 1, max)), rep(1, 4), tolerance = 1e-6)
      }
    }
    # EEI: one shared covariance
    expect_equal(cov$EEI[, , 2], cov$EEI[, , 1])
  }
})

test_that("univariate models E and V reproduce mclust on the series and on waiting", {
  skip_if_not_installed("mclust")
  sets <- list(list(x = series, k = 3L), list(x = series, k = 4L),
               list(x = faithful$waiting, k = 2L), list(x = faithful$eruptions, k = 3L))
  for (set in sets) {
    # mclust's default (V) hierarchical start puts a component on the 13 tied
    # values of the series and ends singular; the E start does not.
    labels <- hc_labels(set$x, set$k, model = "E")
    for (model in c("E", "V")) {
      ref <- mclust_me(model, set$x, labels, 1e-8)
      fit <- gmm_fit(set$x, k = set$k, model = model, init = labels, reg = 0, tol = 1e-8,
                     threads = 1)
      expect_identical(fit$model, model)
      expect_matches_mclust(fit, ref, 1L)
    }
  }
})

test_that("a posterior-matrix start reproduces mclust from the same z", {
  skip_if_not_installed("mclust")
  x <- as.matrix(faithful)
  set.seed(3)
  z <- matrix(stats::runif(nrow(x) * 2), ncol = 2)
  z <- z / rowSums(z)
  z[, 1] <- 0.5 * z[, 1] + 0.5 * (x[, 1] > 3)
  z[, 2] <- 1 - z[, 1]
  ref <- mclust::meVVV(x, z, control = mclust::emControl(tol = 1e-8))
  fit <- gmm_fit(x, k = 2, model = "VVV", init = z, reg = 0, tol = 1e-8, threads = 1)
  expect_matches_mclust(fit, ref, 2L)
})

test_that("the 50-value series gets a finite fit at least as good as scikit-learn's, any seed", {
  for (seed in 1:20) {
    set.seed(seed)
    fit <- gmm_fit(series, k = 3, threads = 1)
    expect_identical(fit$model, "V")
    expect_true(is.finite(fit$loglik))
    # scikit-learn's -106.186 is this optimum, -106.18611, rounded to 3 decimals
    expect_gte(fit$loglik, -106.1865)
    expect_true(all(is.finite(unlist(fit$parameters))))
    expect_true(all(fit$parameters$covariances > 0))
  }
  means <- sort(fit$parameters$means[, 1])
  expect_equal(means, c(24.57, 37.58, 44.34), tolerance = 1e-3)
})

test_that("well-separated simulated mixtures are recovered", {
  means <- rbind(c(0, 0, 0), c(6, 0, 2), c(0, 7, -3))
  sim <- sim_mixture(3000, means, sds = c(1, 0.7, 1.3), props = c(0.5, 0.3, 0.2), seed = 11)
  for (model in multivariate) {
    set.seed(1)
    fit <- gmm_fit(sim$x, k = 3, model = model, threads = 2)
    perm <- match_components(means, fit$parameters$means)
    expect_equal(unname(fit$parameters$means[perm, ]), means, tolerance = 0.1)
    expect_equal(fit$parameters$proportions[perm], c(0.5, 0.3, 0.2), tolerance = 0.05)
    agree <- mean(match(fit$classification, perm) == sim$labels)
    expect_gt(agree, 0.99)
  }
  # univariate: three well-separated components
  set.seed(2)
  lab <- sample(1:3, 2000, replace = TRUE, prob = c(0.2, 0.5, 0.3))
  y <- stats::rnorm(2000, mean = c(-5, 0, 6)[lab], sd = c(0.5, 1, 1.5)[lab])
  fit <- gmm_fit(y, k = 3, threads = 1)
  o <- order(fit$parameters$means[, 1])
  expect_equal(fit$parameters$means[o, 1], c(-5, 0, 6), tolerance = 0.05)
  expect_equal(sqrt(fit$parameters$covariances[1, 1, o]), c(0.5, 1, 1.5), tolerance = 0.08)
  expect_equal(fit$parameters$proportions[o], c(0.2, 0.5, 0.3), tolerance = 0.05)
})

test_that("log-likelihood never decreases and posteriors sum to one", {
  for (model in c(multivariate)) {
    set.seed(4)
    fit <- gmm_fit(iris[, 1:4], k = 3, model = model, reg = 0, threads = 1)
    tr <- fit$loglik_trace
    expect_length(tr, fit$iterations)
    expect_true(all(diff(tr) >= -1e-9 * abs(tr[-1])))
    expect_equal(tr[length(tr)], fit$loglik)
    expect_equal(rowSums(fit$posterior), rep(1, fit$n), tolerance = 1e-12)
  }
})

test_that("fits do not depend on the units of the variables", {
  # faithful with waiting in milliseconds: the same fit, rescaled
  y <- faithful
  y$waiting <- y$waiting * 1000
  for (model in c("VVV", "VVI", "EEE")) {
    set.seed(1)
    a <- gmm_fit(faithful, k = 2, model = model, tol = 1e-12, threads = 1)
    set.seed(1)
    b <- gmm_fit(y, k = 2, model = model, tol = 1e-12, threads = 1)
    expect_equal(b$loglik + nrow(y) * log(1000), a$loglik, tolerance = 1e-10)
    # both stop at tol = 1e-12 on the log-likelihood, whose size differs with
    # the units (and the start that wins the screening may differ, since half
    # the k-means starts use the variables as they are), so the parameters
    # agree to the precision of convergence (about the square root of tol)
    expect_equal(b$parameters$means[, "waiting"] / 1000, a$parameters$means[, "waiting"],
                 tolerance = 1e-6)
    expect_equal(b$parameters$covariances[1, 1, ], a$parameters$covariances[1, 1, ],
                 tolerance = 1e-6)
  }
  # a variable in thousands beside one in thousandths, and a large offset
  set.seed(1)
  x2 <- cbind(big = stats::rnorm(200, sd = 1e3),
              small = 1e9 + c(stats::rnorm(100, 0, 1e-3), stats::rnorm(100, 1e-2, 1e-3)))
  fit <- gmm_fit(x2, k = 2, model = "VVV", threads = 1)
  expect_equal(sort(tabulate(fit$classification)), c(100L, 100L))
  one <- gmm_fit(x2, k = 1, reg = 0, threads = 1)
  expect_equal(unname(one$parameters$covariances[, , 1]), unname(cov(x2) * 199 / 200),
               tolerance = 1e-6)
})

test_that("random starts cope with tied values", {
  set.seed(1)
  x <- c(stats::rnorm(30), stats::rnorm(30, 10), rep(20, 300))
  # the 300 tied values are a point mass: the fit says so
  expect_warning(fit <- gmm_fit(x, k = 3, init = "random", threads = 1),
                 class = "emgmm_warning_degenerate")
  expect_true(is.finite(fit$loglik))
  expect_equal(sort(tabulate(fit$classification)), c(30L, 30L, 300L))
})

test_that("results do not depend on the number of threads", {
  sim <- sim_mixture(20000, rbind(c(0, 0), c(3, 3), c(-3, 2)), sds = c(1, 1, 1),
                     props = c(0.3, 0.3, 0.4), seed = 5)
  set.seed(9)
  f1 <- gmm_fit(sim$x, k = 3, threads = 1, n_init = 2)
  set.seed(9)
  f2 <- gmm_fit(sim$x, k = 3, threads = 2, n_init = 2)
  # the parts of each pass, not the threads, fix the order of every sum
  expect_identical(f1$loglik, f2$loglik)
  expect_identical(f1$parameters, f2$parameters)
  expect_identical(f1$posterior, f2$posterior)
  expect_identical(f1$iterations, f2$iterations)
  # also k-means starts on more rows than a part, and 1-D data
  x <- with_seed_local(4, c(stats::rnorm(60000), stats::rnorm(60000, 5)))
  g1 <- with_seed_local(6, gmm_fit(x, k = 2, init = "kmeans", threads = 1))
  g2 <- with_seed_local(6, gmm_fit(x, k = 2, init = "kmeans", threads = 2))
  expect_identical(g1$parameters, g2$parameters)
  expect_identical(g1$loglik, g2$loglik)
})

test_that("above 20000 rows the starts are screened on a sample, as documented", {
  sim <- sim_mixture(30000, rbind(c(0, 0), c(4, 4), c(-4, 3)), sds = c(1, 0.5, 1.5),
                     props = c(0.3, 0.3, 0.4), seed = 11)
  set.seed(3)
  fit <- gmm_fit(sim$x, k = 3, model = "VVV", init = "kmeans", n_init = 4, reg = 0,
                 threads = 1)
  expect_identical(fit$control$n_init, 4L)
  expect_identical(fit$control$screen_rows, 20000L)
  # the same procedure, step by step: the sample, the starts on it, 20
  # iterations of each start there, then the best carried over to all rows
  # (EM from its posterior on all rows is EM from its parameters)
  set.seed(3)
  data <- unname(as.matrix(sim$x))
  rows <- sort(sample.int(nrow(data), 20000L))
  starts <- emgmm:::start_partitions_cpp(data[rows, ], 3L, 4L, TRUE, 1L)
  short <- lapply(seq_len(ncol(starts)), function(j) {
    suppressWarnings(gmm_fit(data[rows, ], k = 3, model = "VVV", init = starts[, j],
                             max_iter = 20, reg = 0, threads = 1))
  })
  best <- short[[which.max(vapply(short, function(f) f$loglik, numeric(1)))]]
  z <- predict(best, data, type = "posterior")
  ref <- gmm_fit(data, k = 3, model = "VVV", init = z, reg = 0, threads = 1)
  expect_equal(fit$loglik, ref$loglik, tolerance = 1e-12)
  expect_equal(fit$parameters, ref$parameters, tolerance = 1e-10, ignore_attr = TRUE)
  expect_identical(fit$iterations, ref$iterations)
  # and it is mclust's optimum
  skip_if_not_installed("mclust")
  set.seed(1)
  b <- mclust::mclustBIC(sim$x, G = 3, modelNames = "VVV", verbose = FALSE)
  mclust_loglik <- (b[1L, 1L] + fit$df * log(nrow(sim$x))) / 2
  # mclust stops at tol 1e-5, emgmm at 1e-8: the same optimum, reached further
  expect_gte(fit$loglik, mclust_loglik)
  expect_equal(fit$loglik, mclust_loglik, tolerance = 1e-5)
})

test_that("set.seed() makes random starts reproducible", {
  set.seed(42)
  a <- gmm_fit(faithful, k = 3, init = "random", threads = 1)
  set.seed(42)
  b <- gmm_fit(faithful, k = 3, init = "random", threads = 1)
  expect_identical(a$parameters, b$parameters)
  expect_gte(a$loglik, -1140)
})

test_that("selection fits every (k, model) pair and returns the best by the criterion", {
  set.seed(1)
  fit <- gmm_fit(faithful, k = 1:4, model = c("VVV", "EEE", "VII"), threads = 1)
  sel <- fit$selection
  expect_s3_class(sel, "data.frame")
  expect_equal(nrow(sel), 12L)
  expect_true(all(c("k", "model", "loglik", "df", "bic", "icl", "aic", "iterations",
                    "converged") %in% names(sel)))
  best <- which.min(sel$bic)
  expect_identical(fit$k, sel$k[best])
  expect_identical(fit$model, sel$model[best])
  expect_equal(fit$bic, sel$bic[best])
  expect_equal(sel$bic, -2 * sel$loglik + sel$df * log(nrow(faithful)))
  expect_equal(sel$aic, -2 * sel$loglik + 2 * sel$df)
  expect_true(all(sel$icl >= sel$bic))
  # mclust's choice on faithful among these models is EEE with 3 components
  expect_identical(c(fit$k, fit$model), c(3L, "EEE"))
  by_aic <- gmm_fit(faithful, k = 1:4, model = c("VVV", "EEE"), criterion = "aic",
                    threads = 1)
  expect_equal(by_aic$aic, min(by_aic$selection$aic))
})

test_that("degenerate fits never return NaN: singular components are reported", {
  # Unequal variances with reg = 0 from mclust's start collapse onto the 13
  # tied values of the series: an error naming the component.
  err <- tryCatch(gmm_fit(series, k = 3, model = "V", init = hc_labels(series, 3, "V"),
                          reg = 0, threads = 1), error = function(e) e)
  expect_s3_class(err, "emgmm_error_fit")
  expect_match(conditionMessage(err), "component [0-9]+ has a singular covariance")
  # with the default ridge the same start gives a finite fit, flagged as
  # degenerate: the collapsed component is named in a classed warning
  expect_warning(
    fit <- gmm_fit(series, k = 3, model = "V", init = hc_labels(series, 3, "V"), threads = 1),
    class = "emgmm_warning_degenerate")
  expect_true(is.finite(fit$loglik))
  expect_true(all(is.finite(fit$posterior)))
  spike <- which.min(fit$parameters$covariances[1, 1, ])
  tied <- c(44.44571429, 43.66666667)
  expect_lt(min(abs(fit$parameters$means[spike, 1] - tied)), 1e-6)
  # in a selection, failing pairs stay in the table as NA with their reason
  set.seed(1)
  sel <- gmm_fit(series, k = 1:8, model = "V", reg = 0, threads = 1)$selection
  failed <- is.na(sel$loglik)
  expect_true(any(failed))
  expect_true(all(!is.na(sel$reason[failed])))
  expect_match(sel$reason[failed], "component [0-9]+ (has a singular|became empty)")
  expect_true(all(is.na(sel$bic[failed])))
  expect_false(anyNA(sel$loglik[sel$k <= 4]))
})

test_that("fits where a component collapses onto the ridge are avoided and flagged", {
  # iris with k = 5: some k-means starts end with a 4-point component in 4-D
  # whose covariance is all ridge.  Those are kept only if nothing else works.
  for (seed in 1:5) {
    set.seed(seed)
    fit <- gmm_fit(iris[, 1:4], k = 5, model = "VVV", threads = 1)
    sc <- 1 / sqrt(apply(iris[, 1:4], 2, var))
    ev <- apply(fit$parameters$covariances, 3,
                function(s) min(eigen(s * outer(sc, sc), symmetric = TRUE)$values))
    expect_true(all(ev > 1e-6))
  }
  # a 1-D selection where high k can only spike onto tied values picks a sound fit
  set.seed(1)
  sel <- gmm_fit(series, k = 1:8, model = "V", threads = 1)
  expect_false(sel$selection$degenerate[sel$selection$k == sel$k])
  expect_true(all(sel$parameters$covariances > 1e-6 * var(series)))
  expect_true(any(sel$selection$degenerate))
})

test_that("thin but genuine components are not taken for collapsed ones", {
  # two elongated clusters along different lines: within each, b is a up to
  # noise of sd 1e-3 (mclust picks G = 2)
  set.seed(1)
  a1 <- stats::rnorm(150)
  a2 <- stats::rnorm(150)
  x <- rbind(cbind(a = a1, b = a1 + 1e-3 * stats::rnorm(150)),
             cbind(a = a2, b = -a2 + 10 + 1e-3 * stats::rnorm(150)))
  set.seed(1)
  fit <- gmm_fit(x, k = 1:3, threads = 1)
  expect_identical(fit$k, 2L)
  expect_false(any(fit$selection$degenerate))
  # a single nearly collinear Gaussian: the ridge does not bias it
  one <- gmm_fit(x[1:150, ], k = 1, threads = 1)
  ml <- gmm_fit(x[1:150, ], k = 1, reg = 0, threads = 1)
  expect_equal(one$loglik, ml$loglik, tolerance = 1e-6)
  # a large offset with a small spread is data, not a singular component
  set.seed(2)
  off <- gmm_fit(1e12 + 1e-3 * stats::rnorm(300), k = 1, threads = 1)
  expect_true(is.finite(off$loglik))
  expect_equal(sqrt(off$parameters$covariances[1, 1, 1]), 1e-3, tolerance = 0.2)
})

test_that("non-convergence gives a classed warning and a finite fit", {
  set.seed(1)
  expect_warning(fit <- gmm_fit(faithful, k = 3, max_iter = 2, threads = 1),
                 class = "emgmm_warning_convergence")
  expect_false(fit$converged)
  expect_identical(fit$iterations, 2L)
  expect_true(is.finite(fit$loglik))
})

test_that("inner iterations are unlimited without a ridge, as in mclust, and can be capped", {
  skip_if_not_installed("mclust")
  # EVE and VVE on LifeCycleSavings with k = 2 need more than 1000 inner
  # iterations in some M-step; mclust sets no limit
  x <- as.matrix(datasets::LifeCycleSavings)
  labels <- hc_labels(x, 2L)
  for (model in c("EVE", "VVE")) {
    ref <- mclust_me(model, x, labels, c(1e-5, sqrt(.Machine$double.eps)))
    fit <- gmm_fit(x, k = 2, model = model, init = labels, reg = 0, tol = 1e-5, threads = 1)
    expect_identical(fit$control$inner_max_iter, 1e5)
    expect_matches_mclust(fit, ref, ncol(x))
    capped <- gmm_fit(x, k = 2, model = model, init = labels, reg = 0, tol = 1e-5,
                      max_iter = c(1000, 1000), threads = 1)
    expect_identical(capped$control$inner_max_iter, 1000)
    expect_gt(abs(capped$loglik - ref$loglik), 1e-6)
  }
  expect_identical(gmm_fit(x, k = 2, model = "EVE", init = labels, threads = 1)$control$inner_max_iter,
                   1000)
})

test_that("max_iter takes one or two numbers", {
  x <- datasets::faithful
  with_cpp_blocked({
    for (bad in list(0, c(10, 0), c(10, 5, 5), NA, c(10, NA), "a", 1.5, c(Inf, 10), -1)) {
      expect_error(gmm_fit(x, k = 2, max_iter = bad), "`max_iter`", class = "emgmm_error_input")
    }
  })
  expect_identical(gmm_fit(x, k = 2, max_iter = c(50, Inf), threads = 1)$control$inner_max_iter,
                   Inf)
})

test_that("Ctrl-C stops every long loop within a second, as an R interrupt", {
  skip_on_os("windows")  # no SIGINT to send
  skip_on_cran()
  x <- with_seed_local(1, matrix(stats::rnorm(5e5), ncol = 5))
  loops <- list(
    kmeans = function() gmm_fit(x, k = 10, init = "kmeans", n_init = 1e5, threads = 2),
    hc = function() gmm_fit(x[1:12000, ], k = 3, init = "hc", hc_subset = 12000),
    em = function() gmm_fit(x, k = 10, max_iter = 1e8, tol = 0, threads = 2),
    inner = function() gmm_fit(x[1:300, ], k = 8, model = "EVE", reg = 0, init = "kmeans",
                               max_iter = c(1e8, Inf), tol = c(0, 0)),
    selection = function() gmm_fit(x[1:3000, ], k = 1:50, model = "all", tol = 0)
  )
  for (loop in names(loops)) {
    res <- under_interrupt(loops[[loop]]())
    expect_identical(res$got, "interrupt", label = loop)
    # a second in principle; slack for a busy test machine
    expect_lt(res$seconds, 3, label = loop)
  }
  # the session goes on: threads joined, a fit works
  expect_equal(gmm_fit(faithful, k = 2, threads = 2)$loglik, -1130.264, tolerance = 1e-6)
})

test_that("try() does not swallow an interrupt: a loop of fits stops", {
  skip_on_os("windows")
  skip_on_cran()
  x <- with_seed_local(2, matrix(stats::rnorm(2e5), ncol = 5))
  runs <- 0L
  res <- under_interrupt(for (i in 1:4) {
    runs <- runs + 1L
    try(gmm_fit(x, k = 10, max_iter = 1e8, tol = 0), silent = TRUE)
  })
  expect_identical(res$got, "interrupt")
  expect_identical(runs, 1L)
})

test_that("setTimeLimit()'s error passes through unchanged", {
  x <- with_seed_local(3, matrix(stats::rnorm(2e5), ncol = 5))
  for (init in c("auto", "kmeans")) {
    err <- tryCatch({
      setTimeLimit(elapsed = 0.5, transient = TRUE)
      gmm_fit(x, k = 10, init = init, max_iter = 1e8, tol = 0)
    }, error = function(e) e)
    setTimeLimit()
    expect_false(inherits(err, "emgmm_error"))
    expect_match(conditionMessage(err), "reached elapsed time limit")
  }
  expect_s3_class(gmm_fit(faithful, k = 2), "emgmm")
})

test_that("nothing random is drawn, and no .Random.seed created, where nothing random is needed", {
  had <- exists(".Random.seed", envir = globalenv(), inherits = FALSE)
  if (had) saved <- get(".Random.seed", envir = globalenv())
  rm_seed <- function() {
    if (exists(".Random.seed", envir = globalenv(), inherits = FALSE)) {
      rm(".Random.seed", envir = globalenv())
    }
  }
  on.exit(if (had) assign(".Random.seed", saved, envir = globalenv()) else rm_seed())
  rm_seed()
  f <- gmm_fit(faithful, k = 2, init = "hc")
  p <- predict(f, faithful[1:5, ], type = "posterior")
  s <- summary(f)
  f2 <- gmm_fit(faithful, k = 2, init = rep(1:2, 136))
  expect_false(exists(".Random.seed", envir = globalenv(), inherits = FALSE))
  # a random start does draw
  f3 <- gmm_fit(faithful, k = 2, init = "kmeans")
  expect_true(exists(".Random.seed", envir = globalenv(), inherits = FALSE))
})

test_that("verbose output is all messages", {
  out <- utils::capture.output(msgs <- testthat::capture_messages(
    gmm_fit(faithful, k = 2, verbose = TRUE, threads = 1)))
  expect_identical(out, character())
  expect_true(any(grepl("^Fitting k = 2", msgs)))
  expect_true(any(grepl("start 1: ", msgs)))
  # one start: each iteration is reported
  out <- utils::capture.output(msgs <- testthat::capture_messages(
    gmm_fit(faithful, k = 2, init = "hc", verbose = TRUE, threads = 1)))
  expect_identical(out, character())
  expect_true(any(grepl("iteration [0-9]+: log-likelihood", msgs)))
})
