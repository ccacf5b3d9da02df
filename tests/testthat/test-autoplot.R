# autoplot() (ggplot2's generic, registered when ggplot2 is installed).

test_that("autoplot() builds every type on 1-D, 2-D and 4-D fits", {
  skip_if_not_installed("ggplot2")
  set.seed(1)
  fits <- list(one = gmm_fit(series, k = 3, threads = 1),
               two = gmm_fit(faithful, k = 1:3, model = c("VVV", "EEE"), threads = 1),
               four = gmm_fit(iris[1:4], k = 3, threads = 1))
  for (nm in names(fits)) {
    for (type in c("density", "classification", "uncertainty", "loglik",
                   if (nm == "two") "selection")) {
      p <- ggplot2::autoplot(fits[[nm]], type = type)
      expect_s3_class(p, "ggplot")
      file <- tempfile(fileext = ".png")
      ggplot2::ggsave(file, p, width = 5, height = 4, dpi = 50)
      expect_gt(file.size(file), 2000)
      unlink(file)
    }
  }
  # the data behind the 1-D density: the mixture curve is predict()'s
  p <- ggplot2::autoplot(fits$one, type = "density")
  b <- ggplot2::ggplot_build(p)
  mix <- b$data[[2L]]
  expect_equal(mix$y, predict(fits$one, mix$x, type = "density"), tolerance = 1e-12)
  # pairs are facets
  p4 <- ggplot2::autoplot(fits$four)
  expect_true(inherits(p4$facet, "FacetGrid"))
  expect_error(ggplot2::autoplot(fits$one, type = "selection"), class = "emgmm_error_input")
  expect_error(ggplot2::autoplot(fits$four, dimens = 7), class = "emgmm_error_input",
               regexp = "`dimens`")
})
