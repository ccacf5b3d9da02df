#' emgmm: Gaussian mixture models by EM with a fast C++ engine
#'
#' Fit mixtures with [gmm_fit()], then use [predict.emgmm()], [summary.emgmm()],
#' [logLik.emgmm()] and [simulate.emgmm()].  The fitted object is described in
#' [emgmm-object].
#'
#' @keywords internal
#' @useDynLib emgmm, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom stats nobs logLik
"_PACKAGE"

# Unloading the namespace unloads the library; R then calls R_unload_emgmm()
# (src/glue.cpp), which stops the engine's helper threads first.
.onUnload <- function(libpath) {
  library.dynam.unload("emgmm", libpath)
}
