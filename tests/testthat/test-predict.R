# predict.emgmm(): classification, posterior and (log) density of the fitted
# mixture, checked against densities computed in R and against mclust.

bumps <- three_bumps() # 1-D, n = 90, three components
blobs <- two_blobs() # 2-D, n = 60, columns height and width
blobs_df <- as.data.frame(blobs$x)

fit_seeded <- function(x, ..., seed = 101) {
  with_seed_local(seed, gmm_fit(x, ..., threads = 1))
}

fit1 <- fit_seeded(bumps$x, k = 3, model = "V")
fit1e <- fit_seeded(bumps$x, k = 3, model = "E")
fit2 <- fit_seeded(blobs_df, k = 2, model = "VVV")
fit2m <- fit_seeded(blobs$x, k = 2, model = "VVV") # matrix with colnames

grid1 <- c(-8, -5.2, -1, 0, 0.5, 2.7, 6, 9.5)
grid2 <- as.matrix(expand.grid(height = seq(-3, 9, length.out = 5),
                               width = seq(-3, 7, length.out = 4)))

# The contract's parameters as mclust's `parameters` argument (VVV form,
# which holds any covariance model).
mclust_parameters <- function(p) {
  d <- ncol(p$means)
  k <- length(p$proportions)
  sigma <- array(p$covariances, c(d, d, k))
  chols <- array(0, c(d, d, k))
  for (j in seq_len(k)) chols[, , j] <- chol(sigma[, , j])
  list(pro = p$proportions, mean = t(unname(p$means)),
       variance = list(modelName = "VVV", d = d, G = k, sigma = sigma, cholsigma = chols))
}

test_that("without newdata, predict() answers for the training data", {
  expect_identical(predict(fit1), fit1$classification)
  expect_identical(predict(fit1, type = "posterior"), fit1$posterior)
  expect_identical(predict(fit2), fit2$classification)
  expect_identical(predict(fit2, type = "posterior"), fit2$posterior)
  expect_identical(predict(fit2, newdata = NULL), fit2$classification)
  # density for the training data sums to the log-likelihood
  expect_equal(sum(predict(fit1, type = "logdensity")), fit1$loglik, tolerance = 1e-8)
  expect_equal(sum(predict(fit2, type = "logdensity")), fit2$loglik, tolerance = 1e-8)
  expect_length(predict(fit2, type = "density"), 60L)
})

test_that("predict() on the training data as newdata agrees with the fit", {
  expect_equal(predict(fit1, bumps$x, type = "posterior"), fit1$posterior,
               tolerance = 1e-10, ignore_attr = TRUE)
  expect_identical(predict(fit1, bumps$x), fit1$classification)
  expect_equal(predict(fit2, blobs_df, type = "posterior"), fit2$posterior,
               tolerance = 1e-10, ignore_attr = TRUE)
  expect_identical(predict(fit2, blobs_df), fit2$classification)
  expect_equal(predict(fit2m, blobs$x, type = "posterior"), fit2m$posterior,
               tolerance = 1e-10, ignore_attr = TRUE)
  expect_equal(predict(fit2, blobs_df, type = "logdensity"),
               predict(fit2, type = "logdensity"), tolerance = 1e-10)
})

test_that("classification is an integer vector, the most probable component", {
  for (f in list(fit1, fit1e, fit2)) {
    newx <- if (f$d == 1L) grid1 else grid2
    cl <- predict(f, newx)
    expect_type(cl, "integer")
    expect_null(dim(cl))
    expect_length(cl, NROW(newx))
    expect_true(all(cl >= 1L & cl <= f$k))
    post <- predict(f, newx, type = "posterior")
    expect_identical(cl, max.col(post, ties.method = "first"))
  }
  expect_type(fit1$classification, "integer")
})

test_that("posteriors are n x k, in [0, 1], sum to 1 and follow Bayes' rule", {
  for (f in list(fit1, fit1e, fit2)) {
    newx <- if (f$d == 1L) grid1 else grid2
    post <- predict(f, newx, type = "posterior")
    expect_true(is.matrix(post))
    expect_identical(dim(post), c(NROW(newx), f$k))
    expect_true(all(post >= 0 & post <= 1))
    expect_equal(rowSums(post), rep(1, NROW(newx)), tolerance = 1e-12)
    # pi_j phi_j(x) / sum_l pi_l phi_l(x), in R
    p <- f$parameters
    lp <- vapply(seq_len(f$k), function(j) {
      log(p$proportions[j]) +
        dmvnorm_log(newx, p$means[j, ], as.matrix(p$covariances[, , j]))
    }, numeric(NROW(newx)))
    lp <- matrix(lp, nrow = NROW(newx))
    expected <- exp(lp - apply(lp, 1L, max))
    expected <- expected / rowSums(expected)
    expect_equal(post, expected, tolerance = 1e-10, ignore_attr = TRUE)
  }
})

test_that("density is exp(logdensity)", {
  for (f in list(fit1, fit1e, fit2)) {
    newx <- if (f$d == 1L) grid1 else grid2
    dens <- predict(f, newx, type = "density")
    logd <- predict(f, newx, type = "logdensity")
    expect_type(dens, "double")
    expect_null(dim(dens))
    expect_length(dens, NROW(newx))
    expect_true(all(dens > 0))
    expect_equal(dens, exp(logd), tolerance = 1e-12)
  }
})

test_that("a 1-component 1-D fit has the normal log density", {
  f <- fit_seeded(bumps$x, k = 1)
  mu <- f$parameters$means[1, 1]
  v <- f$parameters$covariances[1, 1, 1]
  # the fitted parameters are the ML estimates (plus the small ridge)
  expect_equal(mu, mean(bumps$x), tolerance = 1e-10)
  expect_equal(v, mean((bumps$x - mean(bumps$x))^2) + f$control$reg[1, 1], tolerance = 1e-8)
  expect_equal(predict(f, grid1, type = "logdensity"),
               stats::dnorm(grid1, mu, sqrt(v), log = TRUE), tolerance = 1e-10)
  expect_equal(predict(f, type = "logdensity"),
               stats::dnorm(bumps$x, mu, sqrt(v), log = TRUE), tolerance = 1e-10)
  expect_equal(f$loglik, sum(stats::dnorm(bumps$x, mu, sqrt(v), log = TRUE)),
               tolerance = 1e-10)
  expect_identical(predict(f, grid1), rep(1L, length(grid1)))
  expect_equal(predict(f, grid1, type = "posterior"), matrix(1, length(grid1), 1))
})

test_that("a 1-component 2-D fit has the multivariate normal log density", {
  f <- fit_seeded(blobs_df, k = 1)
  mu <- f$parameters$means[1, ]
  sigma <- f$parameters$covariances[, , 1]
  expect_equal(unname(mu), unname(colMeans(blobs$x)), tolerance = 1e-10)
  # by hand: -d/2 log(2 pi) - 1/2 log det(Sigma) - 1/2 (x - mu)' Sigma^-1 (x - mu)
  inv <- solve(sigma)
  centred <- sweep(grid2, 2L, mu)
  maha <- rowSums((centred %*% inv) * centred)
  expected <- -log(2 * pi) - 0.5 * log(det(sigma)) - 0.5 * maha
  expect_equal(predict(f, grid2, type = "logdensity"), unname(expected), tolerance = 1e-10)
  # one observation given as a named vector
  expect_equal(predict(f, c(height = 1, width = 2), type = "logdensity"),
               dmvnorm_log(c(1, 2), mu, sigma), tolerance = 1e-10)
})

test_that("a k-component 1-D density is sum_k pi_k dnorm(x, mu_k, sd_k)", {
  for (f in list(fit1, fit1e)) {
    p <- f$parameters
    expected <- rowSums(vapply(seq_len(f$k), function(j) {
      p$proportions[j] * stats::dnorm(grid1, p$means[j, 1], sqrt(p$covariances[1, 1, j]))
    }, numeric(length(grid1))))
    expect_equal(predict(f, grid1, type = "density"), expected, tolerance = 1e-10)
  }
  # model E shares one variance
  v <- fit1e$parameters$covariances[1, 1, ]
  expect_equal(v, rep(v[1], 3), tolerance = 1e-12)
})

test_that("the mixture density agrees with mclust::dens()", {
  skip_if_not_installed("mclust")
  # 2-D, several covariance models, through mclust's VVV density
  for (m in c("VVV", "EEE", "VVI", "VII")) {
    f <- fit_seeded(blobs_df, k = 2, model = m)
    expect_identical(f$model, m)
    ref <- mclust::dens(data = grid2, modelName = "VVV",
                        parameters = mclust_parameters(f$parameters), logarithm = TRUE)
    expect_equal(predict(f, grid2, type = "logdensity"), as.vector(ref),
                 tolerance = 1e-10, label = m)
    ref <- mclust::dens(data = blobs$x, modelName = "VVV",
                        parameters = mclust_parameters(f$parameters))
    expect_equal(predict(f, type = "density"), as.vector(ref), tolerance = 1e-10, label = m)
  }
  # 1-D, mclust's univariate form
  for (f in list(fit1, fit1e)) {
    p <- f$parameters
    par <- list(pro = p$proportions, mean = p$means[, 1],
                variance = list(modelName = "V", d = 1, G = f$k,
                                sigmasq = p$covariances[1, 1, ]))
    ref <- mclust::dens(data = grid1, modelName = "V", parameters = par)
    expect_equal(predict(f, grid1, type = "density"), as.vector(ref), tolerance = 1e-10)
  }
  # 3 components in 3-D
  means3 <- rbind(c(0, 0, 0), c(4, 0, 2), c(0, 5, -2))
  colnames(means3) <- c("a", "b", "c")
  sim <- sim_mixture(90, means3, sds = c(1, 0.7, 1.2), seed = 5)
  f <- fit_seeded(sim$x, k = 3)
  newx <- sim$x[1:15, ] + 0.3
  ref <- mclust::dens(data = newx, modelName = "VVV",
                      parameters = mclust_parameters(f$parameters), logarithm = TRUE)
  expect_equal(predict(f, newx, type = "logdensity"), as.vector(ref), tolerance = 1e-10)
  expect_equal(predict(f, newx, type = "logdensity"),
               mixture_logdensity(newx, f$parameters), tolerance = 1e-10)
})

test_that("data frame newdata is matched by column name", {
  swapped <- blobs_df[, c("width", "height")]
  expect_identical(predict(fit2, swapped), fit2$classification)
  expect_equal(predict(fit2, swapped, type = "posterior"), fit2$posterior,
               tolerance = 1e-10, ignore_attr = TRUE)
  expect_equal(predict(fit2, swapped, type = "logdensity"),
               predict(fit2, blobs_df, type = "logdensity"), tolerance = 1e-12)
  # extra columns are ignored, as predict.lm() does
  extra <- cbind(label = "a", swapped, other = 1)
  expect_equal(predict(fit2, extra, type = "logdensity"),
               predict(fit2, blobs_df, type = "logdensity"), tolerance = 1e-12)
  # a named matrix in the other order is matched by name too
  expect_equal(predict(fit2m, blobs$x[, c("width", "height")], type = "logdensity"),
               predict(fit2m, blobs$x, type = "logdensity"), tolerance = 1e-12)
})

test_that("newdata without the fit's variables is an input error naming `newdata`", {
  expect_newdata_error <- function(object) {
    cnd <- expect_error(object, class = "emgmm_error_input")
    if (!is.null(cnd)) expect_match(conditionMessage(cnd), "`newdata`", fixed = TRUE)
    invisible(cnd)
  }
  # a variable missing
  cnd <- expect_newdata_error(predict(fit2, blobs_df[, "height", drop = FALSE]))
  expect_match(conditionMessage(cnd), "width")
  expect_newdata_error(predict(fit2, data.frame(height = 1, weight = 2)))
  # wrong number of columns
  expect_newdata_error(predict(fit2, blobs$x[, 1, drop = FALSE]))
  expect_newdata_error(predict(fit2, cbind(unname(blobs$x), 1)))
  expect_newdata_error(predict(fit2, c(1, 2, 3)))
  expect_newdata_error(predict(fit1, cbind(grid1, grid1)))
  expect_newdata_error(predict(fit1, cbind(grid1, grid1), type = "density"))
  # a matrix with other variable names
  m <- blobs$x
  colnames(m) <- c("a", "b")
  expect_newdata_error(predict(fit2m, m))
  # bad values
  # a missing value is answered from the observed ones (none here: the
  # proportions), not refused
  expect_equal(predict(fit1, c(1, NA), type = "posterior")[2, ], fit1$parameters$proportions)
  expect_newdata_error(predict(fit1, c(1, Inf), type = "density"))
  expect_newdata_error(predict(fit1, "a"))
  expect_newdata_error(predict(fit2, data.frame(height = 1, width = "2")))
  # no observations is not an error: empty answers, as predict.lm() gives
  expect_identical(predict(fit1, numeric(0)), integer(0))
  expect_equal(dim(predict(fit1, numeric(0), type = "posterior")), c(0L, fit1$k))
  expect_identical(predict(fit2, blobs_df[0, ], type = "density"), numeric(0))
  # bad type
  cnd <- expect_error(predict(fit1, grid1, type = "foo"), class = "emgmm_error_input")
  expect_match(conditionMessage(cnd), "`type`", fixed = TRUE)
})

test_that("newdata error messages are stable", {
  expect_snapshot(error = TRUE, {
    predict(fit2, blobs_df[, "height", drop = FALSE])
    predict(fit2, cbind(unname(blobs$x), 1))
    predict(fit1, c(1, NaN, Inf))
  })
})

test_that("far-away points give finite log densities and valid posteriors", {
  far1 <- c(1e6, -1e6, 1e8)
  logd <- predict(fit1, far1, type = "logdensity")
  expect_true(all(is.finite(logd)))
  expect_true(all(logd < -1e9))
  expect_identical(predict(fit1, far1, type = "density"), c(0, 0, 0))
  post <- predict(fit1, far1, type = "posterior")
  expect_false(anyNA(post))
  expect_equal(rowSums(post), rep(1, 3), tolerance = 1e-12)
  # far out, the widest component takes everything
  widest <- which.max(fit1$parameters$covariances[1, 1, ])
  expect_identical(predict(fit1, far1), rep(widest, 3))

  far2 <- rbind(c(1e6, 1e6), c(-1e6, 0), c(0, 1e7))
  logd <- predict(fit2, far2, type = "logdensity")
  expect_true(all(is.finite(logd)))
  expect_equal(logd, mixture_logdensity(far2, fit2$parameters), tolerance = 1e-10)
  post <- predict(fit2, far2, type = "posterior")
  expect_false(anyNA(post))
  expect_equal(rowSums(post), rep(1, 3), tolerance = 1e-12)
  cl <- predict(fit2, far2)
  expect_false(anyNA(cl))
})

test_that("extremely far points give no NaN (-Inf log density at worst)", {
  huge <- c(1e155, -1e200, 1e300)
  logd <- predict(fit1, huge, type = "logdensity")
  expect_false(any(is.nan(logd)))
  expect_true(all(logd < -1e300))
  post <- predict(fit1, huge, type = "posterior")
  expect_false(anyNA(post))
  expect_false(anyNA(predict(fit1, huge)))
  huge2 <- rbind(c(1e160, 1e160), c(-1e200, 0))
  expect_false(any(is.nan(predict(fit2, huge2, type = "logdensity"))))
  expect_false(anyNA(predict(fit2, huge2, type = "posterior")))
})

test_that("predict() gives the same answers with 1 and 2 threads", {
  expect_identical(predict(fit2, grid2, threads = 2), predict(fit2, grid2, threads = 1))
  expect_identical(predict(fit2, grid2, type = "logdensity", threads = 2),
                   predict(fit2, grid2, type = "logdensity", threads = 1))
})

test_that("forked children (mclapply) predict and fit after the parent has fitted", {
  skip_on_os("windows")
  # OpenMP's thread pool does not survive fork(): a child runs single-threaded.
  # The children are collected with a time limit, so a regression fails
  # instead of hanging.
  x <- with_seed_local(8, matrix(stats::rnorm(2e5), ncol = 2))
  f <- with_seed_local(8, gmm_fit(x, k = 3, threads = 2))
  expected <- predict(f, x[1:50, ], threads = 2)
  jobs <- lapply(1:2, function(i) parallel::mcparallel({
    refit <- with_seed_local(8, gmm_fit(x[1:5000, ], k = 2, threads = 2))
    list(pred = predict(f, x[1:50, ], threads = 2), loglik = refit$loglik)
  }))
  res <- list()
  deadline <- Sys.time() + 60
  while (length(res) < 2L && Sys.time() < deadline) {
    pending <- Filter(function(j) !as.character(j$pid) %in% names(res), jobs)
    res <- c(res, parallel::mccollect(pending, wait = FALSE, timeout = 1))
  }
  if (length(res) < 2L) tools::pskill(vapply(jobs, function(j) j$pid, numeric(1)))
  expect_length(res, 2L)
  ref <- with_seed_local(8, gmm_fit(x[1:5000, ], k = 2, threads = 1))$loglik
  for (r in res) {
    expect_identical(r$pred, expected)
    expect_equal(r$loglik, ref, tolerance = 1e-12)
  }
})

test_that("a FORK cluster's workers predict and fit after the parent has fitted", {
  skip_on_os("windows")
  skip_on_cran()
  x <- with_seed_local(9, matrix(stats::rnorm(2e5), ncol = 2))
  f <- with_seed_local(9, gmm_fit(x, k = 3, threads = 2))
  expected <- predict(f, x[1:50, ], threads = 2)
  # `timeout`: a worker that hangs makes the socket read fail after 60 s
  # instead of blocking the test for good.
  cl <- parallel::makeForkCluster(2L, timeout = 60)
  on.exit(parallel::stopCluster(cl), add = TRUE)
  res <- parallel::parLapply(cl, 1:2, function(i) {
    set.seed(i)  # a forked worker's own session
    refit <- emgmm::gmm_fit(datasets::faithful, k = 2, threads = 2)
    list(pred = stats::predict(f, x[1:50, ], threads = 2), loglik = refit$loglik)
  })
  for (i in 1:2) {
    expect_identical(res[[i]]$pred, expected)
    ref <- with_seed_local(i, gmm_fit(faithful, k = 2, threads = 1))$loglik
    expect_equal(res[[i]]$loglik, ref, tolerance = 1e-12)
  }
})

test_that("newdata with dates or times is refused naming the column; Matrix objects are taken", {
  nd <- blobs_df[1:3, ]
  nd$width <- as.Date("2020-01-01") + 1:3
  cnd <- expect_error(predict(fit2, nd), class = "emgmm_error_input")
  expect_identical(conditionMessage(cnd),
                   "`newdata` must have only numeric columns, but column `width` is a Date.")
  cnd <- expect_error(predict(fit1, Sys.time() + 1:3), class = "emgmm_error_input")
  expect_identical(conditionMessage(cnd),
                   "`newdata` must be a numeric vector, matrix or data frame, not a POSIXct.")
  skip_if_not_installed("Matrix")
  m <- Matrix::Matrix(grid2)
  expect_identical(predict(fit2m, m, type = "posterior"), predict(fit2m, grid2, type = "posterior"))
})

test_that("columns without a name are matched by the names the fit gave them", {
  set.seed(10)
  m <- cbind(rnorm(100), b = rnorm(100))
  f <- fit_seeded(m, k = 2)
  expect_identical(colnames(f$parameters$means), c("V1", "b"))
  # the example of issue 11: a matrix named the same way
  new <- cbind(rnorm(100), b = rnorm(100))
  p <- predict(f, new, type = "posterior")
  unnamed <- unname(new)
  expect_identical(p, predict(f, unnamed, type = "posterior"))
  # a data frame as data.frame() names it, in any order, and with an empty name
  expect_identical(predict(f, data.frame(b = new[, 2], V1 = new[, 1]), type = "posterior"), p)
  expect_identical(predict(f, stats::setNames(as.data.frame(new), c("", "b")), type = "posterior"),
                   p)
  # a vector with one name
  expect_identical(predict(f, c(unname(new[1, 1]), b = unname(new[1, 2]))),
                   predict(f, new[1, , drop = FALSE]))
  # other names are still an error naming `newdata`
  cnd <- expect_error(predict(f, cbind(a = new[, 1], b = new[, 2])), class = "emgmm_error_input")
  expect_match(conditionMessage(cnd), "`newdata` must have the variables of the fit (V1, b)",
               fixed = TRUE)
})
