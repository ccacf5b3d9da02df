# Data held by the workers of a `parallel` cluster: placing it there, the
# rounds of calls that reach it, and what the fit needs to know of it.
#
# The leader (this session) keeps a handle: the cluster, an id under which
# every worker stores its shards, and for each shard its worker and number
# of rows.  Row i of the data is row i of the shards laid end to end in
# shard order.  Every pass over all the rows is a round: one call to each
# worker holding shards, each answering for its shards; the leader adds the
# shards' statistics in shard order, so that the sums do not depend on which
# worker holds which shard.

#' Place data on the workers of a cluster
#'
#' `gmm_distribute()` splits data held in this session into blocks of rows,
#' one per worker of a `parallel` cluster, and sends each block once;
#' `gmm_shards()` has each worker read its own files, so that the data never
#' pass through this session.  Either gives an object that [gmm_fit()]
#' accepts in place of `x`: the fit is then made where the data lie, each
#' worker computing the statistics of its rows with the same C++ engine, and
#' this session (the leader) adding them and taking the M-steps.
#'
#' @section The same fit:
#' The fit on distributed data is the fit on the data in memory, with the
#' same arguments and the same seed: the leader draws the same random rows
#' for the starts and their screening (it fetches those rows from the
#' workers: up to `hc_subset` and 20000 rows, all of them when there are at
#' most 20000), and every pass over all the rows is made by the workers.
#' The statistics of the shards are added in shard order, so the result is
#' identical, to the last bit, whichever workers hold the shards and however
#' many there are; cut into other shards, the data give the same fit up to
#' the rounding of the sums (agreement to about 1e-13 in the tests, far
#' below the 1e-10 they require).  A start given as labels or posterior
#' probabilities (`init`) is cut into the shards' rows and sent with the two
#' passes that compute its statistics.
#'
#' For distributed data, the fitted object keeps the data's handle as
#' `data`, and its `posterior`, `classification` and `uncertainty` are
#' `NULL`: they stay with the data.  `predict(fit)` (or `predict(fit, dx)`)
#' computes them on the workers; see [predict.emgmm()] for keeping them
#' there or writing them next to the shard files.  `sizes` gives the number
#' of observations each component gets.
#'
#' @section Cost:
#' Each EM iteration is one round: the parameters go to every worker (a few
#' kilobytes) and each shard's statistics come back (about as many); the
#' data never move.  A round costs the slowest worker's pass over its rows
#' plus one round trip, so with `p` hosts an iteration takes about
#' `compute / p + latency`.  The README of the package gives the constants
#' measured on one machine (`bench/distributed.R` in the sources).  The
#' cluster's sockets are set to send without delay (`TCP_NODELAY`, as
#' `options(socketOptions = "no-delay")` would have made them): otherwise
#' every message above 4 kB (at d = 10, k = 9 already) would wait for TCP's
#' delayed acknowledgement, some 40 ms a round.  The data stay on the
#' workers until the cluster stops or `close()` removes them.
#'
#' @section Faults:
#' A worker that dies, or whose call fails, ends the fit with an error of
#' class `emgmm_error_worker` that names the worker, its shards and the
#' iteration (fields `worker`, `shard`, `iteration`; the iteration is that
#' of the EM run under way, 0 for the pass that carries a screened start
#' over to all the rows, `NA` outside EM); the session stays usable.  A
#' shard file that cannot be read, or whose rows are not data, is also an
#' input error (class `emgmm_error_input`).  Each round waits at most `timeout` seconds for the workers of a
#' socket cluster (such as [parallel::makePSOCKcluster()] makes); a worker
#' that has not answered by then is treated as failed, and the cluster's
#' connection to it is closed (its late answer would otherwise be taken for
#' the answer to a later call).  After a failure the object is marked
#' unusable (its `print()` says so), since a worker may have lost its
#' shards: place the data again, on a working cluster.  An error inside a
#' worker's call (not its loss) leaves the data usable.  An interrupt
#' (Ctrl-C) or a time limit ([setTimeLimit()]) stops the fit once the
#' workers have answered the round under way (within one pass over their
#' shards), which keeps the cluster in step; the data stay usable.  If it
#' comes while an answer is being read (large answers, such as gathered
#' predictions, take a while), the rest of that answer cannot be told from
#' the next one: the connection to that worker is closed and the data are
#' marked unusable.  Stop such a cluster with `try(parallel::stopCluster(cl))`.
#'
#' @param cl A cluster made by the `parallel` package
#'   ([parallel::makePSOCKcluster()], [parallel::makeForkCluster()],
#'   `parallelly::makeClusterPSOCK()`, or snow's MPI clusters).  Every worker
#'   must have emgmm installed, in the same version as this session.
#' @param x Data as [gmm_fit()] takes them: a numeric vector, matrix or data
#'   frame of numeric columns, possibly with missing values (`NA`: a fit
#'   then needs `na_action = "em"` or `"omit"`).  Its rows are cut into
#'   `length(cl)` blocks of consecutive rows, of sizes as equal as possible.
#' @param files The files the workers read, one shard each: a character
#'   vector (file `i` is read by worker `(i - 1) %% length(cl) + 1`), or a
#'   list with one character vector per worker (the files that worker
#'   reads).  Paths are as the workers see them.  The rows of the data are
#'   the shards' rows in the order of the files (in the list form: worker
#'   1's files, then worker 2's, ...).
#' @param read A function that a worker calls with one file's path, and that
#'   returns that shard's rows as [gmm_fit()] takes data (by default
#'   [readRDS()]).  Every shard must have the same columns (by name, when
#'   they have names).
#' @param timeout The longest time, in seconds, a round waits for the
#'   workers' answers (`Inf`: no limit; default 600: a pass over 1e8 rows of
#'   10 variables takes about 10 seconds on one core).  Applies to socket
#'   clusters; the answers of other clusters are awaited without limit.
#' @param threads Threads each worker uses for its passes; `NULL` (default)
#'   lets each worker use [emgmm_threads()] as set on it (all its
#'   processors, unless `options(emgmm.threads =)` was set there).  With
#'   several workers on one machine, give each `1` (or its share of the
#'   cores).
#' @return An object of class `"emgmm_distributed"`: a handle on the data,
#'   with `n`, `d`, `shards` (a data frame: `shard`, `worker`, `rows`, and
#'   for `gmm_shards()` `file`) and the cluster.  The data stay on the
#'   workers while the cluster runs; [as.matrix()] gathers them.
#' @seealso [gmm_fit()], [predict.emgmm()].
#' @importFrom parallel clusterCall
#' @examples
#' \donttest{
#' cl <- parallel::makePSOCKcluster(2)
#' dx <- gmm_distribute(cl, faithful, threads = 1)
#' dx
#' fit <- gmm_fit(dx, k = 2, threads = 1)
#' fit
#' table(predict(fit))
#' parallel::stopCluster(cl)
#' }
#' @export
gmm_distribute <- function(cl, x, timeout = 600, threads = NULL) {
  ecall <- sys.call()
  check_cluster(cl, ecall)
  data <- as_data_matrix(x, ecall, allow_na = TRUE)
  timeout <- check_timeout(timeout, ecall)
  threads <- if (!is.null(threads)) check_count(threads, "threads", ecall)
  p <- length(cl)
  sizes <- nrow(data) %/% p + (seq_len(p) <= nrow(data) %% p)
  last <- cumsum(sizes)
  # each block is cut as it is sent, so that the data are not held twice
  shards <- function(w) {
    rows <- seq_len(sizes[w]) + last[w] - sizes[w]
    list(list(shard = w, x = data[rows, , drop = FALSE]))
  }
  place_shards(cl, shards, worker = seq_len(p), file = NULL, timeout, threads, ecall)
}

#' @rdname gmm_distribute
#' @export
gmm_shards <- function(cl, files, read = readRDS, timeout = 600, threads = NULL) {
  ecall <- sys.call()
  check_cluster(cl, ecall)
  p <- length(cl)
  if (is.list(files) && !is.object(files)) {
    ok <- length(files) == p &&
      all(vapply(files, function(f) is.character(f) && !anyNA(f), logical(1)))
    if (!ok) {
      abort_input(sprintf(paste0(
        "`files` as a list must have one character vector per worker (%d), without NA, ",
        "not %s."), p, describe(files)), ecall)
    }
    worker <- rep(seq_len(p), lengths(files))
    files <- unlist(files, use.names = FALSE)
  } else if (is.character(files) && is.null(dim(files)) && !anyNA(files)) {
    worker <- (seq_along(files) - 1L) %% p + 1L
  } else {
    abort_input(sprintf(paste0(
      "`files` must be a character vector of paths, or a list of one per worker, not %s."),
      describe(files)), ecall)
  }
  if (length(files) == 0L) abort_input("`files` must name at least one file, not none.", ecall)
  if (!is.function(read)) {
    abort_input(sprintf("`read` must be a function of a file's path, not %s.", describe(read)),
                ecall)
  }
  timeout <- check_timeout(timeout, ecall)
  threads <- if (!is.null(threads)) check_count(threads, "threads", ecall)
  shards <- lapply(seq_len(p), function(w) {
    lapply(which(worker == w), function(s) list(shard = s, file = files[s], read = read))
  })
  place_shards(cl, shards, worker = worker, file = files, timeout, threads, ecall)
}

#' @export
print.emgmm_distributed <- function(x, ...) {
  writeLines(format(x, ...))
  invisible(x)
}

#' @export
format.emgmm_distributed <- function(x, ...) {
  sh <- x$shards
  num <- function(v) format(v, big.mark = ",", scientific = FALSE, trim = TRUE)
  rows <- if (nrow(sh) <= 8L) paste(num(sh$rows), collapse = ", ") else
    sprintf("%s to %s", num(min(sh$rows)), num(max(sh$rows)))
  out <- c(
    sprintf("Data on a cluster: %s rows x %d column%s, in %d shard%s on %d worker%s",
            num(x$n), x$d, if (x$d == 1L) "" else "s",
            nrow(sh), if (nrow(sh) == 1L) "" else "s",
            length(unique(sh$worker)), if (length(unique(sh$worker)) == 1L) "" else "s"),
    sprintf("rows per shard: %s", rows),
    sprintf("columns: %s%s", if (is.null(x$names)) "(no names)" else
      paste(utils::head(x$names, 10L), collapse = ", "),
      if (length(x$names) > 10L) ", ..." else ""))
  if (isTRUE(x$moments$missing > 0)) {
    out <- c(out, sprintf("missing values: %s (fit them with na_action = \"em\" or \"omit\")",
                          num(x$moments$missing)))
  }
  if (!is.null(sh$file)) {
    out <- c(out, sprintf("files: %s%s", paste(utils::head(basename(sh$file), 4L), collapse = ", "),
                          if (nrow(sh) > 4L) ", ..." else ""))
  }
  if (!isTRUE(x$state$valid)) {
    out <- c(out, sprintf("UNUSABLE: %s. Place the data again (gmm_distribute() or gmm_shards()).",
                          x$state$reason))
  }
  out
}

#' @rdname gmm_distribute
#' @param con An `"emgmm_distributed"` object.
#' @param ... Not used.
#' @details `close()` removes the data from the workers (they keep them,
#'   under the object's key, until the cluster stops or `close()` is
#'   called); the object can no longer be used.
#' @export
close.emgmm_distributed <- function(con, ...) {
  if (isTRUE(con$state$valid)) {
    drop_on_workers(con)
    con$state$valid <- FALSE
    con$state$reason <- "it was closed (close())"
  }
  invisible(NULL)
}

#' @export
dim.emgmm_distributed <- function(x) c(x$n, x$d)

#' @export
dimnames.emgmm_distributed <- function(x) list(NULL, x$names)

#' @export
as.matrix.emgmm_distributed <- function(x, ...) {
  ecall <- sys.call()
  check_distributed(x, ecall, "x")
  src_rows(x, seq_len(x$n))
}

# ---------------------------------------------------------------------------
# Placing the shards

# `timeout`: a positive number of seconds, Inf for no limit (0 would fail
# every round before any worker could answer).
check_timeout <- function(timeout, call) {
  if (!is.numeric(timeout) || length(timeout) != 1L || is.na(timeout) || timeout <= 0) {
    abort_input(sprintf("`timeout` must be a positive number of seconds (Inf: no limit), not %s.",
                        describe(timeout)), call)
  }
  as.double(timeout)
}

check_cluster <- function(cl, call) {
  if (!inherits(cl, "cluster") || length(cl) < 1L) {
    abort_input(sprintf(paste0(
      "`cl` must be a cluster of the parallel package (parallel::makePSOCKcluster() and ",
      "the like), not %s."), describe(cl)), call)
  }
  invisible(cl)
}

# The handle of data on the workers, once each worker has stored its
# shards (`shards[[w]]`: a list of list(shard, x) or list(shard, file,
# read)) and reported their sizes and moments.
place_shards <- function(cl, shards, worker, file, timeout, threads, call) {
  dx <- new_handle(cl, worker, file, timeout, threads)
  load_on_workers(dx, call)
  res <- tryCatch(
    cluster_round(dx, "store", shards, "while placing the data", call),
    emgmm_error_worker = function(e) {
      # the workers that stored their shards drop them (the handle is not returned)
      drop_on_workers(dx)
      stop(e)
    })
  finish_handle(dx, res, call)
}

new_handle <- function(cl, worker, file, timeout, threads, id = new_id()) {
  state <- new.env(parent = emptyenv())
  state$valid <- TRUE
  state$sent <- 0
  state$received <- 0
  n_shards <- length(worker)
  dx <- structure(list(
    cluster = cl, id = id,
    shards = data.frame(shard = seq_len(n_shards), worker = worker,
                        rows = rep(NA_real_, n_shards)),
    n = NA_real_, d = NA_integer_, names = NULL, moments = NULL,
    timeout = timeout, threads = threads, state = state
  ), class = "emgmm_distributed")
  if (!is.null(file)) dx$shards$file <- file
  dx
}

# The handle completed from the shards' summaries (shard_summary(), a list
# by worker of lists by shard).
finish_handle <- function(dx, res, call) {
  info <- unlist(res, recursive = FALSE)
  info <- info[order(vapply(info, function(s) s$shard, integer(1)))]
  first <- info[[1L]]
  for (s in info[-1L]) {
    same <- s$d == first$d && identical(s$names, first$names)
    if (!same) {
      refuse(dx, "its shards have different columns", sprintf(paste0(
        "Every shard must have the same columns, but shard %d has %s and shard 1 has %s."),
        s$shard, columns_text(s), columns_text(first)), call)
    }
  }
  rows <- vapply(info, function(s) s$rows, numeric(1))
  # whole numbers, integers as for data in memory while they fit
  whole <- function(v) if (all(v <= .Machine$integer.max)) as.integer(v) else v
  dx$shards$rows <- whole(rows)
  dx$n <- whole(sum(rows))
  dx$d <- first$d
  dx$names <- first$names
  if (dx$n < 1) {
    refuse(dx, "its shards are empty", paste0(
      "`files` must hold at least one observation between them, but every shard is empty."), call)
  }
  # (after the check: the moments of no rows cannot be combined)
  dx$moments <- combine_moments(info)
  dx
}

# Shards that cannot make data: dropped from the workers, and an input error.
refuse <- function(dx, reason, message, call) {
  dx$state$valid <- FALSE
  dx$state$reason <- reason
  drop_on_workers(dx)
  abort_input(message, call)
}

columns_text <- function(s) {
  if (is.null(s$names)) sprintf("%d unnamed column%s", s$d, if (s$d == 1L) "" else "s") else
    paste0("`", s$names, "`", collapse = ", ")
}

id_counter <- new.env(parent = emptyenv())

# A key for one placing of data, unique across sessions and time (made
# without R's random generator, which the user's seed owns).
new_id <- function() {
  id_counter$n <- (if (is.null(id_counter$n)) 0 else id_counter$n) + 1
  sprintf("%s-%d-%s-%d", Sys.info()[["nodename"]], Sys.getpid(),
          format(Sys.time(), "%Y%m%d%H%M%OS6"), id_counter$n)
}

# Loads emgmm on every worker (from the leader's library too, for workers on
# this machine), and checks that it is the leader's version.
load_on_workers <- function(dx, call) {
  lib <- dirname(system.file(package = "emgmm"))
  hello <- function(lib) {
    ok <- tryCatch({
      loadNamespace("emgmm", lib.loc = c(lib, .libPaths()))
      TRUE
    }, error = function(e) conditionMessage(e))
    list(ok = ok, version = if (isTRUE(ok)) format(utils::packageVersion("emgmm")) else NA,
         ends = if (isTRUE(ok)) get("tcp_no_delay_cpp", asNamespace("emgmm"))(character(), TRUE))
  }
  environment(hello) <- baseenv()
  version <- format(utils::packageVersion("emgmm"))
  res <- cluster_round(dx, "hello", rep(list(lib), length(dx$cluster)), "while loading emgmm",
                       call, fun = hello)
  for (w in seq_along(res)) {
    r <- res[[w]]
    if (is.null(r)) next
    if (!isTRUE(r$ok)) {
      abort_input(sprintf("Worker %d of `cl` cannot load emgmm: %s", w, r$ok), call)
    }
    if (!identical(r$version, version)) {
      abort_input(sprintf(paste0(
        "Worker %d of `cl` has emgmm %s, but this session has %s; the workers need the same ",
        "version."), w, r$version, version), call)
    }
  }
  # no waiting for TCP's delayed acknowledgements on these connections
  tcp_no_delay_cpp(unlist(lapply(res, function(r) r$ends)), FALSE)
  invisible()
}

drop_on_workers <- function(dx) {
  try(cluster_round(dx, "drop", NULL, "while dropping the data", NULL),
      silent = TRUE)
}

# Moments of each variable over all the shards, as row_moments() gives
# them in memory: n (observations counted), min, max, mean and the
# covariance (divisor n) of the complete rows, each variable's variance
# (divisor n - 1) and mean over its observed values, and the number of
# missing values.  Counts, means and scatters are combined exactly as for
# two samples, shard after shard.  With missing values the covariance is
# that of the complete rows when there are at least 2 (d + 1) of them, else
# the diagonal of the variances (divisor n).
combine_moments <- function(info) {
  add <- function(acc, n, mean, m2) {
    if (all(n == 0)) return(acc)
    delta <- mean - acc$mean
    total <- acc$n + n
    share <- ifelse(total > 0, n / total, 0)
    list(n = total,
         m2 = acc$m2 + m2 + (if (is.matrix(m2)) tcrossprod(delta) * (acc$n * share) else
                               delta^2 * acc$n * share),
         mean = acc$mean + delta * share)
  }
  d <- info[[1L]]$d
  cm <- list(n = 0, mean = rep(0, d), m2 = matrix(0, d, d))
  col <- list(n = rep(0, d), mean = rep(0, d), m2 = rep(0, d))
  n <- 0
  missing <- 0
  lo <- rep(Inf, d)
  hi <- rep(-Inf, d)
  for (s in info) {
    missing <- missing + s$missing
    if (s$n == 0) next
    n <- n + s$n
    cm <- add(cm, s$complete, s$mean, s$m2)
    col <- add(col, s$col_n, s$col_mean, s$col_m2)
    lo <- pmin(lo, s$min)
    hi <- pmax(hi, s$max)
  }
  var <- col$m2 / (col$n - 1)
  var[!is.finite(var)] <- 0
  cov <- if (missing == 0 || cm$n >= 2 * (d + 1)) cm$m2 / cm$n else diag(col$m2 / col$n, d)
  constant <- lo == hi
  cov[constant, ] <- 0
  cov[, constant] <- 0
  var[constant] <- 0
  list(n = n, mean = as.vector(cm$mean), cov = (cov + t(cov)) / 2, var = var,
       col_mean = col$mean, min = lo, max = hi, missing = missing)
}

# ---------------------------------------------------------------------------
# The data source: a matrix in memory or data on a cluster, as the fit sees it

# A usable handle, or an input error naming `arg`.
check_distributed <- function(dx, call, arg = "x") {
  if (!isTRUE(dx$state$valid)) {
    abort_input(sprintf(paste0(
      "`%s` is data on a cluster that can no longer be used (%s); place the data again ",
      "with gmm_distribute() or gmm_shards()."), arg, dx$state$reason), call)
  }
  invisible(dx)
}

is_distributed <- function(data) inherits(data, "emgmm_distributed")

# Rows `rows` (indices into all the rows, any order) as a matrix.
src_rows <- function(data, rows) {
  if (!is_distributed(data)) return(data[rows, , drop = FALSE])
  # a view of some of the rows (distributed_start_rows())
  if (!is.null(data$view)) rows <- data$view[rows]
  ends <- cumsum(data$shards$rows)
  shard <- findInterval(rows - 1, ends) + 1L
  local <- rows - (ends - data$shards$rows)[shard]
  ask <- lapply(seq_along(data$cluster), function(w) {
    mine <- which(data$shards$worker[shard] == w)
    if (length(mine) == 0L) return(NULL)
    split(local[mine], factor(shard[mine], levels = unique(shard[mine])))
  })
  got <- in_shard_order(cluster_round(data, "rows", ask, "while fetching rows", NULL))
  # each shard's rows come back in the order asked, which split() kept
  out <- matrix(0, length(rows), data$d, dimnames = list(NULL, data$names))
  out[unlist(split(seq_along(rows), shard)[names(got)], use.names = FALSE), ] <-
    do.call(rbind, got)
  # rows for the starts, their missing values filled (distributed_start_rows())
  fill_missing(out, data$fill)
}

# Number of distinct rows, or any number >= m when there are at least m:
# each shard sends up to m of its distinct rows.
distributed_distinct <- function(data, m) {
  res <- cluster_round(data, "distinct", rep(list(m), length(data$cluster)),
                       "while counting distinct rows", NULL)
  rows <- do.call(rbind, unlist(res, recursive = FALSE))
  nrow(unique(rows))
}

# ---------------------------------------------------------------------------
# Rounds

# One call to each worker holding shards, `op` with its element of `args`
# (or `args(w)` when `args` is a function of the worker),
# and their answers (a list by worker; NULL for workers without shards).
# Waits at most dx$timeout seconds for socket clusters.  A failure raises an
# emgmm_error_worker naming the worker, its shards and `context`.  However
# the round ends (an error, an interrupt, a time limit), the answers still
# due are collected and dropped before it returns, so that the cluster's
# connections stay in step for the next call.
cluster_round <- function(dx, op, args, context, call, fun = worker_call,
                          iteration = NA_integer_) {
  # the traffic of EM's rounds is counted (bench/distributed.R reads it)
  count <- op %in% c("estep", "start")
  state <- dx$state
  cl <- dx$cluster
  workers <- if (op == "hello") seq_along(cl) else sort(unique(dx$shards$worker))
  send <- parallel_internal("sendCall")
  receive <- parallel_internal("recvResult")
  pending <- integer()
  on.exit(if (length(pending) > 0L) settle(dx, pending), add = TRUE)
  out <- vector("list", length(cl))
  ours <- identical(fun, worker_call)
  for (w in workers) {
    arg <- if (is.function(args)) args(w) else args[[w]]
    a <- if (ours) list(op, dx$id, arg, dx$threads) else list(arg)
    sent <- tryCatch({
      send(cl[[w]], if (ours) worker_entry else fun, a)
      TRUE
    }, error = function(e) conditionMessage(e))
    if (!isTRUE(sent)) {
      worker_failure(dx, w, NULL, sprintf("it could not be reached (%s)", sent), context,
                     iteration, call)
    }
    pending <- c(pending, w)
    # the call as sent: the function (the small entry) and its arguments
    if (count) state$sent <- state$sent + length(serialize(list(worker_entry, a), NULL))
  }
  deadline <- elapsed() + dx$timeout
  while (length(pending) > 0L) {
    ready <- wait_for(cl, pending, deadline)
    if (length(ready) == 0L) {
      w <- pending[1L]
      pending <- pending[-1L]
      disconnect(cl, w)
      worker_failure(dx, w, NULL, sprintf(paste0(
        "it did not answer within the time limit of %s seconds (`timeout`), and its ",
        "connection was closed"), format(dx$timeout)), context, iteration, call)
    }
    for (w in ready) {
      # an interrupt or a time limit while an answer is read leaves the rest
      # of it on the connection: the worker cannot be used any more
      res <- withCallingHandlers(
        tryCatch(receive(cl[[w]]), error = function(e) e),
        interrupt = function(i) {
          pending <<- setdiff(pending, w)
          cut_short(dx, w)
        })
      pending <- setdiff(pending, w)
      if (is_time_limit(res)) {
        cut_short(dx, w)
        stop(res)
      }
      if (inherits(res, "error")) {
        worker_failure(dx, w, NULL, sprintf(
          "its connection was lost (the worker process died or was stopped: %s)",
          conditionMessage(res)), context, iteration, call)
      }
      if (inherits(res, "try-error")) {
        worker_failure(dx, w, NULL, trimws(as.character(res)), context, iteration, call,
                       fatal = FALSE)
      }
      # the answer as received, before it is unwrapped
      if (count) state$received <- state$received + length(serialize(res, NULL))
      if (ours) {
        if (!isTRUE(res$ok)) {
          # the worker is alive and keeps its shards
          worker_failure(dx, w, res$shard, res$message, context, iteration, call,
                         fatal = isTRUE(res$lost), input = isTRUE(res$input))
        }
        res <- res$value
      }
      if (!is.null(res)) out[[w]] <- res
    }
  }
  out
}

# The `parallel` package's own calls for sending a call to one worker and
# receiving its answer: clusterCall() is made of them.  Taken one worker at
# a time, they let the leader wait with a time limit and know which worker
# failed.
parallel_internal <- function(name) get(name, envir = asNamespace("parallel"), inherits = FALSE)

elapsed <- function() proc.time()[["elapsed"]]

# The workers among `pending` whose answer has arrived, waiting until one
# has or until `deadline`.  Socket nodes are watched with socketSelect();
# other nodes are simply read, in order, without a time limit.
wait_for <- function(cl, pending, deadline) {
  cons <- lapply(pending, function(w) cl[[w]]$con)
  if (!all(vapply(cons, inherits, logical(1), "sockconn"))) return(pending[1L])
  repeat {
    left <- deadline - elapsed()
    if (left <= 0) return(integer())
    # short waits, so that an interrupt is seen promptly
    ready <- socketSelect(cons, write = FALSE, timeout = min(left, 0.25))
    if (any(ready)) return(pending[ready])
  }
}

# The answers still due from `pending` workers, collected and dropped (each
# comes within one pass over a shard).  A worker that does not answer in
# time, or whose connection is lost, makes the data unusable; nothing is
# raised.
settle <- function(dx, pending) {
  receive <- parallel_internal("recvResult")
  deadline <- elapsed() + dx$timeout
  while (length(pending) > 0L) {
    ready <- tryCatch(wait_for(dx$cluster, pending, deadline), error = function(e) integer())
    if (length(ready) == 0L) {
      for (w in pending) disconnect(dx$cluster, w)
      lost(dx, pending[1L], "while its answer to an interrupted or failed round was awaited")
      return(invisible())
    }
    for (w in ready) {
      res <- tryCatch(receive(dx$cluster[[w]]), error = function(e) e)
      pending <- setdiff(pending, w)
      if (inherits(res, "error")) {
        lost(dx, w, "while its answer to an interrupted or failed round was awaited")
      }
    }
  }
  invisible()
}

# Closes the connection to worker `w`, whose answer is still due or was cut
# short, so that no later call reads that answer (or its rest) as its own:
# later calls to the worker fail at once, and the worker process ends.
disconnect <- function(cl, w) {
  try(close(cl[[w]]$con), silent = TRUE)
  invisible()
}

cut_short <- function(dx, w) {
  disconnect(dx$cluster, w)
  lost(dx, w, paste0("because reading its answer was cut short by an interrupt or a time limit ",
                     "(its connection was closed)"))
}

is_time_limit <- function(e) {
  inherits(e, "error") && conditionMessage(e) %in% c(
    gettext("reached elapsed time limit", domain = "R"),
    gettext("reached CPU time limit", domain = "R"),
    gettext("reached session elapsed time limit", domain = "R"),
    gettext("reached session CPU time limit", domain = "R"))
}

lost <- function(dx, worker, context) {
  dx$state$valid <- FALSE
  dx$state$reason <- sprintf("worker %d was lost %s", worker, context)
}

# Raises the classed error.  A worker lost (`fatal`: its process died, or
# did not answer in time) makes the data unusable, since its shards may be
# gone; an error inside a worker's call leaves them usable.
worker_failure <- function(dx, worker, shard, reason, context, iteration, call, fatal = TRUE,
                           input = FALSE) {
  state <- dx$state
  held <- dx$shards$shard[dx$shards$worker == worker]
  if (is.null(shard)) shard <- held
  where <- sprintf("%s %s", if (length(shard) == 1L) "shard" else "shards",
                   paste(shard, collapse = ", "))
  what <- if (fatal) "was lost" else "failed"
  msg <- sprintf("Worker %d (holding %s) %s %s: %s.", worker, where, what, context,
                 sub("[.]$", "", reason))
  if (fatal) {
    lost(dx, worker, context)
    msg <- paste(msg, paste0("The data on the cluster can no longer be used: place them again ",
                             "with gmm_distribute() or gmm_shards() on a working cluster."))
  }
  # a shard whose file cannot be read, or whose rows are not data, is bad input
  class <- c(if (input) "emgmm_error_input", "emgmm_error_worker", "emgmm_error", "error")
  stop(emgmm_condition(class, msg, call,
                       list(worker = worker, shard = shard, iteration = iteration)))
}

# ---------------------------------------------------------------------------
# The workers' side.  Each worker keeps its shards in `worker_store`, under
# the id of the handle; worker_call() runs one operation for all of them
# and returns list(ok = TRUE, value) or list(ok = FALSE, message, shard):
# errors never escape as errors, so that the leader can say which shard.

worker_store <- new.env(parent = emptyenv())

# What travels to the workers in place of worker_call(): a closure travels
# with its body, and worker_call()'s would cost every round many small
# writes on the socket (and, with TCP's delayed acknowledgements, 40 ms).
worker_entry <- function(...) get("worker_call", envir = asNamespace("emgmm"))(...)
environment(worker_entry) <- baseenv()

worker_call <- function(op, id, args, threads) {
  shard <- NULL
  tryCatch({
    if (is.null(threads)) threads <- emgmm_threads()
    value <- switch(op,
      store = worker_place(id, args, threads),
      drop = {
        if (exists(id, envir = worker_store, inherits = FALSE)) rm(list = id, envir = worker_store)
        NULL
      },
      weights = worker_weights(id, args),
      {
        held <- get0(id, envir = worker_store, inherits = FALSE)
        if (is.null(held)) {
          stop(structure(class = c("error", "condition"), list(
            message = "it no longer holds its shards (was it restarted, or the data closed?)",
            call = NULL, lost = TRUE)))
        }
        out <- list()
        for (s in held) {
          shard <- s$shard
          out[[as.character(s$shard)]] <- worker_op(op, s, args, threads)
        }
        out
      })
    list(ok = TRUE, value = value)
  }, error = function(e) {
    list(ok = FALSE, message = conditionMessage(e),
         shard = if (!is.null(e$shard)) e$shard else shard, input = isTRUE(e$input),
         lost = isTRUE(e$lost))
  })
}

# Stores a worker's shards (their rows, or read from their files) and
# returns each one's size and moments.
worker_place <- function(id, shards, threads) {
  held <- list()
  for (s in shards) {
    x <- if (is.null(s$file)) s$x else {
      value <- tryCatch(s$read(s$file), error = function(e) {
        shard_input_error(s$shard, sprintf("`read` failed on file %s: %s", s$file,
                                           conditionMessage(e)))
      })
      tryCatch(as_data_matrix(value, NULL, arg = "read(file)", allow_empty = TRUE,
                              allow_na = TRUE),
               error = function(e) {
                 shard_input_error(s$shard, sprintf("file %s: %s", s$file, conditionMessage(e)))
               })
    }
    held[[length(held) + 1L]] <- list(shard = s$shard, x = x, file = s$file,
                                      cache = new.env(parent = emptyenv()))
  }
  assign(id, held, envir = worker_store)
  lapply(held, function(s) shard_summary(s$shard, s$x))
}

# Gives each shard held under `id` its rows' weights for the fit under way
# (`weights`: a list by shard; NULL removes them), and returns the shards'
# weighted moments.
worker_weights <- function(id, weights) {
  held <- get0(id, envir = worker_store, inherits = FALSE)
  if (is.null(held)) {
    stop(structure(class = c("error", "condition"), list(
      message = "it no longer holds its shards (was it restarted, or the data closed?)",
      call = NULL, lost = TRUE)))
  }
  for (i in seq_along(held)) {
    held[[i]]["w"] <- list(weights[[as.character(held[[i]]$shard)]])
    # what was kept for the shard's passes was made with the old weights
    if (!is.null(held[[i]]$cache)) rm(list = ls(held[[i]]$cache), envir = held[[i]]$cache)
  }
  assign(id, held, envir = worker_store)
  out <- lapply(held, function(s) shard_summary(s$shard, s$x, s$w))
  stats::setNames(out, vapply(held, function(s) as.character(s$shard), ""))
}

# An error about one shard's file or rows (bad input, not the worker's
# failure), carrying the shard for worker_call().
shard_input_error <- function(shard, message) {
  stop(structure(class = c("error", "condition"),
                 list(message = message, call = NULL, shard = shard, input = TRUE)))
}

# A shard's size, columns and moments, as combine_moments() takes them:
# `rows` (its rows), `n` (the observations it counts: the sum of the
# weights `w` when given, rows with nothing observed left out), the count,
# mean and scatter of its complete rows (of positive weight), each
# variable's count, mean and scatter over its observed values, its ranges,
# and its missing values.
shard_summary <- function(shard, x, w = NULL) {
  rows <- nrow(x)
  missing <- sum(is.na(x))
  keep <- if (is.null(w)) rep(TRUE, rows) else w > 0
  if (missing > 0L) keep <- keep & rowSums(!is.na(x)) > 0L
  x <- x[keep, , drop = FALSE]
  w <- if (is.null(w)) rep(1, nrow(x)) else w[keep]
  weighted_moments <- function(v, wv) {
    total <- sum(wv)
    mean <- if (total > 0) colSums(v * wv) / total else rep(0, ncol(v))
    centred <- sweep(v, 2L, mean) * sqrt(wv)
    list(n = total, mean = mean, m2 = crossprod(centred))
  }
  complete <- rowSums(is.na(x)) == 0L
  cm <- weighted_moments(x[complete, , drop = FALSE], w[complete])
  obs <- !is.na(x)
  x0 <- x
  x0[!obs] <- 0
  col_n <- colSums(obs * w)
  col_mean <- ifelse(col_n > 0, colSums(x0 * w) / col_n, 0)
  dev <- sweep(x0, 2L, col_mean)
  dev[!obs] <- 0
  list(shard = shard, rows = as.numeric(rows), n = sum(w), d = ncol(x), names = colnames(x),
       complete = cm$n, mean = cm$mean, m2 = cm$m2,
       col_n = col_n, col_mean = col_mean, col_m2 = colSums(dev^2 * w),
       min = if (nrow(x) > 0L) apply(x, 2L, min, na.rm = TRUE) else rep(Inf, ncol(x)),
       max = if (nrow(x) > 0L) apply(x, 2L, max, na.rm = TRUE) else rep(-Inf, ncol(x)),
       missing = missing)
}

# The rows of shard `s` a fit uses, with their weights: all of them, or
# with `omit` its complete rows (`rows`: which).
shard_rows_used <- function(s, omit) {
  if (!isTRUE(omit) || !anyNA(s$x)) return(list(x = s$x, w = s$w, rows = seq_len(nrow(s$x))))
  rows <- which(rowSums(is.na(s$x)) == 0L)
  list(x = s$x[rows, , drop = FALSE], w = if (!is.null(s$w)) s$w[rows], rows = rows)
}

# The rows of shard `s` a fit passes over (shard_rows_used()), with their
# missing values grouped by pattern (missing_layout_cpp()), made at the
# first pass and kept in the shard's cache until its weights change, so
# that EM's passes neither copy nor regroup the rows.
shard_view <- function(s, omit) {
  key <- if (isTRUE(omit)) "omit" else "all"
  kept <- if (!is.null(s$cache)) s$cache[[key]]
  if (!is.null(kept)) return(kept)
  u <- shard_rows_used(s, omit)
  if (anyNA(u$x)) u$layout <- missing_layout_cpp(u$x, u$w)
  if (!is.null(s$cache)) assign(key, u, envir = s$cache)
  u
}

# One operation on one shard `s` (list(shard, x)).
worker_op <- function(op, s, args, threads) {
  x <- s$x
  switch(op,
    rows = {
      want <- args[[as.character(s$shard)]]
      if (is.null(want)) NULL else x[want, , drop = FALSE]
    },
    distinct = {
      m <- args
      if (ncol(x) == 1L) {
        u <- unique(x[, 1L])
        matrix(utils::head(u, m), ncol = 1L)
      } else {
        head_rows <- min(nrow(x), 10L * m + 1000L)
        u <- unique(x[seq_len(head_rows), , drop = FALSE])
        if (nrow(u) < m && head_rows < nrow(x)) u <- unique(x)
        u[seq_len(min(m, nrow(u))), , drop = FALSE]
      }
    },
    estep = {
      u <- shard_view(s, args$omit)
      if (nrow(u$x) > 0L) {
        shard_estep_cpp(u$x, args$params, args$model, threads, u$w, u$layout)
      }
    },
    start = {
      start <- args$starts[[as.character(s$shard)]]
      if (is.null(start)) start <- rep(1L, nrow(x))
      # a start is made on the complete rows (the others join at the first
      # E-step), or with too few of them on all the rows filled with the
      # means `args$fill`, as in memory (start_rows())
      u <- if (is.null(args$fill)) shard_view(s, TRUE) else
        list(x = fill_missing(x, args$fill), w = s$w, rows = seq_len(nrow(x)))
      start <- if (is.matrix(start)) start[u$rows, , drop = FALSE] else start[u$rows]
      if (nrow(u$x) > 0L) shard_start_cpp(u$x, start, args$k, args$means, args$model, threads, u$w)
    },
    incomplete = {
      if (anyNA(x)) which(rowSums(is.na(x)) > 0L) else integer()
    },
    complete_summary = {
      u <- shard_view(s, TRUE)
      shard_summary(s$shard, u$x, u$w)
    },
    predict = worker_predict(s, args, threads),
    stop(sprintf("unknown operation '%s'", op))
  )
}

# One shard's predictions: the value of `args$type`, gathered, kept on the
# worker as a new shard of the handle `args$keep`, or written to a file next
# to the shard's file.
worker_predict <- function(s, args, threads) {
  x <- s$x
  p <- args$params
  k <- length(p$proportions)
  type <- args$type
  post <- type %in% c("classification", "posterior", "sizes")
  res <- if (nrow(x) > 0L) {
    predict_cpp(x, p$proportions, p$means, p$covariances, post, threads)
  } else {
    list(posterior = matrix(0, 0L, k), logdensity = numeric(0))
  }
  value <- switch(type,
    sizes = return(tabulate(classify(res$posterior)$classification, nbins = k)),
    classification = classify(res$posterior)$classification,
    posterior = res$posterior,
    density = exp(res$logdensity),
    logdensity = res$logdensity)
  switch(args$output,
    gather = value,
    workers = {
      m <- as.matrix(value)
      colnames(m) <- args$names
      held <- get0(args$keep, envir = worker_store, inherits = FALSE)
      assign(args$keep, c(held, list(list(shard = s$shard, x = m))), envir = worker_store)
      shard_summary(s$shard, m)
    },
    files = {
      if (is.null(s$file)) stop("this shard was not read from a file")
      path <- prediction_path(s$file, type)
      saveRDS(value, path)
      path
    })
}

# Where the predictions of a shard read from `file` are written: next to
# it, `<file without extension>-<type>.rds`.
prediction_path <- function(file, type) {
  paste0(sub("\\.[^./\\\\]*$", "", file), "-", type, ".rds")
}

# ---------------------------------------------------------------------------
# The leader's side of a fit

# The engine's pass over all the rows of the data on the cluster:
# function(params, iteration) giving the statistics of every shard at
# `params` (the engine's layout, see shard_estep_cpp()), in shard order
# (the glue adds them, as the engine adds statistics).
remote_pass <- function(dx, k, model, call) {
  function(params, iteration) {
    args <- rep(list(list(params = params, model = model, omit = isTRUE(dx$omit))),
                length(dx$cluster))
    in_shard_order(cluster_round(dx, "estep", args, pass_context(iteration, k, model), call,
                                 iteration = iteration))
  }
}

pass_context <- function(iteration, k, model) {
  if (iteration == 0L) {
    sprintf("in the first pass over all the rows of the fit of k = %d, model %s", k, model)
  } else {
    sprintf("at EM iteration %d of the fit of k = %d, model %s", iteration, k, model)
  }
}

# Sends each shard its rows of `weights` (one per row of the data, in row
# order; NULL takes them back) and returns the handle with the weighted
# moments, for a fit with weights.  Taking them back never fails (a lost
# worker has lost them anyway).
weigh_on_workers <- function(dx, weights, call) {
  ends <- cumsum(dx$shards$rows)
  by_worker <- lapply(seq_along(dx$cluster), function(w) {
    mine <- dx$shards$shard[dx$shards$worker == w]
    stats::setNames(lapply(mine, function(s) {
      if (is.null(weights)) return(NULL)
      weights[seq_len(dx$shards$rows[s]) + ends[s] - dx$shards$rows[s]]
    }), mine)
  })
  if (is.null(weights)) {
    if (isTRUE(dx$state$valid)) {
      try(cluster_round(dx, "weights", by_worker, "while taking the weights back", NULL),
          silent = TRUE)
    }
    return(invisible(dx))
  }
  res <- cluster_round(dx, "weights", by_worker, "while sending the weights", call)
  info <- in_shard_order(res)
  dx$moments <- combine_moments(info)
  dx
}

# The shards' answers (a list by worker of lists named by shard) as one list
# in shard order.
in_shard_order <- function(res) {
  all <- unlist(res, recursive = FALSE)
  all[order(as.integer(names(all)))]
}

# One of the two passes of the statistics of a start on all the rows (the
# engine's stats_from_labels(), which the glue drives): function(means,
# pass) giving the statistics of every shard, in shard order.  `start` is
# NULL (one component), labels (length n) or a posterior matrix (n x k),
# cut into the shards' rows.
remote_start <- function(dx, start, k, model, call, fill = NULL) {
  ends <- cumsum(dx$shards$rows)
  slice <- function(s) {
    if (is.null(start)) return(NULL)
    rows <- seq_len(dx$shards$rows[s]) + ends[s] - dx$shards$rows[s]
    if (is.matrix(start)) start[rows, , drop = FALSE] else start[rows]
  }
  by_worker <- lapply(seq_along(dx$cluster), function(w) {
    mine <- dx$shards$shard[dx$shards$worker == w]
    stats::setNames(lapply(mine, slice), mine)
  })
  function(means, pass) {
    args <- lapply(by_worker, function(st) {
      list(starts = st, k = k, means = means, model = model, fill = fill)
    })
    in_shard_order(cluster_round(dx, "start", args,
                                 "while computing the statistics of the start", call))
  }
}

# Predictions on the data on the cluster, by shard: gathered in row order,
# kept on the workers (a new handle), or written next to the shard files.
distributed_predict <- function(object, dx, type, output, call) {
  p <- object$parameters
  params <- list(proportions = p$proportions, means = unname(p$means),
                 covariances = array(as.double(p$covariances), dim(p$covariances)))
  keep <- if (output == "workers") new_id()
  names <- if (type == "posterior") paste0("posterior_", seq_len(object$k)) else type
  args <- rep(list(list(params = params, type = type, output = output, keep = keep,
                        names = names)), length(dx$cluster))
  if (output == "files" && is.null(dx$shards$file)) {
    abort_input(paste0("`output = \"files\"` writes next to the shard files, but these data were ",
                       "not read from files (gmm_shards())."), call)
  }
  if (output == "files") {
    paths <- prediction_path(dx$shards$file, type)
    if (anyDuplicated(paths)) {
      abort_input(sprintf(paste0(
        "`output = \"files\"` would write the predictions of two shards to the same file, %s ",
        "(their files differ only by extension)."), paths[anyDuplicated(paths)]), call)
    }
  }
  res <- cluster_round(dx, "predict", args, sprintf("while predicting (%s)", type), call)
  by_shard <- unlist(res, recursive = FALSE)
  by_shard <- by_shard[order(as.integer(names(by_shard)))]
  switch(output,
    gather = if (type == "sizes") {
      Reduce(`+`, by_shard)
    } else if (type == "posterior") {
      out <- do.call(rbind, by_shard)
      if (is.null(out)) out <- matrix(0, 0L, object$k)
      dimnames(out) <- NULL
      out
    } else {
      out <- unlist(by_shard, use.names = FALSE)
      if (type == "classification") as.integer(out) else as.double(out)
    },
    workers = {
      kept <- new_handle(dx$cluster, dx$shards$worker, NULL, dx$timeout, dx$threads, id = keep)
      finish_handle(kept, res, call)
    },
    files = invisible(unlist(by_shard, use.names = FALSE)))
}

# ---------------------------------------------------------------------------
# Missing values on the cluster

# The data for a fit with `na_action`: missing values refused ("fail"),
# fitted where they are ("em"), or their rows left out ("omit": the workers
# pass over their complete rows, and the moments are those of the complete
# rows).
distributed_na_action <- function(dx, na_action, call) {
  m <- dx$moments
  if (m$missing == 0) return(dx)
  if (na_action == "fail") {
    abort_input(sprintf(paste0(
      "`x` must contain only finite values, but the data on the cluster have %s missing ",
      "values (use `na_action = \"em\"` or `\"omit\"` to fit data with missing values)."),
      format(m$missing, big.mark = ",")), call)
  }
  if (na_action == "omit") {
    dx$omit <- TRUE
    dx$moments <- complete_moments(dx)
  }
  dx
}

# The weighted moments of the complete rows alone (for na_action = "omit").
complete_moments <- function(dx) {
  res <- cluster_round(dx, "complete_summary", rep(list(NULL), length(dx$cluster)),
                       "while summarising the complete rows", NULL)
  info <- in_shard_order(res)
  out <- combine_moments(info)
  if (out$n < 1) {
    abort_input("`x` has no complete observation; `na_action = \"omit\"` leaves nothing to fit.",
                NULL)
  }
  out
}

# The rows the starts are computed on for data on a cluster, as
# start_rows() chooses them in memory (NULL: no value missing): a view of
# the complete rows (of positive weight), or, when there are fewer than
# 2 k (d + 1), all the rows with each missing value replaced by its
# variable's mean (`fill`: src_rows() fills the rows it fetches).  With na_action = "omit" the whole fit sees the complete rows.
distributed_start_rows <- function(dx, weights, k_max, call) {
  if (dx$moments$missing == 0 && !isTRUE(dx$omit)) return(NULL)
  ends <- cumsum(dx$shards$rows)
  res <- cluster_round(dx, "incomplete", rep(list(NULL), length(dx$cluster)),
                       "while finding the incomplete rows", call)
  inc <- in_shard_order(res)
  offset <- (ends - dx$shards$rows)[as.integer(names(inc))]
  incomplete <- unlist(Map(function(r, o) r + o, inc, offset), use.names = FALSE)
  keep <- rep(TRUE, dx$n)
  keep[incomplete] <- FALSE
  if (!is.null(weights)) keep <- keep & weights > 0
  complete <- which(keep)
  if (isTRUE(dx$omit) || use_complete_rows(length(complete), k_max, dx$d)) {
    view <- dx
    view$view <- complete
    view$n <- length(complete)
    return(list(data = view, weights = if (!is.null(weights)) weights[complete],
                how = if (isTRUE(dx$omit)) "omit" else "complete"))
  }
  filled <- dx
  filled$fill <- dx$moments$col_mean
  list(data = filled, weights = weights, how = "imputed")
}

# Rows fetched for the starts with each missing value replaced by its
# variable's mean (`means`; NULL: as they are).
fill_missing <- function(x, means) {
  if (is.null(means) || !anyNA(x)) return(x)
  for (j in seq_len(ncol(x))) x[is.na(x[, j]), j] <- means[j]
  x
}
