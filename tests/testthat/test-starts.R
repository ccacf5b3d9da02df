# Starting points (R/starts.R): the default start "auto", which start wins,
# the exact continuation of a screened start, and the random draws.

# The selection tables of one call per kind of start, with the same seed,
# matched by (k, model).  "hc_same" is the hierarchical start alone with the
# default's settings (ridge, tol 1e-8), "hc" with mclust's (no ridge, tol
# 1e-5).
selections_by_init <- function(x) {
  args <- list(auto = list(init = "auto"), hc = list(init = "hc"),
               hc_same = list(init = "hc", reg = NULL, tol = 1e-8),
               kmeans = list(init = "kmeans"))
  out <- lapply(args, function(a) {
    with_seed_local(1, suppressWarnings(do.call(gmm_fit, c(list(x, k = 1:9, model = "all",
                                                                threads = 1), a))))$selection
  })
  key <- paste(out$auto$k, out$auto$model)
  lapply(out, function(s) s[match(key, paste(s$k, s$model)), ])
}

test_that("init = 'auto' is the default and the selection table says which start won", {
  fit <- with_seed_local(1, gmm_fit(faithful, k = 1:4, model = c("VVV", "EEE"), threads = 1))
  expect_identical(fit$control$init, "auto")
  expect_identical(fit$control$n_init, 10L)
  expect_identical(fit$control$hc_subset, 272L)
  sel <- fit$selection
  expect_true("start" %in% names(sel))
  expect_true(all(sel$start %in% c("hc", "kmeans")))
  expect_identical(fit$start, sel$start[sel$k == fit$k & sel$model == fit$model])
  skip_if_not_installed("MASS")
  # on crabs with k = 4 the hierarchical start wins, and the default finds
  # mclust's optimum, which 100 k-means++ starts miss (issue 10)
  crabs <- MASS::crabs[, 4:8]
  eev <- with_seed_local(1, gmm_fit(crabs, k = 4, model = "EEV", threads = 1))
  expect_identical(eev$start, "hc")
  expect_equal(eev$loglik, -1240.998, tolerance = 1e-6)
  km <- with_seed_local(1, gmm_fit(crabs, k = 4, model = "EEV", init = "kmeans",
                                   n_init = 100, threads = 1))
  expect_lt(km$loglik, eev$loglik - 50)
  # the start of a user-supplied partition, and of one kind alone
  lab <- fit$classification
  expect_identical(gmm_fit(faithful, k = 3, model = "EEE", init = lab, threads = 1)$start,
                   "labels")
  expect_identical(gmm_fit(faithful, k = 3, init = "hc", threads = 1)$start, "hc")
  expect_identical(with_seed_local(2, gmm_fit(faithful, k = 3, init = "random",
                                              threads = 1))$start, "random")
})

test_that("the default fit is at least as good as the hierarchical and the k-means fits", {
  skip_on_cran()
  # every (k, model) pair of four public data sets, the same seed for all:
  # the default's log-likelihood is at least that of the k-means starts and
  # of the hierarchical start with the same settings (it continues the best
  # of each exactly), to the rounding of EM's stopping rule, wherever the
  # other fit is not degenerate (a fit held up by the ridge is passed over by
  # design).  Against the hierarchical start with mclust's settings (no
  # ridge, tol 1e-5) it holds too, but for EVE and VVE, whose M-steps are
  # mclust's iterations there and plane rotations here, and EEV, where a
  # hierarchical group with fewer points than dimensions leaves its
  # orientation to rounding or to the ridge, so any ridge changes the path
  # (USArrests, k = 8: reg 1e-12 and 1e-8 reach -669.11, reg 1e-10 -673.44).
  sets <- list(faithful = datasets::faithful, iris = datasets::iris[, 1:4],
               USArrests = datasets::USArrests, trees = datasets::trees)
  for (nm in names(sets)) {
    s <- selections_by_init(sets[[nm]])
    sound <- function(f) ifelse(f$degenerate, NA, f$loglik)
    shortfall <- function(ref) {
      ok <- !is.na(ref)
      expect_false(anyNA(s$auto$loglik[ok]), info = nm)
      max(c(0, ((ref - s$auto$loglik) / abs(ref))[ok]))
    }
    expect_lte(shortfall(sound(s$kmeans)), 1e-8, label = paste(nm, "against k-means"))
    expect_lte(shortfall(sound(s$hc_same)), 1e-8, label = paste(nm, "against hc, same settings"))
    mclust_steps <- s$hc$model %in% c("EVE", "VVE", "EEV")
    expect_lte(shortfall(ifelse(mclust_steps, NA, s$hc$loglik)), 1e-8,
               label = paste(nm, "against hc, mclust's settings"))
    # and nowhere is the default fit degenerate where a sound fit was found
    expect_false(any(s$auto$degenerate & !s$kmeans$degenerate, na.rm = TRUE), info = nm)
  }
})

test_that("a screened start continued is that start run alone, for iterative M-steps", {
  # init = "kmeans" with 4 starts: each runs 20 iterations, the best is
  # continued with the state of its M-step; it must be exactly the fit of
  # that start alone (the continuation is exact, not a restart)
  x <- as.matrix(datasets::iris[, 1:4])
  for (model in c("VEV", "EVE", "VVE", "VEI", "VEE")) {
    for (reg in list(NULL, 0)) {
      fit <- with_seed_local(7, suppressWarnings(
        gmm_fit(x, k = 3, model = model, init = "kmeans", n_init = 4, reg = reg,
                threads = 1)))
      starts <- with_seed_local(7, emgmm:::start_partitions_cpp(x, 3L, 4L, TRUE, 1L))
      alone <- lapply(seq_len(ncol(starts)), function(j) {
        tryCatch(suppressWarnings(gmm_fit(x, k = 3, model = model, init = starts[, j],
                                          reg = reg, threads = 1)),
                 emgmm_error_fit = function(e) NULL)
      })
      same <- vapply(alone, function(a) {
        !is.null(a) && isTRUE(all.equal(a$parameters, fit$parameters, tolerance = 1e-12)) &&
          abs(a$loglik - fit$loglik) <= 1e-12 * abs(fit$loglik) &&
          identical(a$iterations, fit$iterations)
      }, logical(1))
      expect_true(any(same), info = paste(model, if (is.null(reg)) "ridge" else "reg = 0"))
    }
  }
})

test_that("the hierarchical start of 'auto' is the one of 'hc', and k = 1 needs no start", {
  x <- datasets::faithful
  auto <- gmm_fit(x, k = 3, model = "VVV", init = "auto", n_init = 1, tol = 1e-5, reg = 0,
                  threads = 1)
  hc <- gmm_fit(x, k = 3, model = "VVV", init = "hc", threads = 1)
  if (identical(auto$start, "hc")) expect_equal(auto$loglik, hc$loglik, tolerance = 1e-12)
  expect_gte(auto$loglik, hc$loglik - 1e-8 * abs(hc$loglik))
  # one component: the single Gaussian, whatever the start
  one <- gmm_fit(x, k = 1, threads = 1)
  expect_lte(one$iterations, 2L)
  expect_true(one$converged)
  expect_equal(unname(one$parameters$means[1, ]), unname(colMeans(x)), tolerance = 1e-12)
})

test_that("random draws: set.seed() reproduces 'auto', and small data draw nothing for hc", {
  a <- with_seed_local(3, gmm_fit(datasets::iris[, 1:4], k = 2:4, threads = 1))
  b <- with_seed_local(3, gmm_fit(datasets::iris[, 1:4], k = 2:4, threads = 1))
  expect_identical(a$selection, b$selection)
  expect_identical(a$parameters, b$parameters)
  # the k-means++ starts of "auto" are those of "kmeans" with the same seed:
  # on data of at most hc_subset rows the hierarchical start draws nothing
  starts_auto <- with_seed_local(5, {
    plan <- emgmm:::start_plan(unname(as.matrix(faithful)),
                               list(type = "auto", user = NULL, ks = 2:3), 10L, NULL, 1L, NULL)
    emgmm:::starts_for(plan, unname(as.matrix(faithful)), 3L)
  })
  starts_km <- with_seed_local(5, {
    plan <- emgmm:::start_plan(unname(as.matrix(faithful)),
                               list(type = "kmeans", user = NULL, ks = 2:3), 10L, NULL, 1L, NULL)
    emgmm:::starts_for(plan, unname(as.matrix(faithful)), 3L)
  })
  expect_identical(starts_auto$kinds[1L], "hc")
  expect_identical(starts_auto$starts[-1L], starts_km$starts)
})

test_that("above 20000 rows 'auto' screens on a sample that holds the hierarchical rows", {
  sim <- sim_mixture(25000, rbind(c(0, 0), c(5, 5), c(-5, 4)), sds = c(1, 0.7, 1.2),
                     props = c(0.3, 0.3, 0.4), seed = 4)
  data <- unname(sim$x)
  plan <- with_seed_local(2, emgmm:::start_plan(data, list(type = "auto", user = NULL, ks = 3L),
                                                10L, NULL, 1L, NULL))
  expect_length(plan$hc_rows, 2000L)
  expect_length(plan$rows, 20000L)
  expect_true(all(plan$hc_rows %in% plan$rows))
  expect_false(is.unsorted(plan$rows))
  set <- with_seed_local(2, emgmm:::starts_for(plan, data, 3L))
  expect_true(all(lengths(set$starts) == 20000L))
  # the hierarchical start labels its 2000 rows, and no other
  expect_identical(sum(set$starts[[1L]] > 0L), 2000L)
  fit <- with_seed_local(2, gmm_fit(data, k = 3, threads = 2))
  expect_identical(fit$control$screen_rows, 20000L)
  expect_identical(fit$control$hc_subset, 2000L)
  perm <- match_components(rbind(c(0, 0), c(5, 5), c(-5, 4)), fit$parameters$means)
  expect_equal(unname(fit$parameters$means[perm, ]), rbind(c(0, 0), c(5, 5), c(-5, 4)),
               tolerance = 0.05)
})

test_that("'auto' does without the hierarchical start when its rows are one observation", {
  # two rows differ from 9998 equal ones: the 2000 rows drawn for the
  # hierarchical start are often all the same point; then the k-means++
  # starts carry on alone (init = "hc" would be an input error)
  x <- rbind(matrix(0, 9998, 2), c(1, 2), c(2, 1))
  seed <- Find(function(s) {
    is.null(with_seed_local(s, emgmm:::start_plan(
      x, list(type = "auto", user = NULL, ks = 2L), 10L, NULL, 1L, NULL))$hc_rows)
  }, 1:20)
  expect_false(is.null(seed))
  fit <- with_seed_local(seed, suppressWarnings(gmm_fit(x, k = 2, threads = 1)))
  expect_identical(fit$start, "kmeans")
  expect_identical(sort(tabulate(fit$classification)), c(2L, 9998L))
  expect_error(with_seed_local(seed, gmm_fit(x, k = 2, init = "hc", threads = 1)),
               "all the same observation", class = "emgmm_error_input")
})

test_that("a bad `init` lists every choice of init_choices, \"hc\" included", {
  x <- series
  expect_identical(emgmm:::init_choices, c("auto", "kmeans", "random", "hc"))
  choices <- "\"auto\", \"kmeans\", \"random\", \"hc\""
  for (bad in list(NA, NA_character_, "foo", c("auto", "hc"), TRUE, list(1))) {
    cnd <- expect_error(with_cpp_blocked(gmm_fit(x, k = 2, init = bad, threads = 1)),
                        class = "emgmm_error_input")
    expect_match(conditionMessage(cnd), paste0("`init` must be one of ", choices), fixed = TRUE,
                 label = deparse(bad))
  }
  cnd <- expect_error(gmm_fit(x, k = 2, init = NA, threads = 1), class = "emgmm_error_input")
  expect_identical(conditionMessage(cnd), paste0(
    "`init` must be one of ", choices, ", a vector of labels or a matrix of posterior ",
    "probabilities, not NA."))
})
