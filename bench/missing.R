# Missing values (na_action = "em") against dropping incomplete rows, mean
# imputation and the CRAN package MixtureMissing (where installed), on
# simulated Gaussian mixtures with values removed completely at random.
#
# Run from the package root:   Rscript bench/missing.R
# (with MixtureMissing installed elsewhere, put that library after this
# build's: R_LIBS=<this build's library>:<that library> Rscript bench/missing.R)
# It rewrites the section between the markers "<!-- missing.R begin -->" and
# "<!-- missing.R end -->" of bench/README.md (and prints it).
#
# Data: n = 1000, d = 5, k = 3, VVV: proportions 0.40, 0.35, 0.25; random
# covariances (eigenvalues between 0.4 and 2, random axes); the means on
# orthogonal axes, 3.5 apart pairwise.  The true parameters are drawn once
# (set.seed(100)); each replicate draws new rows from them (set.seed(rep)).
# With the true parameters the Bayes rule classifies about 95% of rows
# right, so accuracy is not trivially 100%.  Each value is then removed when
# a uniform draw of its own falls below the missing share, one draw per
# value for all shares, so that the 5% mask is inside the 20% one, which is
# inside the 40% one.  Rows with every value missing are kept.
#
# Methods (k = 3 and model "VVV" given; gmm_fit() with its defaults and
# threads = 1, from set.seed(rep)):
#   complete data   gmm_fit() on the data before values were removed (the
#                   reference of the parameter errors);
#   em              gmm_fit(xm, na_action = "em");
#   omit            gmm_fit(xm, na_action = "omit"), every row (dropped rows
#                   too) classified by predict(fit, xm, type = "classification"),
#                   which answers rows with NA from their observed values;
#   mean imputation each NA replaced by its column's mean, then gmm_fit();
#   MixtureMissing  MixtureMissing::MGHM(xm, G = 3, model = "N") (its
#                   Gaussian mixture, full covariances, with missing values
#                   in EM; its default k-medoids start; max_iter = 1000 and
#                   Aitken epsilon = 1e-6 instead of its defaults 20 and 0.01,
#                   so that it converges), where installed.  MGHM() fails on
#                   a row with nothing observed, so such rows (about 1 in
#                   3000 at 40% missing) are left out of its fit and given
#                   its component of largest proportion.
# Accuracy against the true labels: adjusted Rand index (mclust) on all
# rows, on the complete rows alone and on the incomplete rows alone, and the
# share of rows right under the best matching of components to classes.
# Parameter errors against the complete-data fit of the same replicate, after
# matching components (the permutation that minimises the summed distance of
# the means): the largest absolute difference of the means, the largest over
# components of ||S - S_ref||_F / ||S_ref||_F for the covariances, and the
# largest absolute difference of the proportions; the largest absolute
# difference of the means from the true means.  Imputation RMSE: the root
# mean squared difference between the removed values and what the method
# puts in their place (em and omit: predict(fit, xm, type = "impute"), the
# conditional means under the fit; mean imputation: the column means).
# Seconds: the whole call.
# Medians over the replicates (a failed fit counts in "failed" and is left
# out of the medians).
#
# Environment: EMGMM_BENCH_REPS (default 10), EMGMM_BENCH_NO_README=1,
# EMGMM_BENCH_MM=0 (leave MixtureMissing out).
suppressPackageStartupMessages({
  library(emgmm)
  library(mclust)
})
source(file.path("bench", "common.R"))
options(width = 200)

REPS <- as.integer(Sys.getenv("EMGMM_BENCH_REPS", "10"))
SHARES <- c(0.05, 0.20, 0.40)
N <- 1000L
D <- 5L
K <- 3L
SEP <- 2.5
MM_ITER <- 1000L  # MixtureMissing's defaults are 20 and 0.01: see bench/README.md
MM_EPS <- 1e-6
have_mm <- Sys.getenv("EMGMM_BENCH_MM") != "0" && requireNamespace("MixtureMissing", quietly = TRUE)

# ---- the mixture ----
set.seed(100)
rand_cov <- function(d) {
  q <- qr.Q(qr(matrix(rnorm(d * d), d)))
  q %*% diag(exp(runif(d, log(0.4), log(2)))) %*% t(q)
}
true_covs <- lapply(seq_len(K), function(j) rand_cov(D))
true_means <- t(qr.Q(qr(matrix(rnorm(D * D), D)))[, seq_len(K)]) * SEP  # k x d
true_props <- c(0.40, 0.35, 0.25)

simulate <- function(seed) {
  set.seed(seed)
  z <- sample.int(K, N, replace = TRUE, prob = true_props)
  x <- matrix(rnorm(N * D), N, D)
  for (j in seq_len(K)) {
    r <- z == j
    x[r, ] <- x[r, , drop = FALSE] %*% chol(true_covs[[j]]) + rep(true_means[j, ], each = sum(r))
  }
  list(x = x, z = z, u = matrix(runif(N * D), N, D))
}

# ---- measures ----
perms <- function(k) {
  if (k == 1L) return(matrix(1L, 1L, 1L))
  p <- perms(k - 1L)
  do.call(rbind, lapply(seq_len(k), function(i) cbind(i, ifelse(p >= i, p + 1L, p))))
}
PERMS <- perms(K)
# best-permutation share of rows right
accuracy <- function(cl, z) {
  tab <- table(factor(cl, seq_len(K)), factor(z, seq_len(K)))
  max(apply(PERMS, 1L, function(p) sum(tab[cbind(p, seq_len(K))]))) / length(z)
}
# par: list(proportions, means k x d, covariances d x d x k)
par_errors <- function(par, ref) {
  cost <- apply(PERMS, 1L, function(p) sum(sqrt(rowSums((par$means[p, , drop = FALSE] - ref$means)^2))))
  p <- PERMS[which.min(cost), ]
  cov_err <- max(vapply(seq_len(K), function(j) {
    norm(par$covariances[, , p[j]] - ref$covariances[, , j], "F") / norm(ref$covariances[, , j], "F")
  }, numeric(1)))
  c(mean_err = max(abs(par$means[p, , drop = FALSE] - ref$means)), cov_err = cov_err,
    prop_err = max(abs(par$proportions[p] - ref$proportions)))
}
timed <- function(expr) {
  t0 <- proc.time()[["elapsed"]]
  value <- tryCatch(force(expr), error = function(e) e)
  list(value = value, seconds = proc.time()[["elapsed"]] - t0)
}
fit_emgmm <- function(x, seed, ...) {
  set.seed(seed)
  suppressWarnings(gmm_fit(x, k = K, model = "VVV", threads = 1, ...))
}
emgmm_par <- function(f) f$parameters
mm_loglik <- function(f) f$final_loglik
agree <- list()
mm_par <- function(f) {
  list(proportions = as.numeric(f$pi), means = unname(f$mu), covariances = unname(f$Sigma))
}

# ---- one replicate ----
run_rep <- function(seed) {
  s <- simulate(seed)
  truth <- list(proportions = true_props, means = true_means,
                covariances = array(unlist(true_covs), c(D, D, K)))
  out <- list()
  add <- function(share, method, cl, par, seconds, complete_rows, error = NA_character_,
                  imputed = NULL, iterations = NA_real_) {
    if (is.na(error) && !is.null(par) && !all(is.finite(unlist(par)))) {
      error <- "non-finite parameters"
      par <- NULL
    }
    ari <- function(r) if (sum(r) > 1L && !is.null(cl)) adjustedRandIndex(cl[r], s$z[r]) else NA_real_
    pe <- if (!is.null(par)) par_errors(par, ref) else c(mean_err = NA, cov_err = NA, prop_err = NA)
    pt <- if (!is.null(par)) par_errors(par, truth)[["mean_err"]] else NA_real_
    out[[length(out) + 1L]] <<- data.frame(
      seed = seed, share = share, method = method,
      ari = ari(rep(TRUE, N)), ari_complete = ari(complete_rows), ari_incomplete = ari(!complete_rows),
      acc = if (!is.null(cl)) accuracy(cl, s$z) else NA_real_,
      mean_err = pe[["mean_err"]], cov_err = pe[["cov_err"]], prop_err = pe[["prop_err"]],
      mean_err_truth = pt,
      impute_rmse = if (!is.null(imputed) && share > 0) sqrt(mean((imputed - s$x)[s$u < share]^2)) else NA_real_,
      seconds = seconds, iterations = iterations, complete_share = mean(complete_rows),
      failed = !is.na(error), error = error)
  }
  t <- timed(fit_emgmm(s$x, seed))
  ref <- emgmm_par(t$value)
  add(0, "complete data", t$value$classification, ref, t$seconds, rep(TRUE, N),
      iterations = t$value$iterations)
  for (share in SHARES) {
    xm <- s$x
    xm[s$u < share] <- NA
    cr <- rowSums(is.na(xm)) == 0L
    # em
    t <- timed(fit_emgmm(xm, seed, na_action = "em"))
    em_fit <- if (!inherits(t$value, "error")) t$value
    if (inherits(t$value, "error")) add(share, "em", NULL, NULL, t$seconds, cr, conditionMessage(t$value))
    else add(share, "em", t$value$classification, emgmm_par(t$value), t$seconds, cr,
             imputed = predict(t$value, xm, type = "impute"), iterations = t$value$iterations)
    # omit, then classify every row
    t <- timed(fit_emgmm(xm, seed, na_action = "omit"))
    if (inherits(t$value, "error")) add(share, "omit", NULL, NULL, t$seconds, cr, conditionMessage(t$value))
    else add(share, "omit", predict(t$value, xm, type = "classification"), emgmm_par(t$value),
             t$seconds, cr, imputed = predict(t$value, xm, type = "impute"),
             iterations = t$value$iterations)
    # mean imputation
    xi <- xm
    cm <- colMeans(xm, na.rm = TRUE)
    xi[is.na(xi)] <- cm[col(xi)[is.na(xi)]]
    t <- timed(fit_emgmm(xi, seed))
    if (inherits(t$value, "error")) add(share, "mean imputation", NULL, NULL, t$seconds, cr, conditionMessage(t$value))
    else add(share, "mean imputation", t$value$classification, emgmm_par(t$value), t$seconds, cr,
             imputed = xi, iterations = t$value$iterations)
    # MixtureMissing
    if (have_mm) {
      # MGHM() stops on a row with nothing observed: it gets the others,
      # and such rows the component of largest proportion (as emgmm's
      # posterior for them is the proportions)
      seen <- rowSums(!is.na(xm)) > 0L
      set.seed(seed)
      t <- timed(suppressWarnings(suppressMessages(
        MixtureMissing::MGHM(xm[seen, , drop = FALSE], G = K, model = "N", max_iter = MM_ITER,
                             epsilon = MM_EPS, progress = FALSE))))
      if (is.null(t$value)) t$value <- simpleError("MGHM() returned NULL")
      if (!inherits(t$value, "error")) {
        cl_mm <- rep(which.max(t$value$pi), N)
        cl_mm[seen] <- t$value$clusters
        t$value$clusters <- cl_mm
      }
      if (inherits(t$value, "error")) add(share, "MixtureMissing", NULL, NULL, t$seconds, cr, conditionMessage(t$value))
      else {
        add(share, "MixtureMissing", t$value$clusters, mm_par(t$value), t$seconds, cr,
            iterations = t$value$iter_stop)
        if (!is.null(em_fit) && all(is.finite(unlist(mm_par(t$value))))) {
          # the two fits of the same model to the same data, side by side
          e <- par_errors(mm_par(t$value), emgmm_par(em_fit))
          agree[[length(agree) + 1L]] <<- data.frame(
            seed = seed, share = share, mean_diff = e[["mean_err"]], cov_diff = e[["cov_err"]],
            loglik_em = em_fit$loglik, loglik_mm = mm_loglik(t$value))
        }
      }
    }
  }
  do.call(rbind, out)
}

t_start <- proc.time()[["elapsed"]]
res <- do.call(rbind, lapply(seq_len(REPS), function(r) {
  x <- run_rep(r)
  cat(sprintf("replicate %d done (%.0f s)\n", r, proc.time()[["elapsed"]] - t_start))
  x
}))
total <- proc.time()[["elapsed"]] - t_start
saveRDS(res, file.path(tempdir(), "emgmm-missing.rds"))
if (any(res$failed)) {
  cat("\nFailed fits:\n")
  print(unique(res[res$failed, c("seed", "share", "method", "error")]), row.names = FALSE)
}

# ---- the table ----
methods <- c("complete data", "em", "omit", "mean imputation", if (have_mm) "MixtureMissing")
med <- function(v) if (all(is.na(v))) NA_real_ else median(v, na.rm = TRUE)
f3 <- function(v) ifelse(is.na(v), "", formatC(v, format = "f", digits = 3))
fs <- function(v) ifelse(is.na(v), "", formatC(v, format = "g", digits = 3))
lines <- c(
  "| missing | method | ARI, all rows | ARI, complete rows | ARI, incomplete rows | accuracy, all rows | means: max abs diff vs complete fit | covariances: max rel. diff (Frobenius) vs complete fit | proportions: max abs diff vs complete fit | means: max abs diff vs truth | imputation RMSE | seconds per fit | EM iterations run (of the fit kept) | complete rows | failed |",
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for (share in c(0, SHARES)) for (m in methods) {
  r <- res[res$share == share & res$method == m, ]
  if (nrow(r) == 0L) next
  ok <- r[!r$failed, ]
  lines <- c(lines, sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %d / %d |",
    paste0(round(100 * share), "%"), m, f3(med(ok$ari)),
    if (share == 0) "" else f3(med(ok$ari_complete)),
    if (share == 0) "" else f3(med(ok$ari_incomplete)),
    f3(med(ok$acc)),
    if (share == 0) "0 (reference)" else fs(med(ok$mean_err)),
    if (share == 0) "0 (reference)" else fs(med(ok$cov_err)),
    if (share == 0) "0 (reference)" else fs(med(ok$prop_err)),
    fs(med(ok$mean_err_truth)), f3(med(ok$impute_rmse)), fs(med(ok$seconds)),
    fs(med(ok$iterations)),
    paste0(round(100 * med(r$complete_share)), "%"), sum(r$failed), nrow(r)))
}
# how often em beats the others on ARI, replicate by replicate
wins <- character(0)
for (share in SHARES) for (m in setdiff(methods, c("complete data", "em"))) {
  a <- res[res$share == share & res$method == "em", c("seed", "ari")]
  b <- res[res$share == share & res$method == m, c("seed", "ari")]
  j <- merge(a, b, by = "seed", suffixes = c("_em", "_other"))
  j <- j[!is.na(j$ari_em) & !is.na(j$ari_other), ]
  wins <- c(wins, sprintf("%s vs %s at %d%%: em higher in %d, equal in %d, lower in %d of %d replicates",
                          "em", m, round(100 * share), sum(j$ari_em > j$ari_other + 1e-12),
                          sum(abs(j$ari_em - j$ari_other) <= 1e-12),
                          sum(j$ari_em < j$ari_other - 1e-12), nrow(j)))
}
agree_lines <- if (length(agree)) {
  a <- do.call(rbind, agree)
  c("", "emgmm's em fit against MixtureMissing's fit of the same data (medians over replicates; largest over replicates in brackets):", "",
    "| missing | means: max abs diff | covariances: max rel. diff | log-likelihood: emgmm - MixtureMissing |",
    "| --- | --- | --- | --- |",
    vapply(SHARES, function(sh) {
      b <- a[a$share == sh, ]
      dl <- b$loglik_em - b$loglik_mm
      sprintf("| %d%% | %s (%s) | %s (%s) | %s (%s to %s) |", round(100 * sh),
              fs(median(b$mean_diff)), fs(max(b$mean_diff)), fs(median(b$cov_diff)),
              fs(max(b$cov_diff)), fs(median(dl)), fs(min(dl)), fs(max(dl)))
    }, character(1)))
}
versions <- sprintf("R %s, emgmm %s, mclust %s%s",
  paste(R.version$major, R.version$minor, sep = "."), packageVersion("emgmm"),
  packageVersion("mclust"),
  if (have_mm) paste0(", MixtureMissing ", packageVersion("MixtureMissing")) else
    ", MixtureMissing not installed")
block <- c(
  sprintf("Measured %s on %s (%d processors), %s; n = %d, d = %d, k = %d (VVV), %d replicates per setting, medians; the run took %.0f s.",
          format(Sys.Date()), Sys.info()[["nodename"]], parallel::detectCores(), versions,
          N, D, K, REPS, total),
  "", lines, "", "ARI of em against each other method, replicate by replicate:", "",
  paste0("* ", wins), agree_lines)
cat("\n", paste(block, collapse = "\n"), "\n", sep = "")
if (!nzchar(Sys.getenv("EMGMM_BENCH_NO_README"))) {
  readme <- file.path("bench", "README.md")
  replace_readme_block(readLines(readme), "missing.R", block, readme)
}
