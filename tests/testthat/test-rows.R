# Observation weights and missing values (R/rows.R): weights equal repeated
# rows, mclust's me.weighted(), missing values against a reference EM.

# The data repeated as integer weights say, next to each other.
repeat_rows <- function(x, w) x[rep(seq_len(nrow(x)), w), , drop = FALSE]

expect_same_fit <- function(a, b, tol = 1e-10) {
  expect_equal(a$k, b$k)
  scale <- max(1, abs(b$loglik))
  expect_lt(abs(a$loglik - b$loglik) / scale, tol)
  expect_equal(unname(a$parameters$proportions), unname(b$parameters$proportions),
               tolerance = tol)
  expect_equal(unname(a$parameters$means), unname(b$parameters$means), tolerance = tol)
  expect_equal(unname(a$parameters$covariances), unname(b$parameters$covariances),
               tolerance = tol)
  expect_equal(a$bic, b$bic, tolerance = tol)
  expect_equal(a$icl, b$icl, tolerance = tol)
  expect_equal(a$n, b$n)
}

test_that("integer weights give the fit of the repeated rows, for every model and start", {
  set.seed(11)
  x2 <- as.matrix(faithful)
  w2 <- sample(0:3, nrow(x2), replace = TRUE)
  x1 <- matrix(faithful$waiting, ncol = 1L)
  w1 <- sample(0:3, nrow(x1), replace = TRUE)
  for (init in c("kmeans", "hc", "random")) {
    for (m in c(emgmm:::model_names(TRUE), emgmm:::model_names(FALSE))) {
      uni <- m %in% c("E", "V")
      x <- if (uni) x1 else x2
      w <- if (uni) w1 else w2
      set.seed(5)
      a <- gmm_fit(x, 3, m, init = init, weights = w, threads = 1)
      set.seed(5)
      b <- gmm_fit(repeat_rows(x, w), 3, m, init = init, threads = 1)
      expect_same_fit(a, b)
      expect_equal(a$iterations, b$iterations)
      expect_equal(a$n, sum(w))
    }
  }
})

test_that("weights equal repeated rows with the default start and in a selection", {
  set.seed(3)
  x <- as.matrix(iris[, 1:4])
  w <- sample(1:3, nrow(x), replace = TRUE)
  set.seed(9)
  a <- gmm_fit(x, 1:4, c("VVV", "EEE", "VEV", "EVE"), weights = w, threads = 2)
  set.seed(9)
  b <- gmm_fit(repeat_rows(x, w), 1:4, c("VVV", "EEE", "VEV", "EVE"), threads = 2)
  expect_same_fit(a, b)
  expect_equal(a$selection$bic, b$selection$bic, tolerance = 1e-10)
  expect_equal(a$selection$k, b$selection$k)
  # the criteria count n as the sum of the weights
  expect_equal(a$bic, -2 * a$loglik + a$df * log(sum(w)))
  expect_equal(nobs(a), sum(w))
  expect_equal(BIC(a), a$bic)
  # posteriors are given for every row, as without weights
  expect_equal(dim(a$posterior), c(nrow(x), a$k))
  expect_equal(predict(a, x), a$classification)
})

test_that("weights are invariant to scale and rows of weight zero change nothing", {
  x <- as.matrix(faithful)
  w <- rep(c(1, 2, 0.5, 3), length.out = nrow(x))
  set.seed(1)
  a <- gmm_fit(x, 2, "VVV", init = "kmeans", weights = w, threads = 1)
  set.seed(1)
  b <- gmm_fit(x, 2, "VVV", init = "kmeans", weights = 10 * w, threads = 1)
  expect_equal(a$parameters, b$parameters, tolerance = 1e-8)
  expect_equal(b$loglik, 10 * a$loglik, tolerance = 1e-8)
  z <- c(w, rep(0, 20))
  xz <- rbind(x, matrix(c(100, 1000), 20, 2, byrow = TRUE))
  set.seed(1)
  c0 <- gmm_fit(xz, 2, "VVV", init = "kmeans", weights = z, threads = 1)
  expect_equal(c0$parameters, a$parameters, tolerance = 1e-10)
  expect_equal(nrow(c0$posterior), nrow(xz))
  # unit weights: the unweighted fit
  set.seed(1)
  u <- gmm_fit(x, 2, "VVV", init = "kmeans", weights = rep(1, nrow(x)), threads = 1)
  set.seed(1)
  v <- gmm_fit(x, 2, "VVV", init = "kmeans", threads = 1)
  expect_same_fit(u, v)
  expect_output(print(summary(a)), "weights: n is their sum")
})

test_that("weighted fits agree with mclust's me.weighted() from the same start", {
  skip_if_not_installed("mclust")
  set.seed(4)
  x <- as.matrix(faithful)
  w <- runif(nrow(x), 0.2, 1)
  z <- mclust::unmap(ifelse(x[, 1] > 3, 1L, 2L))
  for (m in c("VVV", "EEE", "VII", "EEI", "VVI", "EEV")) {
    ref <- mclust::me.weighted(x, m, z = z, weights = w,
                               control = mclust::emControl(tol = 1e-13, itmax = 1e5))
    fit <- gmm_fit(x, 2, m, init = z, weights = w, reg = 0, tol = 1e-15, threads = 1)
    expect_equal(fit$loglik, ref$loglik, tolerance = 1e-8)
    expect_equal(unname(fit$parameters$proportions), unname(ref$parameters$pro),
                 tolerance = 1e-6)
    expect_equal(unname(fit$parameters$means), unname(t(ref$parameters$mean)),
                 tolerance = 1e-6)
    expect_equal(unname(fit$parameters$covariances),
                 unname(ref$parameters$variance$sigma), tolerance = 1e-6)
  }
})

test_that("bad weights are input errors naming `weights`", {
  x <- as.matrix(faithful)
  n <- nrow(x)
  expect_error(gmm_fit(x, 2, weights = c(-1, rep(1, n - 1))), "`weights`.*element 1 is -1",
               class = "emgmm_error_input")
  expect_error(gmm_fit(x, 2, weights = c(NA, rep(1, n - 1))), "`weights`",
               class = "emgmm_error_input")
  expect_error(gmm_fit(x, 2, weights = c(Inf, rep(1, n - 1))), "`weights`",
               class = "emgmm_error_input")
  expect_error(gmm_fit(x, 2, weights = rep(0, n)), "`weights` must not all be zero",
               class = "emgmm_error_input")
  expect_error(gmm_fit(x, 2, weights = 1:3), "`weights`.*one weight per observation",
               class = "emgmm_error_input")
  expect_error(gmm_fit(x, 2, weights = as.character(rep(1, n))), "`weights`",
               class = "emgmm_error_input")
  expect_error(gmm_fit(x, 2, weights = matrix(1, n, 1)), "`weights`",
               class = "emgmm_error_input")
})

# A reference EM for one multivariate normal with missing values, written
# out row by row (the textbook algorithm, Little and Rubin 2002, 11.2).
reference_em_normal <- function(x, tol = 1e-14, max_iter = 10000L) {
  d <- ncol(x)
  mu <- colMeans(x, na.rm = TRUE)
  s <- diag(apply(x, 2L, stats::var, na.rm = TRUE), d)
  for (it in seq_len(max_iter)) {
    sx <- numeric(d)
    sxx <- matrix(0, d, d)
    for (i in seq_len(nrow(x))) {
      o <- !is.na(x[i, ])
      m <- !o
      xi <- x[i, ]
      cc <- matrix(0, d, d)
      if (any(m)) {
        b <- s[m, o, drop = FALSE] %*% solve(s[o, o, drop = FALSE])
        xi[m] <- mu[m] + b %*% (x[i, o] - mu[o])
        cc[m, m] <- s[m, m] - b %*% s[o, m, drop = FALSE]
      }
      sx <- sx + xi
      sxx <- sxx + tcrossprod(xi) + cc
    }
    mu_new <- sx / nrow(x)
    s_new <- sxx / nrow(x) - tcrossprod(mu_new)
    done <- max(abs(mu_new - mu), abs(s_new - s)) < tol
    mu <- mu_new
    s <- s_new
    if (done) break
  }
  list(mean = mu, cov = s)
}

test_that("with one component, missing values give the ML normal of a reference EM", {
  set.seed(21)
  n <- 300
  s <- matrix(c(2, .8, .3, .8, 1, .4, .3, .4, 1.5), 3)
  x <- matrix(rnorm(n * 3), n) %*% chol(s) + matrix(c(1, 2, 3), n, 3, byrow = TRUE)
  xm <- x
  xm[matrix(runif(n * 3) < 0.25, n)] <- NA
  xm <- xm[rowSums(!is.na(xm)) > 0, ]
  ref <- reference_em_normal(xm)
  fit <- gmm_fit(xm, 1, "VVV", reg = 0, tol = 1e-15, threads = 1, na_action = "em")
  expect_equal(unname(fit$parameters$means[1, ]), unname(ref$mean), tolerance = 1e-6)
  expect_equal(unname(fit$parameters$covariances[, , 1]), unname(ref$cov), tolerance = 1e-6)
  expect_equal(fit$n, nrow(xm))
  if (requireNamespace("norm", quietly = TRUE)) {
    pre <- norm::prelim.norm(xm)
    th <- norm::getparam.norm(pre, norm::em.norm(pre, showits = FALSE, criterion = 1e-12))
    expect_equal(unname(fit$parameters$means[1, ]), unname(th$mu), tolerance = 1e-6)
    expect_equal(unname(fit$parameters$covariances[, , 1]), unname(th$sigma), tolerance = 1e-6)
  }
})

test_that("missing values: the observed log-likelihood never decreases and posteriors sum to 1", {
  set.seed(8)
  x <- as.matrix(iris[, 1:4])
  xm <- x
  xm[matrix(runif(length(x)) < 0.2, nrow(x))] <- NA
  xm[5, ] <- NA  # nothing observed
  for (m in c("VVV", "EEE", "VVI", "EII", "EEV")) {
    fit <- gmm_fit(xm, 3, m, reg = 0, init = "kmeans", threads = 1, na_action = "em")
    expect_true(all(diff(fit$loglik_trace) >= -1e-9 * abs(fit$loglik)))
    expect_true(all(is.finite(fit$posterior)))
    expect_equal(rowSums(fit$posterior), rep(1, nrow(xm)), tolerance = 1e-12)
    expect_equal(fit$posterior[5, ], fit$parameters$proportions, tolerance = 1e-12)
    expect_equal(fit$n, nrow(xm) - 1)
  }
  # the log-likelihood is that of the observed coordinates
  fit <- gmm_fit(xm, 2, "VVV", threads = 1, na_action = "em")
  expect_equal(sum(predict(fit, xm, type = "logdensity")), fit$loglik, tolerance = 1e-6)
  expect_output(print(fit), "missing values: .* handled inside EM")
})

test_that("with no value missing the fit is the fit of today, whatever na_action", {
  x <- as.matrix(faithful)
  set.seed(2)
  a <- gmm_fit(x, 1:3, threads = 1)
  set.seed(2)
  b <- gmm_fit(x, 1:3, na_action = "fail", threads = 1)
  set.seed(2)
  c0 <- gmm_fit(x, 1:3, na_action = "omit", threads = 1)
  expect_identical(a[c("parameters", "loglik", "selection", "posterior")],
                   b[c("parameters", "loglik", "selection", "posterior")])
  expect_identical(a$parameters, c0$parameters)
})

test_that("na_action: \"fail\" keeps the input error, \"omit\" drops incomplete rows", {
  xm <- as.matrix(faithful)
  xm[c(3, 10), 1] <- NA
  expect_error(gmm_fit(xm, 2, na_action = "fail"), "row 3, column 1 is NA",
               class = "emgmm_error_input")
  # the default is "fail": today's input error, which names the other choices
  expect_error(gmm_fit(xm, 2), "na_action = \"em\"", class = "emgmm_error_input")
  expect_error(gmm_fit(xm, 2, na_action = "drop"), "`na_action`",
               class = "emgmm_error_input")
  set.seed(1)
  o <- gmm_fit(xm, 2, na_action = "omit", threads = 1)
  set.seed(1)
  r <- gmm_fit(xm[-c(3, 10), ], 2, threads = 1)
  expect_equal(o$parameters, r$parameters)
  expect_equal(o$n, nrow(xm) - 2)
  xinf <- xm
  xinf[1, 2] <- Inf
  expect_error(gmm_fit(xinf, 2, na_action = "em"), "row 1, column 2 is Inf", class = "emgmm_error_input")
  all_na <- xm
  all_na[, 2] <- NA
  expect_error(gmm_fit(all_na, 2, na_action = "em"), "no observed value in column `waiting`",
               class = "emgmm_error_input")
})

test_that("missing values work with weights: weight 2 equals the row twice", {
  set.seed(13)
  x <- as.matrix(iris[, 1:4])
  x[matrix(runif(length(x)) < 0.1, nrow(x))] <- NA
  w <- sample(1:2, nrow(x), replace = TRUE)
  set.seed(4)
  a <- gmm_fit(x, 3, "VVV", init = "kmeans", weights = w, threads = 1, na_action = "em")
  set.seed(4)
  b <- gmm_fit(repeat_rows(x, w), 3, "VVV", init = "kmeans", threads = 1, na_action = "em")
  expect_same_fit(a, b, tol = 1e-9)
})

test_that("missing values: clustering beats dropping rows on separated clusters", {
  set.seed(30)
  n <- 600
  truth <- sample(1:3, n, replace = TRUE)
  centres <- matrix(c(0, 0, 0, 0, 4, 4, 0, 0, 0, 4, 4, 0), 3, 4, byrow = TRUE)
  x <- centres[truth, ] + matrix(rnorm(n * 4), n)
  xm <- x
  xm[matrix(runif(n * 4) < 0.3, n)] <- NA
  fit <- gmm_fit(xm, 3, "VVV", threads = 1, na_action = "em")
  full <- gmm_fit(x, 3, "VVV", threads = 1)
  ari <- mclust::adjustedRandIndex(fit$classification, truth)
  expect_gt(ari, 0.6)
  # the means are near those of the complete data
  ord <- apply(full$parameters$means, 1L, function(m) {
    which.min(colSums((t(fit$parameters$means) - m)^2))
  })
  expect_lt(max(abs(fit$parameters$means[ord, ] - full$parameters$means)), 0.4)
})

test_that("predict() answers rows with missing values and imputes them", {
  set.seed(6)
  x <- as.matrix(iris[, 1:4])
  fit <- gmm_fit(x, 2, "VVV", threads = 1)
  nd <- x[1:6, ]
  nd[1, 2] <- NA
  nd[2, c(1, 3)] <- NA
  nd[3, ] <- NA
  post <- predict(fit, nd, type = "posterior")
  expect_equal(rowSums(post), rep(1, 6), tolerance = 1e-12)
  expect_equal(post[3, ], fit$parameters$proportions)
  expect_equal(post[4:6, ], predict(fit, x[4:6, ], type = "posterior"))
  # the marginal density of the observed coordinates, by hand
  p <- fit$parameters
  o <- c(1, 3, 4)
  dens <- sum(vapply(1:2, function(j) {
    p$proportions[j] * mclust::dmvnorm(nd[1, o, drop = FALSE], p$means[j, o],
                                       p$covariances[o, o, j])
  }, numeric(1)))
  expect_equal(predict(fit, nd[1, , drop = FALSE], type = "density"), dens, tolerance = 1e-12)
  expect_equal(predict(fit, nd, type = "logdensity")[3], 0)
  imp <- predict(fit, nd, type = "impute")
  expect_false(anyNA(imp))
  expect_equal(imp[4:6, ], unname(x[4:6, ]), ignore_attr = TRUE)
  # the conditional mean by hand for row 1
  cm <- sum(vapply(1:2, function(j) {
    s <- p$covariances[, , j]
    post[1, j] * (p$means[j, 2] + s[2, o] %*% solve(s[o, o], nd[1, o] - p$means[j, o]))
  }, numeric(1)))
  expect_equal(unname(imp[1, 2]), cm, tolerance = 1e-10)
  expect_equal(colnames(imp), colnames(x))
})

test_that("methods work on fits with weights and missing values", {
  x <- as.matrix(faithful)
  x[c(2, 7), 1] <- NA
  w <- rep(c(1, 2), length.out = nrow(x))
  set.seed(1)
  fit <- gmm_fit(x, 2, weights = w, na_action = "em", threads = 1)
  expect_equal(fit$n, sum(w))
  expect_equal(nobs(fit), sum(w))
  expect_equal(attr(logLik(fit), "nobs"), sum(w))
  expect_output(print(summary(fit)), "missing values: 2 in 2 rows")
  expect_equal(nrow(fit$posterior), nrow(x))
  expect_equal(length(predict(fit)), nrow(x))
  s <- simulate(fit, nsim = 5, seed = 1)
  expect_false(anyNA(unlist(s)))
  if (requireNamespace("broom", quietly = TRUE)) {
    expect_equal(nrow(broom::augment(fit)), nrow(x))
    expect_equal(broom::glance(fit)$n, sum(w))
  }
  pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  for (type in c("classification", "uncertainty", "density")) expect_no_error(plot(fit, type = type))
})

test_that("hc_subset names rows of x, also when some rows are left out of the starts", {
  x <- as.matrix(faithful)
  w <- rep(c(0, 1, 2), length.out = nrow(x))
  keep <- which(w > 0)
  # the hierarchical start on rows 2, 3, 5, 6, ... of x (all of weight > 0)
  set.seed(1)
  a <- gmm_fit(x, 2, init = "hc", weights = w, hc_subset = keep[1:60], threads = 1)
  set.seed(1)
  b <- gmm_fit(x[keep, ], 2, init = "hc", weights = w[keep], hc_subset = 1:60, threads = 1)
  expect_equal(a$parameters, b$parameters, tolerance = 1e-12)
  # a logical vector over the rows of x
  set.seed(1)
  d <- gmm_fit(x, 2, init = "hc", weights = w, hc_subset = seq_len(nrow(x)) %in% keep[1:60],
               threads = 1)
  expect_equal(d$parameters, a$parameters, tolerance = 1e-12)
  # with missing values: the rows of x among the complete ones
  xm <- x
  xm[c(2, 3), 1] <- NA
  set.seed(1)
  e <- gmm_fit(xm, 2, init = "hc", na_action = "em", hc_subset = 1:80, threads = 1)
  expect_equal(e$control$hc_subset, 78L)
})

test_that("univariate data with missing values: rows with nothing observed are left out", {
  v <- c(faithful$waiting, NA, NA)
  set.seed(1)
  fit <- gmm_fit(v, 2, na_action = "em", threads = 1)
  expect_equal(fit$n, length(faithful$waiting))
  expect_equal(unname(fit$posterior[273, ]), fit$parameters$proportions)
  expect_output(print(fit), "2 rows with nothing observed left out")
  set.seed(1)
  ref <- gmm_fit(faithful$waiting, 2, threads = 1)
  expect_equal(fit$loglik, ref$loglik, tolerance = 1e-10)
})

test_that("tiny positive weights are not taken for whole numbers (the hierarchical start keeps its rows)", {
  x <- as.matrix(iris[, 1:4])
  rows <- emgmm:::hc_rows(NULL, x, 3, NULL, weights = rep(1e-10, nrow(x)))
  expect_equal(sort(rows), seq_len(nrow(x)))
  expect_false(emgmm:::is_whole_weights(c(1, 2, 1e-9)))
  expect_true(emgmm:::is_whole_weights(c(0, 1, 2, 3 + 1e-12)))
})

test_that("a user's start fits data with missing values when few rows are complete", {
  x <- as.matrix(iris[, 1:4])
  for (i in seq_len(nrow(x))) x[i, (i %% 4) + 1] <- NA
  lab <- as.integer(iris$Species)
  a <- suppressWarnings(gmm_fit(x, model = "VVV", init = lab, na_action = "em", threads = 1))
  expect_equal(a$k, 3L)
  expect_true(is.finite(a$loglik))
  b <- suppressWarnings(gmm_fit(x, model = "VVV", init = diag(3)[lab, ], na_action = "em",
                                threads = 1))
  expect_true(is.finite(b$loglik))
  w <- rep(1:3, length.out = nrow(x))
  c1 <- suppressWarnings(gmm_fit(x, model = "VVV", init = lab, na_action = "em", weights = w,
                                 threads = 1))
  expect_true(is.finite(c1$loglik))
})

test_that("weights that are not counts can have any scale, however small", {
  x <- as.matrix(iris[, 1:4])
  w <- rep(c(0.5, 1.5, 1), 50)
  set.seed(6)
  a <- gmm_fit(x, 3, "VVV", init = "kmeans", weights = w, threads = 1)
  for (scale in c(1 / sum(w), 1e-10, pi * 1e5)) {
    set.seed(6)
    b <- gmm_fit(x, 3, "VVV", init = "kmeans", weights = scale * w, threads = 1)
    expect_equal(b$parameters, a$parameters, tolerance = 1e-10)
    expect_equal(b$loglik, scale * a$loglik, tolerance = 1e-10)
    expect_equal(b$n, scale * a$n, tolerance = 1e-12)
    expect_equal(b$bic, -2 * b$loglik + b$df * log(b$n), tolerance = 1e-12)
  }
  # equal weights of any size: the unweighted fit
  set.seed(6)
  u <- gmm_fit(x, 3, "VVV", init = "kmeans", threads = 1)
  set.seed(6)
  e <- gmm_fit(x, 3, "VVV", init = "kmeans", weights = rep(1 / 150, 150), threads = 1)
  expect_equal(e$parameters, u$parameters, tolerance = 1e-10)
  expect_equal(e$loglik, u$loglik / 150, tolerance = 1e-10)
})
