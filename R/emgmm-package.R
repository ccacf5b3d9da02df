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
