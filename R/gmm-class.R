#' The "emgmm" object
#'
#' [gmm_fit()] returns a list of class `"emgmm"` made of plain R data, so that
#' `saveRDS()` and `readRDS()` just work.  Its fields:
#'
#' * `k`, `model`, `n`, `d`: number of components, covariance model (mclust's
#'   spelling), number of observations and of variables.  With `weights`,
#'   `n` is the sum of the weights; with missing values fitted by
#'   `na_action = "em"`, the number of rows with at least one value
#'   observed.  The rows of `posterior` and `data` are the rows of `x`
#'   (with `na_action = "omit"`, its complete rows).
#' * `parameters`: a list with `proportions` (length `k`, sums to 1), `means`
#'   (a `k x d` matrix, one row per component, columns named after the
#'   variables) and `covariances` (a `d x d x k` array, also for `d = 1` and for
#'   models whose components share one covariance).
#' * `loglik`, `df`: the maximised log-likelihood and the number of free
#'   parameters.
#' * `bic`, `icl`, `aic`: information criteria on the scale where lower is
#'   better: `bic = -2 loglik + df log(n)` (mclust's BIC is its negative),
#'   `aic = -2 loglik + 2 df`, and `icl = bic - 2 sum_i log(max_k z_ik)`.
#' * `posterior`: the `n x k` matrix of membership probabilities;
#'   `classification`: the most probable component of each observation;
#'   `uncertainty`: `1 - max posterior`.
#' * `iterations`, `converged`, `loglik_trace`: EM diagnostics.
#' * `degenerate`: `TRUE` when a component is held up by the ridge alone
#'   (see "Degenerate fits" in [gmm_fit()]); `start`: the start the fit came
#'   from (`"hc"`, `"kmeans"`, `"random"`, `"labels"` or `"posterior"`; with
#'   `init = "auto"`, whichever of the hierarchical and k-means++ starts
#'   won); `warnings`: the warnings [gmm_fit()] gave about this fit (a
#'   character vector, usually empty).
#' * `selection`: `NULL` when one (k, model) pair was fitted, else a data frame
#'   with one row per pair: `k`, `model`, `loglik`, `df`, `bic`, `icl`, `aic`,
#'   `iterations`, `converged`, `start` (the start that won for that pair),
#'   `degenerate` (a component is held up by the ridge alone) and `reason`
#'   (why a pair could not be fitted or is degenerate; `NA` otherwise).
#'   Pairs that could not be fitted have `NA` values.
#' * `criterion`, `control` (the settings used: `init`, `n_init`,
#'   `hc_subset` (the number of rows the hierarchical start used, for
#'   `init = "auto"` and `"hc"`), `screen_rows` (the number of rows the starts
#'   were screened on, when that was a sample), `max_iter`, `inner_max_iter`,
#'   `inner_tol`, `tol`, `reg` (the ridge of each variable, length `d`),
#'   `reg_default`, `threads`, `na_action`, `start_rows`: with missing
#'   values, whether the starts used the `"complete"` rows or
#'   `"imputed"` ones), `data` (the data as a matrix, with its missing
#'   values), and `call`.
#' * `weights`: the weights of the rows of `data`, or `NULL`; `missing`:
#'   `values` (missing values fitted), `rows` (rows with some value
#'   missing) and `dropped` (rows left out: of weight zero, with nothing
#'   observed, or incomplete with `na_action = "omit"`).
#'
#' For data placed on a cluster ([gmm_distribute()], [gmm_shards()]),
#' `data` is that object, `posterior`, `classification` and `uncertainty`
#' are `NULL` (they stay with the data: [predict.emgmm()] computes them
#' there), and `sizes` gives the number of observations each component
#' gets (its most probable one).
#'
#' @name emgmm-object
NULL

new_emgmm <- function(fit, data, criterion, selection, control, call) {
  vars <- colnames(data)
  means <- fit$means
  colnames(means) <- vars
  cov <- fit$covariances
  if (!is.null(vars)) dimnames(cov) <- list(vars, vars, NULL)
  structure(
    list(
      k = fit$k,
      model = fit$model,
      n = nrow(data),
      d = as.integer(ncol(data)),
      parameters = list(proportions = fit$proportions, means = means, covariances = cov),
      loglik = fit$loglik,
      df = fit$df,
      bic = fit$bic,
      icl = fit$icl,
      aic = fit$aic,
      posterior = fit$posterior,
      classification = if (!is.null(fit$classification)) as.integer(fit$classification),
      uncertainty = fit$uncertainty,
      iterations = fit$iterations,
      converged = fit$converged,
      loglik_trace = fit$loglik_trace,
      degenerate = isTRUE(fit$degenerate),
      start = fit$start,
      warnings = if (is.null(fit$warnings)) character() else fit$warnings,
      sizes = fit$sizes,
      selection = selection,
      criterion = criterion,
      control = control,
      data = data,
      call = call
    ),
    class = "emgmm"
  )
}

validate_emgmm <- function(x) {
  p <- x$parameters
  stopifnot(
    length(p$proportions) == x$k,
    abs(sum(p$proportions) - 1) < 1e-8,
    identical(dim(p$means), c(x$k, x$d)),
    identical(dim(p$covariances), c(x$d, x$d, x$k)),
    all(is.finite(p$means)), all(is.finite(p$covariances)),
    is.finite(x$loglik)
  )
  if (!is_distributed(x$data)) {
    rows <- nrow(x$data)
    stopifnot(identical(dim(x$posterior), c(rows, x$k)), all(is.finite(x$posterior)),
              length(x$classification) == rows)
  }
  x
}

# The number of observations each component gets (its most probable one).
component_sizes <- function(x) {
  if (is_distributed(x$data)) return(x$sizes)
  tabulate(x$classification, nbins = x$k)
}

# The parts of an "emgmm" object that predict(), plot() and simulate() hand
# to C++ must be consistent (an object edited by hand must not crash the
# session).  The shapes are checked here; whether the numbers are usable is
# the engine's one definition (check_parameters_cpp()), the same test the
# fit itself passed, so every fit gmm_fit() returns is accepted.
check_emgmm_object <- function(object, call, arg = "object") {
  p <- object$parameters
  k <- length(p$proportions)
  d <- NCOL(p$means)
  ok <- is.list(p) && is.numeric(p$proportions) && k >= 1L &&
    is.numeric(p$means) && identical(dim(p$means), c(k, d)) &&
    is.numeric(p$covariances) && identical(as.integer(dim(p$covariances)), c(d, d, k)) &&
    all(is.finite(p$covariances)) && all(is.finite(p$means)) &&
    identical(as.integer(object$d), d) && identical(as.integer(object$k), k) &&
    isTRUE(object$k == k)
  problem <- NULL
  if (isTRUE(ok)) {
    res <- check_parameters_cpp(as.double(p$proportions), matrix(as.double(p$means), k, d),
                                as.double(p$covariances))
    problem <- switch(res$status,
      ok = NULL,
      empty = "the proportions must be positive and sum to 1",
      sprintf(paste0("the covariance of component %d must be symmetric and positive ",
                     "definite"), res$component))
  }
  if (!isTRUE(ok) || !is.null(problem)) {
    abort_input(paste0("`", arg, "` must be an \"emgmm\" fit with consistent parameters: ",
                       "positive proportions summing to 1, a k x d matrix of means and a ",
                       "d x d x k array of symmetric positive definite covariances",
                       if (!is.null(problem)) paste0("; ", problem), "."), call)
  }
  invisible(object)
}

# The fit's variable names, or x (d = 1) / x1, x2, ... when the data had none.
variable_names <- function(object) {
  vars <- colnames(object$parameters$means)
  if (!is.null(vars)) return(vars)
  if (object$d == 1L) "x" else paste0("x", seq_len(object$d))
}

fmt_num <- function(x, digits = 4L) {
  format(signif(x, digits))
}

fmt_fixed <- function(x, digits = 3L) {
  formatC(x, digits = digits, format = "f")
}

#' Print, format and summarise an "emgmm" fit
#'
#' `format()` returns the lines that `print()` writes: the model, the
#' log-likelihood and criteria, and a table of proportions, means and
#' variances.  `summary()` adds the full covariance matrices, the sizes of the
#' classes and the model selection table.
#'
#' @param x,object A `"emgmm"` object (or its summary).
#' @param digits Significant digits: a whole number from 1 to 22, or `NULL`
#'   for the default, 4.
#' @param ... Not used.
#' @return `format()` a character vector; `print()` its argument, invisibly;
#'   `summary()` an object of class `"summary.emgmm"`.
#' @examples
#' fit <- gmm_fit(faithful, k = 2, threads = 1)
#' fit
#' summary(fit)
#' @export
format.emgmm <- function(x, digits = 4L, ...) {
  digits <- check_digits(digits, user_call(sys.call(), "format"))
  vars <- variable_names(x)
  desc <- model_description(x$model)
  its <- sprintf("%d iteration%s", x$iterations, if (x$iterations == 1L) "" else "s")
  status <- if (x$converged) paste("converged in", its) else paste("NOT converged after", its)
  head <- c(
    sprintf("Gaussian mixture model: %d component%s, model %s (%s)", x$k,
            if (x$k == 1L) "" else "s", x$model, desc),
    sprintf("n = %s, d = %d; EM %s", fmt_count(x$n), x$d, status),
    sprintf("log-likelihood %s, df %d, BIC %s, ICL %s, AIC %s",
            fmt_fixed(x$loglik), as.integer(x$df), fmt_fixed(x$bic),
            fmt_fixed(x$icl), fmt_fixed(x$aic))
  )
  if (!is.null(x$selection)) {
    failed <- sum(is.na(x$selection[[x$criterion]]))
    head <- c(head, sprintf("selected by %s among %d (k, model) pairs%s",
                            toupper(x$criterion), nrow(x$selection),
                            if (failed > 0L) sprintf(" (%d could not be fitted)", failed) else ""))
  }
  head <- c(head, regularisation_line(x), data_line(x))
  if (length(x$warnings) > 0L) head <- c(head, paste("warning:", x$warnings))
  c(head, "", format_table(parameter_table(x, vars), digits))
}

# How the covariances were regularised, in words.
regularisation_line <- function(x) {
  ctl <- x$control
  if (is.null(ctl$reg)) return(character())
  if (isTRUE(ctl$reg_default)) {
    return("ridge: 1e-10 x the covariance matrix of the data, added to every covariance (the default)")
  }
  r <- if (is.matrix(ctl$reg)) diag(ctl$reg) else ctl$reg
  if (all(r == 0)) {
    "ridge: none (reg = 0, plain maximum likelihood)"
  } else if (length(unique(r)) == 1L) {
    sprintf("ridge: %s added to the diagonal of every covariance", fmt_num(r[1L], 3L))
  } else {
    sprintf("ridge: %s added to the diagonal of every covariance",
            paste(fmt_num(r, 3L), collapse = ", "))
  }
}

# A numeric table as aligned lines: each row formatted together, so that its
# cells share one number of decimals (enough for `digits` significant digits
# in every cell), right-aligned.
format_table <- function(tab, digits) {
  cells <- t(apply(tab, 1L, function(row) format(row, digits = digits, trim = TRUE)))
  if (ncol(tab) == 1L) cells <- t(cells)
  dimnames(cells) <- dimnames(tab)
  utils::capture.output(print(noquote(cells), right = TRUE))
}

# Proportions, means and variances as a numeric matrix with one column per
# component.
parameter_table <- function(x, vars) {
  p <- x$parameters
  var_rows <- vapply(seq_len(x$k), function(j) diag(matrix(p$covariances[, , j], x$d, x$d)),
                     numeric(x$d))
  var_rows <- matrix(var_rows, nrow = x$d)
  tab <- rbind(p$proportions, t(p$means), var_rows)
  rownames(tab) <- c("proportion", paste("mean", vars),
                     if (x$d == 1L) "variance" else paste("variance", vars))
  colnames(tab) <- as.character(seq_len(x$k))
  tab
}

#' @rdname format.emgmm
#' @export
print.emgmm <- function(x, digits = 4L, ...) {
  digits <- check_digits(digits, user_call(sys.call(), "print"))
  writeLines(format(x, digits = digits, ...))
  invisible(x)
}

# The call of a method as the user wrote it: the generic's name, not the
# method's (print(fit), not print.emgmm(fit)).
user_call <- function(call, generic) {
  call[[1L]] <- as.name(generic)
  call
}

#' @rdname format.emgmm
#' @export
summary.emgmm <- function(object, ...) {
  structure(
    list(
      fit = object,
      table = parameter_table(object, variable_names(object)),
      sizes = component_sizes(object),
      criteria = c(loglik = object$loglik, df = object$df, bic = object$bic,
                   icl = object$icl, aic = object$aic)
    ),
    class = "summary.emgmm"
  )
}

#' @rdname format.emgmm
#' @export
format.summary.emgmm <- function(x, digits = 4L, ...) {
  digits <- check_digits(digits, user_call(sys.call(), "format"))
  fit <- x$fit
  out <- utils::head(format(fit, digits = digits), 3L)
  out <- c(out, sprintf("start: %s; tol %s; ridge %s", start_line(fit),
                        fmt_num(fit$control$tol, 3L),
                        if (isTRUE(fit$control$reg_default)) "1e-10 x the data's covariance"
                        else fmt_num(fit$control$reg[1L], 3L)))
  out <- c(out, data_line(fit))
  if (length(fit$warnings) > 0L) out <- c(out, paste("warning:", fit$warnings))
  out <- c(out, "", "Components:")
  tab <- rbind(x$table[1L, , drop = FALSE], size = x$sizes, x$table[-1L, , drop = FALSE])
  out <- c(out, format_table(tab, digits))
  if (fit$d > 1L) {
    for (j in seq_len(fit$k)) {
      out <- c(out, "", sprintf("Covariance of component %d:", j))
      out <- c(out, utils::capture.output(print(signif(fit$parameters$covariances[, , j],
                                                       digits))))
    }
  }
  if (!is.null(fit$selection)) {
    sel <- fit$selection
    ord <- order(sel[[fit$criterion]], na.last = TRUE)
    failed <- sum(is.na(sel[[fit$criterion]]))
    drop <- c(if (!any(sel$degenerate, na.rm = TRUE)) "degenerate", "reason")
    shown <- utils::head(sel[ord, setdiff(names(sel), drop)], 10L)
    out <- c(out, "", sprintf("Best (k, model) pairs by %s%s:", toupper(fit$criterion),
                              if (nrow(sel) > nrow(shown)) {
                                sprintf(" (%d of %d; all in $selection)", nrow(shown), nrow(sel))
                              } else ""))
    out <- c(out, utils::capture.output(print(shown, row.names = FALSE,
                                              digits = min(digits + 3L, 22L))))
    if (failed > 0L) {
      out <- c(out, sprintf("%d pair%s could not be fitted (NA in $selection, with the reason).",
                            failed, if (failed == 1L) "" else "s"))
    }
  }
  out
}

# A count, or a sum of weights, for print().
fmt_count <- function(n) {
  if (abs(n - round(n)) < 1e-8) format(round(n), scientific = FALSE) else fmt_num(n, 6L)
}

# The weights and missing values of the fit's data, in words (or nothing).
data_line <- function(x) {
  out <- character()
  if (!is.null(x$weights)) {
    out <- c(out, sprintf("weights: n is their sum, over %d rows (%d of weight zero)",
                          length(x$weights), sum(x$weights == 0)))
  }
  m <- x$missing
  act <- x$control$na_action
  if (!is.null(m) && m$values > 0L) {
    starts <- switch(if (is.null(x$control$start_rows)) "" else x$control$start_rows,
                     complete = " (starts on the complete rows)",
                     imputed = " (starts on mean-imputed rows)", "")
    out <- c(out, sprintf("missing values: %s%s, %s%s%s",
                          format(m$values, big.mark = ","),
                          if (is.na(m$rows)) "" else sprintf(" in %d rows", m$rows),
                          if (identical(act, "omit")) "incomplete rows omitted" else
                            "handled inside EM",
                          starts,
                          if (m$dropped > 0L && is.null(x$weights)) {
                            sprintf("; %d rows with nothing observed left out", m$dropped)
                          } else ""))
  } else if (identical(act, "em") && !is.null(m) && m$dropped > 0L && is.null(x$weights)) {
    out <- c(out, sprintf("missing values: %d rows with nothing observed left out", m$dropped))
  } else if (identical(act, "omit") && !is.null(m) && m$dropped > 0L) {
    out <- c(out, sprintf("missing values: %d incomplete rows omitted (na_action = \"omit\")",
                          m$dropped))
  }
  out
}

# The start of a fit in words: the kind asked for, how many, which won.
start_line <- function(fit) {
  ctl <- fit$control
  on_rows <- if (isTRUE(ctl$hc_subset < nrow(fit$data))) {
    sprintf(" on %d of the %d rows", ctl$hc_subset, nrow(fit$data))
  } else ""
  what <- switch(ctl$init,
    auto = sprintf("auto (hierarchical%s and %d k-means++)", on_rows, ctl$n_init),
    kmeans = , random = sprintf("%s (n_init = %d)", ctl$init, ctl$n_init),
    hc = sprintf("hc%s", on_rows),
    ctl$init)
  won <- if (identical(ctl$init, "auto") && !is.null(fit$start)) {
    sprintf(", %s won", if (fit$start == "hc") "hierarchical" else "k-means++")
  } else ""
  paste0(what, won)
}

#' @rdname format.emgmm
#' @export
print.summary.emgmm <- function(x, digits = 4L, ...) {
  digits <- check_digits(digits, user_call(sys.call(), "print"))
  writeLines(format(x, digits = digits, ...))
  invisible(x)
}

#' Log-likelihood, number of observations and information criteria
#'
#' `logLik()` returns the maximised log-likelihood with its degrees of freedom
#' and number of observations, so that [stats::AIC()] and [stats::BIC()] work.
#'
#' @param object An `"emgmm"` object.
#' @param ... Not used.
#' @return `logLik()` an object of class `"logLik"`; `nobs()` a whole number.
#' @examples
#' fit <- gmm_fit(faithful, k = 2, threads = 1)
#' logLik(fit)
#' BIC(fit) # equals fit$bic
#' @export
logLik.emgmm <- function(object, ...) {
  structure(object$loglik, df = object$df, nobs = object$n, class = "logLik")
}

#' @rdname logLik.emgmm
#' @export
nobs.emgmm <- function(object, ...) {
  object$n
}
