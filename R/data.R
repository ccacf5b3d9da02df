#' A 50-value series that naive EM gets wrong
#'
#' Fifty measurements an analyst modelled as a three-component Gaussian
#' mixture with hand-written EM, which failed: densities underflowed to zero, a
#' standard deviation was used where a variance belonged, and random starts
#' put several components on one value.  The series is hard for EM: one value
#' (44.44571429) occurs 13 times and another (43.66666667) 5 times, so
#' unequal-variance models can collapse a component onto a repeated value.
#' With `k = 3` and unequal variances, mclust's default start returns no fit
#' (singular covariance), its equal-variance model stops at log-likelihood
#' -146.9, and scikit-learn with 10 k-means restarts reaches -106.186.
#'
#' @format A numeric vector of length 50.
#' @source Supplied by a user of the package (issue 2).
#' @examples
#' fit <- gmm_fit(series, k = 3, threads = 1)
#' fit$parameters
"series"
