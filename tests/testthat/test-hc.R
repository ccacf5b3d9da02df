# The hierarchical start (R/hc.R) and Mclust-grade selection with it.

# mclust's BIC table from an "emgmm" selection: k x model, mclust's sign.
bic_matrix <- function(sel, like) {
  out <- matrix(NA_real_, nrow(like), ncol(like), dimnames = dimnames(like))
  out[cbind(as.character(sel$k), sel$model)] <- -sel$bic
  out
}

# mclust's hc() merges as a plain 2 x (n - 1) integer matrix.
mclust_merges <- function(x, model) {
  matrix(as.integer(mclust_hc(x, model)), nrow = 2L)
}

hc_data <- function() {
  sim3 <- sim_mixture(240, means = rbind(c(0, 0, 0), c(3, 0, 1), c(0, 3, -1)), sds = 1,
                      seed = 31)$x
  sim5 <- sim_mixture(200, means = rbind(rep(0, 5), c(2, 2, 0, 0, 2), c(-2, 0, 2, 2, 0)),
                      sds = c(1, 0.7, 1.3), seed = 52)$x
  list(faithful = as.matrix(datasets::faithful), iris = as.matrix(datasets::iris[, 1:4]),
       sim3 = sim3, sim5 = sim5,
       # ties: rounded values, many repeated rows
       rounded = round(as.matrix(datasets::faithful)),
       quakes = as.matrix(datasets::quakes[1:400, 1:4]),
       # rank-deficient: the third variable is the sum of the first two
       lowrank = with_seed_local(5, {
         a <- stats::rnorm(60)
         b <- stats::rnorm(60)
         cbind(a, b, a + b)
       }))
}

test_that("hierarchical merges are mclust::hc()'s, pair for pair (VVV and EII, SVD transform)", {
  skip_if_not_installed("mclust")
  for (nm in names(hc_data())) {
    x <- hc_data()[[nm]]
    for (model in c("VVV", "EII")) {
      expect_identical(emgmm:::hc_merges(x, model), mclust_merges(x, model),
                       info = paste(nm, model))
    }
  }
})

test_that("the SVD transformation and the partitions are mclust's", {
  skip_if_not_installed("mclust")
  x <- as.matrix(datasets::iris[, 1:4])
  h <- mclust_hc(x)
  expect_equal(unname(emgmm:::hc_transform(x)), unname(attr(h, "data")), tolerance = 1e-14)
  part <- emgmm:::hc_partitions_cpp(emgmm:::hc_merges(x), nrow(x), 2:9)
  expect_equal(unname(part), unname(mclust::hclass(h, 2:9)) + 0L)
  # a constant column is dropped, as mclust does
  xc <- cbind(x, 1)
  expect_equal(dim(emgmm:::hc_transform(xc)), c(150L, 4L))
  expect_identical(emgmm:::hc_merges(xc), mclust_merges(xc, "VVV"))
})

test_that("quantile classes are mclust's univariate start", {
  skip_if_not_installed("mclust")
  qclass <- get("qclass", envir = asNamespace("mclust"))
  xs <- list(datasets::faithful$waiting, series, datasets::iris$Sepal.Length,
             round(datasets::faithful$eruptions), c(rep(1, 30), 2:11))
  for (i in seq_along(xs)) {
    for (k in 2:6) {
      expect_equal(emgmm:::quantile_classes(xs[[i]], k), qclass(xs[[i]], k) + 0L,
                   info = paste(i, k))
    }
  }
})

test_that("gmm_fit(x, k = 1:9, model = 'all', init = 'hc') reproduces mclustBIC() (faithful, iris)", {
  skip_if_not_installed("mclust")
  for (nm in c("faithful", "iris")) {
    x <- hc_data()[[nm]]
    b <- mclust::mclustBIC(x, verbose = FALSE)
    fit <- gmm_fit(x, k = 1:9, model = "all", init = "hc", threads = 1)
    ours <- bic_matrix(fit$selection, b)
    # the same cells fail (iris: VEE, EVE and VVE at some k), with a reason
    expect_identical(is.na(ours), is.na(unclass(b)[, ]), info = nm)
    failed <- fit$selection[is.na(fit$selection$bic), ]
    expect_true(all(nchar(failed$reason) > 0), info = nm)
    rel <- abs(ours - b) / abs(b)
    # observed: 1.4e-15 (faithful), 1.5e-15 (iris)
    expect_lt(max(rel, na.rm = TRUE), 1e-10)
    best <- which(b == max(b, na.rm = TRUE), arr.ind = TRUE)
    expect_identical(fit$model, colnames(b)[best[1, 2]], info = nm)
    expect_identical(fit$k, as.integer(rownames(b)[best[1, 1]]), info = nm)
    expect_equal(fit$bic, -max(b, na.rm = TRUE), tolerance = 1e-12)
  }
})

test_that("init = 'hc' reproduces mclustBIC() on 3- and 5-variable data and in 1-D", {
  skip_if_not_installed("mclust")
  for (nm in c("sim3", "sim5")) {
    x <- hc_data()[[nm]]
    models <- c("EII", "VEI", "EVI", "EEE", "VEE", "EVE", "VVE", "VEV", "VVV")
    b <- mclust::mclustBIC(x, G = 1:6, modelNames = models, verbose = FALSE)
    fit <- gmm_fit(x, k = 1:6, model = models, init = "hc", threads = 1)
    ours <- bic_matrix(fit$selection, b)
    expect_identical(is.na(ours), is.na(unclass(b)[, ]), info = nm)
    expect_lt(max(abs(ours - b) / abs(b), na.rm = TRUE), 1e-8)
  }
  for (x in list(datasets::faithful$waiting, series)) {
    b <- mclust::mclustBIC(x, verbose = FALSE)
    fit <- gmm_fit(x, k = 1:9, model = "all", init = "hc", threads = 1)
    ours <- bic_matrix(fit$selection, b)
    expect_lt(max(abs(ours - b) / abs(b), na.rm = TRUE), 1e-10)
    best <- which(b == max(b, na.rm = TRUE), arr.ind = TRUE)
    expect_identical(fit$model, colnames(b)[best[1, 2]])
  }
})

test_that("a pair mclust cannot fit is NA with its reason, and the run goes on", {
  skip_if_not_installed("mclust")
  x <- as.matrix(datasets::swiss)
  b <- mclust::mclustBIC(x, verbose = FALSE)
  fit <- gmm_fit(x, k = 1:9, model = "all", init = "hc", threads = 1)
  ours <- bic_matrix(fit$selection, b)
  expect_identical(is.na(ours), is.na(unclass(b)[, ]))
  # VEE with k = 4: a component of three points in six dimensions
  row <- fit$selection[fit$selection$k == 4 & fit$selection$model == "VEE", ]
  expect_true(is.na(row$bic))
  expect_match(row$reason, "singular")
  best <- which(b == max(b, na.rm = TRUE), arr.ind = TRUE)
  expect_identical(c(fit$model, as.character(fit$k)),
                   c(colnames(b)[best[1, 2]], rownames(b)[best[1, 1]]))
  # except EEV, whose components on fewer than d + 1 points have an arbitrary
  # orientation (see the closing note of issue 3), the values agree
  rel <- abs(ours - b) / abs(b)
  expect_lt(max(rel[, colnames(rel) != "EEV"], na.rm = TRUE), 1e-7)
  # with a ridge the same pair gives a finite fit, flagged as degenerate
  expect_warning(deg <- gmm_fit(x, k = 4, model = "VEE", init = "hc", reg = NULL, threads = 1),
                 class = "emgmm_warning_degenerate")
  expect_true(deg$degenerate)
  expect_true(is.finite(deg$loglik))
})

test_that("the hierarchical start is deterministic and uses mclust's defaults", {
  x <- datasets::faithful
  a <- gmm_fit(x, k = 3, model = "VVV", init = "hc", threads = 1)
  b <- gmm_fit(x, k = 3, model = "VVV", init = "hc", threads = 1)
  expect_identical(a$loglik, b$loglik)
  expect_identical(a$control$init, "hc")
  expect_identical(a$control$tol, 1e-5)
  expect_identical(a$control$inner_tol, sqrt(.Machine$double.eps))
  expect_identical(a$control$reg, matrix(0, 2, 2))
  expect_identical(a$control$hc_subset, 272L)
  # explicit tol and reg are honoured
  c8 <- gmm_fit(x, k = 3, model = "VVV", init = "hc", tol = 1e-8, reg = NULL, threads = 1)
  expect_identical(c8$control$tol, 1e-8)
  expect_true(c8$control$reg_default)
  expect_gte(c8$loglik, a$loglik - 1e-6)
})

test_that("one component gives the single Gaussian for every model", {
  x <- as.matrix(datasets::iris[, 1:4])
  ref <- gmm_fit(x, k = 1, model = "VVV", init = "hc", threads = 1)
  S <- stats::cov(x) * (nrow(x) - 1) / nrow(x)
  expect_equal(ref$parameters$covariances[, , 1], S, tolerance = 1e-12, ignore_attr = TRUE)
  for (m in c("EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV")) {
    f <- gmm_fit(x, k = 1, model = m, init = "hc", threads = 1)
    expect_equal(f$loglik, ref$loglik, tolerance = 1e-13, info = m)
  }
  d <- diag(diag(S))
  for (m in c("EEI", "VEI", "EVI", "VVI")) {
    f <- gmm_fit(x, k = 1, model = m, init = "hc", threads = 1)
    expect_equal(f$parameters$covariances[, , 1], d, tolerance = 1e-12, ignore_attr = TRUE,
                 info = m)
  }
})

test_that("on large data the clustering runs on a random subset, as mclust's does", {
  skip_if_not_installed("mclust")
  x <- sim_mixture(3000, means = rbind(c(0, 0), c(4, 4), c(0, 5)), sds = 1, seed = 7)$x
  models <- c("VVV", "EEE", "VII")
  b <- with_seed_local(11, mclust::mclustBIC(x, G = 1:4, modelNames = models, verbose = FALSE))
  # mclust subsets 2000 rows, and so does the default: the same rows with the
  # same seed
  fit <- with_seed_local(11, gmm_fit(x, k = 1:4, model = models, init = "hc", threads = 1))
  expect_identical(fit$control$hc_subset, 2000L)
  expect_lt(max(abs(bic_matrix(fit$selection, b) - b) / abs(b)), 1e-10)
  given <- with_seed_local(11, gmm_fit(x, k = 1:4, model = models, init = "hc",
                                       hc_subset = 2000, threads = 1))
  expect_identical(given$selection, fit$selection)
  # up to 2000 rows, the default subset is all of them: no random numbers
  y <- x[1:1500, ]
  a1 <- with_seed_local(1, gmm_fit(y, k = 3, init = "hc", threads = 1))
  a2 <- with_seed_local(2, gmm_fit(y, k = 3, init = "hc", threads = 1))
  expect_identical(a1$loglik, a2$loglik)
  expect_identical(a1$control$hc_subset, 1500L)
  # chosen rows, as indices or logical
  rows <- seq(1, 1500, by = 3)
  f1 <- gmm_fit(y, k = 3, init = "hc", hc_subset = rows, threads = 1)
  f2 <- gmm_fit(y, k = 3, init = "hc", hc_subset = seq_len(1500) %in% rows, threads = 1)
  expect_identical(f1$loglik, f2$loglik)
  expect_identical(f1$control$hc_subset, 500L)
  # a subset larger than the data means all of it
  expect_identical(gmm_fit(y, k = 3, init = "hc", hc_subset = 1e5, threads = 1)$loglik,
                   a1$loglik)
  expect_identical(gmm_fit(y, k = 3, init = "hc", hc_subset = Inf, threads = 1)$loglik,
                   a1$loglik)
})

test_that("hc_subset is validated before any C++ runs", {
  x <- datasets::faithful
  with_cpp_blocked({
    expect_error(gmm_fit(x, k = 2, init = "kmeans", hc_subset = 100),
                 "`hc_subset`.*init = \"auto\"", class = "emgmm_error_input")
    expect_error(gmm_fit(x, k = 2, init = "hc", hc_subset = 1), "`hc_subset`",
                 class = "emgmm_error_input")
    expect_error(gmm_fit(x, k = 5, init = "hc", hc_subset = 3), "at least max\\(2, k\\) = 5",
                 class = "emgmm_error_input")
    expect_error(gmm_fit(x, k = 2, init = "hc", hc_subset = c(1, 2, 2)), "`hc_subset`",
                 class = "emgmm_error_input")
    expect_error(gmm_fit(x, k = 2, init = "hc", hc_subset = c(1, 500)), "`hc_subset`",
                 class = "emgmm_error_input")
    expect_error(gmm_fit(x, k = 2, init = "hc", hc_subset = "a"), "`hc_subset`",
                 class = "emgmm_error_input")
    expect_error(gmm_fit(x, k = 2, init = "hc", hc_subset = NA), "`hc_subset`",
                 class = "emgmm_error_input")
    same <- rbind(matrix(0, 10, 2), as.matrix(x))
    expect_error(gmm_fit(same, k = 2, init = "hc", hc_subset = 1:10),
                 "`hc_subset` selects 10 rows that are all the same", class = "emgmm_error_input")
  })
})

test_that("hc_subset with NA is called NA, not the wrong length", {
  x <- datasets::faithful
  n <- nrow(x)
  with_cpp_blocked({
    cnd <- expect_error(gmm_fit(x, k = 2, init = "hc", hc_subset = c(1:5, NA)),
                        class = "emgmm_error_input")
    expect_identical(conditionMessage(cnd), paste0(
      "`hc_subset` as row indices must be whole numbers in 1..272, but element 6 is NA."))
    cnd <- expect_error(gmm_fit(x, k = 2, init = "hc", hc_subset = c(1:5, NA_integer_)),
                        class = "emgmm_error_input")
    expect_match(conditionMessage(cnd), "element 6 is NA.", fixed = TRUE)
    cnd <- expect_error(gmm_fit(x, k = 2, init = "hc", hc_subset = NA_real_),
                        class = "emgmm_error_input")
    expect_identical(conditionMessage(cnd), "`hc_subset` must be a whole number >= 2, not NA.")
    cnd <- expect_error(gmm_fit(x, k = 2, init = "hc", hc_subset = NA),
                        class = "emgmm_error_input")
    expect_match(conditionMessage(cnd), "`hc_subset` must be NULL, .*, not NA\\.$")
    sel <- rep(c(TRUE, FALSE), n / 2)
    sel[3] <- NA
    cnd <- expect_error(gmm_fit(x, k = 2, init = "hc", hc_subset = sel),
                        class = "emgmm_error_input")
    expect_identical(conditionMessage(cnd), paste0(
      "`hc_subset` as a logical vector must be TRUE or FALSE for every observation, ",
      "but element 3 is NA."))
    # the other index errors say which element
    cnd <- expect_error(gmm_fit(x, k = 2, init = "hc", hc_subset = c(1, 500)),
                        class = "emgmm_error_input")
    expect_match(conditionMessage(cnd), "element 2 is 500.", fixed = TRUE)
    cnd <- expect_error(gmm_fit(x, k = 2, init = "hc", hc_subset = c(1, 2, 2)),
                        class = "emgmm_error_input")
    expect_match(conditionMessage(cnd), "row 2 is repeated", fixed = TRUE)
    # a logical vector of the wrong length is still called that
    cnd <- expect_error(gmm_fit(x, k = 2, init = "hc", hc_subset = c(TRUE, FALSE)),
                        class = "emgmm_error_input")
    expect_match(conditionMessage(cnd), "one element per observation (272), not a logical",
                 fixed = TRUE)
  })
})
