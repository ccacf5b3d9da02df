#' Simulate from a fitted Gaussian mixture
#'
#' Draws observations from the fitted mixture: a component for each draw with
#' the fitted proportions, then a Gaussian draw from that component.
#'
#' @param object An `"emgmm"` object.
#' @param nsim Number of observations to draw.
#' @param seed Optional seed for [set.seed()]; the random state is restored
#'   afterwards, as [stats::simulate()] does.
#' @param ... Not used.
#' @return A data frame with one row per draw: the variables, then, in the
#'   last column, the component each draw came from.  That column is named
#'   `component`, unless a variable already has that name: then it is named
#'   `component.1` (or `component.2`, ..., the first name that is not a
#'   variable's), so that variables are never overwritten.  Its `"seed"`
#'   attribute records the random state, as [stats::simulate()] does.
#' @examples
#' fit <- gmm_fit(faithful, k = 2, threads = 1)
#' head(simulate(fit, 5, seed = 1))
#' @importFrom stats simulate
#' @export
simulate.emgmm <- function(object, nsim = 1, seed = NULL, ...) {
  ecall <- sys.call()
  ecall[[1L]] <- as.name("simulate")
  check_emgmm_object(object, ecall)
  check_dots(list(...), ecall)
  nsim <- check_count(nsim, "nsim", ecall, min = 0)
  if (!exists(".Random.seed", envir = globalenv(), inherits = FALSE)) stats::runif(1)
  rng_state <- get(".Random.seed", envir = globalenv(), inherits = FALSE)
  if (!is.null(seed)) {
    if (!is.numeric(seed) || length(seed) != 1L || !is_whole(seed) ||
        abs(seed) > .Machine$integer.max) {
      abort_input(sprintf("`seed` must be NULL or a whole number of at most %d in size, not %s.",
                          .Machine$integer.max, describe(seed)), ecall)
    }
    caller_state <- rng_state
    on.exit(assign(".Random.seed", caller_state, envir = globalenv()), add = TRUE)
    set.seed(seed)
    rng_state <- structure(seed, kind = as.list(RNGkind()))
  }
  p <- object$parameters
  d <- object$d
  comp <- sample.int(object$k, nsim, replace = TRUE, prob = p$proportions)
  z <- matrix(stats::rnorm(nsim * d), nsim, d)
  out <- matrix(0, nsim, d)
  for (j in seq_len(object$k)) {
    rows <- which(comp == j)
    if (length(rows) == 0L) next
    u <- chol(p$covariances[, , j])
    out[rows, ] <- z[rows, , drop = FALSE] %*% u +
      matrix(p$means[j, ], length(rows), d, byrow = TRUE)
  }
  vars <- variable_names(object)
  colnames(out) <- vars
  res <- as.data.frame(out, optional = TRUE)
  res[[label_column(vars)]] <- comp
  attr(res, "seed") <- rng_state
  res
}

# The name of the column of component labels: "component", or when a
# variable has that name, the first of "component.1", "component.2", ...
# that none has.
label_column <- function(vars) {
  name <- "component"
  i <- 0L
  while (name %in% vars) {
    i <- i + 1L
    name <- paste0("component.", i)
  }
  name
}
