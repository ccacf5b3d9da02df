# Starting points: which starts each (k, model) pair gets, and every random
# draw behind them (R's generator, so set.seed() reproduces everything).
#
# init = "auto" (the default) gives every pair the hierarchical start and the
# n_init k-means++ starts; "kmeans" and "random" the n_init starts of their
# kind; "hc" the hierarchical start alone; labels or a posterior matrix the
# user's start.  The engine screens several starts by short EM runs and
# continues the best of each kind (src/engine/candidate.h).

init_choices <- c("auto", "kmeans", "random", "hc")

# `init` and `k`: the kind of start, the user's start (labels or a posterior
# matrix, or NULL) and the numbers of components to fit.
check_init <- function(init, k, k_missing, data, call, n_user = nrow(data)) {
  n <- nrow(data)
  if (is.character(init) && length(init) == 1L && is.null(dim(init))) {
    type <- check_choice(init, init_choices, "init", call)
    if (k_missing) {
      # the default 1:9, capped at the number of distinct observations
      k <- k[k <= count_distinct(data, max(k))]
    }
    return(list(type = type, user = NULL, ks = check_k(k, n, call)))
  }
  if (is.character(init)) {
    abort_input(sprintf(paste0("`init` must be one of %s, a vector of labels or a matrix of ",
                               "posterior probabilities, not %s."),
                        paste0("\"", init_choices, "\"", collapse = ", "), describe(init)), call)
  }
  if (!k_missing) check_k(k, n, call)
  user <- check_start(init, n_user, k, k_missing, call)
  list(type = if (is.matrix(user$start)) "posterior" else "labels", user = user$start,
       ks = check_k(user$k, n, call))
}

# Number of distinct rows of `data`, or any number >= m when there are at
# least m (found cheaply among the first rows).
count_distinct <- function(data, m) {
  if (m <= 1L) return(m)
  if (is_distributed(data)) return(distributed_distinct(data, m))
  if (ncol(data) == 1L) return(length(unique(data[, 1L])))
  head_rows <- min(nrow(data), 10L * m + 1000L)
  found <- nrow(unique(data[seq_len(head_rows), , drop = FALSE]))
  if (found >= m || head_rows == nrow(data)) return(found)
  nrow(unique(data))
}

# What every k shares: the hierarchical partitions (for "auto" and "hc", on
# the rows `hc_rows`), and the screening rows when several starts meet more
# than `screen_rows` rows (NULL: the starts run on all rows).  For "auto" the
# screening rows hold the hierarchical rows, so that the hierarchical start
# is screened on the rows it was built from; the rest are drawn at random.
start_plan <- function(data, start, n_init, hc_subset, threads, call, weights = NULL) {
  n <- nrow(data)
  type <- start$type
  kinds <- switch(type, auto = c("hc", "kmeans"), type)
  uses_hc <- "hc" %in% kinds
  if (!uses_hc && !is.null(hc_subset)) {
    abort_input("`hc_subset` applies only to `init = \"auto\"` and `init = \"hc\"`.", call)
  }
  plan <- list(type = type, kinds = kinds, n_init = n_init, threads = threads,
               user = start$user, hc = NULL, hc_rows = NULL, rows = NULL, weights = weights)
  if (uses_hc) {
    plan$hc_rows <- hc_rows(hc_subset, data, max(start$ks), call,
                            strict = type == "hc" || !is.null(hc_subset), weights = weights)
    # whole-number weights: the clustering runs on the rows repeated
    plan$hc_repeated <- !is.null(weights) && is_whole_weights(weights)
    if (is.null(plan$hc_rows)) {
      # the rows drawn for it are all one observation: k-means++ alone
      kinds <- plan$kinds <- setdiff(kinds, "hc")
      uses_hc <- FALSE
    } else {
      plan$hc <- hc_starts(data, start$ks, plan$hc_rows)
    }
  }
  # a single k-means or random start is computed on a sample too
  several <- type %in% c("auto", "kmeans", "random")
  if (several && n > screen_rows) {
    keep <- if (uses_hc) unique(plan$hc_rows) else integer()
    rest <- setdiff(seq_len(n), keep)
    # (an hc_subset of screen_rows rows or more is screened on as it is)
    more <- rest[sample.int(length(rest), max(0L, screen_rows - length(keep)))]
    plan$rows <- sort(c(keep, more))
  }
  if (is_distributed(data)) plan$local_rows <- local_rows(plan, n)
  plan
}

# For data on a cluster, the rows the leader fetches to compute the starts:
# the screening rows, or else all the rows for k-means and random starts
# (at most screen_rows of them), or the hierarchical start's rows.  NULL: no
# rows (a user's start, made on the workers).
local_rows <- function(plan, n) {
  if (!is.null(plan$rows)) return(plan$rows)
  if (any(c("kmeans", "random") %in% plan$kinds)) return(seq_len(n))
  if (!is.null(plan$hc_rows)) return(sort(unique(plan$hc_rows)))
  NULL
}

# The starts of one k: labels over the screening rows (all rows when there is
# no screening; for data on a cluster, over the rows fetched, plan$local_rows,
# with `data` those rows), or the user's start, with the kind of each start
# ("hc", "kmeans", "random", "labels", "posterior").
starts_for <- function(plan, data, k) {
  if (!is.null(plan$user)) return(list(starts = list(plan$user), kinds = plan$type))
  rows <- if (!is.null(plan$local_rows)) plan$local_rows else plan$rows
  m <- if (is.null(rows)) nrow(data) else length(rows)
  if (k == 1L) return(list(starts = list(rep(1L, m)), kinds = plan$kinds[1L]))
  starts <- list()
  kinds <- character()
  if ("hc" %in% plan$kinds) {
    if (isTRUE(plan$hc_repeated)) {
      # on the rows repeated as their weights say: the start's statistics
      # are those of the repeated rows
      at <- if (is.null(rows)) plan$hc_rows else match(plan$hc_rows, rows)
      starts <- list(list(x = data[at, , drop = FALSE], weights = NULL,
                          start = plan$hc[[as.character(k)]]))
    } else {
      lab <- integer(m)
      lab[if (is.null(rows)) plan$hc_rows else match(plan$hc_rows, rows)] <- plan$hc[[as.character(k)]]
      starts <- list(lab)
    }
    kinds <- "hc"
  }
  random <- intersect(plan$kinds, c("kmeans", "random"))
  if (length(random) == 1L) {
    sub <- if (is.null(plan$rows) || !is.null(plan$local_rows)) data else
      data[rows, , drop = FALSE]
    w <- plan$weights
    if (!is.null(w) && !is.null(rows)) w <- w[rows]
    labels <- start_partitions_cpp(sub, k, plan$n_init, random == "kmeans", plan$threads, w)
    starts <- c(starts, lapply(seq_len(ncol(labels)), function(j) labels[, j]))
    kinds <- c(kinds, rep(random, ncol(labels)))
  }
  list(starts = starts, kinds = kinds)
}
