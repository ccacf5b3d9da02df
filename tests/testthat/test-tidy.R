# tidy(), glance(), augment() (broom's generics) and as.data.frame():
# column names and values are the fit's fields.

test_that("tidy() has one row per component with the fit's parameters", {
  skip_if_not_installed("generics")
  set.seed(1)
  fit <- gmm_fit(iris[1:4], k = 3, threads = 1)
  td <- generics::tidy(fit)
  expect_s3_class(td, "data.frame")
  vars <- names(iris)[1:4]
  expect_identical(names(td), c("component", "size", "proportion", paste0("mean.", vars),
                                paste0("variance.", vars)))
  expect_identical(td$component, 1:3)
  expect_identical(td$size, tabulate(fit$classification, 3))
  expect_equal(td$proportion, fit$parameters$proportions)
  expect_equal(unname(as.matrix(td[paste0("mean.", vars)])), unname(fit$parameters$means))
  v <- t(apply(fit$parameters$covariances, 3, diag))
  expect_equal(unname(as.matrix(td[paste0("variance.", vars)])), unname(v))
  # one variable without a name: "x"
  f1 <- gmm_fit(series, k = 3, threads = 1)
  t1 <- generics::tidy(f1)
  expect_identical(names(t1), c("component", "size", "proportion", "mean.x", "variance.x"))
  expect_equal(t1$variance.x, as.vector(f1$parameters$covariances))
})

test_that("glance() is one row with the fit's summary numbers", {
  skip_if_not_installed("generics")
  fit <- gmm_fit(faithful, k = 2, threads = 1)
  gl <- generics::glance(fit)
  expect_identical(names(gl), c("k", "model", "loglik", "df", "bic", "icl", "aic", "n",
                                "converged", "iterations"))
  expect_identical(nrow(gl), 1L)
  for (f in names(gl)) expect_equal(gl[[f]], fit[[f]], info = f)
})

test_that("augment() adds the class, the uncertainty and the posteriors", {
  skip_if_not_installed("generics")
  fit <- gmm_fit(faithful, k = 3, threads = 1)
  au <- generics::augment(fit)
  expect_identical(names(au), c("eruptions", "waiting", ".class", ".uncertainty",
                                ".posterior_1", ".posterior_2", ".posterior_3"))
  expect_identical(nrow(au), nrow(faithful))
  expect_equal(au$eruptions, faithful$eruptions)
  expect_identical(au$.class, fit$classification)
  expect_equal(au$.uncertainty, fit$uncertainty)
  expect_equal(unname(as.matrix(au[5:7])), unname(fit$posterior))
  # the original data frame, with its other columns
  df <- cbind(faithful, id = seq_len(nrow(faithful)))
  expect_identical(generics::augment(fit, data = df)$id, df$id)
  # new data
  nd <- data.frame(waiting = c(50, 80), eruptions = c(2, 4.5))
  an <- generics::augment(fit, newdata = nd)
  expect_equal(unname(as.matrix(an[5:7])), unname(predict(fit, nd, type = "posterior")))
  expect_identical(an$.class, predict(fit, nd))
  expect_error(generics::augment(fit, data = faithful[1:10, ]), class = "emgmm_error_input",
               regexp = "`data`")
  # a vector fit
  f1 <- gmm_fit(series, k = 3, threads = 1)
  a1 <- generics::augment(f1)
  expect_identical(names(a1)[1:3], c("x", ".class", ".uncertainty"))
  expect_equal(rowSums(as.matrix(a1[4:6])), rep(1, 50), tolerance = 1e-12)
})

test_that("the methods are registered for class emgmm, and broom's gmm methods are left alone", {
  skip_if_not_installed("broom")
  loadNamespace("broom")
  fit <- gmm_fit(faithful, k = 2, threads = 1)
  expect_s3_class(fit, "emgmm")
  expect_false(inherits(fit, "gmm"))
  # registered through NAMESPACE (S3method(generics::tidy, emgmm)), so they
  # are found once broom or generics is loaded, in any order
  expect_true(is.function(utils::getS3method("tidy", "emgmm", envir = asNamespace("generics"))))
  expect_identical(names(generics::glance(fit))[1:2], c("k", "model"))
  expect_identical(generics::tidy(fit)$component, 1:2)
  # broom's own methods for the gmm package's class "gmm" are not touched
  expect_identical(utils::getS3method("tidy", "gmm", envir = asNamespace("generics")),
                   get("tidy.gmm", envir = asNamespace("broom")))
})

test_that("as.data.frame() gives the selection table", {
  set.seed(2)
  fit <- gmm_fit(faithful, k = 1:3, model = c("VVV", "EEE"), threads = 1)
  df <- as.data.frame(fit)
  expect_identical(df, `rownames<-`(fit$selection, NULL))
  expect_identical(nrow(df), 6L)
  one <- as.data.frame(gmm_fit(faithful, k = 2, threads = 1))
  expect_identical(nrow(one), 1L)
  expect_identical(names(one), names(df))
})

test_that("augment() takes new data as predict() does, and names x in errors", {
  skip_if_not_installed("generics")
  fit <- gmm_fit(faithful, k = 2, threads = 1)
  one <- generics::augment(fit, newdata = c(3, 70))
  expect_identical(nrow(one), 1L)
  expect_equal(unname(as.matrix(one[5:6])), unname(predict(fit, c(3, 70), type = "posterior")))
  m <- generics::augment(fit, newdata = as.matrix(faithful[1:5, ]))
  expect_identical(m$.class, fit$classification[1:5])
  expect_error(generics::augment(fit, newdata = data.frame(a = 1)), class = "emgmm_error_input",
               regexp = "`newdata`")
  expect_error(generics::tidy(structure(list(parameters = list(proportions = 2)), class = "emgmm")),
               class = "emgmm_error_input", regexp = "`x`")
  expect_error(as.data.frame(structure(list(parameters = list(proportions = 2)), class = "emgmm")),
               class = "emgmm_error_input", regexp = "`x`")
})

test_that("augment() replaces columns the data already have under its names, with a warning", {
  skip_if_not_installed("generics")
  fit <- gmm_fit(faithful, k = 2, threads = 1)
  au <- generics::augment(fit)
  # augmenting augmented data: the old columns are replaced, not duplicated
  expect_warning(again <- generics::augment(fit, data = au), class = "emgmm_warning_input")
  expect_identical(names(again), names(au))
  expect_equal(again, au)
  w <- expect_warning(generics::augment(fit, data = au), class = "emgmm_warning_input")
  expect_identical(conditionMessage(w), paste0(
    "`data` already has columns `.class`, `.uncertainty`, `.posterior_1`, `.posterior_2`; ",
    "replaced by the columns augment() adds."))
  # one clashing column, among others that are kept in place
  d <- cbind(faithful, .class = "old", id = seq_len(nrow(faithful)))
  w <- expect_warning(a <- generics::augment(fit, data = d), class = "emgmm_warning_input")
  expect_identical(conditionMessage(w),
                   "`data` already has column `.class`; replaced by the columns augment() adds.")
  expect_identical(names(a), c("eruptions", "waiting", "id", ".class", ".uncertainty",
                               ".posterior_1", ".posterior_2"))
  expect_identical(a$.class, fit$classification)
  expect_identical(a$id, d$id)
  expect_identical(anyDuplicated(names(a)), 0L)
  # newdata too, named `newdata`
  nd <- data.frame(waiting = c(50, 80), eruptions = c(2, 4.5), .uncertainty = NA)
  w <- expect_warning(an <- generics::augment(fit, newdata = nd), class = "emgmm_warning_input")
  expect_match(conditionMessage(w), "^`newdata` already has column `.uncertainty`")
  expect_equal(an$.uncertainty, 1 - apply(predict(fit, nd, type = "posterior"), 1, max))
  # no warning without a clash
  expect_no_warning(generics::augment(fit))
  # a stale posterior column of another k is not one of ours: kept
  d <- cbind(faithful, .posterior_3 = 0)
  expect_identical(names(generics::augment(fit, data = d))[3], ".posterior_3")
})

test_that("tidy() and augment() carry the names given to unnamed columns", {
  skip_if_not_installed("generics")
  set.seed(3)
  m <- cbind(rnorm(80), b = rnorm(80))
  fit <- gmm_fit(m, k = 2, threads = 1)
  expect_identical(names(generics::tidy(fit))[4:7], c("mean.V1", "mean.b", "variance.V1",
                                                      "variance.b"))
  expect_identical(names(generics::augment(fit))[1:2], c("V1", "b"))
  expect_identical(names(generics::augment(fit, newdata = m[1:3, ]))[1:2], c("V1", "b"))
  expect_identical(generics::augment(fit, newdata = m[1:3, ])$.class, fit$classification[1:3])
})
