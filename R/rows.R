# Observation weights and missing values: which rows a fit uses, with what
# weight, the rows its starts are computed on, and the moments of the data
# that the checks and the default ridge read.

na_choices <- c("fail", "em", "omit")

# `weights`: NULL, or one non-negative finite number per row, not all zero.
check_weights <- function(weights, n, call) {
  if (is.null(weights)) return(NULL)
  if (!is.numeric(weights) || is.object(weights) || !is.null(dim(weights))) {
    abort_input(sprintf("`weights` must be a numeric vector with one weight per observation, not %s.",
                        describe(weights)), call)
  }
  if (length(weights) != n) {
    abort_input(sprintf("`weights` must have one weight per observation (%d), not %d.",
                        n, length(weights)), call)
  }
  bad <- which(is.na(weights) | !is.finite(weights) | weights < 0)
  if (length(bad) > 0L) {
    abort_input(sprintf(paste0("`weights` must be non-negative finite numbers, but element %d ",
                               "is %s."), bad[1L], describe(weights[bad[1L]])), call)
  }
  if (!any(weights > 0)) {
    abort_input("`weights` must not all be zero.", call)
  }
  as.double(weights)
}

# The rows a fit uses: those of positive weight, and by `na_action` the
# rows with missing values ("em": all but those with nothing observed;
# "omit": complete rows only).  Returns the data of those rows (with their
# moments, row_moments(), when they have weights or missing values), their
# weights (or NULL), their indices in `data` (NULL: all), and counts.
fit_rows <- function(data, weights, na_action, call) {
  n <- nrow(data)
  if (is.null(weights) && (na_action == "fail" || !anyNA(data))) {
    # every row as it is (as_data_matrix() refused missing values for "fail")
    return(list(data = data, weights = NULL, rows = NULL, missing = 0L, dropped = 0L,
                incomplete = 0L))
  }
  observed <- !is.na(data)
  keep <- if (is.null(weights)) rep(TRUE, n) else weights > 0
  any_na <- !all(observed)
  if (any_na && na_action == "omit") keep <- keep & rowSums(!observed) == 0L
  if (any_na && na_action == "em") keep <- keep & rowSums(observed) > 0L
  if (!any(keep)) {
    abort_input(if (na_action == "omit") {
      "`x` has no complete observation (with positive weight); `na_action = \"omit\"` leaves nothing to fit."
    } else "`x` has no observation with an observed value (and positive weight).", call)
  }
  rows <- if (all(keep)) NULL else which(keep)
  fdata <- if (is.null(rows)) data else data[rows, , drop = FALSE]
  w <- if (is.null(weights)) NULL else if (is.null(rows)) weights else weights[rows]
  missing <- sum(is.na(fdata))
  if (missing > 0L) {
    empty_col <- which(colSums(!is.na(fdata)) == 0L)
    if (length(empty_col) > 0L) {
      vars <- colnames(data)
      abort_input(sprintf("`x` has no observed value in %s.",
                          if (is.null(vars)) sprintf("column %d", empty_col[1L]) else
                            sprintf("column `%s`", vars[empty_col[1L]])), call)
    }
  }
  if (!is.null(w) || missing > 0L) attr(fdata, "emgmm_moments") <- row_moments(fdata, w)
  list(data = fdata, weights = w, rows = rows, missing = missing,
       dropped = n - nrow(fdata),
       incomplete = if (missing > 0L) sum(rowSums(is.na(fdata)) > 0L) else 0L)
}

# Moments of rows with weights (frequency weights: as of the rows repeated
# as their weights say) or missing values: those of one shard on a cluster
# (shard_summary(), combine_moments()), so that both kinds of data follow
# one rule.
row_moments <- function(data, w) combine_moments(list(shard_summary(1L, data, w)))

# The moments of in-memory rows with weights or missing values (NULL: none).
data_moments <- function(data) attr(data, "emgmm_moments")

# The number of observations for the criteria: the sum of the weights (the
# number of rows when there are none).
data_n <- function(data, weight_scale = 1) {
  n <- if (is_distributed(data)) data$moments$n else {
    m <- data_moments(data)
    if (is.null(m)) nrow(data) else m$n
  }
  if (!is.null(weight_scale)) n <- n * weight_scale
  # a whole number stays an integer, as a count of rows is
  if (n == round(n) && n <= .Machine$integer.max) as.integer(round(n)) else n
}

# The rows the starts are computed on when some values are missing: the
# complete rows when there are at least 2 k (d + 1) of them (enough for
# every component's covariance), else every row with each missing value
# replaced by the mean of its variable.  NULL: the rows themselves.
start_rows <- function(data, w, k_max) {
  if (is.null(data_moments(data)) || !anyNA(data)) return(NULL)
  complete <- which(rowSums(is.na(data)) == 0L)
  if (use_complete_rows(length(complete), k_max, ncol(data))) {
    return(list(data = data[complete, , drop = FALSE],
                weights = if (!is.null(w)) w[complete], how = "complete", rows = complete))
  }
  filled <- fill_missing(data, data_moments(data)$col_mean)
  attr(filled, "emgmm_moments") <- NULL
  list(data = filled, weights = w, how = "imputed")
}

# Whether the starts can be computed on the complete rows alone: enough of
# them for every component's covariance.
use_complete_rows <- function(n_complete, k_max, d) n_complete >= 2L * k_max * (d + 1L)

# `hc_subset` given as rows of x (indices or a logical vector), as rows of
# the data the starts run on: `rows` are those rows' indices in x (NULL:
# all of x).  Rows of x that the starts do not see (of weight zero, or
# incomplete) are dropped; anything else is left for hc_rows() to judge.
translate_hc_subset <- function(hc_subset, n_all, rows) {
  if (is.null(rows) || is.null(hc_subset) || length(hc_subset) <= 1L) return(hc_subset)
  if (is.logical(hc_subset) && is.null(dim(hc_subset)) && length(hc_subset) == n_all &&
      !anyNA(hc_subset)) {
    return(hc_subset[rows])
  }
  if (is.numeric(hc_subset) && !is.object(hc_subset) && all(is.finite(hc_subset)) &&
      all(hc_subset >= 1 & hc_subset <= n_all)) {
    m <- match(round(hc_subset), rows)
    return(m[!is.na(m)])
  }
  hc_subset
}

# The unit the engine counts weights in: 1 for whole-number weights
# (counts, which must stay the rows they repeat), else the mean positive
# weight (so that weights act as rows in the engine's thresholds).
weight_unit <- function(w) {
  if (is.null(w) || is_whole_weights(w)) return(1)
  mean(w[w > 0])
}

# Whether every weight is a whole number (counts).
# (a positive weight that rounds to zero is not a count: the rows repeated
# would leave its row out)
is_whole_weights <- function(w) {
  all(abs(w - round(w)) < 1e-8 & (w == 0 | round(w) >= 1)) && sum(w) <= 2^52
}

# A user's start (labels or posterior matrix, over every row of x) over the
# rows the fit uses.
user_start_rows <- function(user, used) {
  if (is.null(user) || is.null(used) || is.null(used$rows)) return(user)
  if (is.matrix(user)) user[used$rows, , drop = FALSE] else user[used$rows]
}
