#' Predict from a Gaussian mixture model
#'
#' Classifies observations, gives their posterior membership probabilities, or
#' evaluates the fitted mixture density at them.
#'
#' @param object An `"emgmm"` object.
#' @param newdata Observations with the same variables as the training data: a
#'   numeric vector (univariate fits, or one observation of a multivariate
#'   fit), matrix or data frame, of numbers (dates and other classed columns
#'   are refused, as in [gmm_fit()]).  Data frames, and matrices with column
#'   names, are matched by column name when the fit's variables have names;
#'   columns without a name among named ones are named as in [gmm_fit()]
#'   (`V` and their position).  Without names, columns are taken in order.
#'   Without `newdata`, the answer is for the training data.  Data placed
#'   on a cluster ([gmm_distribute()], [gmm_shards()]) are predicted there,
#'   shard by shard; so is the training data of a fit made on them.
#'   Rows with missing values (`NA`) are answered from their observed
#'   coordinates: their posteriors and density are those of the marginal
#'   mixture of the variables observed (a row with nothing observed gets
#'   the proportions as posterior, and density 1).
#' @param type `"classification"` (an integer vector of components),
#'   `"posterior"` (an `n x k` matrix), `"density"` or `"logdensity"` (the
#'   mixture density of each row, or its logarithm, computed in log space),
#'   or `"impute"`: the data (a matrix) with each missing value replaced by
#'   its conditional mean given the row's observed values under the fitted
#'   mixture, \eqn{\sum_j z_j (\mu_{jm} + \Sigma_{jmo}\Sigma_{joo}^{-1}(x_o -
#'   \mu_{jo}))}{sum_j z_j (mu_jm + S_jmo S_joo^-1 (x_o - mu_jo))}, with
#'   \eqn{z_j}{z_j} the row's posteriors.
#' @param threads Number of threads.
#' @param output For data on a cluster: `"gather"` (default) returns the
#'   predictions here, in row order; `"workers"` leaves them on the
#'   workers, as a new [gmm_distribute()] object whose shards hold each
#'   shard's predictions (gather them with [as.matrix()]); `"files"` writes
#'   each shard's predictions with [saveRDS()] next to its file (for
#'   [gmm_shards()] data: `<file without extension>-<type>.rds`) and returns
#'   the paths, invisibly.
#' @param ... Not used.
#' @return See `type` and `output`.
#' @examples
#' fit <- gmm_fit(series, k = 3, threads = 1)
#' predict(fit, c(24, 36, 45))
#' predict(fit, c(24, 36, 45), type = "posterior")
#' predict(fit, c(24, 36, 45), type = "logdensity")
#' @importFrom stats predict
#' @export
predict.emgmm <- function(object, newdata,
                        type = c("classification", "posterior", "density", "logdensity",
                                 "impute"),
                        threads = object$control$threads,
                        output = c("gather", "workers", "files"), ...) {
  ecall <- sys.call()
  ecall[[1L]] <- as.name("predict")
  check_emgmm_object(object, ecall)
  check_dots(list(...), ecall)
  type <- check_choice(type, c("classification", "posterior", "density", "logdensity",
                                "impute"), "type", ecall)
  threads <- check_count(threads, "threads", ecall)
  output <- check_choice(output, c("gather", "workers", "files"), "output", ecall)
  trained <- missing(newdata) || is.null(newdata)
  dx <- if (trained) object$data else newdata
  if (type == "impute" && is_distributed(dx)) {
    abort_input("`type = \"impute\"` applies to data in memory.", ecall)
  }
  if (is_distributed(dx)) {
    check_distributed(dx, ecall, if (trained) "object$data" else "newdata")
    if (!trained) check_newdata_columns(object, dx$d, dx$names, ecall, ordered = TRUE)
    return(distributed_predict(object, dx, type, output, ecall))
  }
  if (output != "gather") {
    abort_input(sprintf(paste0("`output = \"%s\"` applies to data on a cluster; these data ",
                               "are in memory."), output), ecall)
  }
  if (trained) {
    if (type == "classification") return(object$classification)
    if (type == "posterior") return(object$posterior)
    data <- object$data
  } else {
    data <- newdata_matrix(object, newdata, ecall)
  }
  res <- predict_values(object, data, type %in% c("classification", "posterior"), threads,
                        ecall, impute = type == "impute")
  switch(type,
    impute = {
      out <- res$completed
      dimnames(out) <- list(NULL, colnames(object$parameters$means))
      out
    },
    classification = classify(res$posterior)$classification,
    posterior = res$posterior,
    density = exp(res$logdensity),
    logdensity = res$logdensity
  )
}

# The log mixture density of each row of `data` (a matrix with the fit's
# variables) and, when `posterior`, the n x k posterior; an error when a
# covariance of the fit is not positive definite.
predict_values <- function(object, data, posterior, threads, call, impute = FALSE) {
  if (nrow(data) == 0L) {
    return(list(posterior = matrix(0, 0L, object$k), logdensity = numeric(0),
                completed = matrix(0, 0L, object$d)))
  }
  p <- object$parameters
  res <- predict_cpp(data, p$proportions, p$means, p$covariances, posterior, threads, impute)
  if (res$status != "ok") {
    abort_fit(if (res$component > 0L) {
      sprintf("Component %d of the fit has a covariance that is not positive definite.",
              res$component)
    } else {
      paste0("A covariance of the fit, restricted to the variables observed in a row with ",
             "missing values, is not positive definite.")
    }, call)
  }
  res
}

# The most probable component of each row of a posterior matrix, and the
# uncertainty 1 - its posterior.
classify <- function(post) {
  cls <- if (nrow(post) > 0L) max.col(post, ties.method = "first") else integer(0)
  list(classification = cls, uncertainty = 1 - post[cbind(seq_len(nrow(post)), cls)])
}

# `newdata` as a double matrix with the fit's variables, in the fit's order.
newdata_matrix <- function(object, newdata, call) {
  vars <- colnames(object$parameters$means)
  d <- object$d
  if (is.data.frame(newdata)) {
    # empty names filled as for the data of the fit; none at all: by position
    filled <- fill_names(names(newdata))
    if (is.null(filled)) vars <- NULL else names(newdata) <- filled
  }
  if (is.data.frame(newdata) && !is.null(vars)) {
    missing_vars <- setdiff(vars, names(newdata))
    if (length(missing_vars) > 0L) {
      abort_input(sprintf("`newdata` must have the variables of the fit (%s), but `%s` is missing.",
                          paste(vars, collapse = ", "), missing_vars[1L]), call)
    }
    newdata <- newdata[vars]
  }
  if (is.numeric(newdata) && is.null(dim(newdata)) && d > 1L) {
    if (length(newdata) != d) {
      abort_input(sprintf(paste0("`newdata` must have %d columns like the data of the fit; ",
                                 "a vector must have length %d, not %d."),
                          d, d, length(newdata)), call)
    }
    newdata <- matrix(newdata, nrow = 1L, dimnames = list(NULL, names(newdata)))
  }
  m <- as_data_matrix(newdata, call, arg = "newdata", allow_empty = TRUE, allow_na = TRUE)
  check_newdata_columns(object, ncol(m), colnames(m), call)
  if (!is.null(vars) && !is.null(colnames(m))) m <- m[, vars, drop = FALSE]
  m
}

# `newdata` with `d` columns named `names` fits the fit's variables (data on
# a cluster must have them in the fit's order).
check_newdata_columns <- function(object, d, names, call, ordered = FALSE) {
  vars <- colnames(object$parameters$means)
  if (d != object$d) {
    abort_input(sprintf("`newdata` must have %d column%s like the data of the fit, not %d.",
                        object$d, if (object$d == 1L) "" else "s", d), call)
  }
  if (!is.null(vars) && !is.null(names)) {
    if (!setequal(names, vars)) {
      abort_input(sprintf("`newdata` must have the variables of the fit (%s), not %s.",
                          paste(vars, collapse = ", "), paste(names, collapse = ", ")), call)
    }
    if (ordered && !identical(names, vars)) {
      abort_input(sprintf(paste0("`newdata` on a cluster must have the variables of the fit ",
                                 "in its order (%s), not %s."),
                          paste(vars, collapse = ", "), paste(names, collapse = ", ")), call)
    }
  }
  invisible()
}
