# The settings of a fit: the EM controls given by the user, validated, with
# the defaults that depend on the start, and the list the engine reads.

# Iterations each of several starts runs before only the best are continued
# (bad starts mostly converge slowly, so they cost little).
screen_iterations <- 20L

# Above this many rows, several starts are screened on a random sample of
# this many rows, and only the best is carried over to all of them.
screen_rows <- 20000L

# The EM controls of a call: `tol`, `reg` and the second (inner) elements of
# `max_iter` and `tol`, with their defaults.  With `init = "hc"` alone,
# mclust's defaults (emControl()'s tolerances and no ridge) unless given, so
# that fits and tables reproduce mclust's.  `variances` are the variables'
# variances (the scale of the model checks); `data` gives the default ridge.
fit_settings <- function(init_type, max_iter, tol, reg, threads, verbose, data, variances,
                         tol_given, reg_given, call) {
  if (init_type == "hc") {
    if (!tol_given) tol <- c(1e-5, sqrt(.Machine$double.eps))
    if (!reg_given) reg <- 0
  }
  max_iter <- check_max_iter(max_iter, call)
  tol <- check_tol(tol, call)
  threads <- check_count(threads, "threads", call)
  verbose <- check_flag(verbose, "verbose", call)
  d <- length(variances)
  # each variable's variance; a constant variable borrows the mean of the others
  scale <- variances
  scale[scale == 0] <- mean(variances[variances > 0])
  reg_default <- is.null(reg)
  ridge <- if (reg_default) default_ridge(data, scale) else
    diag(check_number(reg, "reg", call), d)
  # inner iterations: 1e5 per M-step without a ridge (mclust sets no limit;
  # fits that need more than 1000 then agree with its fits), 1000 with one
  if (is.na(max_iter[2L])) max_iter[2L] <- if (all(ridge == 0)) 1e5 else 1000
  list(
    verbose = verbose, reg_default = reg_default,
    engine = list(max_iter = max_iter[1L], inner_max_iter = max_iter[2L], tol = tol[1L],
                  inner_tol = tol[2L], reg = ridge, scale = scale, threads = threads,
                  screen_iter = screen_iterations)
  )
}

# Multiple of the data's covariance matrix that makes the default ridge.
default_ridge_share <- 1e-10

# The default ridge: 1e-10 times the covariance matrix of the data (divisor
# n), a constant variable taking 1e-10 times `scale` (the mean variance of
# the others).  Being shaped as the data, it does not depend on their units
# or their orientation, and it is thin where they are thin: a component
# thin in the direction in which the data are thin is not biased by it.
default_ridge <- function(data, scale) {
  s <- data_covariance(data)
  constant <- diag(s) == 0
  diag(s)[constant] <- scale[constant]
  s <- (s + t(s)) / 2
  dimnames(s) <- NULL
  default_ridge_share * s
}

# The covariance matrix of the data (divisor n).
data_covariance <- function(data) {
  if (is_distributed(data)) return(data$moments$cov)
  if (!is.null(data_moments(data))) return(data_moments(data)$cov)
  n <- nrow(data)
  stats::cov(data) * ((n - 1) / n)
}

# `max_iter`: one whole number (EM), or two as mclust's emControl(itmax =):
# EM, then the inner iterations of the iterative M-steps (NA, the default,
# is settled in fit_settings(); may be Inf).
check_max_iter <- function(max_iter, call) {
  ok <- is.numeric(max_iter) && length(max_iter) %in% 1:2 && !anyNA(max_iter) &&
    is.finite(max_iter[1L]) && all(max_iter >= 1) &&
    all(is.infinite(max_iter) | abs(max_iter - round(max_iter)) < 1e-8)
  if (!ok) {
    abort_input(sprintf(paste0(
      "`max_iter` must be a whole number >= 1, or two (EM, then inner iterations; ",
      "the second may be Inf), not %s."), describe(max_iter)), call)
  }
  if (max_iter[1L] > .Machine$integer.max) {
    abort_input(sprintf("`max_iter` must be at most %d, not %s.", .Machine$integer.max,
                        describe(max_iter[1L])), call)
  }
  if (length(max_iter) == 1L) return(c(round(max_iter), NA))
  c(round(max_iter[1L]), if (is.finite(max_iter[2L])) round(max_iter[2L]) else Inf)
}

# `tol`: one number (EM), or two as in mclust's emControl(): EM, then the
# inner iterations of the iterative M-steps (default sqrt(eps)).
check_tol <- function(tol, call) {
  if (!is.numeric(tol) || !length(tol) %in% 1:2 || anyNA(tol) || any(!is.finite(tol)) ||
      any(tol < 0)) {
    abort_input(sprintf(
      "`tol` must be one or two finite numbers >= 0 (EM, then inner iterations), not %s.",
      describe(tol)), call)
  }
  if (length(tol) == 1L) tol <- c(tol, sqrt(.Machine$double.eps))
  as.double(tol)
}

#' Default number of threads
#'
#' The number of threads [gmm_fit()] uses by default (and [predict.emgmm()] then):
#' `getOption("emgmm.threads")` when set; otherwise every processor of the
#' machine, but no more than the environment variable `OMP_THREAD_LIMIT`
#' when it is set (as R CMD check and many clusters set it for all threaded
#' code).
#'
#' The engine's helper threads sleep when there is no work (they never spin
#' waiting for it), and the work of each pass over the data is cut into parts
#' that the threads claim one at a time, so a thread that the operating
#' system holds back (another process busy on its core) just does fewer
#' parts: the default is not slower than `threads = 1` on a busy machine.
#' The parts, not the threads, fix the order of every sum, so results are
#' identical, to the last bit, whatever the number of threads.  A process
#' forked from R (`parallel::mclapply()`) runs single-threaded.
#' @return A whole number.
#' @examples
#' emgmm_threads()
#' options(emgmm.threads = 1)  # one thread for the rest of the session
#' emgmm_threads()
#' options(emgmm.threads = NULL)
#' @export
emgmm_threads <- function() {
  opt <- getOption("emgmm.threads")
  if (!is.null(opt)) return(opt)
  n <- max_threads_cpp()
  limit <- suppressWarnings(as.integer(Sys.getenv("OMP_THREAD_LIMIT")))
  if (!is.na(limit) && limit >= 1L) n <- min(n, limit)
  n
}
