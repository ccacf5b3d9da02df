# Does gmm_fit()'s default start find the best optimum? Per (k, model) cell,
# the log-likelihood of emgmm's default fit against mclust's mclustBIC() and
# scikit-learn's GaussianMixture (where installed), on public data sets.
#
# Run from the package root:   Rscript bench/optimum.R
# It rewrites the section between the markers "<!-- optimum.R begin -->" and
# "<!-- optimum.R end -->" of bench/README.md (adding a heading, a paragraph
# and the markers at the end of the file if they are not there), prints it,
# and writes every cell to a CSV file (EMGMM_BENCH_CSV, by default
# emgmm-optimum-cells.csv in the temporary directory's parent, /tmp here:
# the raw results are not for committing).
#
# Data: numeric columns only, complete cases, from R's datasets package,
# mclust's data and MASS's data; univariate ones as plain vectors.
#
# Per data set:
# * emgmm: set.seed(1); gmm_fit(x, k = 1:9, model = "all"), every other
#   argument at its default (so the default start, whatever it is in the
#   installed version, and threads = all processors). Per cell: loglik,
#   degenerate (a component held up by the ridge), the reason when the cell
#   has no fit, and the start that won when the selection table has a
#   `start` column (later versions).
# * mclust: set.seed(1); mclustBIC(x, G = 1:9, verbose = FALSE), all models.
#   It reports BIC = 2 loglik - df log n, so loglik = (BIC + df log n) / 2
#   with df = nMclustParams(model, d, k). mclust fits with no ridge, so its
#   cells are either sound fits or NA.
# * scikit-learn: GaussianMixture(n_components = k, covariance_type = type,
#   n_init = 10, random_state = 0, max_iter = 1000, tol = 1e-8) for full
#   (VVV), tied (EEE), diag (VVI) and spherical (VII); in one dimension full
#   (V) and tied (E) only. tol is 1e-8 rather than its default 1e-3 because
#   sklearn's tol bounds the change of the mean per-sample lower bound
#   (absolute): at 1e-3 it stops well short of the optimum on these small data
#   sets, and we compare optima, not stopping rules. 1e-8 per sample is about
#   emgmm's 1e-8 on the relative change of the total when the per-sample
#   log-likelihood is of order 1. reg_covar stays at its default, 1e-6,
#   added to every covariance in the units of the data; its fits are flagged
#   "held up by the ridge" when a covariance without that ridge, in units of
#   the variables' standard deviations, has an eigenvalue at most 1e-9 (the
#   rule emgmm uses for its own flag). Such a fit can sit far above every
#   sound optimum (a component on a repeated value), and emgmm prefers sound
#   fits by design, so emgmm below it is counted apart, not as a shortfall.
#   Its log-likelihood is gm.score(x) * n. One Python subprocess per data set
#   fits all its cells; the data go through a binary file, as in bench/bench.R.
#
# A cell is (k, model). emgmm is "below" a peer there when
# (peer - emgmm) / (1 + |peer|) > 1e-6 (the scale of mclust's and emgmm's
# convergence rule, which stays meaningful for log-likelihoods near zero).
# "Below both": below mclust and below a sound scikit-learn fit; the target
# is no such cell.
# Every tool failing on a cell gives NA there and the run goes on.
#
# Environment: EMGMM_BENCH_QUICK=1 (three data sets, for testing the script),
# EMGMM_BENCH_NO_README=1, EMGMM_BENCH_ONLY / EMGMM_BENCH_SKIP (comma-separated
# data set names, to run some or leave some out), EMGMM_BENCH_PYTHON (the
# python with scikit-learn), EMGMM_BENCH_CSV (where the cells go).
suppressPackageStartupMessages({
  library(emgmm)
  library(mclust)
})
options(width = 200)

QUICK <- nzchar(Sys.getenv("EMGMM_BENCH_QUICK"))
KMAX <- 9L
REL_TOL <- 1e-6
csv_path <- Sys.getenv("EMGMM_BENCH_CSV",
                       file.path(dirname(tempdir()), "emgmm-optimum-cells.csv"))
env_names <- function(name) {
  v <- Sys.getenv(name)
  if (nzchar(v)) trimws(strsplit(v, ",")[[1]]) else character()
}

progress <- function(...) message(sprintf(...))

elapsed <- function(expr) {
  gc(FALSE)
  t0 <- proc.time()[["elapsed"]]
  force(expr)
  proc.time()[["elapsed"]] - t0
}

# ---- the data sets ----
# mclust's data are not lazy-loaded; data() into an environment of our own
# keeps them out of the global one.
pkg_data <- function(name, pkg) {
  e <- new.env()
  utils::data(list = name, package = pkg, envir = e)
  e[[name]]
}

# Numeric columns, complete cases, a plain vector when one column is left
# (so that every tool takes it as univariate).
numeric_complete <- function(x) {
  x <- as.data.frame(x)
  x <- x[vapply(x, is.numeric, logical(1))]
  x <- as.matrix(x[stats::complete.cases(x), , drop = FALSE])
  storage.mode(x) <- "double"
  if (ncol(x) == 1L) as.vector(x) else unname(x)
}

# Functions, so that a data set is only loaded when it is run.
all_sets <- list(
  waiting = function() faithful$waiting,
  eruptions = function() faithful$eruptions,
  precip = function() precip,
  rivers = function() rivers,
  galaxies = function() pkg_data("galaxies", "MASS"),
  acidity = function() pkg_data("acidity", "mclust"),
  faithful = function() faithful,
  geyser = function() pkg_data("geyser", "MASS"),
  cats = function() pkg_data("cats", "MASS")[, 2:3],
  wreath = function() pkg_data("wreath", "mclust"),
  trees = function() trees,
  diabetes = function() pkg_data("diabetes", "mclust")[, -1],
  iris = function() iris[, 1:4],
  USArrests = function() USArrests,
  airquality = function() airquality[, 1:4],
  rock = function() rock,
  quakes = function() quakes[, 1:4],
  crabs = function() pkg_data("crabs", "MASS")[, 4:8],
  LifeCycleSavings = function() LifeCycleSavings,
  thyroid = function() pkg_data("thyroid", "mclust")[, -1],
  banknote = function() pkg_data("banknote", "mclust")[, -1],
  swiss = function() swiss,
  attitude = function() attitude,
  state.x77 = function() state.x77,
  mtcars = function() mtcars
)
run_names <- if (QUICK) c("waiting", "faithful", "iris") else names(all_sets)
if (length(only <- env_names("EMGMM_BENCH_ONLY"))) run_names <- intersect(run_names, only)
run_names <- setdiff(run_names, env_names("EMGMM_BENCH_SKIP"))

models_for <- function(d) {
  if (d == 1L) c("E", "V") else
    c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE", "VVE", "EEV", "VEV", "EVV", "VVV")
}
# scikit-learn's covariance types and the mclust models they are
sklearn_types <- function(d) {
  if (d == 1L) c(full = "V", tied = "E") else
    c(full = "VVV", tied = "EEE", diag = "VVI", spherical = "VII")
}

# A warning handler that counts instead of printing: the fits of small data
# sets warn about degenerate and slow cells by the dozen, and the tables
# below report those cells themselves.
collect_warnings <- function(expr) {
  warns <- character()
  value <- withCallingHandlers(expr, warning = function(w) {
    warns <<- c(warns, conditionMessage(w))
    invokeRestart("muffleWarning")
  })
  list(value = value, warnings = warns)
}

# ---- the tools ----
run_emgmm <- function(x, ks) {
  res <- NULL
  t <- elapsed(res <- tryCatch(collect_warnings({
    set.seed(1)
    gmm_fit(x, k = ks, model = "all")
  }), error = function(e) e))
  if (inherits(res, "error")) {
    progress("  emgmm failed: %s", conditionMessage(res))
    return(list(cells = NULL, seconds = t, selected = NA_character_, bic = NA_real_,
                warnings = 0L, error = conditionMessage(res)))
  }
  f <- res$value
  s <- f$selection
  cells <- data.frame(k = as.integer(s$k), model = as.character(s$model),
                      emgmm = s$loglik, emgmm_degenerate = s$degenerate,
                      emgmm_reason = if (is.null(s$reason)) NA_character_ else as.character(s$reason),
                      # which start won: a column of later versions, used when present
                      emgmm_start = if (is.null(s$start)) NA_character_ else as.character(s$start),
                      stringsAsFactors = FALSE)
  list(cells = cells, seconds = t,
       selected = paste0(f$model, " ", f$k, if (isTRUE(f$degenerate)) " (degenerate)" else ""),
       bic = f$bic,
       warnings = length(res$warnings), error = NA_character_)
}

run_mclust <- function(x, ks) {
  n <- NROW(x)
  d <- NCOL(x)
  res <- NULL
  t <- elapsed(res <- tryCatch(collect_warnings({
    set.seed(1)
    mclustBIC(x, G = ks, verbose = FALSE)
  }), error = function(e) e))
  if (inherits(res, "error")) {
    progress("  mclust failed: %s", conditionMessage(res))
    return(list(cells = NULL, seconds = t, selected = NA_character_, bic = NA_real_,
                error = conditionMessage(res)))
  }
  b <- res$value
  grid <- expand.grid(k = as.integer(rownames(b)), model = colnames(b), stringsAsFactors = FALSE)
  bic <- unclass(b)[cbind(as.character(grid$k), grid$model)]
  df <- mapply(function(m, k) nMclustParams(m, d, k), grid$model, grid$k)
  grid$mclust <- (bic + df * log(n)) / 2
  best <- which(b == max(b, na.rm = TRUE), arr.ind = TRUE)
  list(cells = grid, seconds = t,
       selected = paste(colnames(b)[best[1, 2]], rownames(b)[best[1, 1]]),
       bic = -max(b, na.rm = TRUE),  # on emgmm's scale
       error = NA_character_)
}

source("bench/common.R")  # `python` (scikit-learn's, or ""), replace_readme_block()

# All scikit-learn cells of one data set in one subprocess (starting Python
# and importing sklearn costs about a second; a process per cell would cost
# more than the fits). Each cell is fitted inside try/except and written as
# one line of the results file; a cell that raises is written as nan, and a
# crash of the whole process leaves every cell NA.
sklearn_fits <- function(x, ks) {
  if (!nzchar(python)) return(NULL)
  x <- as.matrix(x)
  n <- nrow(x)
  d <- ncol(x)
  types <- sklearn_types(d)
  dir <- tempfile("emgmm-optimum")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE))
  writeBin(as.vector(x), file.path(dir, "x.bin"))
  script <- sprintf('
import numpy as np, time, warnings, math
from sklearn.mixture import GaussianMixture
n, d = %d, %d
x = np.fromfile("%s", dtype=np.float64).reshape((d, n)).T.copy()
sd = x.std(axis=0, ddof=1)
warnings.simplefilter("ignore")
out = open("%s", "w")
for ctype in [%s]:
    for k in [%s]:
        t0 = time.perf_counter()
        try:
            gm = GaussianMixture(n_components=k, covariance_type=ctype, n_init=10,
                                 random_state=0, max_iter=1000, tol=1e-8)
            gm.fit(x)
            ll = gm.score(x) * n
            bic = gm.bic(x)
            # every component covariance as a d x d matrix, without the ridge,
            # in units of the standard deviations; smallest eigenvalue
            c = gm.covariances_
            if ctype == "full": covs = c
            elif ctype == "tied": covs = [c]
            elif ctype == "diag": covs = [np.diag(v) for v in c]
            else: covs = [np.eye(d) * v for v in c]
            low = min(np.linalg.eigvalsh((s - gm.reg_covar * np.eye(d)) / np.outer(sd, sd)).min()
                      for s in covs)
            line = (ctype, k, ll, bic, int(gm.converged_), gm.n_iter_, int(low <= 1e-9))
        except Exception as e:
            line = (ctype, k, math.nan, math.nan, 0, 0, 0)
        out.write("%%s %%d %%.17g %%.17g %%d %%d %%d %%.6f\\n" %% (line + (time.perf_counter() - t0,)))
        out.flush()
out.close()
', n, d, file.path(dir, "x.bin"), file.path(dir, "cells.txt"),
    paste0('"', names(types), '"', collapse = ", "), paste(ks[ks <= n], collapse = ", "))
  writeLines(script, file.path(dir, "fit.py"))
  t <- elapsed(status <- suppressWarnings(system2(python, file.path(dir, "fit.py"),
                                                  stdout = FALSE, stderr = FALSE)))
  if (!identical(as.integer(status), 0L)) progress("  scikit-learn exited with status %s", status)
  out <- if (file.exists(file.path(dir, "cells.txt"))) readLines(file.path(dir, "cells.txt")) else character()
  if (!length(out)) return(list(cells = NULL, seconds = t, selected = NA_character_, bic = NA_real_))
  v <- read.table(text = out, col.names = c("type", "k", "sklearn", "sklearn_bic", "sklearn_converged",
                                             "sklearn_iter", "sklearn_degenerate", "sklearn_s"),
                  na.strings = "nan", stringsAsFactors = FALSE)
  v$model <- unname(types[v$type])
  v$sklearn_converged <- as.logical(v$sklearn_converged)
  v$sklearn_degenerate <- as.logical(v$sklearn_degenerate)
  v$sklearn[!is.finite(v$sklearn)] <- NA
  ok <- is.finite(v$sklearn_bic)
  best <- if (any(ok)) which(ok)[which.min(v$sklearn_bic[ok])] else NA
  list(cells = v[c("k", "model", "type", "sklearn", "sklearn_degenerate", "sklearn_converged",
                   "sklearn_iter")],
       seconds = t, fit_seconds = sum(v$sklearn_s),
       selected = if (is.na(best)) NA_character_ else
         sprintf("%s %d (%s%s)", v$type[best], v$k[best], v$model[best],
                 if (v$sklearn_degenerate[best] %in% TRUE) ", held by its ridge" else ""),
       bic = if (is.na(best)) NA_real_ else v$sklearn_bic[best])
}

# ---- one data set ----
# The cells are every model for the dimension with k = 1:9 capped at the
# number of distinct rows; a tool that has no row for a cell has NA there.
count_distinct <- function(x) nrow(unique(as.matrix(x)))

run_set <- function(name) {
  x <- numeric_complete(all_sets[[name]]())
  n <- NROW(x)
  d <- NCOL(x)
  ks <- seq_len(min(KMAX, count_distinct(x)))
  progress("%s: %d x %d", name, n, d)
  em <- run_emgmm(x, ks)
  progress("  emgmm %.1f s, selects %s", em$seconds, em$selected)
  mc <- run_mclust(x, ks)
  progress("  mclust %.1f s, selects %s", mc$seconds, mc$selected)
  sk <- sklearn_fits(x, ks)
  if (!is.null(sk)) progress("  scikit-learn %.1f s, selects %s", sk$seconds, sk$selected)

  cells <- expand.grid(k = ks, model = models_for(d), stringsAsFactors = FALSE)
  cells <- merge(cells, if (is.null(em$cells)) data.frame(k = integer(), model = character()) else em$cells,
                 all.x = TRUE)
  cells <- merge(cells, if (is.null(mc$cells)) data.frame(k = integer(), model = character()) else mc$cells,
                 all.x = TRUE)
  if (!is.null(sk) && !is.null(sk$cells)) cells <- merge(cells, sk$cells, all.x = TRUE)
  for (col in c("emgmm", "emgmm_degenerate", "emgmm_reason", "emgmm_start", "mclust", "type",
                "sklearn", "sklearn_degenerate", "sklearn_converged", "sklearn_iter")) {
    if (is.null(cells[[col]])) cells[[col]] <- NA
  }
  cells$emgmm[!is.finite(cells$emgmm)] <- NA
  cells$mclust[!is.finite(cells$mclust)] <- NA
  cells <- cbind(data = name, n = n, d = d, cells[order(match(cells$model, models_for(d)), cells$k), ],
                 stringsAsFactors = FALSE)
  # differences, and the relative shortfall of emgmm (positive: emgmm lower)
  cells$emgmm_minus_mclust <- cells$emgmm - cells$mclust
  cells$emgmm_minus_sklearn <- cells$emgmm - cells$sklearn
  cells$short_mclust <- -cells$emgmm_minus_mclust / (1 + abs(cells$mclust))
  cells$short_sklearn <- -cells$emgmm_minus_sklearn / (1 + abs(cells$sklearn))
  cells$below_mclust <- !is.na(cells$short_mclust) & cells$short_mclust > REL_TOL
  # A scikit-learn fit held up by its ridge can sit far above any sound
  # optimum (a component on a repeated value); emgmm prefers sound fits by
  # design, so being below such a fit is counted apart and is no shortfall.
  below_sk <- !is.na(cells$short_sklearn) & cells$short_sklearn > REL_TOL
  cells$below_sklearn <- below_sk & cells$sklearn_degenerate %in% FALSE
  cells$below_sklearn_ridge <- below_sk & cells$sklearn_degenerate %in% TRUE
  cells$below_both <- cells$below_mclust & cells$below_sklearn
  rownames(cells) <- NULL
  list(name = name, n = n, d = d, cells = cells, em = em, mc = mc, sk = sk)
}

t_start <- proc.time()[["elapsed"]]
results <- list()
for (name in run_names) {
  # a data set that cannot even be loaded or fitted is reported and skipped
  r <- tryCatch(run_set(name), error = function(e) {
    progress("%s failed: %s", name, conditionMessage(e))
    NULL
  })
  if (!is.null(r)) results[[name]] <- r
}
total_seconds <- proc.time()[["elapsed"]] - t_start

all_cells <- do.call(rbind, lapply(results, `[[`, "cells"))
rownames(all_cells) <- NULL
write.csv(all_cells, csv_path, row.names = FALSE)
progress("cells written to %s", csv_path)

# ---- the report ----
fmt_ll <- function(x) ifelse(is.na(x), "NA", format(x, digits = 10))
fmt_rel <- function(x) ifelse(is.na(x), "", sprintf("%.1e", x))
cell_name <- function(cells, i) paste(cells$model[i], cells$k[i])

# The largest relative shortfall against one peer over the cells in `use`,
# with its cell; "none" when emgmm is at or above the peer on all of them.
largest_shortfall <- function(cells, col, use = rep(TRUE, nrow(cells))) {
  s <- ifelse(use, cells[[col]], NA)
  if (!any(!is.na(s))) return("")
  i <- which.max(s)
  if (s[i] <= 0) return("none")
  sprintf("%s (%s)", fmt_rel(s[i]), cell_name(cells, i))
}
# a selected (k, model) with its BIC on emgmm's scale (-2 loglik + df log n,
# lower is better; minus mclust's BIC; scikit-learn's bic() is on this scale)
fmt_selected <- function(tool) {
  if (is.null(tool) || is.na(tool$selected)) return("")
  sprintf("%s, %.2f", tool$selected, tool$bic)
}

versions <- sprintf("emgmm %s%s, R %s, mclust %s, %s", packageVersion("emgmm"),
  local({
    sha <- suppressWarnings(tryCatch(system2("git", c("rev-parse", "--short", "HEAD"),
                                             stdout = TRUE, stderr = FALSE),
                                     error = function(e) character()))
    if (length(sha) == 1L) paste0(" (sources at commit ", sha, ")") else ""
  }),
  getRversion(), packageVersion("mclust"),
  if (nzchar(python)) paste0("scikit-learn ",
    system2(python, c("-c", shQuote("import sklearn; print(sklearn.__version__)")), stdout = TRUE))
  else "scikit-learn not installed")

lines <- c(
  sprintf("Measured %s on %s (%d processors), %s; %d data sets, %d cells; the run took %.0f s.",
          format(Sys.Date()), Sys.info()[["nodename"]], parallel::detectCores(), versions,
          length(results), nrow(all_cells), total_seconds),
  sprintf("emgmm's default start in this version: `init = %s`.", deparse(formals(gmm_fit)$init)),
  "",
  "### Per data set",
  "",
  paste("| data | n x d | cells | emgmm >= mclust (sound fits) | emgmm < mclust | emgmm degenerate |",
        "NA in mclust only | NA in emgmm only | NA in both | largest shortfall vs mclust |",
        "emgmm < scikit-learn: sound / held by its ridge | largest shortfall vs sound scikit-learn |",
        "below both | selected, BIC: emgmm | mclust | scikit-learn | seconds: emgmm | mclust | scikit-learn |"),
  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
for (r in results) {
  cl <- r$cells
  both <- !is.na(cl$emgmm) & !is.na(cl$mclust)
  deg <- cl$emgmm_degenerate %in% TRUE
  below_both <- which(cl$below_both)
  lines <- c(lines, sprintf("| %s | %d x %d | %d | %d | %d | %d | %d | %d | %d | %s | %s | %s | %s | %s | %s | %s | %.2f | %.2f | %s |",
    r$name, r$n, r$d, nrow(cl), sum(both & !deg & !cl$below_mclust), sum(cl$below_mclust), sum(deg),
    sum(!is.na(cl$emgmm) & is.na(cl$mclust)), sum(is.na(cl$emgmm) & !is.na(cl$mclust)),
    sum(is.na(cl$emgmm) & is.na(cl$mclust)),
    largest_shortfall(cl, "short_mclust"),
    if (all(is.na(cl$type))) "" else sprintf("%d / %d", sum(cl$below_sklearn), sum(cl$below_sklearn_ridge)),
    largest_shortfall(cl, "short_sklearn", cl$sklearn_degenerate %in% FALSE),
    if (length(below_both)) sprintf("**%d** (%s)", length(below_both),
                                    paste(cell_name(cl, below_both), collapse = ", ")) else "0",
    fmt_selected(r$em), fmt_selected(r$mc), fmt_selected(r$sk),
    r$em$seconds, r$mc$seconds,
    if (is.null(r$sk)) "" else sprintf("%.2f", r$sk$seconds)))
}
# a whole call that failed (every cell of that tool is NA then)
for (r in results) {
  for (tool in c("em", "mc")) {
    err <- r[[tool]]$error
    if (!is.null(err) && !is.na(err)) {
      lines <- c(lines, "", sprintf("%s on %s failed: %s", c(em = "emgmm", mc = "mclust")[[tool]],
                                    r$name, gsub("\\s+", " ", err)))
    }
  }
}
lines <- c(lines, "", paste(
  "Every cell is counted once in one of: emgmm >= mclust (sound fits), emgmm < mclust,",
  "emgmm degenerate and not below mclust, NA in mclust only, NA in emgmm only, NA in both;",
  "the degenerate column counts all of emgmm's degenerate cells. Shortfalls are",
  "(peer - emgmm) / (1 + |peer|), and emgmm is below a peer when that exceeds 1e-6.",
  "Below both: below mclust and below a sound scikit-learn fit (the target is 0).",
  "scikit-learn fits only four models, so its selection is among those."))

# The cells to look at, one row each: emgmm below mclust (and below both
# peers), and emgmm without a fit where mclust has one.
why <- with(all_cells, ifelse(below_both, "below both",
              ifelse(below_mclust, "below mclust",
              ifelse(is.na(emgmm) & !is.na(mclust), "NA in emgmm only", ""))))
listed <- which(nzchar(why))
lines <- c(lines, "", "### Cells where emgmm is below mclust, or has no fit where mclust has one", "")
if (!length(listed)) {
  lines <- c(lines, "None.")
} else {
  lines <- c(lines,
    paste("| data | cell | listed as | emgmm | mclust | scikit-learn | emgmm - mclust | emgmm - scikit-learn |",
          "shortfall vs mclust, relative | emgmm degenerate | scikit-learn held up by its ridge | emgmm's winning start |"),
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
  for (i in listed) {
    cl <- all_cells[i, ]
    lines <- c(lines, sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |",
      cl$data, cell_name(cl, 1L), if (why[i] == "below both") "**below both**" else why[i],
      fmt_ll(cl$emgmm), fmt_ll(cl$mclust),
      if (is.na(cl$type)) "" else fmt_ll(cl$sklearn),
      if (is.na(cl$emgmm_minus_mclust)) "" else format(cl$emgmm_minus_mclust, digits = 4),
      if (is.na(cl$emgmm_minus_sklearn)) "" else format(cl$emgmm_minus_sklearn, digits = 4),
      fmt_rel(cl$short_mclust),
      if (is.na(cl$emgmm)) paste0("no fit: ", cl$emgmm_reason) else if (cl$emgmm_degenerate %in% TRUE) "**yes**" else "no",
      if (is.na(cl$sklearn_degenerate)) "" else if (cl$sklearn_degenerate) "yes" else "no",
      if (is.na(cl$emgmm_start)) "" else cl$emgmm_start))
  }
}

# Other cells that must be seen but would make the table above very long on
# the small data sets (hundreds of cells): one line per data set, "model k,k,..."
# with a mark after k where said.
compact_list <- function(title, select, mark) {
  out <- c("", paste0("### ", title), "")
  for (r in results) {
    cl <- r$cells
    i <- which(select(cl))
    if (!length(i)) next
    per_model <- vapply(split(i, factor(cl$model[i], levels = unique(cl$model[i]))), function(j) {
      paste0(cl$model[j[1]], " ", paste0(cl$k[j], mark(cl[j, ]), collapse = ","))
    }, character(1))
    out <- c(out, sprintf("* %s: %s", r$name, paste(per_model, collapse = "; ")))
  }
  if (length(out) == 3L) out <- c(out, "None.")
  out
}
lines <- c(lines,
  # emgmm's log-likelihood there is that of a component held up by the ridge,
  # not comparable with mclust's sound fit (emgmm returns it only when every
  # start collapsed)
  compact_list("Cells where emgmm's fit is degenerate and mclust has a value (k by model)",
               function(cl) cl$emgmm_degenerate %in% TRUE & !is.na(cl$mclust),
               function(cl) rep("", nrow(cl))),
  compact_list(paste("Cells where mclust has no value (k by model; * where emgmm's fit is degenerate,",
                     "! where emgmm has none either)"),
               function(cl) is.na(cl$mclust),
               function(cl) ifelse(is.na(cl$emgmm), "!", ifelse(cl$emgmm_degenerate %in% TRUE, "*", ""))),
  compact_list(paste("Cells where emgmm is below a sound scikit-learn fit but not below mclust",
                     "(k by model; the shortfall relative to scikit-learn in brackets)"),
               function(cl) cl$below_sklearn & !cl$below_mclust,
               function(cl) sprintf(" (%s)", fmt_rel(cl$short_sklearn))))

sk_cells <- all_cells[!is.na(all_cells$type), ]
if (nrow(sk_cells)) {
  lines <- c(lines, "", sprintf(paste(
    "scikit-learn: %d cells fitted, %d failed, %d stopped at max_iter = 1000 before tol = 1e-8,",
    "%d held up by its ridge (reg_covar = 1e-6)."),
    nrow(sk_cells), sum(is.na(sk_cells$sklearn)), sum(sk_cells$sklearn_converged %in% FALSE),
    sum(sk_cells$sklearn_degenerate %in% TRUE)))
}

cat("\n", paste(lines, collapse = "\n"), "\n", sep = "")
if (!nzchar(Sys.getenv("EMGMM_BENCH_NO_README")) && !QUICK) {
  readme <- file.path("bench", "README.md")
  txt <- readLines(readme)
  if (!length(grep("<!-- optimum.R begin -->", txt, fixed = TRUE))) {
    txt <- c(txt, "",
      "## Best log-likelihood per (k, model) against mclust and scikit-learn: `Rscript bench/optimum.R`",
      "",
      strwrap(paste(
        "On public data sets (R's datasets, mclust's and MASS's data; numeric columns,",
        "complete cases), every (k, model) cell of `set.seed(1); gmm_fit(x, k = 1:9,",
        "model = \"all\")` at its defaults is compared with `mclustBIC(x, G = 1:9)`",
        "(log-likelihood recovered from its BIC and `nMclustParams()`) and, for the four",
        "covariance types it has (full = VVV, tied = EEE, diag = VVI, spherical = VII; V and E",
        "in one dimension), with scikit-learn's `GaussianMixture(n_init = 10, random_state = 0,",
        "max_iter = 1000, tol = 1e-8)` at its default `reg_covar = 1e-6`, log-likelihood",
        "`score(x) * n` (its `tol` bounds the change of the mean log-likelihood per row; its",
        "default, 1e-3, stops well short of the optimum on these small sets). emgmm is below a peer",
        "on a cell when it is lower by more than 1e-6 relative (to 1 + |peer|). The target is",
        "no cell below both peers. Cells where emgmm is below mclust or has no fit where mclust",
        "has one are listed; cells where emgmm's fit is degenerate (a component held up by the",
        "ridge) and cells where mclust has no value are named; none is dropped.",
        "scikit-learn's fits held up by its ridge (a covariance that, without `reg_covar` and",
        "scaled by the variables' standard deviations, has an eigenvalue at most 1e-9) are",
        "flagged and not counted as shortfalls: emgmm prefers sound fits by design. Each tool",
        "is timed on the whole call (scikit-learn: its subprocess, Python's start included).",
        "The script rewrites the block below; the raw cells go to a CSV file outside the",
        "repository."), width = 78),
      "", "<!-- optimum.R begin -->", "<!-- optimum.R end -->")
  }
  replace_readme_block(txt, "optimum.R", lines, readme)
}
