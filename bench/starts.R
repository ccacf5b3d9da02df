# The default start against each kind alone (issue 10's target): for every
# (k, model) pair of 18 public data sets, the log-likelihood of
# gmm_fit(x, 1:9, "all") with every default, against init = "kmeans" and
# init = "hc" (mclust's settings: no ridge, tol 1e-5) and init = "hc" with
# the default's settings (ridge, tol 1e-8), all with set.seed(1).
#
# Run from the package root:   Rscript bench/starts.R
# A cell counts as short when the default is lower by more than 1e-8
# relative.  References that are degenerate (held up by the ridge) are left
# out: the default passes them over by design.
suppressPackageStartupMessages({
  library(emgmm)
  library(mclust)
})
data(diabetes, banknote, thyroid, package = "mclust")
sets <- list(faithful = faithful, iris = iris[, 1:4], swiss = swiss, USArrests = USArrests,
             trees = trees, crabs = MASS::crabs[, 4:8], LifeCycleSavings = LifeCycleSavings,
             diabetes = diabetes[, -1], banknote = banknote[, -1], thyroid = thyroid[, -1],
             mtcars = mtcars, state.x77 = state.x77, airquality = na.omit(airquality)[, 1:4],
             waiting = faithful$waiting, geyser = MASS::geyser, cats = MASS::cats[, 2:3],
             quakes = quakes[, 1:4], rock = rock[, 1:3])
fits <- function(x, ...) {
  set.seed(1)
  suppressWarnings(gmm_fit(x, k = 1:9, model = "all", threads = 1, ...))$selection
}
short <- function(a, ref) ifelse(is.na(ref), NA, (ref - a) / abs(ref) > 1e-8)
lines <- c("| data | cells | short of kmeans | short of hc, same settings | short of hc, mclust's settings | of those, EVE/VVE | default seconds |",
           "| --- | --- | --- | --- | --- | --- | --- |")
for (nm in names(sets)) {
  x <- sets[[nm]]
  t <- system.time(a <- fits(x))[["elapsed"]]
  key <- paste(a$k, a$model)
  get <- function(...) {
    s <- fits(x, ...)
    s <- s[match(key, paste(s$k, s$model)), ]
    ifelse(s$degenerate, NA, s$loglik)
  }
  km <- get(init = "kmeans")
  hc_same <- get(init = "hc", reg = NULL, tol = 1e-8)
  hc <- get(init = "hc")
  s_km <- short(a$loglik, km)
  s_same <- short(a$loglik, hc_same)
  s_hc <- short(a$loglik, hc)
  ev <- a$model %in% c("EVE", "VVE")
  lines <- c(lines, sprintf("| %s | %d | %d | %d | %d | %d | %.2f |", nm, nrow(a),
                            sum(s_km, na.rm = TRUE), sum(s_same, na.rm = TRUE),
                            sum(s_hc, na.rm = TRUE), sum(s_hc & ev, na.rm = TRUE), t))
  cat(lines[length(lines)], "\n")
  for (i in which(s_km | s_same | (s_hc & !ev))) {
    cat(sprintf("    %s k = %d %s: default %.4f, kmeans %.4f, hc same settings %.4f, hc %.4f\n",
                nm, a$k[i], a$model[i], a$loglik[i], km[i], hc_same[i], hc[i]))
  }
}
cat("\n", paste(lines, collapse = "\n"), "\n", sep = "")
