# Every plot type on 1-D, 2-D and 4-D fits draws into a png device without
# error, produces a non-empty file, and asks nothing (no prompt, no menu).

fits_for_plots <- function() {
  set.seed(1)
  list(
    one = gmm_fit(series, k = 3, threads = 1),
    two = gmm_fit(faithful, k = 1:3, model = c("VVV", "EEE", "VII"), threads = 1),
    four = gmm_fit(iris[1:4], k = 3, threads = 1)
  )
}

draw_png <- function(expr) {
  file <- tempfile(fileext = ".png")
  grDevices::png(file, width = 640, height = 480)
  on.exit(unlink(file))
  ok <- tryCatch({
    force(expr)
    TRUE
  }, finally = grDevices::dev.off())
  c(ok = ok, size = file.size(file))
}

test_that("every plot type draws on 1-D, 2-D and 4-D fits", {
  fits <- fits_for_plots()
  old <- grDevices::devAskNewPage(FALSE)
  on.exit(grDevices::devAskNewPage(old))
  for (nm in names(fits)) {
    for (type in c("density", "classification", "uncertainty", "loglik")) {
      res <- draw_png(expect_invisible(plot(fits[[nm]], type = type)))
      expect_true(res[["ok"]] == 1, label = paste(nm, type))
      expect_gt(res[["size"]], 2000)
    }
  }
  res <- draw_png(plot(fits$two, type = "selection"))
  expect_gt(res[["size"]], 2000)
  # the default: density in 1-D, classification otherwise
  expect_gt(draw_png(plot(fits$one))[["size"]], 2000)
  expect_gt(draw_png(plot(fits$four))[["size"]], 2000)
  # graphical arguments pass through
  expect_gt(draw_png(plot(fits$two, type = "classification", main = "faithful", cex = 0.5,
                          col = c("red", "blue", "darkgreen"), pch = 1:3))[["size"]], 2000)
  expect_gt(draw_png(plot(fits$one, main = "series", breaks = 20, xlim = c(20, 50)))[["size"]],
            2000)
  expect_gt(draw_png(plot(fits$two, type = "selection", main = "BIC", col = 1:3))[["size"]], 2000)
})

test_that("dimens chooses the variables, by index or name", {
  fits <- fits_for_plots()
  for (type in c("density", "classification", "uncertainty")) {
    expect_gt(draw_png(plot(fits$four, type = type, dimens = c("Petal.Length", "Petal.Width")))[["size"]], 2000)
    expect_gt(draw_png(plot(fits$four, type = type, dimens = 3))[["size"]], 2000)
    expect_gt(draw_png(plot(fits$four, type = type, dimens = c(1, 3, 4)))[["size"]], 2000)
  }
})

test_that("the plot leaves the graphics parameters as it found them", {
  fits <- fits_for_plots()
  file <- tempfile(fileext = ".png")
  grDevices::png(file)
  on.exit({
    grDevices::dev.off()
    unlink(file)
  })
  before <- graphics::par("mfrow", "mar", "oma")
  plot(fits$four, type = "density")
  expect_identical(graphics::par("mfrow", "mar", "oma"), before)
})

test_that("bad plot arguments are named", {
  fits <- fits_for_plots()
  expect_error(plot(fits$two, type = "pie"), class = "emgmm_error_input", regexp = "`type`")
  expect_error(plot(fits$one, type = "selection"), class = "emgmm_error_input",
               regexp = "several \\(k, model\\) pairs")
  expect_error(plot(fits$four, dimens = 5), class = "emgmm_error_input", regexp = "`dimens`")
  expect_error(plot(fits$four, dimens = "Petal"), class = "emgmm_error_input", regexp = "`dimens`")
  expect_error(plot(fits$four, dimens = c(1, 1)), class = "emgmm_error_input", regexp = "`dimens`")
})

test_that("the drawn curves are the fitted mixture", {
  fit <- fits_for_plots()$one
  # the 1-D density curve integrates to 1 and its components add up to it
  grid <- seq(0, 70, length.out = 20001)
  mix <- predict(fit, grid, type = "density")
  p <- fit$parameters
  comp <- vapply(1:3, function(j) p$proportions[j] * dnorm(grid, p$means[j, 1], sqrt(p$covariances[1, 1, j])),
                 numeric(length(grid)))
  expect_equal(rowSums(comp), mix, tolerance = 1e-12)
  expect_equal(sum(mix) * diff(grid[1:2]), 1, tolerance = 1e-6)
  # the contour levels enclose the stated masses of a single Gaussian
  sub <- list(proportions = 1, means = matrix(c(0, 0), 1), covariances = array(diag(2), c(2, 2, 1)))
  lev <- emgmm:::hdr_levels(sub, c(0.5, 0.95))
  # for a standard bivariate normal the level enclosing mass m is (1 - m) / (2 pi)
  expect_equal(lev, (1 - c(0.5, 0.95)) / (2 * pi), tolerance = 0.03)
  # ellipse points lie on the 95% contour of their component
  e <- emgmm:::ellipse_points(c(1, 2), matrix(c(2, 0.5, 0.5, 1), 2), level = 0.95)
  d2 <- mahalanobis(e, c(1, 2), matrix(c(2, 0.5, 0.5, 1), 2))
  expect_equal(d2, rep(qchisq(0.95, 2), nrow(e)), tolerance = 1e-10)
})

test_that("one component and degenerate fits plot too", {
  set.seed(3)
  f1 <- gmm_fit(faithful, k = 1, threads = 1)
  s1 <- gmm_fit(series, k = 1, threads = 1)
  for (type in c("density", "classification", "uncertainty", "loglik")) {
    expect_gt(draw_png(plot(f1, type = type))[["size"]], 2000)
    expect_gt(draw_png(plot(s1, type = type))[["size"]], 2000)
  }
  # a component on a repeated value (1-D), and one on a line (2-D)
  x <- c(stats::rnorm(30), stats::rnorm(30, 10), rep(20, 300))
  fd <- suppressWarnings(gmm_fit(x, k = 3, init = "random", threads = 1))
  xy <- rbind(cbind(stats::rnorm(100), stats::rnorm(100)), cbind(1:40, 2 * (1:40)) + 50)
  f2 <- suppressWarnings(gmm_fit(xy, k = 2, threads = 1))
  for (type in c("density", "classification", "uncertainty")) {
    expect_gt(draw_png(plot(fd, type = type))[["size"]], 2000)
    expect_gt(draw_png(plot(f2, type = type))[["size"]], 2000)
  }
})

test_that("plot types match partially, and the selection plot keeps every model in view", {
  fits <- fits_for_plots()
  expect_gt(draw_png(plot(fits$two, type = "unc"))[["size"]], 2000)
  expect_error(plot(fits$two, type = ""), class = "emgmm_error_input", regexp = "`type`")
  expect_error(plot(list(a = 1), type = "density"))
  expect_error(plot.emgmm(structure(list(a = 1), class = "emgmm")), class = "emgmm_error_input",
               regexp = "`x`")
  # the cut of the y axis keeps each model's best value
  vals <- cbind(c(2600, 2320, 2314, 2320), c(4000, 3500, 3300, 3240))
  ylim <- emgmm:::selection_ylim(vals)
  expect_gte(ylim[2], 3240)
  expect_lte(ylim[1], 2314)
  # one finite value: a readable range around it
  one <- emgmm:::selection_ylim(cbind(c(NA, 183.6), c(NA, NA)))
  expect_gt(diff(one), 1)
  # breaks only go to the histogram
  expect_silent(draw_png(plot(fits$two, type = "classification", breaks = 10, lwd = 3)))
  # more than 6 variables: the first 6, with a message
  set.seed(4)
  f8 <- gmm_fit(matrix(stats::rnorm(800), 100), k = 2, threads = 1)
  expect_message(draw_png(plot(f8)), "first 6 of the 8")
})

test_that("columns without a name are plotted under the names the fit gave them", {
  set.seed(3)
  fit <- gmm_fit(cbind(rnorm(80), b = rnorm(80), rnorm(80)), k = 2, threads = 1)
  expect_identical(colnames(fit$parameters$means), c("V1", "b", "V3"))
  old <- grDevices::devAskNewPage(FALSE)
  on.exit(grDevices::devAskNewPage(old))
  for (type in c("density", "classification", "uncertainty")) {
    expect_gt(draw_png(plot(fit, type = type, dimens = c("V1", "V3")))[["size"]], 2000)
  }
  expect_error(plot(fit, dimens = ""), class = "emgmm_error_input", regexp = "`dimens`")
})
