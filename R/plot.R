#' Plot a Gaussian mixture fit
#'
#' Draws a fitted mixture with base graphics: the data with the fitted
#' density, the classification, the uncertainty of each classification, the
#' model selection curves, or the log-likelihood trace of EM.  It never asks
#' a question or waits for a key, so it is safe in scripts and R Markdown;
#' each call draws one figure (several panels for more than two variables).
#'
#' * `"density"`: for one variable, a histogram of the data with the fitted
#'   mixture density (black) and each component's weighted density
#'   (proportion times its normal density, in the component's colour); for
#'   two, the data with contours of the mixture density enclosing about 25%,
#'   50%, 75% and 95% of the fitted mixture's mass; for more, the same for each pair of
#'   variables (the marginal mixture of the pair).
#' * `"classification"`: for one variable, one strip per component with a
#'   tick at each observation classified there and the component's mean
#'   marked; for two, the observations coloured and shaped by component with
#'   each component's 95% covariance ellipse and mean; for more, each pair.
#' * `"uncertainty"`: the same, with point sizes growing with the
#'   uncertainty `1 - max posterior` of each observation (in 1-D, the
#'   uncertainty itself against the data).
#' * `"selection"`: the criterion (`fit$criterion`) against the number of
#'   components, one line per covariance model, the selected pair circled.
#'   Needs a fit over several (k, model) pairs.
#' * `"loglik"`: the log-likelihood at each EM iteration.
#'
#' @param x An `"emgmm"` object.from [gmm_fit()].
#' @param type One of `"density"`, `"classification"`, `"uncertainty"`,
#'   `"selection"` and `"loglik"`.  By default `"density"` for one variable
#'   and `"classification"` for more.
#' @param dimens The variables to show, by index or name: one gives 1-D
#'   plots of that variable (its marginal mixture), two a scatter plot, more
#'   a matrix of pairs.  By default all of them (at most 6).
#' @param ... Graphical arguments for the main plotting call, such as `main`,
#'   `xlab`, `ylab`, `xlim`, `ylim`, `cex`, `breaks` (the histogram) or `col`
#'   and `pch` (one per component).
#' @return `x`, invisibly.
#' @seealso [autoplot.emgmm()] for ggplot2 versions of the same figures.
#' @examples
#' fit <- gmm_fit(series, k = 3, threads = 1)
#' plot(fit)                            # histogram and fitted density
#' plot(fit, type = "classification")
#'
#' fit2 <- gmm_fit(faithful, k = 1:4, model = c("VVV", "EEE", "VII"), threads = 1)
#' plot(fit2)                           # classification with ellipses
#' plot(fit2, type = "density")
#' plot(fit2, type = "uncertainty")
#' plot(fit2, type = "selection")
#' plot(fit2, type = "loglik")
#'
#' fit4 <- gmm_fit(iris[1:4], k = 3, threads = 1)
#' plot(fit4, type = "classification")  # every pair of variables
#' plot(fit4, dimens = c("Petal.Length", "Petal.Width"))
#' @importFrom graphics plot
#' @export
plot.emgmm <- function(x, type = NULL, dimens = NULL, ...) {
  ecall <- sys.call()
  ecall[[1L]] <- as.name("plot")
  check_emgmm_object(x, ecall, "x")
  type <- check_plot_type(x, type, ecall)
  dots <- list(...)
  if (type == "selection") return(invisible(plot_selection(x, dots, ecall)))
  if (type == "loglik") return(invisible(plot_loglik(x, dots)))
  dims <- check_dimens(x, dimens, ecall)
  if (type != "density" || length(dims) != 1L) dots$breaks <- NULL
  view <- marginal_view(x, dims)
  style <- component_style(x$k, dots)
  dots$col <- NULL
  dots$pch <- NULL
  style$lwd <- if (!is.null(dots$lwd)) dots$lwd else 2
  dots$lwd <- NULL
  if (length(dims) == 1L) {
    switch(type,
      density = plot_density_1d(view, style, dots),
      classification = plot_classification_1d(view, style, dots),
      uncertainty = plot_uncertainty_1d(view, style, dots)
    )
  } else if (length(dims) == 2L) {
    args <- utils::modifyList(list(xlab = view$vars[1L], ylab = view$vars[2L],
                                   main = plot_title(view, type)), dots)
    plot_panel(view, 1L, 2L, type, style, args, labels = TRUE)
    legend_components(view, style, type)
  } else {
    plot_pairs(view, type, style, dots)
  }
  invisible(x)
}

plot_types <- c("density", "classification", "uncertainty", "selection", "loglik")

# `type` (NULL: density for one variable, classification for more),
# partial names allowed as with match.arg().
check_plot_type <- function(x, type, call) {
  if (is.null(type)) return(if (x$d == 1L) "density" else "classification")
  if (is.character(type) && length(type) == 1L && !is.na(type) && nzchar(type)) {
    i <- pmatch(type, plot_types)
    if (!is.na(i)) type <- plot_types[i]
  }
  check_choice(type, plot_types, "type", call)
}

# `dimens` as column indices: NULL = all (at most 6), else distinct indices
# or names of the fit's variables.
check_dimens <- function(x, dimens, call) {
  vars <- variable_names(x)
  if (is.null(dimens)) {
    if (x$d > 6L) {
      message(sprintf(paste0("Showing the first 6 of the %d variables; choose others with ",
                             "`dimens`."), x$d))
    }
    return(seq_len(min(x$d, 6L)))
  }
  if (is.character(dimens) && !anyNA(dimens)) {
    idx <- match(dimens, vars)
    if (anyNA(idx)) {
      abort_input(sprintf("`dimens` must name variables of the fit (%s); `%s` is not one.",
                          paste(vars, collapse = ", "), dimens[is.na(idx)][1L]), call)
    }
  } else if (is.numeric(dimens) && !anyNA(dimens) && all(dimens == round(dimens)) &&
             all(dimens >= 1) && all(dimens <= x$d)) {
    idx <- as.integer(dimens)
  } else {
    abort_input(sprintf(paste0("`dimens` must be variable names or whole numbers between ",
                               "1 and %d, not %s."), x$d, describe(dimens)), call)
  }
  if (length(idx) == 0L || anyDuplicated(idx)) {
    abort_input("`dimens` must choose at least one variable, each once.", call)
  }
  idx
}

# The data and the marginal mixture of the chosen variables: a mixture of
# Gaussians restricted to some variables is the mixture of the restricted
# components.
# For data on a cluster, the plots show at most plot_rows rows, evenly
# spaced (no random draw), fetched from the workers.
marginal_view <- function(x, dims) {
  p <- x$parameters
  data <- x$data
  cls <- list(classification = x$classification, uncertainty = x$uncertainty)
  if (is_distributed(data)) {
    check_distributed(data, NULL, "x$data")
    rows <- unique(round(seq(1, data$n, length.out = min(data$n, plot_rows))))
    data <- src_rows(data, rows)
    cls <- classify(predict_values(x, data, TRUE, x$control$threads, NULL)$posterior)
  }
  # rows with a missing value among the variables shown cannot be drawn
  shown <- data[, dims, drop = FALSE]
  if (anyNA(shown)) {
    keep <- rowSums(is.na(shown)) == 0L
    shown <- shown[keep, , drop = FALSE]
    cls <- lapply(cls, function(v) v[keep])
  }
  list(
    fit = x,
    data = shown,
    vars = variable_names(x)[dims],
    proportions = p$proportions,
    means = p$means[, dims, drop = FALSE],
    covariances = p$covariances[dims, dims, , drop = FALSE],
    classification = cls$classification,
    uncertainty = cls$uncertainty,
    k = x$k
  )
}

plot_rows <- 10000L

# Colours and symbols, one per component: the Okabe-Ito palette (without
# its black) up to 7 components, HCL "Dark 3" beyond; `col` and `pch` in
# `dots` override them.
component_style <- function(k, dots) {
  col <- if (!is.null(dots$col)) {
    rep_len(dots$col, k)
  } else if (k <= 7L) {
    unname(grDevices::palette.colors(k + 1L, "Okabe-Ito"))[-1L]
  } else {
    grDevices::hcl.colors(k, "Dark 3")
  }
  pch <- if (!is.null(dots$pch)) rep_len(dots$pch, k) else rep_len(plot_symbols, k)
  list(col = col, pch = pch)
}

# Plotting symbols, one per component (or per model in the selection plot).
plot_symbols <- c(16, 17, 15, 18, 1, 2, 0, 5, 6, 4, 8, 3, 7, 9, 10, 12)

plot_title <- function(view, type) {
  fit <- view$fit
  sprintf("%s: %d component%s, model %s", switch(type,
    density = "Fitted density", classification = "Classification",
    uncertainty = "Classification uncertainty"), fit$k, if (fit$k == 1L) "" else "s", fit$model)
}

# Log mixture density of the rows of `m` under the view's marginal mixture.
view_logdensity <- function(view, m) {
  res <- predict_cpp(m, view$proportions, view$means, view$covariances, FALSE, 1L)
  res$logdensity
}

# ---- one variable ----

# The 1-D curves: on `grid`, each component times its proportion (`comp`,
# one column each) and the mixture (`mix`).
density_curves_1d <- function(view) {
  sd <- sqrt(view$covariances[1L, 1L, ])
  grid <- density_grid(view$data[, 1L], view$means[, 1L], sd)
  comp <- vapply(seq_len(view$k), function(j) {
    view$proportions[j] * stats::dnorm(grid, view$means[j, 1L], sd[j])
  }, numeric(length(grid)))
  list(grid = grid, comp = matrix(comp, ncol = view$k),
       mix = exp(view_logdensity(view, matrix(grid, ncol = 1L))))
}

plot_density_1d <- function(view, style, dots) {
  x <- view$data[, 1L]
  curves <- density_curves_1d(view)
  grid <- curves$grid
  comp <- curves$comp
  mix <- curves$mix
  breaks <- if (!is.null(dots$breaks)) dots$breaks else hist_breaks(x)
  h <- graphics::hist(x, breaks = breaks, plot = FALSE)
  top <- density_top(h$density, mix)
  bars <- stats::approx(h$mids, h$density, xout = grid, rule = 2)$y
  corner <- emptier_corner(grid, pmin(pmax(mix, bars), top), top)
  if (is.null(corner)) {
    # both upper corners are taken: room above the curves for the legend
    top <- 1.45 * top
    corner <- "topright"
  }
  args <- utils::modifyList(list(
    x = h, freq = FALSE, col = "grey92", border = "grey60",
    main = plot_title(view, "density"), xlab = view$vars[1L], ylab = "density",
    xlim = range(grid, h$breaks), ylim = c(0, top)), dots)
  args$breaks <- NULL
  do.call(graphics::plot, args)
  graphics::lines(grid, mix, lwd = 2 * style$lwd, col = "grey20")
  for (j in seq_len(view$k)) graphics::lines(grid, comp[, j], col = style$col[j], lwd = style$lwd)
  graphics::rug(x, col = "grey40")
  if (is.null(dots$ylim) && max(mix) > density_top(h$density, mix)) {
    j <- which.max(apply(comp, 2L, max))
    graphics::mtext(sprintf("component %d peaks at %s, off the plot (set `ylim` to see it)", j,
                            format(signif(max(mix), 3L))), side = 3, line = 0.3, cex = 0.75,
                    col = "grey40")
  }
  graphics::legend(corner, bty = "n", cex = 0.85,
                   lwd = c(2 * style$lwd, rep(style$lwd, view$k)), col = c("grey20", style$col),
                   legend = c("mixture", paste("component", component_labels(view))))
}

# Histogram breaks: the Freedman-Diaconis number of classes, at least
# Sturges' and 2 sqrt(n) (narrow components need narrow bins), at most 100.
hist_breaks <- function(x) {
  n <- min(max(grDevices::nclass.Sturges(x), grDevices::nclass.FD(x), ceiling(2 * sqrt(length(x)))),
           100L)
  pretty(range(x), n = n)
}

# Top of the 1-D density plot: the histogram and the curve, unless the curve
# towers over the histogram (a component collapsed onto a repeated value
# has a spike thousands of times higher): then three times the histogram.
density_top <- function(bars, mix) {
  top <- max(bars, mix)
  if (top > 10 * max(bars)) top <- 3 * max(bars)
  1.08 * top
}

# Where the 1-D density is drawn: the data's range and 3 sd around each
# mean (at most 15% of the data's range beyond it on each side), with extra
# points around each mean so that a very narrow component shows its peak.
density_grid <- function(x, means, sd) {
  r <- range(x)
  span <- max(diff(r), sqrt(.Machine$double.eps) * max(abs(r)), 1e-12)
  lo <- max(min(r[1L] - 0.05 * span, means - 3 * sd), r[1L] - 0.15 * span)
  hi <- min(max(r[2L] + 0.05 * span, means + 3 * sd), r[2L] + 0.15 * span)
  near <- as.vector(outer(seq(-4, 4, by = 0.25), sd) + rep(means, each = 33L))
  grid <- sort(unique(c(seq(lo, hi, length.out = 512L), near)))
  grid[grid >= lo & grid <= hi]
}

# "topleft" or "topright", whichever third of the curve is lower; NULL when
# the curve rises above 55% of `top` in both.
emptier_corner <- function(grid, y, top) {
  third <- diff(range(grid)) / 3
  left <- max(y[grid <= min(grid) + third])
  right <- max(y[grid >= max(grid) - third])
  if (min(left, right) > 0.55 * top) return(NULL)
  if (left <= right) "topleft" else "topright"
}

component_labels <- function(view) {
  sprintf("%d (%.0f%%)", seq_len(view$k), 100 * view$proportions)
}

plot_classification_1d <- function(view, style, dots) {
  x <- view$data[, 1L]
  cls <- view$classification
  k <- view$k
  args <- utils::modifyList(list(
    x = range(x), y = c(0.5, k + 0.5), type = "n", yaxt = "n",
    main = plot_title(view, "classification"), xlab = view$vars[1L], ylab = "component"), dots)
  do.call(graphics::plot, args)
  graphics::axis(2, at = seq_len(k), labels = seq_len(k), las = 1)
  graphics::abline(h = seq_len(k), col = "grey90")
  graphics::segments(x, cls - 0.3, x, cls + 0.3, col = style$col[cls])
  graphics::points(view$means[, 1L], seq_len(k), pch = 23, cex = 1.6, bg = "white",
                   col = "black", lwd = 1.5)
}

plot_uncertainty_1d <- function(view, style, dots) {
  x <- view$data[, 1L]
  u <- view$uncertainty
  cls <- view$classification
  args <- utils::modifyList(list(
    x = x, y = u, type = "h", col = style$col[cls],
    ylim = c(0, 1.35 * max(u, 1 - 1 / view$k, 1e-3)),
    main = plot_title(view, "uncertainty"), xlab = view$vars[1L],
    ylab = "uncertainty (1 - max posterior)"), dots)
  do.call(graphics::plot, args)
  graphics::points(x, u, pch = style$pch[cls], col = style$col[cls], cex = 0.7)
  graphics::abline(h = 1 - 1 / view$k, lty = 3, col = "grey50")
  graphics::text(graphics::par("usr")[2L], 1 - 1 / view$k, "largest possible: 1 - 1/k",
                 adj = c(1.02, -0.4), cex = 0.75, col = "grey40")
  legend_components(view, style, "classification")
}

# ---- two variables: one panel ----

# Draws the panel of variables a (horizontal) and b (vertical) of the view,
# opening the plot with `args`.  Unless `args` sets them, the limits hold the
# data and, for "classification" and "density", every component's 95%
# ellipse (so that no ellipse or outer contour is cut off).
plot_panel <- function(view, a, b, type, style, args, labels = FALSE) {
  xy <- view$data[, c(a, b), drop = FALSE]
  cls <- view$classification
  sub <- pair_mixture(view, c(a, b))
  cex <- if (!is.null(args$cex)) args$cex else 1
  args$cex <- NULL
  do.call(graphics::plot, utils::modifyList(list(x = variable_limits(view, a, type),
                                                 y = variable_limits(view, b, type),
                                                 type = "n"), args))
  if (type == "density") {
    graphics::points(xy, pch = 16, cex = 0.6 * cex, col = "grey55")
    density_contours(sub, graphics::par("usr"), labels)
  } else if (type == "classification") {
    graphics::points(xy, pch = style$pch[cls], col = style$col[cls], cex = 0.8 * cex)
    for (j in seq_len(view$k)) {
      e <- ellipse_points(sub$means[j, ], matrix(sub$covariances[, , j], 2L, 2L))
      graphics::lines(e, col = style$col[j], lwd = style$lwd)
    }
    graphics::points(sub$means, pch = 3, cex = 1.5 * cex, lwd = 2.5)
  } else {
    # on the scale of the largest possible uncertainty, 1 - 1/k
    size <- uncertainty_size(view$uncertainty, view$k)
    graphics::points(xy, pch = 16, col = style$col[cls], cex = size * cex)
  }
}

uncertainty_size <- function(u, k) {
  0.4 + 2.2 * sqrt(pmin(u / max(1 - 1 / k, 1e-12), 1))
}

# The marginal mixture of the view's variables ab (two of them).
pair_mixture <- function(view, ab) {
  list(proportions = view$proportions, means = view$means[, ab, drop = FALSE],
       covariances = view$covariances[ab, ab, , drop = FALSE])
}

# The masses that the density contours enclose, and their labels.
hdr_masses <- c(0.25, 0.5, 0.75, 0.95)
hdr_labels <- c("25%", "50%", "75%", "95%")

# The density of a 2-D mixture `sub` on a 121 x 121 grid over xlim x ylim,
# and the levels that enclose `hdr_masses` of its mass (its highest-density
# regions).
# An axis only a few rounding steps wide (a variable far from 0 that barely
# varies) gives repeated grid values; they are dropped, and with fewer than
# two left there is no surface (NULL).
density_surface <- function(sub, xlim, ylim) {
  gx <- unique(seq(xlim[1L], xlim[2L], length.out = 121L))
  gy <- unique(seq(ylim[1L], ylim[2L], length.out = 121L))
  if (length(gx) < 2L || length(gy) < 2L) return(NULL)
  z <- matrix(exp(view_logdensity(sub, as.matrix(expand.grid(gx, gy)))), length(gx), length(gy))
  list(x = gx, y = gy, z = z, levels = hdr_levels(sub, hdr_masses))
}

density_contours <- function(sub, usr, labels) {
  s <- density_surface(sub, usr[1:2], usr[3:4])
  if (is.null(s)) return(invisible())
  graphics::contour(s$x, s$y, s$z, levels = s$levels, add = TRUE, drawlabels = labels,
                    labels = hdr_labels, col = "#0B3C8C", lwd = 1.6, labcex = 0.7)
}

# Density levels whose upper sets hold the given masses of a 2-D mixture:
# quantiles of the density at points of each component placed
# deterministically (a radial lattice of the standard normal, mapped through
# a square root of each component's covariance), weighted by the proportions.
hdr_levels <- function(sub, mass) {
  k <- length(sub$proportions)
  # 64 radii at the quantiles of the chi-square(2) distribution, 64 angles
  r <- sqrt(stats::qchisq((seq_len(64L) - 0.5) / 64L, df = 2L))
  th <- 2 * pi * (seq_len(64L) - 0.5) / 64L
  std <- cbind(rep(r, each = 64L) * cos(th), rep(r, each = 64L) * sin(th))
  pts <- do.call(rbind, lapply(seq_len(k), function(j) {
    # a square root of the covariance (symmetric, so also for a nearly
    # singular one)
    e <- eigen(matrix(sub$covariances[, , j], 2L, 2L), symmetric = TRUE)
    root <- e$vectors %*% (sqrt(pmax(e$values, 0)) * t(e$vectors))
    sweep(std %*% root, 2L, sub$means[j, ], "+")
  }))
  w <- rep(sub$proportions, each = nrow(std))
  dens <- exp(view_logdensity(sub, pts))
  o <- order(dens, decreasing = TRUE)
  cum <- cumsum(w[o]) / sum(w)
  vapply(mass, function(m) dens[o][which(cum >= m)[1L]], numeric(1))
}

# Axis range of variable a: its data and, but for "uncertainty", the extent
# of every component's 95% ellipse along it (mu_a +- sqrt(qchisq(0.95, 2)
# S_aa), the same in every pair, so the panels of a pairs plot line up).
variable_limits <- function(view, a, type) {
  x <- view$data[, a]
  if (type == "uncertainty") return(range(x))
  half <- sqrt(stats::qchisq(0.95, df = 2L) * view$covariances[a, a, ])
  range(x, view$means[, a] - half, view$means[, a] + half)
}

# Points of the ellipse {y : (y - mu)' S^-1 (y - mu) = qchisq(level, 2)}.
ellipse_points <- function(mu, s, level = 0.95, n = 100L) {
  e <- eigen(s, symmetric = TRUE)
  r <- sqrt(stats::qchisq(level, df = 2L))
  th <- seq(0, 2 * pi, length.out = n)
  circle <- rbind(cos(th), sin(th))
  pts <- t(e$vectors %*% (sqrt(pmax(e$values, 0)) * r * circle))
  sweep(pts, 2L, mu, "+")
}

legend_components <- function(view, style, type, where = "topleft", cex = 0.8) {
  if (type == "density") return(invisible())
  graphics::legend(where, bty = "n", cex = cex, col = style$col,
                   pch = if (type == "uncertainty") 16 else style$pch,
                   legend = component_labels(view),
                   title = "component")
  if (type == "uncertainty") {
    top <- 1 - 1 / view$k
    u <- signif(c(0.1, 0.5, 1) * top, 2)
    graphics::legend(if (where == "topleft") "topright" else where, bty = "n", cex = cex,
                     pch = 16, col = "grey40", pt.cex = uncertainty_size(u, view$k),
                     legend = format(u), title = "uncertainty")
  }
}

# ---- more variables: pairs ----

plot_pairs <- function(view, type, style, dots) {
  m <- ncol(view$data)
  op <- graphics::par(mfrow = c(m, m), mar = rep(0.25, 4L), oma = c(3.5, 3.5, 4.5, 1.5))
  on.exit(graphics::par(op))
  main <- if (!is.null(dots$main)) dots$main else plot_title(view, type)
  if (type == "density" && is.null(dots$main)) {
    main <- paste0(main, "\ncontours enclose 25%, 50%, 75% and 95% of each pair's mixture")
  }
  dots$main <- NULL
  dots$xlab <- NULL
  dots$ylab <- NULL
  for (b in seq_len(m)) {
    for (a in seq_len(m)) {
      if (a == b) {
        graphics::plot(0:1, 0:1, type = "n", axes = FALSE, xlab = "", ylab = "")
        graphics::box(col = "grey70")
        graphics::text(0.5, if (a == 1L && type != "density") 0.82 else 0.5, view$vars[a],
                       cex = 1.2, font = 2)
        if (a == 1L) legend_components(view, style, type, where = "bottom", cex = 0.7)
        next
      }
      args <- utils::modifyList(list(xlab = "", ylab = "", xaxt = "n", yaxt = "n"), dots)
      plot_panel(view, a, b, type, style, args)
      if (b == m) graphics::axis(1, cex.axis = 0.8)
      if (a == 1L) graphics::axis(2, cex.axis = 0.8, las = 1)
    }
  }
  graphics::mtext(main, side = 3, outer = TRUE, line = 0.8, font = 2, cex = 1.05)
}

# ---- selection and log-likelihood ----

# The fit's selection table, or an error naming `type` when it has none.
fit_selection <- function(x, call) {
  if (is.null(x$selection)) {
    abort_input(sprintf(paste0("`type = \"selection\"` needs a fit over several (k, model) ",
                               "pairs, e.g. `gmm_fit(x, k = 1:9, model = \"all\")`; this fit ",
                               "has one (k = %d, model %s)."), x$k, x$model), call)
  }
  x$selection
}

plot_selection <- function(x, dots, call) {
  sel <- fit_selection(x, call)
  crit <- x$criterion
  models <- unique(sel$model)
  ks <- sort(unique(sel$k))
  vals <- vapply(models, function(m) {
    sel[[crit]][match(paste(ks, m), paste(sel$k, sel$model))]
  }, numeric(length(ks)))
  vals <- matrix(vals, nrow = length(ks))
  nm <- length(models)
  col <- if (!is.null(dots$col)) rep_len(dots$col, nm) else
    grDevices::hcl.colors(nm, if (nm <= 4L) "Dark 2" else "Dark 3")
  pch <- if (!is.null(dots$pch)) rep_len(dots$pch, nm) else rep_len(plot_symbols, nm)
  dots$col <- NULL
  dots$pch <- NULL
  if (all(is.na(vals))) vals[] <- 0
  ylim <- selection_ylim(vals)
  if (!is.null(dots$ylim)) ylim <- dots$ylim
  args <- utils::modifyList(list(
    x = ks, y = vals, type = "b", lty = 1, lwd = 1.5, col = col, pch = pch, ylim = ylim,
    xlab = "number of components k", ylab = sprintf("%s (lower is better)", toupper(crit)),
    main = sprintf("Model selection by %s", toupper(crit)), xaxt = "n"), dots)
  do.call(graphics::matplot, args)
  graphics::axis(1, at = ks)
  if (is.null(dots$ylim) && isTRUE(attr(ylim, "clipped"))) {
    graphics::mtext(sprintf("values above %s are off the plot (set `ylim` to see them)",
                            format(signif(ylim[2L], 4L))), side = 3, line = 0.3, cex = 0.75,
                    col = "grey40")
  }
  graphics::points(x$k, x[[crit]], cex = 3, lwd = 2)
  # the legend goes to the top corner with fewer points in the upper third
  usr <- graphics::par("usr")
  high <- is.finite(vals) & vals > usr[3L] + (2 / 3) * (usr[4L] - usr[3L]) & vals < usr[4L]
  left <- sum(high[ks <= stats::median(ks), , drop = FALSE])
  right <- sum(high[ks > stats::median(ks), , drop = FALSE])
  graphics::legend(if (right > left) "topleft" else "topright", bty = "n", cex = 0.8,
                   ncol = if (nm > 8L) 2L else 1L,
                   legend = models, col = col, pch = pch, lty = 1)
  invisible(x)
}

# The criterion's range, but when a few pairs are far worse than most (a
# poor model at small k), the top is cut at the best value plus four times
# the distance from the best to the median (or higher, so that every model
# keeps at least its best value on the plot), so the competitive pairs do
# not end up squashed on one line.
selection_ylim <- function(vals) {
  v <- vals[is.finite(vals)]
  best <- min(v)
  mid <- stats::median(v)
  top <- max(v)
  # every model keeps at least its best value on the plot
  model_best <- apply(vals, 2L, function(col) {
    if (any(is.finite(col))) min(col[is.finite(col)]) else best
  })
  upper <- max(best + 4 * (mid - best), model_best)
  clipped <- upper < top && top - best > 8 * (mid - best)
  if (!clipped) upper <- top
  pad <- if (upper > best) 0.04 * (upper - best) else max(0.05 * abs(best), 1)
  structure(c(best - pad, upper + pad), clipped = clipped)
}

plot_loglik <- function(x, dots) {
  tr <- x$loglik_trace
  args <- utils::modifyList(list(
    x = seq_along(tr), y = tr, type = "b", pch = 16, cex = 0.7,
    xlab = "EM iteration", ylab = "log-likelihood", main = loglik_title(x)), dots)
  do.call(graphics::plot, args)
  invisible(x)
}

loglik_title <- function(x) {
  sprintf("EM log-likelihood (%s after %d iteration%s)",
          if (x$converged) "converged" else "not converged",
          x$iterations, if (x$iterations == 1L) "" else "s")
}
