# Fitting the (k, model) pairs and choosing among them: one candidate fit per
# pair from the engine, its row of the selection table, the criteria, and
# the choice of the best pair.  The wording of every reason is here; the
# engine reports statuses by name.

# One candidate fit of `model` with `k` components from the starts of
# `set` (starts_for()).
fit_pair <- function(data, k, model, set, rows, settings) {
  groups <- match(set$kinds, unique(set$kinds))
  res <- fit_candidate_cpp(data, model, k, set$starts, groups, rows, settings$engine,
                           settings$verbose)
  if (res$status == "interrupted") abort_fit("Fitting was interrupted by the user.", NULL)
  df <- model_df_cpp(model, ncol(data), k)
  if (res$start == 0L) {
    return(list(k = k, model = model, ok = FALSE, df = df,
                reason = status_reason(res$status, res$component)))
  }
  n <- nrow(data)
  bic <- -2 * res$loglik + df * log(n)
  degenerate <- res$collapsed > 0L
  list(
    k = k, model = model, ok = TRUE, df = df, degenerate = degenerate,
    reason = if (degenerate) collapse_reason(res$collapsed, res$status) else NA_character_,
    start = set$kinds[res$start], status = res$status,
    proportions = res$proportions, means = res$means, covariances = res$covariances,
    loglik = res$loglik, bic = bic, aic = -2 * res$loglik + 2 * df,
    icl = bic - 2 * res$sum_log_max,
    iterations = res$iterations, converged = res$converged,
    loglik_trace = res$loglik_trace, starts = length(set$starts),
    failed_starts = res$failed_starts
  )
}

# Why no start of a pair gave a fit, from the engine's status.
status_reason <- function(status, component) {
  switch(status,
    empty = sprintf("component %d became empty (its total posterior weight fell to zero)",
                    component),
    singular = sprintf(paste0("component %d has a singular covariance matrix (it collapsed ",
                              "onto too few points, or its variables are collinear); ",
                              "use `reg` > 0, fewer components or another model"), component),
    not_finite = "the log-likelihood became non-finite",
    sprintf("the fit failed (%s)", status))
}

# Why a fit is degenerate: a component held up by the ridge alone.
collapse_reason <- function(component, status) {
  sprintf(paste0("component %d collapsed: without the ridge `reg` its covariance is ",
                 "singular%s"), component,
          if (status == "collapsed") "; EM stopped there" else "")
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
best_pair <- function(selection, criterion, call) {
  ok <- which(!is.na(selection[[criterion]]))
  if (length(ok) == 0L) {
    reasons <- unique(sprintf("k = %d, model %s: %s", selection$k, selection$model,
                              selection$reason))
    abort_fit(sprintf("No model could be fitted: %s.", paste(reasons, collapse = "; ")),
              call, list(selection = selection))
  }
  sound <- ok[!selection$degenerate[ok]]
  pool <- if (length(sound) > 0L) sound else ok
  pool[which.min(selection[[criterion]][pool])]
}

# The warnings a returned fit carries (and gives): degenerate, not converged.
fit_warnings <- function(fit, max_iter, call) {
  out <- character()
  if (fit$degenerate) {
    msg <- sprintf(paste0(
      "The fit is degenerate (k = %d, model %s): %s. Consider fewer components, ",
      "another model, or a larger `reg`."), fit$k, fit$model, fit$reason)
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
