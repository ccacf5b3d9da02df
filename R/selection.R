# Fitting the (k, model) pairs and choosing among them: one candidate fit per
# pair from the engine, its row of the selection table, the criteria, and
# the choice of the best pair.  The wording of every reason is here; the
# engine reports statuses by name.

# One candidate fit of `model` with `k` components from the starts of
# `set` (starts_for()).  An interrupt or a time limit never returns here:
# the glue continues R's own jump once the engine has stopped.  For data on
# a cluster, `local` are the rows fetched for the starts (plan$local_rows).
fit_pair <- function(data, k, model, set, plan, local, settings, call, weights = NULL) {
  groups <- match(set$kinds, unique(set$kinds))
  res <- if (is_distributed(data)) {
    fit_pair_remote(data, k, model, set, groups, plan, local, settings, call)
  } else {
    starts <- engine_starts(set$starts, plan, local, data, weights)
    fit_candidate_cpp(data, model, k, starts, groups,
                      if (is.null(plan$start_rows)) plan$rows, settings$engine,
                      settings$verbose, weights, plan$layout)
  }
  df <- model_df_cpp(model, ncol(data), k)
  if (res$start == 0L) {
    return(list(k = k, model = model, ok = FALSE, df = df,
                reason = status_reason(res$status, res$component)))
  }
  n <- data_n(data, settings$weight_scale)
  # (weights scaled for the engine: the log-likelihood of the weights given)
  s <- if (is.null(settings$weight_scale)) 1 else settings$weight_scale
  res$loglik <- res$loglik * s
  res$sum_log_max <- res$sum_log_max * s
  res$loglik_trace <- res$loglik_trace * s
  bic <- -2 * res$loglik + df * log(n)
  degenerate <- res$collapsed > 0L
  list(
    k = k, model = model, ok = TRUE, df = df, degenerate = degenerate,
    reason = if (degenerate) {
      collapse_reason(res$collapsed, res$status, res$proportions[res$collapsed] * n, ncol(data))
    } else NA_character_,
    start = set$kinds[res$start], status = res$status,
    proportions = res$proportions, means = res$means, covariances = res$covariances,
    loglik = res$loglik, bic = bic, aic = -2 * res$loglik + 2 * df,
    icl = bic - 2 * res$sum_log_max,
    iterations = res$iterations, converged = res$converged,
    loglik_trace = res$loglik_trace, starts = length(set$starts),
    failed_starts = res$failed_starts
  )
}

# The starts as the engine takes them.  With missing values the starts were
# computed on other rows (plan$start_rows; `local` are those rows): each
# becomes list(x, weights, start), its statistics computed on them; a
# user's labels leave the incomplete rows out, and a user's posterior
# matrix is taken on the complete rows.
engine_starts <- function(starts, plan, local, data, weights) {
  if (is.null(plan$start_rows)) return(starts)
  if (!is.null(plan$user) && identical(plan$start_rows$how, "imputed")) {
    # too few complete rows: the user's start on all the rows, their
    # missing values filled with the means (as the other starts)
    return(list(list(x = plan$start_rows$data, weights = weights, start = plan$user)))
  }
  if (!is.null(plan$user)) {
    complete <- rowSums(is.na(data)) == 0L
    if (!is.matrix(plan$user)) {
      lab <- plan$user
      lab[!complete] <- 0L
      return(list(lab))
    }
    return(list(list(x = data[complete, , drop = FALSE],
                     weights = if (!is.null(weights)) weights[complete],
                     start = plan$user[complete, , drop = FALSE])))
  }
  rows <- plan$rows
  x <- if (is.null(rows)) local else local[rows, , drop = FALSE]
  w <- plan$weights
  if (!is.null(w) && !is.null(rows)) w <- w[rows]
  lapply(starts, function(s) if (is.list(s)) s else list(x = x, weights = w, start = s))
}

# The engine's candidate fit over data on a cluster: the screening runs on
# the rows fetched (when they are a sample), every other pass on the
# workers.  A user's start, and the one-component start on all the rows,
# get their statistics from the workers.
fit_pair_remote <- function(dx, k, model, set, groups, plan, local, settings, call) {
  # (with missing values the starts are screened on all the rows)
  sampled <- !is.null(plan$rows) && is.null(plan$start_rows)
  on_workers <- !is.null(plan$user) ||
    (k == 1L && !sampled && !identical(plan$start_rows$how, "imputed"))
  if (!is.matrix(local)) local <- matrix(0, 0L, dx$d)
  w <- if (!is.null(plan$weights) && !is.null(plan$local_rows)) plan$weights[plan$local_rows]
  fit_candidate_remote_cpp(local, model, k, if (on_workers) list() else set$starts, groups,
                           sampled, if (on_workers) remote_start(dx, plan$user, k, model, call,
                                                         fill = plan$start_rows$data$fill),
                           settings$engine, settings$verbose, remote_pass(dx, k, model, call),
                           w)
}

# Why no start of a pair gave a fit, from the engine's status.
status_reason <- function(status, component) {
  switch(status,
    empty = sprintf("component %d became empty (its total posterior weight fell to zero)",
                    component),
    singular = sprintf(paste0("component %d has a singular covariance matrix (it collapsed ",
                              "onto too few points, or its variables are collinear)"), component),
    not_finite = "the log-likelihood became non-finite",
    sprintf("the fit failed (%s)", status))
}

# Why a fit is degenerate: a component held up by the ridge.  `size` is the
# component's weight (about its number of points), `d` the dimension.
collapse_reason <- function(component, status, size, d) {
  why <- if (size < d + 1) {
    sprintf("it rests on about %s point%s, and %d dimensions need at least %d",
            format(signif(size, 2)), if (size < 1.5) "" else "s", d, d + 1L)
  } else {
    "without the ridge `reg` its covariance is singular, or smaller than the ridge in some direction"
  }
  sprintf("component %d is held up by the ridge: %s%s", component, why,
          if (status == "collapsed") "; EM stopped there" else "")
}

# What in the data themselves makes covariances singular, in words (or
# NULL): constant variables, and variables that are exact linear
# combinations of others, judged from the correlation matrix, variable
# after variable (as qr() with tol = 1e-7 judges standardised variables: a
# variable is a combination of earlier ones when its part not explained by
# them has a standard deviation below 1e-7 of its own).
data_degeneracy <- function(data) {
  vars <- colnames(data)
  if (is.null(vars)) vars <- if (ncol(data) == 1L) "x" else paste0("x", seq_len(ncol(data)))
  name <- function(j) paste0("`", vars[j], "`", collapse = ", ")
  s <- data_covariance(data)
  constant <- which(diag(s) <= 0)
  out <- character()
  if (length(constant) > 0L) {
    out <- sprintf("%s %s constant", name(constant),
                   if (length(constant) == 1L) "is" else "are")
  }
  keep <- which(diag(s) > 0)
  r <- stats::cov2cor(s[keep, keep, drop = FALSE])
  basis <- integer()
  for (j in seq_along(keep)) {
    if (length(basis) > 0L) {
      coef <- solve(r[basis, basis, drop = FALSE], r[basis, j])
      if (r[j, j] - sum(r[basis, j] * coef) < 1e-14) {
        with <- keep[basis[abs(coef) > 1e-7]]
        out <- c(out, sprintf("%s is %s %s", name(keep[j]),
                              if (length(with) == 1L) "collinear with" else
                                "a linear combination of", name(with)))
        next
      }
    }
    basis <- c(basis, j)
  }
  if (length(out) == 0L) return(NULL)
  paste(out, collapse = "; ")
}

# The data's own degeneracy appended to a message about a degenerate or
# failed fit.
with_data_cause <- function(message, data) {
  cause <- data_degeneracy(data)
  if (is.null(cause)) return(message)
  sprintf("%s (in the data, %s)", message, cause)
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
    start = get("start", NA_character_),
    degenerate = get("degenerate", NA),
    reason = vapply(candidates, function(c) c$reason, character(1)),
    stringsAsFactors = FALSE
  )
}

# The row of the best pair by `criterion`: sound fits before degenerate
# ones; an error when no pair could be fitted.
best_pair <- function(selection, criterion, data, call) {
  ok <- which(!is.na(selection[[criterion]]))
  if (length(ok) == 0L) {
    reasons <- unique(sprintf("k = %d, model %s: %s", selection$k, selection$model,
                              selection$reason))
    cause <- if (!is.null(data)) data_degeneracy(data)
    advice <- if (is.null(cause)) {
      "Use a ridge (`reg` > 0, or a larger one), fewer components or another model."
    } else {
      sprintf(paste0("In the data, %s: remove such variables, or use a model with diagonal ",
                     "covariances (\"VVI\", \"EEI\", ...)."), cause)
    }
    abort_fit(sprintf("No model could be fitted: %s. %s", paste(reasons, collapse = "; "), advice),
              call, list(selection = selection))
  }
  sound <- ok[!selection$degenerate[ok]]
  pool <- if (length(sound) > 0L) sound else ok
  pool[which.min(selection[[criterion]][pool])]
}

# The warnings a returned fit carries (and gives): degenerate, not converged.
fit_warnings <- function(fit, max_iter, data, call) {
  out <- character()
  if (fit$degenerate) {
    msg <- sprintf(paste0(
      "%s. Consider fewer components, another model, or a larger `reg`."),
      with_data_cause(sprintf("The fit is degenerate (k = %d, model %s): %s", fit$k, fit$model,
                              fit$reason), data))
    out <- c(out, msg)
    warn_degenerate(msg, call)
  }
  if (!fit$converged && fit$status == "max_iter") {
    msg <- sprintf(paste0(
      "EM did not converge in %d iterations (k = %d, model %s); ",
      "increase `max_iter` or `tol`."), max_iter, fit$k, fit$model)
    out <- c(out, msg)
    warn_convergence(msg, call)
  }
  out
}
