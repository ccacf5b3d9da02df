# The hierarchical start (init = "hc"): mclust's default start, computed as
# mclust computes it.

# Number of rows the hierarchical clustering runs on by default: mclust's
# (mclust.options("subset")), so that with the same seed both draw the same
# rows.  Its pair table takes 4 n^2 bytes and its time grows as n^2
# (bench/hc.R: 0.27 s at d = 2 and 0.63 s at d = 10 for 2000 rows, four
# times that for 4000).
hc_subset_default <- 2000L

# `hc_subset`: NULL (all rows up to hc_subset_default, else a random sample
# of that many), a number of rows, or row indices.  Returns the rows the
# clustering runs on, in the order it sees them; NULL when they are all the
# same observation and `strict` is FALSE (init = "auto" then does without
# the hierarchical start).
hc_rows <- function(hc_subset, data, k_max, call, strict = TRUE, weights = NULL) {
  n <- nrow(data)
  size <- NULL
  # whole-number weights: the rows repeated as their weights say
  repeated <- !is.null(weights) && is_whole_weights(weights)
  if (is.null(hc_subset)) {
    size <- hc_subset_default
  } else if (is.logical(hc_subset) && is.null(dim(hc_subset)) && length(hc_subset) == n) {
    if (anyNA(hc_subset)) {
      abort_input(sprintf(paste0(
        "`hc_subset` as a logical vector must be TRUE or FALSE for every observation, ",
        "but element %d is NA."), which(is.na(hc_subset))[1L]), call)
    }
    rows <- which(hc_subset)
  } else if (is.numeric(hc_subset) && !is.object(hc_subset) && length(hc_subset) == 1L) {
    # a size; anything from n up (Inf included) means every row
    size <- if (isTRUE(hc_subset >= n)) Inf else check_count(hc_subset, "hc_subset", call, min = 2)
  } else if (is.numeric(hc_subset) && !is.object(hc_subset) && length(hc_subset) > 1L) {
    bad <- which(is.na(hc_subset) | !is.finite(hc_subset) | hc_subset < 1 |
                   hc_subset > n | abs(hc_subset - round(hc_subset)) >= 1e-8)
    if (length(bad) > 0L) {
      abort_input(sprintf(paste0(
        "`hc_subset` as row indices must be whole numbers in 1..%d, but element %d is %s."),
        n, bad[1L], describe(hc_subset[bad[1L]])), call)
    }
    if (anyDuplicated(round(hc_subset))) {
      i <- anyDuplicated(round(hc_subset))
      abort_input(sprintf(paste0(
        "`hc_subset` as row indices must be distinct, but row %s is repeated (element %d)."),
        format(round(hc_subset[i])), i), call)
    }
    rows <- as.integer(round(hc_subset))
  } else {
    abort_input(sprintf(paste0(
      "`hc_subset` must be NULL, a number of rows, row indices or a logical vector ",
      "with one element per observation (%d), not %s."), n, describe(hc_subset)), call)
  }
  if (!is.null(size) && repeated) {
    total <- sum(weights)
    rows <- if (total > size) {
      findInterval(sample.int(total, size = size), cumsum(weights), left.open = TRUE) + 1L
    } else rep.int(seq_len(n), round(weights))
  } else if (!is.null(size)) {
    rows <- if (n > size) sample(seq.int(n), size = size, replace = FALSE) else seq_len(n)
  } else if (repeated) {
    rows <- rep.int(rows, round(weights[rows]))
  }
  if (length(rows) < max(2L, k_max)) {
    abort_input(sprintf(paste0(
      "`hc_subset` must select at least max(2, k) = %d rows, not %d."),
      max(2L, k_max), length(rows)), call)
  }
  sub <- src_rows(data, rows)
  if (all(apply(sub, 2L, function(v) all(v == v[1L])))) {
    if (!strict) return(NULL)
    abort_input(sprintf(paste0(
      "`hc_subset` selects %d rows that are all the same observation; the hierarchical ",
      "start needs distinct ones."), length(rows)), call)
  }
  if (length(rows) > 46340L) {
    abort_input(sprintf(paste0(
      "`hc_subset` selects %d rows, but hierarchical clustering is limited to 46340 ",
      "(its table of pairs grows as n^2)."), length(rows)), call)
  }
  rows
}

# mclust's "SVD" transformation (its default mclust.options("hcUse")): the
# standardised variables on their principal axes, each divided by the square
# root of its singular value.  Constant variables are dropped, as mclust does.
# Directions whose singular value is exactly zero (which would make mclust's
# transform infinite) are dropped too; nearly zero ones are kept, as mclust
# keeps them.
hc_transform <- function(data) {
  z <- scale(data, center = TRUE, scale = TRUE)
  z <- z[, colSums(!is.finite(z)) == 0L, drop = FALSE]
  p <- min(dim(z))
  s <- svd(z, nu = 0)
  keep <- s$d > 0
  if (!all(keep)) {
    p <- sum(keep)
    s$v <- s$v[, keep, drop = FALSE]
    s$d <- s$d[keep]
  }
  z %*% s$v %*% diag(1 / sqrt(s$d), p, p)
}

# mclust's quantile classes, its start for univariate data: k classes cut at
# quantiles of x, merging the narrowest gaps when quantiles repeat.
quantile_classes <- function(x, k) {
  eps <- stats::sd(x) * sqrt(.Machine$double.eps)
  q <- NA
  m <- k
  while (length(q) < (k + 1L)) {
    m <- m + 1L
    q <- unique(stats::quantile(x, seq(from = 0, to = 1, length.out = m), names = FALSE))
    if (m > length(x) + k + 1L) break  # fewer than k distinct values
  }
  if (length(q) > (k + 1L)) {
    nr <- length(q) - k - 1L
    q <- q[-order(diff(q))[seq_len(nr)]]
  }
  q[1L] <- min(x) - eps
  q[length(q)] <- max(x) + eps
  cl <- integer(length(x))
  for (i in seq_len(length(q) - 1L)) cl[x >= q[i] & x < q[i + 1L]] <- i
  cl
}

# Starting labels for each k > 1 in ks (a list named by k, each over the
# rows `rows`): the partitions of the hierarchical clustering of data[rows, ]
# (VVV criterion, or EII when n <= d, as mclust's mclustBIC() chooses, n
# being all the rows), or quantile classes for univariate data.  Rows
# outside `rows` join at the first E-step.
hc_starts <- function(data, ks, rows) {
  n <- nrow(data)
  d <- ncol(data)
  out <- list()
  ks <- ks[ks > 1L]
  if (length(ks) == 0L) return(out)
  sub <- src_rows(data, rows)
  if (d == 1L) {
    part <- vapply(ks, function(g) quantile_classes(sub[, 1L], g), integer(length(rows)))
  } else {
    z <- hc_transform(sub)
    merges <- hc_merges_cpp(z, if (n > d) "VVV" else "EII", -1, 1)
    part <- hc_partitions_cpp(merges, length(rows), ks)
  }
  part <- matrix(part, nrow = length(rows))
  for (j in seq_along(ks)) out[[as.character(ks[j])]] <- part[, j]
  out
}

# The merges of mclust's hc(x, modelName, use = "SVD") for the rows of x (a
# 2 x (n - 1) matrix); for tests and for users who want the tree.
hc_merges <- function(x, model = c("VVV", "EII")) {
  model <- match.arg(model)
  data <- as_data_matrix(x, sys.call())
  hc_merges_cpp(hc_transform(data), model, -1, 1)
}
