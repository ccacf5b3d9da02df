#' emgmm: Gaussian mixture models by EM with a fast C++ engine
#'
#' Fit mixtures with [gmm_fit()], then use [predict.gmm()], [summary.gmm()],
#' [logLik.gmm()] and [simulate.gmm()].  The fitted object is described in
#' [gmm-object].
#'
#' @keywords internal
#' @useDynLib emgmm, .registration = TRUE
#' @importFrom Rcpp sourceCpp
#' @importFrom stats nobs logLik
"_PACKAGE"
