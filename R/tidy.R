#' Tidy summaries of a Gaussian mixture fit (broom)
#'
#' Methods for the generics of broom (from the generics package), registered
#' when broom or generics is installed; emgmm does not depend on either.
#'
#' * `tidy()`: one row per component, with its `component` number, `size`
#'   (observations classified there), `proportion`, then `mean.<variable>`
#'   and `variance.<variable>` for each variable (the diagonal of its
#'   covariance matrix).
#' * `glance()`: one row for the fit: `k`, `model`, `loglik`, `df`, `bic`,
#'   `icl`, `aic`, `n`, `converged`, `iterations`.
#' * `augment()`: the data (by default those of the fit, or `newdata`) with
#'   `.class` (the most probable component), `.uncertainty`
#'   (`1 - max posterior`) and one column of posterior probabilities per
#'   component, `.posterior_1`, ..., `.posterior_k`.  Columns of the data
#'   that already have one of these names (data augmented before) are
#'   replaced by the new ones, at the end, with a warning naming them; the
#'   other columns are kept as they are.
#'
#' Each returns a tibble when the tibble package is installed (as it is with
#' broom), otherwise a data frame.
#'
#' The class name `"gmm"` is also used by the gmm package (generalized
#' method of moments), for which broom has `tidy()` and `glance()` methods.
#' When broom is loaded after emgmm, R reports "Registered S3 methods
#' overwritten by 'broom': glance.emgmm, tidy.emgmm"; emgmm registers its
#' methods again right after, so emgmm fits get the methods described here,
#' and objects of the gmm package are handed to broom's.
#'
#' @param x An `"emgmm"` object.
#' @param data The data the fit was made on, to which the columns are added;
#'   by default the fit's own data (`x$data`).
#' @param newdata New observations with the fit's variables, instead of
#'   `data`.
#' @param ... Not used.
#' @return A tibble (or data frame).
#' @seealso [as.data.frame.emgmm()] for the model selection table.
#' @examples
#' fit <- gmm_fit(faithful, k = 2, threads = 1)
#' if (requireNamespace("broom", quietly = TRUE)) {
#'   broom::tidy(fit)
#'   broom::glance(fit)
#'   head(broom::augment(fit))
#' }
#' @name tidy.emgmm
NULL

#' @rdname tidy.emgmm
#' @exportS3Method generics::tidy
tidy.emgmm <- function(x, ...) {
  ecall <- user_call(sys.call(), "tidy")
  check_emgmm_object(x, ecall, "x")
  check_dots(list(...), ecall)
  p <- x$parameters
  vars <- variable_names(x)
  variances <- matrix(vapply(seq_len(x$k), function(j) {
    diag(matrix(p$covariances[, , j], x$d, x$d))
  }, numeric(x$d)), nrow = x$d)
  out <- data.frame(component = seq_len(x$k),
                    size = component_sizes(x),
                    proportion = p$proportions)
  means <- as.data.frame(matrix(p$means, x$k, x$d, dimnames = list(NULL, paste0("mean.", vars))),
                         optional = TRUE)
  vari <- as.data.frame(matrix(t(variances), x$k, x$d,
                               dimnames = list(NULL, paste0("variance.", vars))),
                        optional = TRUE)
  as_tidy_table(cbind(out, means, vari))
}

#' @rdname tidy.emgmm
#' @exportS3Method generics::glance
glance.emgmm <- function(x, ...) {
  ecall <- user_call(sys.call(), "glance")
  check_emgmm_object(x, ecall, "x")
  check_dots(list(...), ecall)
  as_tidy_table(data.frame(k = x$k, model = x$model, loglik = x$loglik, df = x$df,
                           bic = x$bic, icl = x$icl, aic = x$aic, n = x$n,
                           converged = x$converged, iterations = x$iterations))
}

#' @rdname tidy.emgmm
#' @exportS3Method generics::augment
augment.emgmm <- function(x, data = x$data, newdata = NULL, ...) {
  ecall <- user_call(sys.call(), "augment")
  check_emgmm_object(x, ecall, "x")
  check_dots(list(...), ecall)
  if (!is.null(newdata)) {
    m <- newdata_matrix(x, newdata, ecall)
    post <- predict_values(x, m, TRUE, x$control$threads, ecall)$posterior
    # a data frame keeps its other columns; anything else becomes the matrix
    base <- if (is.data.frame(newdata)) newdata else m
  } else {
    if (is_distributed(data)) {
      abort_input(paste0("`data` is on a cluster: augment() returns a data frame of all its rows. ",
                         "Use predict(x, type = \"posterior\") there, or give `newdata`."), ecall)
    }
    rows <- nrow(x$posterior)
    if (NROW(data) != rows) {
      abort_input(sprintf(paste0("`data` must be the %d observations the fit was made on ",
                                 "(use `newdata` for others), not %d rows."), rows, NROW(data)),
                  ecall)
    }
    post <- x$posterior
    base <- data
  }
  base <- if (is.data.frame(base)) {
    filled <- fill_names(names(base))
    if (!is.null(filled)) names(base) <- filled
    base
  } else {
    # columns named as gmm_fit() names them
    m <- as.matrix(base)
    colnames(m) <- fill_names(colnames(m))
    if (is.null(colnames(m))) colnames(m) <- variable_names(x)
    as.data.frame(m, optional = TRUE)
  }
  cl <- classify(post)
  extra <- data.frame(.class = cl$classification, .uncertainty = cl$uncertainty)
  postdf <- as.data.frame(matrix(post, nrow(post), x$k,
                                 dimnames = list(NULL, paste0(".posterior_", seq_len(x$k)))),
                          optional = TRUE)
  # columns of the data with the names of the added ones (data augmented
  # before) are replaced, as broom replaces them, with a warning
  added <- c(names(extra), names(postdf))
  clash <- names(base) %in% added
  if (any(clash)) {
    warn_input(sprintf(paste0(
      "`%s` already has column%s %s; replaced by the columns augment() adds."),
      if (is.null(newdata)) "data" else "newdata", if (sum(clash) == 1L) "" else "s",
      paste0("`", unique(names(base)[clash]), "`", collapse = ", ")), ecall)
    base <- base[!clash]
  }
  out <- cbind(base, extra, postdf)
  rownames(out) <- NULL
  as_tidy_table(out)
}

as_tidy_table <- function(df) {
  if (requireNamespace("tibble", quietly = TRUE)) tibble::as_tibble(df) else df
}

#' The model selection table as a data frame
#'
#' One row per fitted (k, model) pair, as in `x$selection`: `k`, `model`,
#' `loglik`, `df`, `bic`, `icl`, `aic`, `iterations`, `converged`, `start`,
#' `degenerate` and `reason`.  For a fit of a single pair, the one row of
#' that fit.
#'
#' @param x An `"emgmm"` object.
#' @param row.names,optional Not used (as in [base::as.data.frame()]).
#' @param ... Not used.
#' @return A data frame.
#' @examples
#' fit <- gmm_fit(faithful, k = 1:3, model = c("VVV", "EEE"), threads = 1)
#' as.data.frame(fit)
#' @export
as.data.frame.emgmm <- function(x, row.names = NULL, optional = FALSE, ...) {
  check_emgmm_object(x, sys.call(), "x")
  if (!is.null(x$selection)) {
    out <- x$selection
  } else {
    out <- data.frame(k = x$k, model = x$model, loglik = x$loglik, df = x$df, bic = x$bic,
                      icl = x$icl, aic = x$aic, iterations = x$iterations,
                      converged = x$converged, start = x$start,
                      degenerate = isTRUE(x$degenerate),
                      reason = NA_character_)
  }
  rownames(out) <- NULL
  out
}
