#' Fit a Gaussian mixture model by the EM algorithm
#'
#' Fits finite mixtures of Gaussian distributions by maximum likelihood with
#' the expectation-maximisation (EM) algorithm.  When several numbers of
#' components or covariance models are given, every pair is fitted and the
#' best one by `criterion` is returned, with the whole comparison in
#' `$selection`.
#'
#' @section Covariance models:
#' Model names are mclust's (Celeux and Govaert 1995 parametrisation
#' \eqn{\Sigma_k = \lambda_k D_k A_k D_k^\top}{Sigma_k = lambda_k D_k A_k D_k'}):
#' univariate `"E"` (equal variance) and `"V"` (unequal variance); multivariate
#' `"EII"`, `"VII"` (spherical), `"EEI"`, `"VEI"`, `"EVI"`, `"VVI"` (diagonal),
#' `"EEE"`, `"VEE"`, `"EVE"`, `"VVE"` (shared orientation), `"EEV"`, `"VEV"`,
#' `"EVV"` and `"VVV"` (varying orientation).  `"VEI"`, `"VEE"` and `"VEV"`
#' have no closed-form M-step and iterate inside it (Celeux and Govaert 1995),
#' as do `"EVE"` and `"VVE"` (the majorisation-minimisation algorithm of
#' Browne and McNicholas 2014), each started as mclust starts it, with the
#' tolerance given as the second element of `tol` and at most as many inner
#' iterations per M-step as the second element of `max_iter` allows (1e5 by
#' default when `reg = 0`, where mclust sets no limit; 1000 with a ridge).  Because their inner
#' iterations stop at that tolerance, these M-steps are not exact: as in
#' mclust, the log-likelihood along `loglik_trace` can fall a little for them
#' (most for `"VVE"`, whose majorisation-minimisation steps converge slowly).
#' The aliases of
#' scikit-learn are accepted: `"spherical"` (VII), `"diag"` (VVI), `"tied"`
#' (EEE) and `"full"` (VVV).  `"all"` means every model for the data's
#' dimension.  For univariate data every multivariate name means its
#' univariate form by its volume letter, so `"VVV"` and `"full"` mean `"V"`
#' and `"EEE"` means `"E"`.
#'
#' @section Starting points:
#' * `"kmeans"`: k-means++ seeding (greedy, with \eqn{2 + \log k} candidates
#'   per centre) followed by Lloyd iterations, both in C++.  Above 20000 rows
#'   they run on 20000 rows drawn at random (with R's generator), and every
#'   row then goes to its nearest centre.
#' * `"random"`: `k` distinct observations drawn at random as centres, each
#'   observation assigned to its nearest centre.
#' * `"hc"`: the start of mclust's `Mclust()`, deterministic up to `hc_subset`
#'   rows (a random subset beyond).  For multivariate
#'   data, model-based agglomerative hierarchical clustering (Banfield and
#'   Raftery 1993; Fraley 1998) of the variables transformed as mclust's
#'   default `mclust.options(hcUse = "SVD")` does (standardised, rotated to
#'   their principal axes and divided by the square root of their singular
#'   values), with the unconstrained `"VVV"` criterion (or `"EII"`, Ward's,
#'   when `n <= d`), exactly as [mclust::hc()] merges; the partition into `k`
#'   groups starts every model with `k` components.  For univariate data, as
#'   in mclust, the start is `k` classes cut at quantiles.  The clustering
#'   takes time and memory in proportion to the square of the number of rows
#'   it sees, so when `n` is larger than `hc_subset` (default 4000, about a
#'   second or three: `bench/hc.R`) it runs on that many rows drawn at random
#'   (with R's generator, like mclust, whose default is 2000); EM then starts
#'   with an M-step on those rows and continues on all of them.  Unless `tol`
#'   and `reg` are given, `init = "hc"` also takes mclust's defaults for them
#'   (`tol = c(1e-5, sqrt(.Machine$double.eps))` as in [mclust::emControl()],
#'   and `reg = 0`), so that `gmm_fit(x, k = 1:9, model = "all", init = "hc")`
#'   reproduces [mclust::mclustBIC()] (with the sign of the criterion
#'   flipped; for `n` above 2000 give `hc_subset = 2000` and the same seed,
#'   as mclust subsets there), and pairs that mclust cannot fit are `NA` here
#'   too, with the reason.  They can part where components hold fewer points
#'   than dimensions: the orientation of such an EEV component is arbitrary
#'   and each package picks its own; whether mclust's VEE accepts a singular
#'   scatter matrix depends on rounding, emgmm's never does; and mclust's
#'   singularity thresholds are in the data's units, emgmm's are not.
#' * labels: an integer vector of `n` labels in `1..k`.
#' * posterior: an `n x k` matrix of membership probabilities (rows sum to 1).
#'
#' EM starts with an M-step from the starting partition.  With `"kmeans"` and
#' `"random"`, `n_init` starting partitions are drawn (identical partitions are
#' fitted once), each runs at most 20 EM iterations, the best of them is
#' continued to convergence (bad starts mostly converge slowly, so they cost
#' little), and the fit with the highest log-likelihood is kept, except
#' that a fit in which a component collapsed (see "Degenerate fits") is kept
#' only when every start collapsed.  Above 20000 rows the starts are
#' compared on a random sample of 20000 rows instead (their k-means already
#' runs on such a sample): each runs its 20 iterations there, and only the
#' best is fitted on all the rows (the random sample uses R's random number
#' generator, so `set.seed()` makes it reproducible).  Even-numbered starts run k-means on
#' standardised variables (a start that does not depend on the units),
#' odd-numbered ones on the variables as they are.  The default `n_init = 10`
#' was chosen by measurement (`bench/n_init.R` in the sources: 17 workloads,
#' 30 seeds each): with it every seed reached the best optimum found on 10 of
#' the 14 workloads whose best optimum is not degenerate, and at least 80% of
#' seeds did on 13 of them; 5 starts did clearly worse, and 20 doubled the time
#' for a small gain.  A
#' user-supplied start with `reg = 0` and the same `tol` reproduces
#' [mclust::me()] from that start.
#'
#' @section Degenerate fits:
#' A component can collapse onto a few points or a repeated value, where the
#' likelihood is unbounded.  With `reg = 0` such a component makes its
#' covariance singular: that start fails, and if every start fails, the error
#' (class `emgmm_error_fit`) names the component and the reason.  With
#' `reg > 0` the ridge keeps the fit finite, and a fit is flagged as
#' degenerate when a component's covariance without the ridge is singular at
#' the scale of the data (smallest eigenvalue at most `1e-9` in units of the
#' variables' standard deviations).  Other starts and other (k, model) pairs
#' are preferred to a degenerate fit; if one is returned, a warning of class
#' `emgmm_warning_degenerate` names the component.
#'
#' @section Convergence and regularisation:
#' EM stops when the relative change of the log-likelihood,
#' \eqn{|l_t - l_{t-1}| / (1 + |l_t|)}, falls to `tol` or below (mclust's
#' rule), or after `max_iter` iterations (with a warning of class
#' `emgmm_warning_convergence`).  As with mclust, this relative change depends
#' on the units of `x` through the size of the log-likelihood (rescaling
#' every variable by `s` subtracts `n d log(s)` from it); use a smaller `tol` for a
#' tighter fit.  `reg` is added to the diagonal of every
#' covariance estimate, like scikit-learn's `reg_covar`, which keeps components
#' from collapsing onto single points; `reg = 0` gives the plain
#' maximum-likelihood M-step.  The default, `NULL`, adds `1e-10` times each
#' variable's variance to that variable's diagonal entry: enough to keep every
#' fit finite, small enough not to bias thin (highly correlated) components,
#' and in the units of the data, so fits do not depend on them.  A number adds
#' that number to every diagonal entry.  Precisely, the ridge is added to each
#' component's unconstrained covariance estimate before the model's
#' constraints are applied: for `"VVV"`, `"EEE"` and `"VVI"` that is the same
#' as adding it to the fitted covariances, and spherical models add the mean
#' ridge to their one variance, so every model keeps its shape.  With
#' `reg > 0` the M-step is not an exact likelihood step, so the log-likelihood
#' can fall slightly near convergence; when the converging step lowered it,
#' the previous iterate is kept.
#'
#' @param x A numeric vector (univariate data), a numeric matrix or a data
#'   frame of numeric columns, one row per observation.  Column names carry
#'   through to the results.
#' @param k Number(s) of components, whole numbers between 1 and the number of
#'   distinct observations.  The default `1:9` is capped at the number of
#'   distinct observations.
#' @param model Covariance model name(s); see "Covariance models".
#' @param init Starting point: `"kmeans"`, `"random"`, `"hc"`, a vector of
#'   labels or a matrix of posterior probabilities; see "Starting points".
#' @param n_init Number of starting partitions drawn for `"kmeans"` and
#'   `"random"` starts; the best fit is kept.
#' @param max_iter Maximum number of EM iterations.  A second number, as in
#'   [mclust::emControl()]'s `itmax`, limits the inner iterations of the
#'   models whose M-step has no closed form, per M-step.  By default 1e5 when
#'   `reg = 0` (mclust sets no limit; some of its fits need more than 1000)
#'   and 1000 with a ridge, where components held up by the ridge can make
#'   them crawl.  `Inf` removes the limit; a fit whose inner iterations never
#'   converge then runs until interrupted (they check for interrupts).
#' @param tol Convergence tolerance on the relative change of the
#'   log-likelihood (with `init = "hc"`, mclust's `1e-5` unless given).  A second number, as in [mclust::emControl()], sets the
#'   tolerance of the inner iterations of the models whose M-step has no
#'   closed form (`"VEI"`, `"VEE"`, `"EVE"`, `"VVE"`, `"VEV"`; default
#'   `sqrt(.Machine$double.eps)`).
#' @param reg Non-negative ridge added to the diagonal of every covariance
#'   estimate, or `NULL` (default) for `1e-10` times each variable's variance
#'   (with `init = "hc"`, `0` unless given).
#' @param criterion Model selection criterion, `"bic"`, `"icl"` or `"aic"`;
#'   all are on the scale where lower is better.
#' @param threads Number of threads; by default `getOption("emgmm.threads")`
#'   or else all the processors OpenMP reports.  Never more than the number of
#'   processors are used.  Results are identical for a given number of threads
#'   and agree to rounding (about 1e-15 relative) between different numbers.
#' @param verbose If `TRUE`, print the log-likelihood at every iteration.
#' @param hc_subset For `init = "hc"` only: the rows the hierarchical
#'   clustering runs on.  `NULL` (default) means all rows when there are at
#'   most 4000, else 4000 drawn at random; a number asks for that many rows
#'   drawn at random (all of them when it is at least `n`); a vector of row
#'   indices or a logical vector chooses them.
#' @param ... Not used; anything given here is an error (so that misspelt
#'   arguments are caught).
#'
#' @return An object of class `"gmm"`: a list with the fields described in
#'   [gmm-object].
#' @seealso [predict.gmm()], [summary.gmm()], [simulate.gmm()].
#' @references Celeux, G. and Govaert, G. (1995). Gaussian parsimonious
#'   clustering models. *Pattern Recognition*, 28(5), 781-793.
#'
#'   Banfield, J. D. and Raftery, A. E. (1993). Model-based Gaussian and
#'   non-Gaussian clustering. *Biometrics*, 49(3), 803-821.
#'
#'   Fraley, C. (1998). Algorithms for model-based Gaussian hierarchical
#'   clustering. *SIAM Journal on Scientific Computing*, 20(1), 270-281.
#'
#'   Browne, R. P. and McNicholas, P. D. (2014). Estimating common principal
#'   components in high dimensions. *Advances in Data Analysis and
#'   Classification*, 8(2), 217-226.
#'
#'   Scrucca, L., Fop, M., Murphy, T. B. and Raftery, A. E. (2016). mclust 5:
#'   clustering, classification and density estimation using Gaussian finite
#'   mixture models. *The R Journal*, 8(1), 289-317.
#' @examples
#' fit <- gmm_fit(series, k = 3, threads = 1)
#' fit
#' predict(fit, c(25, 38, 44), type = "posterior")
#'
#' # selection over k and models on two variables
#' sel <- gmm_fit(faithful, k = 1:4, model = c("VVV", "EEE", "VII"), threads = 1)
#' sel$selection
#' @export
gmm_fit <- function(x, k = 1:9, model = "VVV", init = "kmeans", n_init = 10L,
                    max_iter = 1000L, tol = 1e-8, reg = NULL,
                    criterion = c("bic", "icl", "aic"), threads = emgmm_threads(),
                    verbose = FALSE, hc_subset = NULL, ...) {
  call <- match.call()
  ecall <- sys.call()
  check_dots(list(...), ecall)
  data <- as_data_matrix(x, ecall)
  n <- nrow(data)
  d <- ncol(data)
  models <- resolve_models(model, d, ecall)
  criterion <- check_choice(criterion, c("bic", "icl", "aic"), "criterion", ecall)

  variances <- vapply(seq_len(ncol(data)), function(j) stats::var(data[, j]), numeric(1))
  if (n < 2L || all(variances == 0)) {
    abort_input(paste0("`x` must contain at least two distinct observations (with values ",
                       "large enough for their variance to be non-zero in double precision)."),
                ecall)
  }
  if (!all(is.finite(variances)) || !is.finite(sum(variances))) {
    abort_input(sprintf(
      "`x` has values too large to square in double precision (variable %d); rescale it.",
      which(!is.finite(variances))[1L]), ecall)
  }
  vars <- colnames(data)
  if (!is.null(vars) && anyDuplicated(vars)) {
    abort_input(sprintf("`x` must have distinct column names, but `%s` is repeated.",
                        vars[anyDuplicated(vars)]), ecall)
  }

  user_start <- NULL
  if (is.character(init) && length(init) == 1L && is.null(dim(init))) {
    init_type <- check_choice(init, c("kmeans", "random", "hc"), "init", ecall)
    if (missing(k)) {
      # the default 1:9, capped at the number of distinct observations
      k <- k[k <= count_distinct(data, max(k))]
    }
    ks <- check_k(k, n, ecall)
  } else if (is.character(init)) {
    abort_input(sprintf(paste0("`init` must be \"kmeans\", \"random\", \"hc\", a vector of ",
                               "labels or a matrix of posterior probabilities, not %s."),
                        describe(init)), ecall)
  } else {
    if (!missing(k)) check_k(k, n, ecall)
    user_start <- check_start(init, n, k, missing(k), ecall)
    ks <- check_k(user_start$k, n, ecall)
    init_type <- if (is.matrix(user_start$start)) "posterior" else "labels"
  }
  if (init_type == "hc") {
    # Mclust()'s procedure: its start and, unless given, its tolerances
    # (emControl()) and no ridge, so that fits and tables reproduce mclust's
    if (missing(tol)) tol <- c(1e-5, sqrt(.Machine$double.eps))
    if (missing(reg)) reg <- 0
  } else if (!is.null(hc_subset)) {
    abort_input("`hc_subset` applies only to `init = \"hc\"`.", ecall)
  }
  n_init <- check_count(n_init, "n_init", ecall)
  max_iter <- check_max_iter(max_iter, ecall)
  tol <- check_tol(tol, ecall)
  threads <- check_count(threads, "threads", ecall)
  verbose <- check_flag(verbose, "verbose", ecall)

  n_distinct <- count_distinct(data, max(ks))
  if (max(ks) > n_distinct) {
    abort_input(sprintf(
      "`k` must be at most the number of distinct observations in `x` (%d), not %d.",
      n_distinct, max(ks)), ecall)
  }
  # each variable's variance (a constant variable borrows the mean of the
  # others): the scale of the default ridge and of the collapse test
  scale_var <- variances
  scale_var[scale_var == 0] <- mean(variances[variances > 0])
  reg_default <- is.null(reg)
  reg <- if (reg_default) 1e-10 * scale_var else rep(check_number(reg, "reg", ecall), d)
  # inner iterations: 1e5 per M-step without a ridge (mclust sets no limit;
  # fits that need more than 1000 then agree with its fits), 1000 with one
  if (is.na(max_iter[2L])) max_iter[2L] <- if (all(reg == 0)) 1e5 else 1000

  control <- list(max_iter = max_iter, tol = tol, reg = reg, threads = threads,
                  verbose = verbose, scale_var = scale_var)
  hc_labels <- NULL
  if (init_type == "hc") {
    rows <- hc_rows(hc_subset, data, max(ks), ecall)
    hc_labels <- hc_starts(data, ks, rows)
    hc_subset <- length(rows)
  }
  candidates <- list()
  for (kk in ks) {
    starts <- if (init_type == "hc") {
      list(hc_labels[[as.character(kk)]])
    } else {
      start_points(data, kk, init_type, user_start, n_init, threads)
    }
    for (m in models) {
      if (verbose) message(sprintf("Fitting k = %d, model %s", kk, m))
      candidates[[length(candidates) + 1L]] <- fit_candidate(data, kk, m, starts, control)
    }
  }
  selection <- selection_table(candidates)
  ok <- which(!is.na(selection[[criterion]]))
  if (length(ok) == 0L) {
    reasons <- unique(sprintf("k = %d, model %s: %s", selection$k, selection$model,
                              selection$reason))
    abort_fit(sprintf("No model could be fitted: %s.", paste(reasons, collapse = "; ")),
              ecall, list(selection = selection))
  }
  sound <- ok[!selection$degenerate[ok]]
  pool <- if (length(sound) > 0L) sound else ok
  best <- pool[which.min(selection[[criterion]][pool])]
  fit <- candidates[[best]]
  fit$warnings <- character()
  if (fit$degenerate) {
    msg <- sprintf(paste0(
      "The fit is degenerate (k = %d, model %s): %s. Consider fewer components, ",
      "another model, or a larger `reg`."), fit$k, fit$model, fit$reason)
    fit$warnings <- c(fit$warnings, msg)
    warn_degenerate(msg, ecall)
  }
  if (!fit$converged) {
    msg <- sprintf(paste0(
      "EM did not converge in %d iterations (k = %d, model %s); ",
      "increase `max_iter` or `tol`."), max_iter[1L], fit$k, fit$model)
    fit$warnings <- c(fit$warnings, msg)
    warn_convergence(msg, ecall)
  }
  fit$posterior <- predict_cpp(data, fit$proportions, fit$means, fit$covariances, TRUE,
                               threads)$posterior
  fit[c("classification", "uncertainty")] <- classify(fit$posterior)
  obj <- new_gmm(
    fit = fit, data = data, criterion = criterion,
    selection = if (nrow(selection) > 1L) selection else NULL,
    control = list(init = init_type, n_init = if (init_type == "hc") 1L else n_init,
                   hc_subset = if (init_type == "hc") hc_subset else NULL,
                   max_iter = max_iter[1L], inner_max_iter = max_iter[2L],
                   tol = tol[1L], inner_tol = tol[2L],
                   reg = reg, reg_default = reg_default, threads = threads),
    call = call
  )
  validate_gmm(obj)
}

#' Default number of threads
#'
#' `getOption("emgmm.threads")` when set, otherwise all the processors OpenMP
#' reports (1 without OpenMP).
#' @return A whole number.
#' @examples
#' emgmm_threads()
#' @export
emgmm_threads <- function() {
  opt <- getOption("emgmm.threads")
  if (!is.null(opt)) return(opt)
  max_threads_cpp()
}

# Number of distinct rows of `data`, or any number >= m when there are at
# least m (found cheaply among the first rows).
count_distinct <- function(data, m) {
  if (m <= 1L) return(m)
  if (ncol(data) == 1L) return(length(unique(data[, 1L])))
  head_rows <- min(nrow(data), 10L * m + 1000L)
  found <- nrow(unique(data[seq_len(head_rows), , drop = FALSE]))
  if (found >= m || head_rows == nrow(data)) return(found)
  nrow(unique(data))
}

# `max_iter`: one whole number (EM), or two as mclust's emControl(itmax =):
# EM, then the inner iterations of the iterative M-steps (NA, the default,
# is settled in gmm_fit(); may be Inf).
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
  if (length(max_iter) == 1L) return(c(round(max_iter), NA))  # inner: see gmm_fit()
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

check_choice <- function(x, choices, arg, call) {
  if (identical(x, choices)) return(choices[[1L]])
  if (!is.character(x) || length(x) != 1L || is.na(x) || !x %in% choices) {
    abort_input(sprintf("`%s` must be one of %s, not %s.", arg,
                        paste0("\"", choices, "\"", collapse = ", "), describe(x)), call)
  }
  x
}

# Starting partitions for one k: a list of label vectors or one weight matrix.
start_points <- function(data, k, init_type, user_start, n_init, threads) {
  if (!is.null(user_start)) return(list(user_start$start))
  if (k == 1L) return(list(rep(1L, nrow(data))))
  labels <- start_partitions_cpp(data, k, n_init, init_type == "kmeans", threads)
  lapply(seq_len(ncol(labels)), function(j) labels[, j])
}

status_reason <- function(res) {
  switch(as.character(res$status),
    "2" = sprintf("component %d became empty (its total posterior weight fell to zero)",
                  res$component),
    "3" = sprintf(paste0("component %d has a singular covariance matrix (it collapsed ",
                         "onto too few points, or its variables are collinear); ",
                         "use `reg` > 0, fewer components or another model"),
                  res$component),
    "4" = "the log-likelihood became non-finite",
    "5" = "interrupted",
    NA_character_)
}

# The first component held up by the ridge alone: without the ridge, its
# covariance (`unregularised`, from the engine) is singular at the scale of
# the data -- in units of each variable's standard deviation its smallest
# eigenvalue is at most 1e-9 -- as for a component collapsed onto fewer than
# d + 1 points or onto a repeated value.  0 when there is none.
ridge_component <- function(unregularised, scale_var) {
  if (is.null(unregularised)) return(0L)
  d <- dim(unregularised)[1L]
  s <- 1 / sqrt(scale_var)
  for (j in seq_len(dim(unregularised)[3L])) {
    m <- matrix(unregularised[, , j], d, d) * outer(s, s)
    if (!all(is.finite(m))) return(j)
    ev <- eigen(m, symmetric = TRUE, only.values = TRUE)$values
    if (min(ev) <= 1e-9) return(j)
  }
  0L
}

# EM for one (k, model) from every start.  Keeps the best log-likelihood among
# the fits whose components are all supported by data, and falls back to the
# best degenerate one (flagged) only when every start collapsed.
# Iterations each of several starts gets before only the best is continued.
short_run_iterations <- 20L

# EM from one start with the settings in `control`, at most `max_iter`
# iterations; an interrupt becomes an error.
run_em <- function(data, model, start, k, max_iter, control, verbose = control$verbose) {
  res <- em_fit_cpp(data, model, start, k, max_iter, control$max_iter[2L],
                    control$tol[1L], control$tol[2L], control$reg, control$scale_var,
                    control$threads, verbose)
  if (res$status == 5L) abort_fit("Fitting was interrupted by the user.", NULL)
  res
}

# Above this many rows, several starts are compared by short EM runs on a
# random sample of this many rows, and only the best is run on all rows.
screen_rows <- 20000L

# The start (a one-element list) whose short EM run (at most
# `short_run_iterations` iterations) on a sample of `screen_rows` rows reaches
# the highest log-likelihood with every component supported by data; all of
# `starts` when none does (a start can lose a component in the sample).
screen_starts <- function(data, k, model, starts, control) {
  rows <- sort(sample.int(nrow(data), screen_rows))
  sub <- data[rows, , drop = FALSE]
  best <- 0L
  best_loglik <- -Inf
  for (j in seq_along(starts)) {
    res <- run_em(sub, model, starts[[j]][rows], k,
                  min(short_run_iterations, control$max_iter[1L]), control, verbose = FALSE)
    if (res$status %in% c(0L, 1L) && res$loglik > best_loglik &&
        ridge_component(res$unregularised, control$scale_var) == 0L) {
      best <- j
      best_loglik <- res$loglik
    }
  }
  if (best == 0L) starts else starts[best]
}

# EM for one (k, model) from every start.  With several starts, each runs at
# most `short_run_iterations` iterations; the best that did not converge by
# then is continued from where it stopped, so that bad starts (which tend to
# converge slowly) cost little.  Keeps the best log-likelihood among the fits
# whose components are all supported by data, and falls back to the best
# degenerate one (flagged) only when every start collapsed.
fit_candidate <- function(data, k, model, starts, control) {
  run <- function(start, max_iter) run_em(data, model, start, k, max_iter, control)
  n_starts <- length(starts)
  if (n_starts > 1L && nrow(data) > screen_rows && is.null(dim(starts[[1L]]))) {
    starts <- screen_starts(data, k, model, starts, control)
  }
  first_iter <- if (length(starts) > 1L) {
    min(short_run_iterations, control$max_iter[1L])
  } else control$max_iter[1L]
  best <- NULL
  best_degenerate <- NULL
  reasons <- character()
  for (s in starts) {
    res <- run(s, first_iter)
    if (res$status %in% c(0L, 1L)) {
      res$collapsed <- ridge_component(res$unregularised, control$scale_var)
      if (res$collapsed == 0L) {
        if (is.null(best) || res$loglik > best$loglik) best <- res
      } else if (is.null(best_degenerate) || res$loglik > best_degenerate$loglik) {
        best_degenerate <- res
      }
    } else {
      reasons <- c(reasons, status_reason(res))
    }
  }
  if (is.null(best)) best <- best_degenerate
  if (!is.null(best) && best$status == 1L && first_iter < control$max_iter[1L]) {
    # continue the chosen start: EM from its posterior is EM from its parameters
    z <- predict_cpp(data, best$proportions, best$means, best$covariances, TRUE,
                     control$threads)$posterior
    more <- run(z, control$max_iter[1L] - best$iterations)
    if (more$status %in% c(0L, 1L)) {
      more$collapsed <- ridge_component(more$unregularised, control$scale_var)
      more$iterations <- best$iterations + more$iterations
      more$loglik_trace <- c(best$loglik_trace, more$loglik_trace)
      best <- more
    } else {
      reasons <- c(reasons, status_reason(more))
      best$converged <- FALSE
    }
  }
  df <- model_df_cpp(model, ncol(data), k)
  if (is.null(best)) {
    return(list(k = k, model = model, ok = FALSE, df = df, reason = reasons[1L]))
  }
  n <- nrow(data)
  bic <- -2 * best$loglik + df * log(n)
  degenerate <- best$collapsed > 0L
  list(
    k = k, model = model, ok = TRUE, df = df, degenerate = degenerate,
    reason = if (degenerate) {
      sprintf(paste0("component %d collapsed: without the ridge `reg` its covariance ",
                     "is singular"), best$collapsed)
    } else NA_character_,
    proportions = best$proportions, means = best$means, covariances = best$covariances,
    loglik = best$loglik, bic = bic, aic = -2 * best$loglik + 2 * df,
    icl = bic - 2 * best$sum_log_max,
    iterations = best$iterations, converged = best$converged,
    loglik_trace = best$loglik_trace, starts = n_starts,
    failed_starts = length(reasons)
  )
}

selection_table <- function(candidates) {
  get <- function(name, na) {
    vapply(candidates, function(c) if (isTRUE(c$ok)) c[[name]] else na, na)
  }
  data.frame(
    k = vapply(candidates, function(c) c$k, integer(1)),
    model = vapply(candidates, function(c) c$model, character(1)),
    loglik = get("loglik", NA_real_),
    df = vapply(candidates, function(c) c$df, numeric(1)),
    bic = get("bic", NA_real_),
    icl = get("icl", NA_real_),
    aic = get("aic", NA_real_),
    iterations = get("iterations", NA_integer_),
    converged = get("converged", NA),
    degenerate = get("degenerate", NA),
    reason = vapply(candidates, function(c) c$reason, character(1)),
    stringsAsFactors = FALSE
  )
}
