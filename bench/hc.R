# The hierarchical start (init = "hc"): speed against mclust::hc(), the size
# of its pair table, and how well gmm_fit(init = "hc") reproduces mclustBIC().
# Run from the package root:   Rscript bench/hc.R
# Prints markdown tables (copied into bench/README.md).
suppressPackageStartupMessages({
  library(emgmm)
  library(mclust)
})
data(banknote, thyroid, chevron, cross, GvHD, acidity, package = "mclust")
options(width = 160)

# mclust::hc() from a frame that sees mclust's namespace (it evaluates
# hc<model>() in its caller's frame).
mclust_hc <- function(x, model = "VVV") {
  env <- new.env(parent = asNamespace("mclust"))
  env$x <- x
  env$model <- model
  eval(quote(hc(x, modelName = model, use = "SVD")), env)
}

sim <- function(n, d, seed = 1) {
  set.seed(seed)
  matrix(rnorm(n * d), n) + rep(sample(0:4, n, TRUE) * 2, d)
}

# ---- 1. time ----
cat("## Hierarchical clustering: seconds (one thread), VVV criterion, SVD transform\n\n")
cat("| n | d | emgmm s | mclust::hc() s | ratio | merges identical | pair table MB |\n")
cat("| --- | --- | --- | --- | --- | --- | --- |\n")
for (d in c(2L, 5L, 10L)) {
  for (n in c(500L, 1000L, 2000L, 4000L, 8000L)) {
    x <- sim(n, d)
    invisible(gc())
    t_em <- system.time(m <- emgmm:::hc_merges(x, "VVV"))[["elapsed"]]
    run_mclust <- n <= 2000L || (n <= 4000L && d == 2L)
    t_mc <- NA
    same <- NA
    if (run_mclust) {
      t_mc <- system.time(h <- mclust_hc(x))[["elapsed"]]
      same <- identical(m, matrix(as.integer(h), nrow = 2L))
    }
    cat(sprintf("| %d | %d | %.3f | %s | %s | %s | %.0f |\n", n, d, t_em,
                if (is.na(t_mc)) "not run" else sprintf("%.2f", t_mc),
                if (is.na(t_mc)) "" else sprintf("%.1fx", t_mc / t_em),
                if (is.na(same)) "" else if (same) "yes" else "NO",
                n * (n - 1) / 2 * 8 / 2^20))
  }
}

# ---- 2. mclustBIC() against gmm_fit(x, k = 1:9, model = "all", init = "hc") ----
cat("\n## mclustBIC() against gmm_fit(x, k = 1:9, model = \"all\", init = \"hc\")\n\n")
sets <- list(
  faithful = as.matrix(faithful), iris = as.matrix(iris[, 1:4]),
  diabetes = as.matrix(diabetes[, -1]), wreath = as.matrix(wreath),
  swiss = as.matrix(swiss), USArrests = as.matrix(USArrests), trees = as.matrix(trees),
  sim3 = sim(300, 3, 3), sim5 = sim(250, 5, 5),
  banknote = as.matrix(banknote[, -1]), thyroid = as.matrix(thyroid[, -1]),
  chevron = as.matrix(chevron[, -1]), cross = as.matrix(cross[, -1]),
  GvHD1500 = as.matrix(GvHD.pos[1:1500, ]),
  LifeCycleSavings = as.matrix(LifeCycleSavings), state.x77 = state.x77,
  airquality = as.matrix(airquality[complete.cases(airquality), 1:4]),
  waiting = faithful$waiting, series = series, acidity = acidity, precip = precip
)
permodel <- list()
cat("| data | n x d | largest relative difference | cells NA in mclust / emgmm | NA cells agree | best (mclust) | best (emgmm) | emgmm s | mclust s |\n")
cat("| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n")
for (nm in names(sets)) {
  x <- sets[[nm]]
  t_mc <- system.time(b <- mclustBIC(x, verbose = FALSE))[["elapsed"]]
  t_em <- system.time(f <- gmm_fit(x, k = 1:9, model = "all", init = "hc", threads = 1))[["elapsed"]]
  ours <- matrix(NA_real_, nrow(b), ncol(b), dimnames = dimnames(b))
  ours[cbind(as.character(f$selection$k), f$selection$model)] <- -f$selection$bic
  rel <- abs(ours - b) / abs(b)
  for (m in colnames(rel)) {
    r <- suppressWarnings(max(rel[, m], na.rm = TRUE))
    if (is.finite(r)) permodel[[m]] <- rbind(permodel[[m]], data.frame(data = nm, rel = r))
  }
  best <- which(b == max(b, na.rm = TRUE), arr.ind = TRUE)
  cat(sprintf("| %s | %d x %d | %.1e | %d / %d | %s | %s %s | %s %d | %.2f | %.2f |\n", nm,
              NROW(x), NCOL(x), max(rel, na.rm = TRUE), sum(is.na(b)), sum(is.na(ours)),
              if (identical(is.na(ours), is.na(unclass(b)[, ]))) "yes" else "no",
              colnames(b)[best[1, 2]], rownames(b)[best[1, 1]], f$model, f$k, t_em, t_mc))
}

cat("\n## Per model: largest relative BIC difference over the data sets above\n\n")
small_sets <- c("swiss", "USArrests", "trees", "LifeCycleSavings", "state.x77")
cat("| model | largest | on | largest without the five sets of 50 rows or fewer |\n| --- | --- | --- | --- |\n")
for (m in names(permodel)) {
  p <- permodel[[m]]
  small <- p[!p$data %in% small_sets, ]
  cat(sprintf("| %s | %.1e | %s | %.1e |\n", m, max(p$rel), p$data[which.max(p$rel)],
              max(small$rel)))
}
