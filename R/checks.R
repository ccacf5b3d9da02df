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

# `digits` of print() and format(): NULL (the default, `default`) or a whole
# number from 1 to 22, the range base R's print() and format() accept.
check_digits <- function(digits, call, default = 4L) {
  if (is.null(digits)) return(default)
  if (!is.numeric(digits) || length(digits) != 1L || !is_whole(digits) ||
      digits < 1 || digits > 22) {
    abort_input(sprintf("`digits` must be NULL or a whole number between 1 and 22, not %s.",
                        describe(digits)), call)
  }
  as.integer(round(digits))
}

check_number <- function(x, arg, call, min = 0) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || !is.finite(x) || x < min) {
    abort_input(sprintf("`%s` must be a finite number >= %s, not %s.", arg,
                        format(min), describe(x)), call)
  }
  as.double(x)
}

# Converts `x` (numeric vector, matrix or data frame of numeric columns) to a
# double matrix, keeping column names (see fill_names()).  Matrices of the
# Matrix package are converted with as.matrix(); dates, times, durations and
# other classed vectors are not measurements to be taken as numbers, and are
# refused with their class named (describe()).
as_data_matrix <- function(x, call, arg = "x", allow_empty = FALSE, allow_na = FALSE) {
  if (isS4(x) && inherits(x, "Matrix")) {
    if (!requireNamespace("Matrix", quietly = TRUE)) {
      abort_input(sprintf(paste0(
        "`%s` is %s from the Matrix package, which is not installed; ",
        "convert it to a base matrix."), arg, describe(x)), call)
    }
    x <- as.matrix(x)
  }
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
  if (allow_na) {
    # missing values (NA, NaN) are kept as NA; infinite ones are refused
    x[is.na(x)] <- NA_real_
    bad <- is.infinite(x)
  } else {
    bad <- !is.finite(x)
  }
  if (any(bad)) {
    where <- which(bad)[1L]
    i <- (where - 1L) %% nrow(x) + 1L
    j <- (where - 1L) %/% nrow(x) + 1L
    what <- if (is.nan(x[where])) "NaN" else if (is.na(x[where])) "NA" else format(x[where])
    abort_input(sprintf(
      "`%s` must contain only finite values, but row %d, column %d is %s%s.",
      arg, i, j, what, if (is.na(x[where]) && arg == "x") {
        " (use `na_action = \"em\"` or `\"omit\"` to fit data with missing values)"
      } else ""), call)
  }
  rownames(x) <- NULL
  colnames(x) <- fill_names(colnames(x))
  x
}

# Column names with the empty and NA ones filled in as data.frame() names
# its unnamed columns: "V" and the column's position ("V1" for the first),
# followed by ".1", ".2", ... when that name is already taken, so that
# every variable has a name that outputs carry and that `newdata` can be
# matched by.  The names given are never changed.  When no column has a
# name, there are none (NULL): variables are then matched by position.
fill_names <- function(names) {
  if (is.null(names)) return(NULL)
  empty <- is.na(names) | !nzchar(names)
  if (all(empty)) return(NULL)
  for (j in which(empty)) {
    base <- paste0("V", j)
    name <- base
    i <- 0L
    while (name %in% names[-j]) {
      i <- i + 1L
      name <- paste0(base, ".", i)
    }
    names[j] <- name
  }
  names
}

# The variances of the variables, after checking that `x` has values small
# enough for double precision sums of squares (check_magnitude()) and at
# least two distinct observations.
check_spread <- function(data, call) {
  n <- nrow(data)
  check_magnitude(data, call)
  moments <- data_moments(data)
  variances <- if (is_distributed(data)) {
    data$moments$var
  } else if (!is.null(moments)) {
    moments$var
  } else {
    vapply(seq_len(ncol(data)), function(j) stats::var(data[, j]), numeric(1))
  }
  if (n < 2L || all(variances == 0)) {
    abort_input(paste0("`x` must contain at least two distinct observations (with values ",
                       "large enough for their variance to be non-zero in double precision)."),
                call)
  }
  vars <- colnames(data)
  if (!is.null(vars) && anyDuplicated(vars)) {
    abort_input(sprintf("`x` must have distinct column names, but `%s` is repeated.",
                        vars[anyDuplicated(vars)]), call)
  }
  variances
}

# The fit sums squared differences between observations (and between an
# observation and a mean), each at most sum_j r_j^2 for column ranges r_j,
# over n rows: squared distances in k-means++, scatter matrices in EM.  All
# stay finite in double precision when n * sum_j r_j^2 <= .Machine$double.xmax
# (about 1.8e308).  Larger values would overflow to Inf and surface as
# singular covariances, so they are refused here, naming the widest column.
# The test is done on ranges divided by the widest one, so that it cannot
# overflow itself; a range that is already Inf (max - min overflowed) fails.
check_magnitude <- function(data, call) {
  n <- nrow(data)
  moments <- if (is_distributed(data)) data$moments else data_moments(data)
  if (!is.null(moments)) n <- max(n, moments$n)
  ranges <- if (!is.null(moments)) moments$max - moments$min else
    apply(data, 2L, function(v) max(v) - min(v))
  widest <- which.max(ranges)
  top <- ranges[widest]
  if (top == 0) return(invisible())
  shares <- if (is.finite(top)) (ranges / top)^2 else as.numeric(ranges == top)
  limit <- sqrt(.Machine$double.xmax / (n * sum(shares)))
  if (is.finite(top) && top <= limit) return(invisible())
  vars <- colnames(data)
  column <- if (is.null(vars)) sprintf("column %d", widest) else sprintf("column `%s`", vars[widest])
  abort_input(sprintf(paste0(
    "`x` has values too large in magnitude for double precision arithmetic: %s spans %s, ",
    "but with %d rows the sums of squares stay finite only up to a range of %s ",
    "(n * the sum of the squared column ranges must be at most .Machine$double.xmax); ",
    "rescale `x`."),
    column, if (is.finite(top)) format(top, digits = 3L) else "more than .Machine$double.xmax",
    n, format(limit, digits = 3L)), call)
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
    sums <- colSums(z)
    empty <- which(sums <= sqrt(.Machine$double.eps))
    if (length(empty) > 0L) {
      abort_input(sprintf(paste0(
        "`init` as a matrix must give every component some weight (a column sum above ",
        "sqrt(.Machine$double.eps)), but column %d sums to %s."),
        empty[1L], format(sums[empty[1L]])), call)
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
