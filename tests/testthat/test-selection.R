# Fitting the (k, model) pairs and choosing among them (R/selection.R):
# statuses by name and their reasons, degenerate fits stopped early and
# passed over, and the choice of the best pair.

test_that("a start whose component collapses is stopped early, and the fit says why", {
  # mtcars with k = 2 and EVE: in every start a component has a constant
  # variable (vs, am, cyl...), so it is held up by the ridge alone.  Each
  # start stops as soon as that is seen, instead of running its inner
  # iterations to their limit at every EM iteration (16 s before issue 10).
  x <- datasets::mtcars
  expect_warning(fit <- with_seed_local(1, gmm_fit(x, k = 2, model = "EVE", threads = 1)),
                 class = "emgmm_warning_degenerate")
  expect_true(fit$degenerate)
  expect_false(fit$converged)
  expect_lte(fit$iterations, 20L)
  expect_true(all(is.finite(unlist(fit$parameters))))
  expect_match(fit$warnings, "component [12] is held up by the ridge.*EM stopped there")
  # no convergence warning for a fit that was stopped
  expect_false(any(grepl("did not converge", fit$warnings)))
  # in a selection such pairs are degenerate and passed over
  sel <- with_seed_local(1, gmm_fit(x, k = 1:3, model = c("EVE", "VVI"), threads = 1))
  s <- sel$selection
  expect_true(all(s$degenerate[s$model == "EVE" & s$k > 1]))
  expect_match(s$reason[s$model == "EVE" & s$k > 1], "EM stopped there")
  expect_false(sel$degenerate)
  # with reg = 0 the same pair cannot be fitted, as in mclust
  err <- tryCatch(gmm_fit(x, k = 2, model = "EVE", init = "hc", threads = 1),
                  error = function(e) e)
  expect_s3_class(err, "emgmm_error_fit")
  expect_match(conditionMessage(err), "singular covariance")
})

test_that("every (k, model) pair of small public data sets is fitted without crawling", {
  skip_on_cran()
  # the data sets of issue 10 that took 20 s to 3 minutes: every pair gives
  # a fit or a reason, and the selected fit is sound
  for (x in list(datasets::swiss, datasets::mtcars, datasets::state.x77)) {
    fit <- with_seed_local(1, gmm_fit(x, k = 1:9, model = "all", threads = 1))
    s <- fit$selection
    expect_identical(nrow(s), 126L)
    expect_true(all(!is.na(s$loglik) | !is.na(s$reason)))
    expect_false(fit$degenerate)
    expect_true(all(s$iterations[!is.na(s$iterations)] <= 1000L))
  }
})

test_that("statuses cross the seam by name, and R words the reasons", {
  expect_match(emgmm:::status_reason("singular", 2L), "component 2 has a singular covariance")
  expect_match(emgmm:::status_reason("empty", 3L), "component 3 became empty")
  expect_match(emgmm:::status_reason("not_finite", 1L), "non-finite")
  expect_match(emgmm:::collapse_reason(4L, "collapsed", 10, 2L),
               "component 4 is held up by the ridge: without.*stopped")
  expect_false(grepl("stopped", emgmm:::collapse_reason(4L, "ok", 10, 2L)))
  expect_match(emgmm:::collapse_reason(2L, "ok", 2.04, 3L),
               "component 2 is held up by the ridge: it rests on about 2 points, and 3 dimensions need at least 4")
  # the engine answers with names
  x <- as.matrix(datasets::faithful)
  ctl <- list(max_iter = 5L, inner_max_iter = 1000, tol = 1e-8, inner_tol = 1e-8,
              reg = matrix(0, 2, 2), scale = apply(x, 2, var), threads = 1L, screen_iter = 20L)
  lab <- rep(1:2, length.out = nrow(x))
  res <- emgmm:::fit_candidate_cpp(x, "VVV", 2L, list(lab), 1L, NULL, ctl, FALSE)
  expect_identical(res$status, "max_iter")
  expect_identical(res$start, 1L)
  bad <- matrix(c(0, 0, 0, 1, 1, 1, 0, 0, 0, 2, 3, 5), ncol = 2)
  res <- emgmm:::fit_candidate_cpp(bad, "VVV", 2L, list(c(1L, 1L, 1L, 2L, 2L, 2L)), 1L, NULL,
                                   utils::modifyList(ctl, list(scale = c(1, 1))), FALSE)
  expect_identical(res$status, "singular")
  expect_identical(res$component, 1L)
  expect_identical(res$start, 0L)
})

test_that("the best pair is a sound one when there is one, by the criterion", {
  sel <- data.frame(k = 1:3, model = "VVV", bic = c(10, 5, 1), degenerate = c(FALSE, FALSE, TRUE),
                    reason = NA_character_, stringsAsFactors = FALSE)
  expect_identical(emgmm:::best_pair(sel, "bic", NULL, NULL), 2L)
  sel$degenerate <- TRUE
  expect_identical(emgmm:::best_pair(sel, "bic", NULL, NULL), 3L)
  sel$bic <- NA
  sel$reason <- "component 1 became empty (its total posterior weight fell to zero)"
  err <- tryCatch(emgmm:::best_pair(sel, "bic", cbind(a = 1:3, b = c(2, 1, 5)), quote(gmm_fit())), error = function(e) e)
  expect_s3_class(err, "emgmm_error_fit")
  expect_match(conditionMessage(err), "No model could be fitted")
  expect_s3_class(err$selection, "data.frame")
})

test_that("a degenerate fit's message names the cause in the data", {
  set.seed(1)
  a <- c(stats::rnorm(250), stats::rnorm(250, 6))
  w <- expect_warning(gmm_fit(cbind(a = a, b = 1), k = 2, model = "VVV"),
                      class = "emgmm_warning_degenerate")
  expect_match(conditionMessage(w), "(in the data, `b` is constant)", fixed = TRUE)
  err <- expect_error(gmm_fit(cbind(a = a, b = 2 * a + 1), k = 2, model = "VVV"),
                      class = "emgmm_error_fit")
  expect_match(conditionMessage(err), "`b` is collinear with `a`", fixed = TRUE)
  # diagonal models do not mind a duplicated variable
  expect_s3_class(gmm_fit(cbind(a = a, b = 2 * a + 1), k = 2, model = "VVI"), "emgmm")
  expect_identical(emgmm:::data_degeneracy(cbind(a = a, b = a + 1, c = 2, d = a - 1e-3 * a^2)),
                   "`c` is constant; `b` is collinear with `a`")
  expect_null(emgmm:::data_degeneracy(as.matrix(faithful)))
  # a component on fewer points than it needs
  x <- rbind(matrix(stats::rnorm(300), ncol = 3), c(10, 10, 10), c(10.1, 10, 10))
  w <- expect_warning(gmm_fit(x, k = 2, init = rep(1:2, c(100, 2))),
                      class = "emgmm_warning_degenerate")
  expect_match(conditionMessage(w), "component 2 is held up by the ridge: it rests on about 2 points, and 3 dimensions need at least 4")
})

test_that("the default ridge leaves a thin but sound component alone", {
  # issue 11: b is a plus noise a millionth of its size, so each component is
  # thin; the default ridge is shaped as the data, so it is thinner still
  set.seed(1)
  a <- c(stats::rnorm(250), stats::rnorm(250, 6))
  x <- cbind(a = a, b = a + 1e-6 * stats::rnorm(500))
  f <- expect_silent(gmm_fit(x, k = 2, model = "VVV"))
  f0 <- gmm_fit(x, k = 2, model = "VVV", reg = 0)
  expect_false(f$degenerate)
  expect_equal(f$loglik, f0$loglik, tolerance = 1e-8)
  # a point mass is still held up by the ridge and said to be
  expect_warning(gmm_fit(c(stats::rnorm(30), stats::rnorm(30, 10), rep(20, 300)), k = 3,
                         model = "V"), class = "emgmm_warning_degenerate")
})
