# simulate.emgmm() (R/simulate.R): the shape of its output.  Its draws are
# tested with the fitted object in test-gmm-class.R.

test_that("the component labels are the last column, named `component`", {
  fit <- gmm_fit(faithful, k = 2, threads = 1)
  s <- simulate(fit, 5, seed = 1)
  expect_identical(names(s), c("eruptions", "waiting", "component"))
  expect_type(s$component, "integer")
  expect_true(all(s$component %in% 1:2))
})

test_that("simulate() never overwrites a variable named `component`", {
  set.seed(9)
  d <- data.frame(component = rnorm(50), y = rnorm(50))
  g <- gmm_fit(d, k = 2, threads = 1)
  s <- simulate(g, 300, seed = 3)
  expect_identical(names(s), c("component", "y", "component.1"))
  # the variable holds draws of the variable, not labels
  expect_false(all(s$component %in% 1:2))
  expect_true(all(s$component.1 %in% 1:2))
  # its draws are those of the same fit with another name
  h <- g
  colnames(h$parameters$means) <- c("v", "y")
  dimnames(h$parameters$covariances) <- list(c("v", "y"), c("v", "y"), NULL)
  r <- simulate(h, 300, seed = 3)
  expect_identical(s$component, r$v)
  expect_identical(s$component.1, r$component)
  # the next free name
  expect_identical(emgmm:::label_column(c("component", "component.1", "x")), "component.2")
  expect_identical(emgmm:::label_column(c("a", "b")), "component")
})

test_that("columns without a name keep the names the fit gave them", {
  set.seed(9)
  fit <- gmm_fit(cbind(rnorm(60), b = rnorm(60)), k = 2, threads = 1)
  expect_identical(names(simulate(fit, 2, seed = 1)), c("V1", "b", "component"))
  f1 <- gmm_fit(unname(cbind(rnorm(60), rnorm(60))), k = 1, threads = 1)
  expect_identical(names(simulate(f1, 2, seed = 1)), c("x1", "x2", "component"))
})
