# Input validation: every bad argument is an `emgmm_error_input` raised in R,
# before any C++, whose message names the argument.

x1 <- three_bumps()$x # numeric vector, n = 90
x2 <- two_blobs()$x # 60 x 2 matrix with columns height, width
df2 <- as.data.frame(x2)

# expect_error() with the class, the argument name in backticks, and the
# user's call as the condition call; returns the condition.
expect_input_error <- function(object, arg) {
  cnd <- expect_error(object, class = "emgmm_error_input")
  if (!is.null(cnd)) {
    expect_match(conditionMessage(cnd), paste0("`", arg, "`"), fixed = TRUE)
    expect_false(grepl("^Error", conditionMessage(cnd)))
    call <- conditionCall(cnd)
    expect_true(is.call(call))
    expect_identical(call[[1L]], quote(gmm_fit))
  }
  invisible(cnd)
}

test_that("NA, NaN and Inf in `x` are rejected, naming the cell", {
  v <- x1
  v[3] <- NA
  cnd <- expect_input_error(gmm_fit(v, k = 2, threads = 1), "x")
  expect_match(conditionMessage(cnd), "row 3")
  v <- x1
  v[4] <- NaN
  cnd <- expect_input_error(gmm_fit(v, k = 2, threads = 1), "x")
  expect_match(conditionMessage(cnd), "NaN")
  v <- x1
  v[5] <- Inf
  expect_input_error(gmm_fit(v, k = 2, threads = 1), "x")
  v[5] <- -Inf
  expect_input_error(gmm_fit(v, k = 2, threads = 1), "x")

  m <- x2
  m[2, 2] <- NA
  cnd <- expect_input_error(gmm_fit(m, k = 2, threads = 1), "x")
  expect_match(conditionMessage(cnd), "row 2, column 2")
  m <- x2
  m[10, 1] <- Inf
  expect_input_error(gmm_fit(m, k = 2, threads = 1), "x")
  m[10, 1] <- NaN
  expect_input_error(gmm_fit(m, k = 2, threads = 1), "x")

  d <- df2
  d$width[7] <- NaN
  cnd <- expect_input_error(gmm_fit(d, k = 2, threads = 1), "x")
  expect_match(conditionMessage(cnd), "row 7, column 2")
  d <- df2
  d$height[1] <- NA
  expect_input_error(gmm_fit(d, k = 2, threads = 1), "x")
  d$height[1] <- -Inf
  expect_input_error(gmm_fit(d, k = 2, threads = 1), "x")
})

test_that("non-numeric columns and non-numeric `x` are rejected", {
  d <- df2
  d$group <- factor(rep(c("a", "b"), 30))
  cnd <- expect_input_error(gmm_fit(d, k = 2, threads = 1), "x")
  expect_match(conditionMessage(cnd), "`group`", fixed = TRUE)
  d$group <- rep(c("a", "b"), 30)
  expect_input_error(gmm_fit(d, k = 2, threads = 1), "x")
  d$group <- rep(c(TRUE, FALSE), 30)
  expect_input_error(gmm_fit(d, k = 2, threads = 1), "x")

  expect_input_error(gmm_fit(as.character(x1), k = 2, threads = 1), "x")
  expect_input_error(gmm_fit(matrix(as.character(x2), ncol = 2), k = 2, threads = 1), "x")
  expect_input_error(gmm_fit(as.list(x1), k = 2, threads = 1), "x")
  expect_input_error(gmm_fit(x1 > 0, k = 2, threads = 1), "x")
  expect_input_error(gmm_fit(factor(round(x1)), k = 2, threads = 1), "x")
  expect_input_error(gmm_fit(NULL, k = 2, threads = 1), "x")
  expect_input_error(gmm_fit(array(as.double(1:24), c(2, 3, 4)), k = 1, threads = 1), "x")
})

test_that("empty `x` and `x` with a single distinct value are rejected", {
  expect_input_error(gmm_fit(numeric(0), k = 1, threads = 1), "x")
  expect_input_error(gmm_fit(x2[0, ], k = 1, threads = 1), "x")
  expect_input_error(gmm_fit(x2[, 0], k = 1, threads = 1), "x")
  expect_input_error(gmm_fit(df2[0, ], k = 1, threads = 1), "x")
  expect_input_error(gmm_fit(df2[, 0], k = 1, threads = 1), "x")

  expect_input_error(gmm_fit(rep(3.5, 10), k = 1, threads = 1), "x")
  expect_input_error(gmm_fit(rep(3.5, 10), k = 2, threads = 1), "x")
  expect_input_error(gmm_fit(cbind(a = rep(1, 10), b = 2), k = 1, threads = 1), "x")
  expect_input_error(gmm_fit(5, k = 1, threads = 1), "x")
})

test_that("bad `k` is rejected", {
  expect_input_error(gmm_fit(x1, k = 0, threads = 1), "k")
  expect_input_error(gmm_fit(x1, k = -1, threads = 1), "k")
  cnd <- expect_input_error(gmm_fit(x1, k = 1.5, threads = 1), "k")
  expect_match(conditionMessage(cnd), "1.5", fixed = TRUE)
  expect_input_error(gmm_fit(x1, k = NA, threads = 1), "k")
  expect_input_error(gmm_fit(x1, k = NA_integer_, threads = 1), "k")
  expect_input_error(gmm_fit(x1, k = c(1, NA), threads = 1), "k")
  expect_input_error(gmm_fit(x1, k = c(2, 2.5), threads = 1), "k")
  expect_input_error(gmm_fit(x1, k = Inf, threads = 1), "k")
  expect_input_error(gmm_fit(x1, k = "3", threads = 1), "k")
  expect_input_error(gmm_fit(x1, k = integer(0), threads = 1), "k")
  # more components than observations
  cnd <- expect_input_error(gmm_fit(x1, k = 91, threads = 1), "k")
  expect_match(conditionMessage(cnd), "90")
  expect_input_error(gmm_fit(x2, k = c(2, 61), threads = 1), "k")
  # more components than distinct observations
  cnd <- expect_input_error(gmm_fit(c(1, 1, 1, 2, 2, 3), k = 4, threads = 1), "k")
  expect_match(conditionMessage(cnd), "distinct")
  expect_input_error(gmm_fit(rbind(x2[1:3, ], x2[1:3, ]), k = 4, threads = 1), "k")
})

test_that("`k` above the number of distinct observations is an input error for large n too", {
  # the distinct-value check must not depend on n: 21000 observations, 3 values
  big <- rep(c(1, 2, 3), 7000)
  cnd <- expect_input_error(gmm_fit(big, k = 4, threads = 1), "k")
  if (!is.null(cnd)) expect_match(conditionMessage(cnd), "distinct")
})

test_that("bad `model` is rejected", {
  cnd <- expect_input_error(gmm_fit(x1, k = 2, model = "XYZ", threads = 1), "model")
  expect_match(conditionMessage(cnd), "XYZ", fixed = TRUE)
  expect_input_error(gmm_fit(x2, k = 2, model = c("VVV", "foo"), threads = 1), "model")
  expect_input_error(gmm_fit(x1, k = 2, model = NA, threads = 1), "model")
  expect_input_error(gmm_fit(x1, k = 2, model = 1, threads = 1), "model")
  expect_input_error(gmm_fit(x1, k = 2, model = character(0), threads = 1), "model")
  # univariate models on multivariate data
  expect_input_error(gmm_fit(x2, k = 2, model = "E", threads = 1), "model")
  expect_input_error(gmm_fit(df2, k = 2, model = "V", threads = 1), "model")
})

test_that("wrong-shaped `init` is rejected", {
  n <- length(x1)
  # labels of the wrong length
  expect_input_error(gmm_fit(x1, k = 2, init = rep(1:2, 10), threads = 1), "init")
  expect_input_error(gmm_fit(x1, init = rep(1:2, 46), threads = 1), "init")
  # a label 0, a negative label, a fractional label, an NA label
  expect_input_error(gmm_fit(x1, k = 2, init = rep(0:1, n / 2), threads = 1), "init")
  expect_input_error(gmm_fit(x1, init = rep(c(-1, 1), n / 2), threads = 1), "init")
  expect_input_error(gmm_fit(x1, init = rep(c(1, 1.5), n / 2), threads = 1), "init")
  expect_input_error(gmm_fit(x1, init = c(NA, rep(1:2, n / 2 - 1), 1), threads = 1), "init")
  # labels that skip a value (1 and 3, no 2)
  cnd <- expect_input_error(gmm_fit(x1, init = rep(c(1L, 3L), n / 2), threads = 1), "init")
  expect_match(conditionMessage(cnd), "label 2")
  # a posterior matrix with the wrong number of rows
  expect_input_error(gmm_fit(x1, k = 2, init = matrix(0.5, n - 1, 2), threads = 1), "init")
  expect_input_error(gmm_fit(x1, init = matrix(0.5, n + 1, 2), threads = 1), "init")
  # rows not summing to 1
  z <- matrix(0.5, n, 2)
  z[17, ] <- c(0.5, 0.6)
  cnd <- expect_input_error(gmm_fit(x1, k = 2, init = z, threads = 1), "init")
  expect_match(conditionMessage(cnd), "row 17")
  expect_input_error(gmm_fit(x1, init = matrix(0.4, n, 2), threads = 1), "init")
  # negative entries (rows still sum to 1)
  expect_input_error(gmm_fit(x1, k = 2, init = cbind(rep(1.5, n), -0.5), threads = 1), "init")
  # NA in the matrix, a character matrix
  z <- matrix(0.5, n, 2)
  z[1, 1] <- NA
  expect_input_error(gmm_fit(x1, init = z, threads = 1), "init")
  expect_input_error(gmm_fit(x1, init = matrix("a", n, 2), threads = 1), "init")
  # strings other than "kmeans" / "random", and other types
  cnd <- expect_input_error(gmm_fit(x1, k = 2, init = "foo", threads = 1), "init")
  expect_match(conditionMessage(cnd), "foo", fixed = TRUE)
  expect_input_error(gmm_fit(x1, k = 2, init = c("kmeans", "random"), threads = 1), "init")
  expect_input_error(gmm_fit(x1, k = 2, init = NA_character_, threads = 1), "init")
  expect_input_error(gmm_fit(x1, k = 2, init = list(1, 2), threads = 1), "init")
  expect_input_error(gmm_fit(x1, k = 2, init = TRUE, threads = 1), "init")
})

test_that("messages describe values in good English", {
  cnd <- expect_input_error(gmm_fit(x1, k = 2, init = rep(1:2, 10), threads = 1), "init")
  expect_no_match(conditionMessage(cnd), "\\ba integer", perl = TRUE)
  cnd <- expect_input_error(gmm_fit(x1, k = integer(0), threads = 1), "k")
  expect_no_match(conditionMessage(cnd), "\\ba integer|\\ba empty", perl = TRUE)
})

test_that("`k` that does not match a user-supplied start is rejected", {
  n <- length(x1)
  lab <- rep(1:2, n / 2)
  # k smaller than the labels used: names `k`
  cnd <- expect_input_error(gmm_fit(x1, k = 1, init = lab, threads = 1), "k")
  expect_match(conditionMessage(cnd), "`init`", fixed = TRUE)
  # k larger than the labels used: label 3 never appears
  cnd <- expect_error(gmm_fit(x1, k = 3, init = lab, threads = 1),
                      class = "emgmm_error_input")
  expect_match(conditionMessage(cnd), "`k`|`init`")
  # several k with one start
  expect_error(gmm_fit(x1, k = 2:3, init = lab, threads = 1), class = "emgmm_error_input")
  # a posterior matrix with 2 columns and k = 3
  expect_input_error(gmm_fit(x1, k = 3, init = matrix(0.5, n, 2), threads = 1), "k")
  # a bad k is still reported as a bad k with a user start
  expect_input_error(gmm_fit(x1, k = 0, init = lab, threads = 1), "k")
})

test_that("bad `reg`, `tol`, `max_iter`, `n_init`, `threads`, `verbose`, `criterion` are rejected", {
  expect_input_error(gmm_fit(x1, k = 2, reg = -1, threads = 1), "reg")
  expect_input_error(gmm_fit(x1, k = 2, reg = -1e-12, threads = 1), "reg")
  expect_input_error(gmm_fit(x1, k = 2, reg = NA, threads = 1), "reg")
  expect_input_error(gmm_fit(x1, k = 2, reg = NaN, threads = 1), "reg")
  expect_input_error(gmm_fit(x1, k = 2, reg = Inf, threads = 1), "reg")
  expect_input_error(gmm_fit(x1, k = 2, reg = c(1e-6, 1e-6), threads = 1), "reg")
  expect_input_error(gmm_fit(x1, k = 2, reg = "0.001", threads = 1), "reg")

  expect_input_error(gmm_fit(x1, k = 2, tol = -1e-8, threads = 1), "tol")
  expect_input_error(gmm_fit(x1, k = 2, tol = NA, threads = 1), "tol")
  expect_input_error(gmm_fit(x1, k = 2, tol = c(1e-8, 1e-6, 1e-4), threads = 1), "tol")
  expect_input_error(gmm_fit(x1, k = 2, tol = c(1e-8, -1), threads = 1), "tol")

  expect_input_error(gmm_fit(x1, k = 2, max_iter = 0, threads = 1), "max_iter")
  expect_input_error(gmm_fit(x1, k = 2, max_iter = 2.5, threads = 1), "max_iter")
  expect_input_error(gmm_fit(x1, k = 2, max_iter = NA, threads = 1), "max_iter")

  expect_input_error(gmm_fit(x1, k = 2, n_init = 0, threads = 1), "n_init")
  expect_input_error(gmm_fit(x1, k = 2, n_init = -3, threads = 1), "n_init")
  expect_input_error(gmm_fit(x1, k = 2, n_init = NA, threads = 1), "n_init")
  expect_input_error(gmm_fit(x1, k = 2, n_init = 1:2, threads = 1), "n_init")

  expect_input_error(gmm_fit(x1, k = 2, threads = 0), "threads")
  expect_input_error(gmm_fit(x1, k = 2, threads = 1.5), "threads")
  expect_input_error(gmm_fit(x1, k = 2, threads = NA), "threads")
  expect_input_error(gmm_fit(x1, k = 2, threads = "2"), "threads")

  expect_input_error(gmm_fit(x1, k = 2, threads = 1, verbose = "yes"), "verbose")
  expect_input_error(gmm_fit(x1, k = 2, threads = 1, verbose = NA), "verbose")
  expect_input_error(gmm_fit(x1, k = 2, threads = 1, verbose = c(TRUE, FALSE)), "verbose")

  cnd <- expect_input_error(gmm_fit(x1, k = 2, threads = 1, criterion = "foo"), "criterion")
  expect_match(conditionMessage(cnd), "foo", fixed = TRUE)
  expect_input_error(gmm_fit(x1, k = 2, threads = 1, criterion = "BIC2"), "criterion")
  expect_input_error(gmm_fit(x1, k = 2, threads = 1, criterion = c("aic", "bic")), "criterion")
  expect_input_error(gmm_fit(x1, k = 2, threads = 1, criterion = NA_character_), "criterion")
})

test_that("unknown arguments in `...` are rejected, naming them", {
  cnd <- expect_error(gmm_fit(x1, k = 2, threads = 1, n_inits = 3),
                      class = "emgmm_error_input")
  expect_match(conditionMessage(cnd), "`n_inits`", fixed = TRUE)
  expect_identical(conditionCall(cnd)[[1L]], quote(gmm_fit))
  cnd <- expect_error(gmm_fit(x1, k = 2, threads = 1, maxiter = 10, seed = 1),
                      class = "emgmm_error_input")
  expect_match(conditionMessage(cnd), "`maxiter`", fixed = TRUE)
  expect_match(conditionMessage(cnd), "`seed`", fixed = TRUE)
})

test_that("the error call is the user's call to gmm_fit()", {
  cnd <- expect_error(gmm_fit(x1, k = 0, threads = 1), class = "emgmm_error_input")
  expect_identical(conditionCall(cnd), quote(gmm_fit(x1, k = 0, threads = 1)))
  cnd <- expect_error(gmm_fit(df2, k = 2, model = "nope", threads = 1),
                      class = "emgmm_error_input")
  expect_identical(conditionCall(cnd), quote(gmm_fit(df2, k = 2, model = "nope", threads = 1)))
  # also through a wrapper: the call is gmm_fit(), not the wrapper or an internal helper
  wrapper <- function(data) gmm_fit(data, k = 2, reg = -1, threads = 1)
  cnd <- expect_error(wrapper(x1), class = "emgmm_error_input")
  expect_identical(conditionCall(cnd), quote(gmm_fit(data, k = 2, reg = -1, threads = 1)))
  # catchable by the parent classes
  expect_error(gmm_fit(x1, k = 0, threads = 1), class = "emgmm_error")
  caught <- tryCatch(gmm_fit(x1, k = 0, threads = 1),
                     emgmm_error_input = function(e) "caught")
  expect_identical(caught, "caught")
})

test_that("input errors are raised before any fitting C++ runs", {
  # sanity check of the blocker: a valid call reaches the C++ and is stopped
  expect_error(with_cpp_blocked(gmm_fit(x1, k = 2, threads = 1)),
               class = "emgmm_test_cpp_reached")
  n <- length(x1)
  v <- x1
  v[2] <- NA
  bad_calls <- list(
    quote(gmm_fit(v, k = 2, threads = 1)),
    quote(gmm_fit(as.character(x1), k = 2, threads = 1)),
    quote(gmm_fit(x1, k = 1.5, threads = 1)),
    quote(gmm_fit(x1, k = 91, threads = 1)),
    quote(gmm_fit(c(1, 1, 2, 2), k = 3, threads = 1)),
    quote(gmm_fit(x1, k = 2, model = "XYZ", threads = 1)),
    quote(gmm_fit(x2, k = 2, model = "E", threads = 1)),
    quote(gmm_fit(x1, k = 2, init = rep(1:2, 10), threads = 1)),
    quote(gmm_fit(x1, k = 2, init = matrix(0.4, n, 2), threads = 1)),
    quote(gmm_fit(x1, k = 3, init = rep(1:2, n / 2), threads = 1)),
    quote(gmm_fit(x1, k = 2, reg = -1, threads = 1)),
    quote(gmm_fit(x1, k = 2, tol = -1, threads = 1)),
    quote(gmm_fit(x1, k = 2, max_iter = 0, threads = 1)),
    quote(gmm_fit(x1, k = 2, n_init = 0, threads = 1)),
    quote(gmm_fit(x1, k = 2, threads = 0)),
    quote(gmm_fit(x1, k = 2, threads = 1, verbose = "yes")),
    quote(gmm_fit(x1, k = 2, threads = 1, criterion = "foo")),
    quote(gmm_fit(x1, k = 2, threads = 1, n_inits = 3)),
    quote(gmm_fit(rep(1, 10), k = 1, threads = 1))
  )
  env <- environment()
  for (cl in bad_calls) {
    res <- tryCatch(with_cpp_blocked(eval(cl, env)),
                    emgmm_test_cpp_reached = function(e) "C++ reached",
                    emgmm_error_input = function(e) "input error",
                    error = function(e) paste("other error:", conditionMessage(e)))
    expect_identical(res, "input error", label = deparse(cl))
  }
})

test_that("error messages are stable", {
  v <- x1
  v[3] <- NA
  expect_snapshot(error = TRUE, {
    gmm_fit(v, k = 2, threads = 1)
    gmm_fit(x1, k = 1.5, threads = 1)
    gmm_fit(x1, k = 91, threads = 1)
    gmm_fit(x1, k = 2, model = "XYZ", threads = 1)
    gmm_fit(x2, k = 2, model = "E", threads = 1)
    gmm_fit(x1, k = 2, init = matrix(0.4, 90, 2), threads = 1)
    gmm_fit(x1, k = 2, reg = -1, threads = 1)
    gmm_fit(x1, k = 2, threads = 1, n_inits = 3)
  })
  d <- df2
  d$group <- factor(rep(c("a", "b"), 30))
  expect_snapshot(gmm_fit(d, k = 2, threads = 1), error = TRUE)
})

# Model-name resolution ----------------------------------------------------

test_that("scikit-learn aliases resolve to mclust names on 2-D data", {
  aliases <- c(spherical = "VII", diag = "VVI", tied = "EEE", full = "VVV")
  for (a in names(aliases)) {
    set.seed(11)
    fit <- gmm_fit(x2, k = 2, model = a, threads = 1)
    expect_identical(fit$model, aliases[[a]], label = a)
    expect_null(fit$selection)
  }
  # lower-case mclust names are accepted too
  set.seed(11)
  expect_identical(gmm_fit(x2, k = 2, model = "vvv", threads = 1)$model, "VVV")
})

test_that("multivariate names mean their univariate form on a vector", {
  for (m in c("VVV", "full")) {
    set.seed(12)
    expect_identical(gmm_fit(x1, k = 2, model = m, threads = 1)$model, "V", label = m)
  }
  for (m in c("EEE", "tied")) {
    set.seed(12)
    expect_identical(gmm_fit(x1, k = 2, model = m, threads = 1)$model, "E", label = m)
  }
  # the default model works on a vector
  set.seed(12)
  expect_identical(gmm_fit(x1, k = 3, threads = 1)$model, "V")
  # "VVV" and "V" on a vector are the same fit, fitted once
  set.seed(12)
  fit <- gmm_fit(x1, k = 2, model = c("VVV", "V", "full"), threads = 1)
  expect_null(fit$selection)
  expect_identical(fit$model, "V")
})

test_that("\"all\" on 1-D data fits E and V", {
  set.seed(13)
  fit <- gmm_fit(x1, k = 2:3, model = "all", threads = 1)
  sel <- fit$selection
  expect_s3_class(sel, "data.frame")
  expect_setequal(unique(sel$model), c("E", "V"))
  expect_identical(nrow(sel), 4L)
  expect_setequal(paste(sel$k, sel$model), c("2 E", "2 V", "3 E", "3 V"))
  expect_true(fit$model %in% c("E", "V"))
})

test_that("\"all\" on 2-D data fits only multivariate models", {
  set.seed(14)
  fit <- gmm_fit(x2, k = 2, model = "all", threads = 1)
  sel <- fit$selection
  expect_false(any(sel$model %in% c("E", "V")))
  expect_true(all(c("VII", "VVI", "EEE", "VVV") %in% sel$model))
  expect_true(all(sel$model %in% c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE",
                                   "EVE", "VVE", "EEV", "VEV", "EVV", "VVV")))
  expect_identical(anyDuplicated(sel$model), 0L)
})

test_that("more bad inputs are caught in R with the argument named", {
  # duplicated column names cannot be matched by predict(), so they are refused
  dup <- data.frame(a = 1:20 + 0.5, a = (1:20)^2, check.names = FALSE)
  cnd <- expect_error(gmm_fit(dup, k = 1, threads = 1), class = "emgmm_error_input")
  expect_match(conditionMessage(cnd), "`x` must have distinct column names")
  # an init matrix with a column of zeros leaves a component without weight
  z <- cbind(1, 0)[rep(1, nrow(faithful)), ]
  cnd <- expect_error(gmm_fit(faithful, init = z, threads = 1), class = "emgmm_error_input")
  expect_match(conditionMessage(cnd), "`init`.*column 2")
  # simulate() checks its seed
  fit <- gmm_fit(faithful, k = 2, threads = 1)
  expect_error(simulate(fit, 3, seed = "a"), class = "emgmm_error_input")
})

test_that("the default k is capped at the number of distinct observations", {
  set.seed(1)
  fit <- gmm_fit(c(1.2, 3.4, 5.1, 7.7, 9.9), threads = 1)
  expect_equal(fit$selection$k, rep(1:5, each = 1L))
  expect_true(is.finite(fit$loglik))
  # an explicit k above that is still an error naming `k`
  expect_error(gmm_fit(c(1, 1, 2, 2, 3), k = 4, threads = 1), class = "emgmm_error_input",
               regexp = "`k`")
})

test_that("a hand-edited fit is refused by predict() and simulate(), not crashed on", {
  fit <- gmm_fit(faithful, k = 3, threads = 1)
  bad <- fit
  bad$parameters$proportions <- c(0.5, 0.5, 0)
  expect_error(predict(bad, faithful[1:3, ]), class = "emgmm_error_input", regexp = "`object`")
  bad <- fit
  bad$parameters$covariances <- bad$parameters$covariances[, , 1:2]
  expect_error(predict(bad, faithful[1:3, ]), class = "emgmm_error_input", regexp = "`object`")
  expect_error(simulate(bad, 3), class = "emgmm_error_input", regexp = "`object`")
})

# Issue 11 -------------------------------------------------------------------

test_that("dates, times and durations are refused, naming the column and its class", {
  d <- df2
  d$when <- as.Date("2020-01-01") + seq_len(nrow(d))
  cnd <- expect_input_error(gmm_fit(d, k = 2, threads = 1), "x")
  expect_identical(conditionMessage(cnd),
                   "`x` must have only numeric columns, but column `when` is a Date.")
  d$when <- as.POSIXct("2020-01-01", tz = "UTC") + seq_len(nrow(d))
  cnd <- expect_input_error(gmm_fit(d, k = 2, threads = 1), "x")
  expect_identical(conditionMessage(cnd),
                   "`x` must have only numeric columns, but column `when` is a POSIXct.")
  d$when <- as.difftime(seq_len(nrow(d)), units = "mins")
  cnd <- expect_input_error(gmm_fit(d, k = 2, threads = 1), "x")
  expect_identical(conditionMessage(cnd),
                   "`x` must have only numeric columns, but column `when` is a difftime.")
  # as x itself
  cnd <- expect_input_error(gmm_fit(as.Date("2020-01-01") + 1:30, k = 1, threads = 1), "x")
  expect_identical(conditionMessage(cnd),
                   "`x` must be a numeric vector, matrix or data frame, not a Date.")
  cnd <- expect_input_error(gmm_fit(Sys.time() + 1:30, k = 1, threads = 1), "x")
  expect_match(conditionMessage(cnd), "not a POSIXct.", fixed = TRUE)
  cnd <- expect_input_error(gmm_fit(as.difftime(1:30, units = "secs"), k = 1, threads = 1), "x")
  expect_match(conditionMessage(cnd), "not a difftime.", fixed = TRUE)
  # factor, character and list columns keep their messages
  d <- df2
  d$group <- factor(rep(c("a", "b"), 30))
  cnd <- expect_input_error(gmm_fit(d, k = 2, threads = 1), "x")
  expect_identical(conditionMessage(cnd),
                   "`x` must have only numeric columns, but column `group` is a factor.")
  d$group <- rep(c("a", "b"), 30)
  cnd <- expect_input_error(gmm_fit(d, k = 2, threads = 1), "x")
  expect_match(conditionMessage(cnd), "column `group` is a character vector of length 60.",
               fixed = TRUE)
  d$group <- as.list(seq_len(60))
  cnd <- expect_input_error(gmm_fit(d, k = 2, threads = 1), "x")
  expect_match(conditionMessage(cnd), "column `group` is a list.", fixed = TRUE)
})

test_that("Matrix objects are fitted as base matrices; other S4 objects are named", {
  skip_if_not_installed("Matrix")
  m <- Matrix::Matrix(x2)
  expect_true(isS4(m))
  set.seed(3)
  a <- gmm_fit(m, k = 2, threads = 1)
  set.seed(3)
  b <- gmm_fit(x2, k = 2, threads = 1)
  expect_identical(a$parameters, b$parameters)
  expect_identical(a$loglik, b$loglik)
  # a sparse one too
  sp <- Matrix::Matrix(cbind(x2, c(rep(0, 50), rep(1, 10))), sparse = TRUE)
  expect_true(inherits(sp, "sparseMatrix"))
  expect_identical(gmm_fit(sp, k = 1, threads = 1)$d, 3L)
  # a logical Matrix is not numbers
  cnd <- expect_input_error(gmm_fit(Matrix::Matrix(x2 > 0), k = 1, threads = 1), "x")
  expect_match(conditionMessage(cnd), "not a logical matrix", fixed = TRUE)
  # any other S4 object: its class is named
  obj <- asS4(structure(list(v = 1:3), class = "emgmmTestS4"))
  cnd <- expect_input_error(gmm_fit(obj, k = 1, threads = 1), "x")
  expect_identical(conditionMessage(cnd), paste0(
    "`x` must be a numeric vector, matrix or data frame, not an S4 object of class ",
    "\"emgmmTestS4\"."))
})

test_that("values too large for double precision sums of squares are an input error", {
  cnd <- expect_input_error(gmm_fit(c(1e154, -1e154, 0, 2e153), k = 1, threads = 1), "x")
  expect_match(conditionMessage(cnd),
               "too large in magnitude for double precision arithmetic", fixed = TRUE)
  expect_match(conditionMessage(cnd), "column 1 spans 2e+154", fixed = TRUE)
  # a range that overflows itself, and a named column
  huge <- rep(c(-1.5e308, 1.5e308), length.out = nrow(x2))
  cnd <- expect_input_error(gmm_fit(cbind(a = x2[, 1], b = huge), k = 1, threads = 1), "x")
  expect_match(conditionMessage(cnd), "column `b` spans more than", fixed = TRUE)
  # the rule: n * sum of squared column ranges <= .Machine$double.xmax
  ranges <- apply(x2, 2L, function(v) diff(range(v)))
  s <- sqrt(.Machine$double.xmax / (nrow(x2) * sum(ranges^2)))
  expect_input_error(gmm_fit(x2 * s * 1.01, k = 2, threads = 1), "x")
  set.seed(4)
  fit <- gmm_fit(x2 * s * 0.99, k = 1:2, model = "all", threads = 1)
  expect_true(all(is.finite(unlist(fit$parameters))))
  expect_false(anyNA(fit$selection$bic))
  # before any C++
  res <- tryCatch(with_cpp_blocked(gmm_fit(c(1e154, -1e154, 0, 2e153), k = 1, threads = 1)),
                  emgmm_error_input = function(e) "input error")
  expect_identical(res, "input error")
  # small values are not affected: 1e-150 fits as before, and variances that
  # underflow to zero are still "not two distinct observations"
  set.seed(5)
  expect_identical(gmm_fit(x1 * 1e-150, k = 2, threads = 1)$k, 2L)
  cnd <- expect_input_error(gmm_fit(x1 * 1e-300, k = 2, threads = 1), "x")
  expect_match(conditionMessage(cnd), "two distinct observations")
})

test_that("columns without a name among named ones are named V<position>", {
  m <- cbind(x2[, 1], b = x2[, 2])
  fit <- gmm_fit(m, k = 2, threads = 1)
  expect_identical(colnames(fit$parameters$means), c("V1", "b"))
  expect_identical(colnames(fit$data), c("V1", "b"))
  m3 <- cbind(a = x2[, 1], x2[, 2], x2[, 1] + x2[, 2]^2)
  fit3 <- gmm_fit(m3, k = 2, threads = 1)
  expect_identical(colnames(fit3$parameters$means), c("a", "V2", "V3"))
  # NA names, data frames with empty names, and a name already taken
  colnames(m) <- c(NA, "b")
  expect_identical(colnames(gmm_fit(m, k = 1, threads = 1)$parameters$means), c("V1", "b"))
  d <- stats::setNames(df2, c("", "b"))
  expect_identical(colnames(gmm_fit(d, k = 1, threads = 1)$parameters$means), c("V1", "b"))
  m <- cbind(x2[, 1], V1 = x2[, 2])
  expect_identical(colnames(gmm_fit(m, k = 1, threads = 1)$parameters$means), c("V1.1", "V1"))
  expect_identical(emgmm:::fill_names(c("", "V1", "V1.1", NA)), c("V1.2", "V1", "V1.1", "V4"))
  # no names at all: none invented, variables matched by position
  expect_null(emgmm:::fill_names(c("", NA)))
  expect_null(colnames(gmm_fit(unname(x2), k = 1, threads = 1)$parameters$means))
  m <- x2
  colnames(m) <- c("", "")
  expect_null(colnames(gmm_fit(m, k = 1, threads = 1)$parameters$means))
  # repeated given names are still refused
  cnd <- expect_input_error(gmm_fit(cbind(a = x2[, 1], a = x2[, 2]), k = 1, threads = 1), "x")
  expect_match(conditionMessage(cnd), "`a` is repeated", fixed = TRUE)
})

test_that("an init matrix column with almost no weight is refused with its true sum", {
  # found by the fuzz tests: the message said "sums to 0" for a column of 1e-12s
  z <- cbind(1 - 1e-12, 1e-12)[rep(1, nrow(faithful)), ]
  cnd <- expect_error(gmm_fit(faithful, k = 2, init = z, threads = 1),
                      class = "emgmm_error_input")
  expect_match(conditionMessage(cnd), "column 2 sums to 2.72e-10", fixed = TRUE)
  z[, 2] <- 0
  z[, 1] <- 1
  cnd <- expect_error(gmm_fit(faithful, k = 2, init = z, threads = 1),
                      class = "emgmm_error_input")
  expect_match(conditionMessage(cnd), "column 2 sums to 0.", fixed = TRUE)
})
