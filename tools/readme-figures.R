# Regenerates the figures shown in README.md (man/figures/README-*.png) from
# the package as installed.  Run from the package root after `make install`:
#   Rscript tools/readme-figures.R
library(emgmm)
dir.create(file.path("man", "figures"), showWarnings = FALSE, recursive = TRUE)
out <- function(name) file.path("man", "figures", paste0("README-", name, ".png"))

set.seed(1)
fit <- gmm_fit(series, k = 3, threads = 1)
grDevices::png(out("series-density"), width = 720, height = 480, res = 100)
plot(fit, type = "density")
invisible(grDevices::dev.off())

set.seed(1)
sel <- gmm_fit(faithful, k = 1:6, model = c("EII", "VVI", "EEE", "VVV"), threads = 1)
grDevices::png(out("faithful-classification"), width = 720, height = 480, res = 100)
plot(sel, type = "classification")
invisible(grDevices::dev.off())
cat("wrote", out("series-density"), "and", out("faithful-classification"), "\n")
