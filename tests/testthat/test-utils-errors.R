# Conditions and the description of values in messages (R/utils-errors.R).

test_that("describe() names classed values by their class, not their storage", {
  describe <- emgmm:::describe
  expect_identical(describe(as.Date("2020-01-01") + 0:2), "a Date")
  expect_identical(describe(as.POSIXct("2020-01-01", tz = "UTC")), "a POSIXct")
  expect_identical(describe(as.POSIXlt("2020-01-01", tz = "UTC")), "a POSIXlt")
  expect_identical(describe(as.difftime(1, units = "secs")), "a difftime")
  expect_identical(describe(structure(1, class = "integer64")), "an integer64")
  expect_identical(describe(factor(c("a", "b"))), "a factor")
  expect_identical(describe(data.frame(a = 1)), "a data frame")
  expect_identical(describe(list(1)), "a list")
  expect_identical(describe(c("a", "b")), "a character vector of length 2")
  expect_identical(describe(1:3), "an integer vector of length 3")
  expect_identical(describe(matrix(1, 2, 2)), "a double matrix")
  expect_identical(describe(NA), "NA")
  expect_identical(describe(1.5), "1.5")
  skip_if_not_installed("Matrix")
  expect_identical(describe(Matrix::Matrix(1, 2, 2)),
                   sprintf("an S4 object of class \"%s\"", class(Matrix::Matrix(1, 2, 2))))
})

test_that("warnings about input have their own class", {
  w <- expect_warning(emgmm:::warn_input("`data` has it.", quote(f())),
                      class = "emgmm_warning_input")
  expect_s3_class(w, "emgmm_warning")
  expect_identical(conditionCall(w), quote(f()))
})
