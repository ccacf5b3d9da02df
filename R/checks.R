# Validation of user input.  Each check names the argument and what was
# expected, and runs before any C++ code.

is_whole <- function(x) {
  is.numeric(x) && !anyNA(x) && all(is.finite(x)) && all(abs(x - round(x)) < 1e-8)
}

check_flag <- function(x, arg, call) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) {
    abort_input(sprintf("`%s` must be TRUE or FALSE, not %s.", arg, describe(x)), call)
  }
  x
}

check_count <- function(x, arg, call, min = 1) {
  if (!is.numeric(x) || length(x) != 1L || !is_whole(x) || x < min) {
    abort_input(sprintf("`%s` must be a whole number >= %s, not %s.", arg,
                        format(min), describe(x)), call)
  }
  if (x > .Machine$integer.max) {
    abort_input(sprintf("`%s` must be at most %d, not %s.", arg, .Machine$integer.max,
                        describe(x)), call)
  }
  as.integer(round(x))
}

check_number <- function(x, arg, call, min = 0) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || !is.finite(x) || x < min) {
    abort_input(sprintf("`%s` must be a finite number >= %s, not %s.", arg,
                        format(min), describe(x)), call)
  }
  as.double(x)
}

# Converts `x` (numeric vector, matrix or data frame of numeric columns) to a
# double matrix, keeping column names.
as_data_matrix <- function(x, call, arg = "x", allow_empty = FALSE) {
  if (is.data.frame(x)) {
    if (ncol(x) == 0L) {
      abort_input(sprintf("`%s` must have at least one column, not none.", arg), call)
    }
    ok <- vapply(x, function(col) is.numeric(col) && is.null(dim(col)), logical(1))
    if (!all(ok)) {
      bad <- names(x)[!ok][1L]
      abort_input(sprintf("`%s` must have only numeric columns, but column `%s` is %s.",
                          arg, bad, describe(x[[bad]])), call)
    }
    x <- as.matrix(x)
    storage.mode(x) <- "double"
  } else if (is.numeric(x)) {
    if (is.null(dim(x))) {
      x <- matrix(as.double(x), ncol = 1L)
    } else if (length(dim(x)) != 2L) {
      abort_input(sprintf("`%s` must be a numeric vector, matrix or data frame, not an array with %d dimensions.",
                          arg, length(dim(x))), call)
    } else {
      storage.mode(x) <- "double"
    }
  } else {
    abort_input(sprintf("`%s` must be a numeric vector, matrix or data frame, not %s.",
                        arg, describe(x)), call)
  }
  if ((nrow(x) == 0L && !allow_empty) || ncol(x) == 0L) {
    abort_input(sprintf("`%s` must have at least one observation and one variable, not %d x %d.",
                        arg, nrow(x), ncol(x)), call)
  }
  if (anyNA(x) || !all(is.finite(x))) {
    where <- which(!is.finite(x))[1L]
    i <- (where - 1L) %% nrow(x) + 1L
    j <- (where - 1L) %/% nrow(x) + 1L
    what <- if (is.nan(x[where])) "NaN" else if (is.na(x[where])) "NA" else format(x[where])
    abort_input(sprintf(
      "`%s` must contain only finite values, but row %d, column %d is %s.",
      arg, i, j, what), call)
  }
  rownames(x) <- NULL
  x
}

# The variances of the variables, after checking that `x` has at least two
# distinct observations and values that can be squared.
check_spread <- function(data, call) {
  n <- nrow(data)
  variances <- vapply(seq_len(ncol(data)), function(j) stats::var(data[, j]), numeric(1))
  if (n < 2L || all(variances == 0)) {
    abort_input(paste0("`x` must contain at least two distinct observations (with values ",
                       "large enough for their variance to be non-zero in double precision)."),
                call)
  }
  if (!all(is.finite(variances)) || !is.finite(sum(variances))) {
    abort_input(sprintf(
      "`x` has values too large to square in double precision (variable %d); rescale it.",
      which(!is.finite(variances))[1L]), call)
  }
  vars <- colnames(data)
  if (!is.null(vars) && anyDuplicated(vars)) {
    abort_input(sprintf("`x` must have distinct column names, but `%s` is repeated.",
                        vars[anyDuplicated(vars)]), call)
  }
  variances
}

# At least max(ks) distinct observations.
check_distinct <- function(data, ks, call) {
  n_distinct <- count_distinct(data, max(ks))
  if (max(ks) > n_distinct) {
    abort_input(sprintf(
      "`k` must be at most the number of distinct observations in `x` (%d), not %d.",
      n_distinct, max(ks)), call)
  }
  invisible()
}

check_choice <- function(x, choices, arg, call) {
  if (identical(x, choices)) return(choices[[1L]])
  if (!is.character(x) || length(x) != 1L || is.na(x) || !x %in% choices) {
    abort_input(sprintf("`%s` must be one of %s, not %s.", arg,
                        paste0("\"", choices, "\"", collapse = ", "), describe(x)), call)
  }
  x
}

check_k <- function(k, n, call) {
  if (!is.numeric(k) || length(k) == 0L || !is_whole(k) || any(k < 1)) {
    bad <- if (is.numeric(k) && length(k) > 1L) {
      describe(k[is.na(k) | !is.finite(k) | k < 1 | abs(k - round(k)) >= 1e-8][1L])
    } else describe(k)
    abort_input(sprintf("`k` must be whole numbers >= 1, not %s.", bad), call)
  }
  if (any(k > n)) {
    abort_input(sprintf("`k` must be at most the number of observations (%d), not %s.",
                        n, format(max(k))), call)
  }
  sort(unique(as.integer(round(k))))
}

# A user-supplied start: labels (length n, values 1..k) or an n x k matrix of
# posterior probabilities.  Returns list(start = <labels or matrix>, k = k).
check_start <- function(init, n, k, k_missing, call) {
  if (is.matrix(init) || is.data.frame(init)) {
    z <- if (is.data.frame(init)) as.matrix(init) else init
    if (!is.numeric(z) || nrow(z) != n || ncol(z) < 1L) {
      abort_input(sprintf(paste0(
        "`init` as a matrix must be numeric with one row per observation (%d) and ",
        "one column per component, not %s with %d rows."),
        n, describe(init), nrow(z)), call)
    }
    storage.mode(z) <- "double"
    if (anyNA(z) || any(!is.finite(z)) || any(z < 0) || any(z > 1)) {
      abort_input("`init` as a matrix must hold probabilities in [0, 1], without NA.", call)
    }
    rs <- rowSums(z)
    if (any(abs(rs - 1) > 1e-6)) {
      abort_input(sprintf(
        "`init` as a matrix must have rows summing to 1, but row %d sums to %s.",
        which(abs(rs - 1) > 1e-6)[1L], format(rs[abs(rs - 1) > 1e-6][1L])), call)
    }
    empty <- which(colSums(z) <= sqrt(.Machine$double.eps))
    if (length(empty) > 0L) {
      abort_input(sprintf(
        "`init` as a matrix must give every component some weight, but column %d sums to 0.",
        empty[1L]), call)
    }
    dimnames(z) <- NULL
    kk <- ncol(z)
    start <- z
  } else if (is.numeric(init) || is.factor(init)) {
    lab <- if (is.factor(init)) as.integer(init) else init
    if (length(lab) != n) {
      abort_input(sprintf(paste0(
        "`init` as labels must have one label per observation (%d), not %d."),
        n, length(lab)), call)
    }
    bad <- which(is.na(lab) | !is.finite(lab) | lab < 1 | abs(lab - round(lab)) >= 1e-8)
    if (length(bad) > 0L) {
      abort_input(sprintf(
        "`init` as labels must be whole numbers in 1..k, but label %d is %s.",
        bad[1L], describe(lab[bad[1L]])), call)
    }
    lab <- as.integer(round(lab))
    kk <- max(lab)
    missing_lab <- setdiff(seq_len(if (k_missing) kk else max(kk, max(k))), lab)
    if (length(missing_lab) > 0L) {
      abort_input(sprintf(
        "`init` must use every label in 1..%d, but label %d has no observation.",
        if (k_missing) kk else max(kk, max(k)), missing_lab[1L]), call)
    }
    start <- lab
  } else {
    abort_input(sprintf(paste0(
      "`init` must be one of %s, a vector of labels or a matrix of ",
      "posterior probabilities, not %s."),
      paste0("\"", init_choices, "\"", collapse = ", "), describe(init)), call)
  }
  if (!k_missing && (length(k) != 1L || k != kk)) {
    abort_input(sprintf(
      "`k` must be %d to match the starting point given in `init`, not %s.",
      kk, describe(k)), call)
  }
  list(start = start, k = kk)
}

check_dots <- function(dots, call) {
  if (length(dots) > 0L) {
    nm <- names(dots)
    nm <- if (is.null(nm)) rep("", length(dots)) else nm
    shown <- ifelse(nzchar(nm), sprintf("`%s`", nm), "an unnamed argument")
    abort_input(sprintf("`...` must be empty, but it has %s.",
                        paste(shown, collapse = ", ")), call)
  }
  invisible()
}
