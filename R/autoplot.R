#' ggplot2 figures of a Gaussian mixture fit
#'
#' The figures of [plot.emgmm()] as ggplot objects, to be themed, faceted or
#' combined as usual.  The method is registered for `ggplot2::autoplot()`
#' when ggplot2 is installed (emgmm does not depend on it); call it as
#' `ggplot2::autoplot(fit)` or `autoplot(fit)` with ggplot2 attached.  With
#' more than two variables the pairs of variables are facets.
#'
#' @inheritParams plot.emgmm
#' @param object An `"emgmm"` object from [gmm_fit()].
#' @param ... Not used.
#' @return A `ggplot` object.
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   fit <- gmm_fit(series, k = 3, threads = 1)
#'   ggplot2::autoplot(fit)
#'   fit2 <- gmm_fit(faithful, k = 1:3, model = c("VVV", "EEE"), threads = 1)
#'   ggplot2::autoplot(fit2, type = "classification")
#'   ggplot2::autoplot(fit2, type = "selection")
#' }
#' @name autoplot.emgmm
NULL

#' @rdname autoplot.emgmm
#' @exportS3Method ggplot2::autoplot
autoplot.emgmm <- function(object, type = NULL, dimens = NULL, ...) {
  ecall <- sys.call()
  ecall[[1L]] <- as.name("autoplot")
  if (!requireNamespace("ggplot2", quietly = TRUE)) {
    abort_input("`autoplot()` needs the ggplot2 package; install it first.", ecall)
  }
  check_emgmm_object(object, ecall)
  check_dots(list(...), ecall)
  x <- object
  type <- check_plot_type(x, type, ecall)
  if (type == "selection") return(gg_selection(x, ecall))
  if (type == "loglik") return(gg_loglik(x))
  dims <- check_dimens(x, dimens, ecall)
  view <- marginal_view(x, dims)
  style <- component_style(x$k, list())
  p <- if (length(dims) == 1L) gg_1d(view, type, style) else gg_pairs(view, type, style)
  p + ggplot2::labs(title = plot_title(view, type)) + ggplot2::theme_bw()
}

gg_component_scales <- function(view, style) {
  labels <- component_labels(view)
  names(labels) <- seq_len(view$k)
  list(ggplot2::scale_colour_manual("component", values = stats::setNames(style$col, seq_len(view$k)),
                                    labels = labels, drop = FALSE),
       ggplot2::scale_shape_manual("component", values = stats::setNames(style$pch, seq_len(view$k)),
                                   labels = labels, drop = FALSE))
}

gg_1d <- function(view, type, style) {
  .data <- ggplot2::.data
  x <- view$data[, 1L]
  cls <- factor(view$classification, levels = seq_len(view$k))
  df <- data.frame(x = x, component = cls, uncertainty = view$uncertainty)
  scales <- gg_component_scales(view, style)
  if (type == "density") {
    d <- density_curves_1d(view)
    curves <- data.frame(x = d$grid, density = as.vector(d$comp),
                         component = factor(rep(seq_len(view$k), each = length(d$grid)),
                                            levels = seq_len(view$k)))
    mix <- data.frame(x = d$grid, density = d$mix)
    h <- graphics::hist(x, breaks = hist_breaks(x), plot = FALSE)
    bars <- data.frame(left = utils::head(h$breaks, -1L), right = h$breaks[-1L],
                       density = h$density)
    ggplot2::ggplot(df, ggplot2::aes(x = .data$x)) +
      ggplot2::geom_rect(data = bars, ggplot2::aes(xmin = .data$left, xmax = .data$right,
                                                   ymin = 0, ymax = .data$density),
                         inherit.aes = FALSE, fill = "grey90", colour = "grey60") +
      ggplot2::geom_line(data = mix, ggplot2::aes(y = .data$density), linewidth = 1.8,
                         colour = "grey20") +
      ggplot2::geom_line(data = curves, ggplot2::aes(y = .data$density, colour = .data$component),
                         linewidth = 0.9) +
      ggplot2::geom_rug(colour = "grey40") +
      scales[[1L]] +
      ggplot2::labs(x = view$vars[1L], y = "density",
                    caption = "grey: the mixture; colours: each component times its proportion")
  } else if (type == "classification") {
    means <- data.frame(x = view$means[, 1L], component = factor(seq_len(view$k)))
    ggplot2::ggplot(df, ggplot2::aes(x = .data$x, y = .data$component, colour = .data$component)) +
      ggplot2::geom_point(shape = "|", size = 5) +
      ggplot2::geom_point(data = means, shape = 23, size = 3.5, fill = "white", colour = "black") +
      scales[[1L]] + ggplot2::labs(x = view$vars[1L], y = "component")
  } else {
    ggplot2::ggplot(df, ggplot2::aes(x = .data$x, y = .data$uncertainty, colour = .data$component)) +
      ggplot2::geom_segment(ggplot2::aes(xend = .data$x, yend = 0)) +
      ggplot2::geom_point(ggplot2::aes(shape = .data$component)) +
      ggplot2::geom_hline(yintercept = 1 - 1 / view$k, linetype = 3, colour = "grey50") +
      scales + ggplot2::labs(x = view$vars[1L], y = "uncertainty (1 - max posterior)")
  }
}

# Long data for every ordered pair of the view's variables (a on the
# horizontal axis, b on the vertical), faceted b ~ a; one pair gives one panel.
gg_pairs <- function(view, type, style) {
  .data <- ggplot2::.data
  m <- ncol(view$data)
  pairs <- if (m == 2L) list(c(1L, 2L)) else {
    g <- expand.grid(a = seq_len(m), b = seq_len(m))
    g <- g[g$a != g$b, ]
    lapply(seq_len(nrow(g)), function(i) c(g$a[i], g$b[i]))
  }
  lv <- view$vars
  tag <- function(df, ab) {
    df$xvar <- factor(lv[ab[1L]], levels = lv)
    df$yvar <- factor(lv[ab[2L]], levels = lv)
    df
  }
  cls <- factor(view$classification, levels = seq_len(view$k))
  pts <- do.call(rbind, lapply(pairs, function(ab) {
    tag(data.frame(x = view$data[, ab[1L]], y = view$data[, ab[2L]], component = cls,
                   uncertainty = view$uncertainty), ab)
  }))
  p <- ggplot2::ggplot(pts, ggplot2::aes(x = .data$x, y = .data$y))
  scales <- gg_component_scales(view, style)
  if (type == "density") {
    lines <- do.call(rbind, lapply(pairs, function(ab) {
      widen <- function(r) r + c(-0.05, 0.05) * diff(r)
      s <- density_surface(pair_mixture(view, ab), widen(variable_limits(view, ab[1L], "density")),
                           widen(variable_limits(view, ab[2L], "density")))
      if (is.null(s)) return(NULL)
      cl <- grDevices::contourLines(s$x, s$y, s$z, levels = s$levels)
      if (length(cl) == 0L) return(NULL)
      tag(do.call(rbind, lapply(seq_along(cl), function(i) {
        data.frame(x = cl[[i]]$x, y = cl[[i]]$y, path = paste(ab[1L], ab[2L], i),
                   mass = factor(hdr_labels[match(cl[[i]]$level, s$levels)], levels = hdr_labels))
      })), ab)
    }))
    p <- p + ggplot2::geom_point(colour = "grey60", size = 0.8) +
      ggplot2::geom_path(data = lines, ggplot2::aes(group = .data$path, colour = .data$mass),
                         linewidth = 0.8) +
      ggplot2::scale_colour_manual("mass inside",
                                   values = c("#08306B", "#08519C", "#4292C6", "#9ECAE1"),
                                   drop = FALSE)
  } else if (type == "classification") {
    ell <- do.call(rbind, lapply(pairs, function(ab) {
      sub <- pair_mixture(view, ab)
      do.call(rbind, lapply(seq_len(view$k), function(j) {
        e <- ellipse_points(sub$means[j, ], matrix(sub$covariances[, , j], 2L, 2L))
        tag(data.frame(x = e[, 1L], y = e[, 2L], component = factor(j, levels = seq_len(view$k))), ab)
      }))
    }))
    centres <- do.call(rbind, lapply(pairs, function(ab) {
      tag(data.frame(x = view$means[, ab[1L]], y = view$means[, ab[2L]]), ab)
    }))
    p <- p + ggplot2::geom_point(ggplot2::aes(colour = .data$component, shape = .data$component),
                                 size = 1.4) +
      ggplot2::geom_path(data = ell, ggplot2::aes(colour = .data$component), linewidth = 0.9) +
      ggplot2::geom_point(data = centres, shape = 3, size = 3, stroke = 1.2) + scales
  } else {
    p <- p + ggplot2::geom_point(ggplot2::aes(colour = .data$component, size = .data$uncertainty),
                                 alpha = 0.8) +
      ggplot2::scale_size_continuous("uncertainty", range = c(0.3, 4),
                                     limits = c(0, max(1 - 1 / view$k, 1e-12))) + scales[[1L]]
  }
  if (m == 2L) {
    p + ggplot2::labs(x = lv[1L], y = lv[2L])
  } else {
    p + ggplot2::facet_grid(ggplot2::vars(.data$yvar), ggplot2::vars(.data$xvar), scales = "free") +
      ggplot2::labs(x = NULL, y = NULL)
  }
}

gg_selection <- function(x, call) {
  .data <- ggplot2::.data
  sel <- fit_selection(x, call)
  crit <- x$criterion
  df <- data.frame(k = sel$k, model = factor(sel$model, levels = unique(sel$model)),
                   value = sel[[crit]])
  df <- df[!is.na(df$value), ]
  best <- data.frame(k = x$k, value = x[[crit]])
  ggplot2::ggplot(df, ggplot2::aes(x = .data$k, y = .data$value, colour = .data$model,
                                   shape = .data$model)) +
    ggplot2::geom_line() + ggplot2::geom_point(size = 2) +
    ggplot2::geom_point(data = best, ggplot2::aes(x = .data$k, y = .data$value), inherit.aes = FALSE,
                        shape = 1, size = 7, stroke = 1.1) +
    ggplot2::scale_shape_manual(values = rep_len(plot_symbols, nlevels(df$model))) +
    ggplot2::scale_x_continuous(breaks = sort(unique(sel$k))) +
    ggplot2::labs(x = "number of components k", y = sprintf("%s (lower is better)", toupper(crit)),
                  title = sprintf("Model selection by %s", toupper(crit))) +
    ggplot2::theme_bw()
}

gg_loglik <- function(x) {
  .data <- ggplot2::.data
  df <- data.frame(iteration = seq_along(x$loglik_trace), loglik = x$loglik_trace)
  ggplot2::ggplot(df, ggplot2::aes(x = .data$iteration, y = .data$loglik)) +
    ggplot2::geom_line() + ggplot2::geom_point(size = 1.2) +
    ggplot2::labs(x = "EM iteration", y = "log-likelihood", title = loglik_title(x)) +
    ggplot2::theme_bw()
}
