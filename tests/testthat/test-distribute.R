# Fits over data held by the workers of a parallel cluster (R/distribute.R):
# the same fit as in memory, shards of any size, predictions by shard, and
# faults.  Clusters have 2 workers, each on 1 thread.

local_cluster <- function(n = 2L, env = parent.frame()) {
  cl <- parallel::makePSOCKcluster(n)
  withr::defer(try(parallel::stopCluster(cl), silent = TRUE), envir = env)
  cl
}

# The largest relative difference between two fits' parameters and
# log-likelihoods.
fit_gap <- function(a, b) {
  pa <- a$parameters
  pb <- b$parameters
  rel <- function(u, v) max(abs(u - v)) / max(abs(u), .Machine$double.xmin)
  max(rel(pa$proportions, pb$proportions), rel(pa$means, pb$means),
      rel(pa$covariances, pb$covariances), rel(a$loglik, b$loglik))
}

expect_same_fit <- function(a, b, tol = 1e-10) {
  expect_identical(c(a$k, a$model), c(b$k, b$model))
  expect_lt(fit_gap(a, b), tol)
  expect_identical(a$start, b$start)
  expect_equal(a$bic, b$bic, tolerance = tol)
  expect_equal(a$icl, b$icl, tolerance = tol)
}

fit_both <- function(x, dx, seed = 1, ...) {
  list(mem = with_seed_local(seed, gmm_fit(x, threads = 1, ...)),
       dist = with_seed_local(seed, gmm_fit(dx, threads = 1, ...)))
}

shard_files <- function(x, cuts, env = parent.frame()) {
  dir <- tempfile("shards")
  dir.create(dir)
  withr::defer(unlink(dir, recursive = TRUE), envir = env)
  files <- file.path(dir, sprintf("part%d.rds", seq_along(cuts)))
  for (i in seq_along(cuts)) saveRDS(x[cuts[[i]], , drop = FALSE], files[i])
  files
}

test_that("gmm_distribute() gives the in-memory fit for every kind of start", {
  cl <- local_cluster()
  x <- as.matrix(datasets::faithful)
  dx <- gmm_distribute(cl, x, threads = 1)
  expect_s3_class(dx, "emgmm_distributed")
  expect_identical(dim(dx), c(272L, 2L))
  expect_identical(dx$shards$rows, c(136L, 136L))
  for (init in c("auto", "kmeans", "random", "hc")) {
    for (model in c("VVV", "EEE", "VEV", "EVE", "VII")) {
      f <- fit_both(x, dx, k = 3, model = model, init = init)
      expect_same_fit(f$mem, f$dist)
      expect_identical(f$mem$iterations, f$dist$iterations)
    }
  }
  # the user's start: labels, and a posterior matrix
  lab <- rep(1:3, length.out = nrow(x))
  post <- matrix(stats::runif(3 * nrow(x)), ncol = 3)
  post <- post / rowSums(post)
  for (init in list(lab, post)) {
    f <- fit_both(x, dx, k = 3, model = "VEI", init = init)
    expect_same_fit(f$mem, f$dist)
  }
  # the user's start with mclust's settings reproduces mclust from it
  skip_if_not_installed("mclust")
  ref <- mclust_me("VVV", x, lab, 1e-5)
  d <- gmm_fit(dx, k = 3, init = lab, reg = 0, tol = 1e-5, threads = 1)
  d$posterior <- predict(d, type = "posterior")
  expect_matches_mclust(d, ref, 2L)
})

test_that("univariate data, shards of unequal size and an empty one give the same fit", {
  cl <- local_cluster()
  x <- matrix(datasets::precip, dimnames = list(NULL, "precip"))
  files <- shard_files(x, list(1:40, integer(0), 41:41, 42:70))
  dx <- gmm_shards(cl, files, threads = 1)
  expect_identical(dx$shards$rows, c(40L, 0L, 1L, 29L))
  expect_identical(dx$shards$worker, c(1L, 2L, 1L, 2L))
  for (model in c("E", "V")) {
    for (init in c("auto", "hc", "kmeans")) {
      f <- fit_both(x, dx, k = 2, model = model, init = init)
      expect_same_fit(f$mem, f$dist)
    }
  }
})

test_that("the fit does not depend on the workers that hold the shards", {
  cl <- local_cluster()
  x <- as.matrix(datasets::iris[, 1:4])
  files <- shard_files(x, list(1:30, 31:31, integer(0), 32:150))
  one <- gmm_shards(cl[1], files, threads = 1)
  two <- gmm_shards(cl, files, threads = 1)
  three <- gmm_shards(cl, list(files[c(1, 2, 4)], files[3]), threads = 1)
  a <- with_seed_local(4, gmm_fit(one, k = 3, model = c("VVV", "VEV"), threads = 1))
  b <- with_seed_local(4, gmm_fit(two, k = 3, model = c("VVV", "VEV"), threads = 1))
  expect_identical(a$parameters, b$parameters)
  expect_identical(a$selection, b$selection)
  # the list form: worker 1 reads three files and worker 2 one; the order of
  # the rows is then worker 1's files, then worker 2's
  expect_identical(three$shards$worker, c(1L, 1L, 1L, 2L))
  expect_identical(as.matrix(three), x[c(1:31, 32:150), ], ignore_attr = TRUE)
})

test_that("selection over (k, model) pairs is the in-memory selection", {
  cl <- local_cluster()
  x <- as.matrix(datasets::iris[, 1:4])
  dx <- gmm_distribute(cl, x, threads = 1)
  f <- fit_both(x, dx, seed = 3, k = 1:4, model = c("VVV", "EEE", "VEE", "VVI"))
  expect_same_fit(f$mem, f$dist)
  keep <- setdiff(names(f$mem$selection), "iterations")
  expect_equal(f$dist$selection[keep], f$mem$selection[keep], tolerance = 1e-10)
  # iterations agree, but for rounding at k = 1 (EM is there in one step)
  k2 <- f$mem$selection$k > 1
  expect_identical(f$dist$selection$iterations[k2], f$mem$selection$iterations[k2])
  expect_null(f$dist$posterior)
  expect_identical(f$dist$sizes, tabulate(f$mem$classification, f$mem$k))
  expect_identical(f$dist$data, dx)
})

test_that("above 20000 rows the starts are screened on rows fetched from the workers", {
  cl <- local_cluster()
  sim <- sim_mixture(24000, rbind(c(0, 0), c(4, 4), c(-4, 3)), sds = c(1, 0.7, 1.2),
                     props = c(0.3, 0.3, 0.4), seed = 8)
  x <- sim$x
  dx <- gmm_distribute(cl, x, threads = 1)
  f <- fit_both(x, dx, seed = 5, k = 3, model = c("VVV", "EVE"))
  expect_same_fit(f$mem, f$dist)
  expect_identical(f$dist$control$screen_rows, 20000L)
  idx <- with_seed_local(9, sample.int(nrow(x), 1500))
  for (hc in list(1500, idx, seq_len(nrow(x)) %in% idx)) {
    g <- fit_both(x, dx, seed = 6, k = 3, model = "EEE", init = "hc", hc_subset = hc)
    expect_same_fit(g$mem, g$dist)
  }
  # a single k-means start is computed on the sample too
  h <- fit_both(x, dx, seed = 7, k = 3, init = "kmeans", n_init = 1)
  expect_same_fit(h$mem, h$dist)
})

test_that("predict() answers shard by shard, here, on the workers or in files", {
  cl <- local_cluster()
  x <- as.matrix(datasets::faithful)
  files <- shard_files(x, list(1:100, 101:101, integer(0), 102:272))
  dx <- gmm_shards(cl, files, threads = 1)
  a <- with_seed_local(2, gmm_fit(x, k = 2, threads = 1))
  b <- with_seed_local(2, gmm_fit(dx, k = 2, threads = 1))
  expect_identical(predict(b), a$classification)
  expect_equal(predict(b, type = "posterior"), a$posterior, tolerance = 1e-10)
  expect_equal(predict(b, dx, type = "logdensity"), predict(a, type = "logdensity"),
               tolerance = 1e-10)
  expect_equal(predict(a, dx, type = "density"), predict(a, type = "density"),
               tolerance = 1e-12)
  # left on the workers: a new handle, gathered by as.matrix()
  kept <- predict(b, type = "posterior", output = "workers")
  expect_s3_class(kept, "emgmm_distributed")
  expect_identical(kept$shards$rows, dx$shards$rows)
  expect_equal(unname(as.matrix(kept)), a$posterior, tolerance = 1e-10)
  # written next to the shard files
  paths <- predict(b, type = "classification", output = "files")
  expect_identical(paths, sub("\\.rds$", "-classification.rds", files))
  expect_identical(unlist(lapply(paths, readRDS)), a$classification)
  # new data in memory as usual
  expect_identical(predict(b, x[1:5, ]), a$classification[1:5])
  expect_error(predict(a, type = "posterior", output = "workers"), class = "emgmm_error_input")
  expect_error(predict(b, gmm_distribute(cl, x[, 2:1], threads = 1)),
               class = "emgmm_error_input")
})

test_that("the methods work on a distributed fit", {
  cl <- local_cluster()
  dx <- gmm_distribute(cl, datasets::faithful, threads = 1)
  fit <- with_seed_local(1, gmm_fit(dx, k = 2, threads = 1))
  expect_output(print(fit), "2 components")
  s <- summary(fit)
  expect_identical(sum(s$sizes), 272L)
  expect_output(print(dx), "272 rows x 2 columns, in 2 shards on 2 workers")
  expect_output(print(dx), "rows per shard: 136, 136")
  expect_output(print(dx), "columns: eruptions, waiting")
  expect_identical(stats::nobs(fit), 272L)
  expect_s3_class(simulate(fit, nsim = 10, seed = 1), "data.frame")
  pdf(NULL)
  on.exit(grDevices::dev.off(), add = TRUE)
  expect_silent(plot(fit, type = "classification"))
  skip_if_not_installed("broom")
  expect_identical(broom::tidy(fit)$size, s$sizes)
  expect_error(broom::augment(fit), class = "emgmm_error_input")
})

test_that("close() removes the data from the workers", {
  cl <- local_cluster(1L)
  dx <- gmm_distribute(cl, datasets::faithful, threads = 1)
  held <- function() parallel::clusterCall(cl, function() {
    length(ls(get("worker_store", envir = asNamespace("emgmm"))))
  })[[1L]]
  expect_identical(held(), 1L)
  close(dx)
  expect_identical(held(), 0L)
  expect_output(print(dx), "UNUSABLE: it was closed")
  expect_error(gmm_fit(dx, k = 2), "closed", class = "emgmm_error_input")
})

test_that("bad arguments are input errors naming them", {
  cl <- local_cluster(1L)
  expect_error(gmm_distribute(list(1), 1:10), "`cl` must be a cluster", class = "emgmm_error_input")
  expect_error(gmm_distribute(cl, c(1, Inf)), "`x` must contain only finite",
               class = "emgmm_error_input")
  # missing values are placed, and refused by a fit unless it says what to do
  dna <- gmm_distribute(cl, c(1, NA, 3, 4, 8, 9))
  expect_output(print(dna), "missing values: 1")
  expect_error(gmm_fit(dna, k = 2), "missing values .*na_action", class = "emgmm_error_input")
  expect_error(gmm_fit(dna, k = 2, weights = 1:3), "`weights`", class = "emgmm_error_input")
  expect_error(gmm_distribute(cl, 1:10, timeout = -1), "`timeout`", class = "emgmm_error_input")
  expect_error(gmm_shards(cl, 3), "`files` must be", class = "emgmm_error_input")
  expect_error(gmm_shards(cl, list("a", "b")), "one character vector per worker",
               class = "emgmm_error_input")
  expect_error(gmm_shards(cl, "a.rds", read = "readRDS"), "`read` must be a function",
               class = "emgmm_error_input")
  files <- shard_files(as.matrix(datasets::faithful), list(1:10, 11:20))
  saveRDS(datasets::faithful[11:20, 2:1], files[2])
  expect_error(gmm_shards(cl, files), "shard 2 has `waiting`, `eruptions`",
               class = "emgmm_error_input")
})

test_that("a worker that fails or dies gives a classed error naming it", {
  skip_on_os("windows")
  cl <- local_cluster()
  x <- as.matrix(datasets::faithful)
  files <- shard_files(x, list(1:136, 137:272))
  # an error inside a worker: its file cannot be read
  unlink(files[2])
  err <- expect_error(gmm_shards(cl, files, threads = 1), class = "emgmm_error_worker")
  expect_identical(err$worker, 2L)
  expect_identical(err$shard, 2L)
  expect_match(conditionMessage(err), "Worker 2 (holding shard 2) failed while placing the data",
               fixed = TRUE)
  # a worker that does not answer in time
  saveRDS(x[137:272, ], files[2])
  slow <- function(f) {
    if (grepl("part2", f)) Sys.sleep(3)
    readRDS(f)
  }
  err <- expect_error(gmm_shards(cl, files, read = slow, timeout = 0.5),
                      class = "emgmm_error_worker")
  expect_match(conditionMessage(err), "time limit of 0.5 seconds")
  # the connection to the late worker was closed
  try(parallel::stopCluster(cl), silent = TRUE)

  # a worker killed in the middle of a fit
  cl <- local_cluster()
  big <- sim_mixture(6000, rbind(c(0, 0), c(3, 3)), sds = c(1, 1), props = c(0.5, 0.5),
                     seed = 2)$x
  dx <- gmm_distribute(cl, big, threads = 1)
  pid <- parallel::clusterCall(cl[2], Sys.getpid)[[1L]]
  killer <- parallel::mcparallel({
    Sys.sleep(1)
    tools::pskill(pid)
  })
  t0 <- proc.time()[["elapsed"]]
  # a selection of many pairs, far longer than the second before the kill;
  # with k-means starts on these 6000 rows, the rows are fetched once at the
  # start and every later round is an EM iteration (also in slow builds,
  # such as the sanitizers')
  err <- expect_error(gmm_fit(dx, k = 2:9, model = "all", init = "kmeans", threads = 1),
                      class = "emgmm_error_worker")
  expect_lt(proc.time()[["elapsed"]] - t0, 10)
  parallel::mccollect(killer)
  expect_identical(err$worker, 2L)
  expect_identical(err$shard, 2L)
  expect_true(is.numeric(err$iteration) && err$iteration >= 0)
  expect_match(conditionMessage(err), "Worker 2 (holding shard 2) was lost at EM iteration",
               fixed = TRUE)
  # the handle says it must be placed again; the session goes on
  expect_output(print(dx), "UNUSABLE")
  expect_error(gmm_fit(dx, k = 2), "place the data again", class = "emgmm_error_input")
  cl2 <- local_cluster(1L)
  expect_s3_class(gmm_fit(gmm_distribute(cl2, x, threads = 1), k = 2, threads = 1), "emgmm")
})

test_that("an interrupt stops a distributed fit and leaves the data usable", {
  skip_on_os("windows")
  cl <- local_cluster(1L)
  x <- as.matrix(datasets::faithful)
  dx <- gmm_distribute(cl, x, threads = 1)
  res <- under_interrupt(gmm_fit(dx, k = 1:9, model = "all", threads = 1))
  expect_identical(res$got, "interrupt")
  a <- with_seed_local(1, gmm_fit(x, k = 2, threads = 1))
  b <- with_seed_local(1, gmm_fit(dx, k = 2, threads = 1))
  expect_same_fit(a, b)
})

test_that("weights give the in-memory weighted fit, and are taken back after it", {
  cl <- local_cluster()
  x <- as.matrix(iris[, 1:4])
  dx <- gmm_distribute(cl, x, threads = 1)
  w <- with_seed_local(3, runif(nrow(x), 0.5, 3))
  for (init in c("auto", "kmeans", "hc")) {
    f <- fit_both(x, dx, k = 1:3, model = c("VVV", "VEV"), init = init, weights = w)
    expect_same_fit(f$mem, f$dist)
    expect_equal(f$dist$n, sum(w))
    expect_equal(f$mem$selection$bic, f$dist$selection$bic, tolerance = 1e-10)
  }
  # whole-number weights: the fit of the repeated rows
  wi <- with_seed_local(4, sample(1:3, nrow(x), replace = TRUE))
  f <- fit_both(x[rep(seq_len(nrow(x)), wi), ], dx, k = 3, model = "VVV")
  g <- with_seed_local(1, gmm_fit(dx, k = 3, model = "VVV", weights = wi, threads = 1))
  expect_same_fit(f$mem, g)
  # a user's start, made on the workers with the weights
  lab <- rep(1:3, 50)
  expect_same_fit(gmm_fit(x, 3, "VVV", init = lab, weights = w, threads = 1),
                  gmm_fit(dx, 3, "VVV", init = lab, weights = w, threads = 1))
  # the next fit without weights is the unweighted one
  f <- fit_both(x, dx, k = 2)
  expect_same_fit(f$mem, f$dist)
})

test_that("missing values on the workers give the in-memory fit", {
  cl <- local_cluster()
  x <- as.matrix(iris[, 1:4])
  x[with_seed_local(3, matrix(runif(length(x)) < 0.15, nrow(x)))] <- NA
  x <- x[rowSums(!is.na(x)) > 0, ]
  dx <- gmm_distribute(cl, x, threads = 1)
  for (init in c("auto", "kmeans", "hc")) {
    f <- fit_both(x, dx, k = 1:3, model = c("VVV", "EEE"), init = init, na_action = "em")
    expect_same_fit(f$mem, f$dist)
    expect_equal(f$dist$n, nrow(x))
    f <- fit_both(x, dx, k = 2:3, model = "VVV", init = init, na_action = "omit")
    expect_same_fit(f$mem, f$dist)
    expect_equal(f$dist$n, sum(stats::complete.cases(x)))
  }
  # with weights, and from a user's start
  w <- with_seed_local(5, runif(nrow(x), 0.5, 2))
  f <- fit_both(x, dx, k = 3, model = "VVV", na_action = "em", weights = w)
  expect_same_fit(f$mem, f$dist)
  lab <- rep(1:3, length.out = nrow(x))
  expect_same_fit(gmm_fit(x, 3, "VVV", init = lab, na_action = "em", threads = 1),
                  gmm_fit(dx, 3, "VVV", init = lab, na_action = "em", threads = 1))
  # predictions of rows with missing values, on the workers
  expect_equal(predict(f$dist, type = "posterior"), predict(f$mem, type = "posterior"),
               tolerance = 1e-8)
  # few complete rows: the starts on rows filled with the means
  y <- as.matrix(iris[, 1:4])
  y[with_seed_local(5, matrix(runif(length(y)) < 0.45, nrow(y)))] <- NA
  y <- y[rowSums(!is.na(y)) > 0, ]
  dy <- gmm_distribute(cl, y, threads = 1)
  f <- fit_both(y, dy, k = 2:3, model = "VVV", na_action = "em")
  expect_identical(f$mem$control$start_rows, "imputed")
  expect_lt(fit_gap(f$mem, f$dist), 1e-9)
})

test_that("predict(type = \"impute\") on data on a cluster is an input error, not an empty answer", {
  cl <- local_cluster()
  x <- as.matrix(iris[, 1:4])
  x[c(3, 70, 140), 2] <- NA
  dx <- gmm_distribute(cl, x)
  set.seed(1)
  fit <- gmm_fit(dx, 2, "VVV", init = "kmeans", na_action = "em", threads = 1)
  expect_error(predict(fit, type = "impute"), class = "emgmm_error_input")
  expect_error(predict(fit, newdata = dx, type = "impute"), class = "emgmm_error_input")
})
