# Seeded data helpers and component matching for the emgmm tests.
#
# None of these helpers touch the caller's random state: they draw with a
# fixed seed and put `.Random.seed` back as it was.

# Evaluates `code` with the random seed set to `seed`, restoring the global
# random state afterwards (like withr::with_seed(), without the dependency).
with_seed_local <- function(seed, code) {
  genv <- globalenv()
  had_seed <- exists(".Random.seed", envir = genv, inherits = FALSE)
  if (had_seed) old <- get(".Random.seed", envir = genv, inherits = FALSE)
  on.exit({
    if (had_seed) {
      assign(".Random.seed", old, envir = genv)
    } else if (exists(".Random.seed", envir = genv, inherits = FALSE)) {
      rm(".Random.seed", envir = genv)
    }
  }, add = TRUE)
  set.seed(seed)
  force(code)
}

# Draws n observations from a Gaussian mixture.
#
# means: k x d matrix of component means (a plain vector means d = 1, one
#   entry per component).  Column names become the variable names.
# sds:   standard deviations for axis-aligned components: a single number, a
#   length-k vector (one sd per component, all variables), or a k x d matrix.
# covs:  alternatively, full covariances: a d x d x k array or a list of k
#   d x d matrices.  Give sds or covs, not both (default sds = 1).
# props: mixing proportions, length k (default equal); rescaled to sum to 1.
# exact: if TRUE, component sizes are round(n * props) (adjusted to sum to n)
#   instead of multinomial draws, so every component is populated.
# Returns list(x, labels, means, covs, props): x is a vector when d = 1 and
# as_vector is TRUE, else an n x d matrix; labels the true components.
sim_mixture <- function(n, means, sds = NULL, covs = NULL, props = NULL, seed = 1,
                        exact = TRUE, as_vector = TRUE) {
  if (is.null(dim(means))) means <- matrix(means, ncol = 1L)
  k <- nrow(means)
  d <- ncol(means)
  if (is.null(props)) props <- rep(1 / k, k)
  stopifnot(length(props) == k, all(props >= 0))
  props <- props / sum(props)
  if (!is.null(sds) && !is.null(covs)) stop("give `sds` or `covs`, not both")
  if (is.null(covs)) {
    if (is.null(sds)) sds <- 1
    sds <- if (is.matrix(sds)) sds else matrix(sds, nrow = k, ncol = d)
    stopifnot(identical(dim(sds), c(k, d)))
    covs <- array(0, c(d, d, k))
    for (j in seq_len(k)) covs[, , j] <- diag(sds[j, ]^2, nrow = d)
  } else if (is.list(covs)) {
    covs <- array(unlist(covs), c(d, d, k))
  }
  stopifnot(length(dim(covs)) == 3L, all(dim(covs) == c(d, d, k)))

  with_seed_local(seed, {
    if (exact) {
      sizes <- floor(n * props)
      short <- n - sum(sizes)
      if (short > 0L) {
        extra <- order(n * props - sizes, decreasing = TRUE)[seq_len(short)]
        sizes[extra] <- sizes[extra] + 1L
      }
      labels <- rep(seq_len(k), times = sizes)
      labels <- labels[sample.int(n)]
    } else {
      labels <- sample.int(k, n, replace = TRUE, prob = props)
    }
    z <- matrix(stats::rnorm(n * d), n, d)
    x <- matrix(0, n, d)
    for (j in seq_len(k)) {
      rows <- which(labels == j)
      if (length(rows) == 0L) next
      u <- chol(covs[, , j, drop = TRUE] + matrix(0, d, d))
      x[rows, ] <- z[rows, , drop = FALSE] %*% u +
        matrix(means[j, ], length(rows), d, byrow = TRUE)
    }
  })
  colnames(x) <- colnames(means)
  if (d == 1L && as_vector) x <- x[, 1L]
  list(x = x, labels = as.integer(labels), means = means, covs = covs, props = props)
}

# Two well separated 2-D clusters, named columns; small and fast to fit.
two_blobs <- function(n = 60, seed = 42) {
  means <- rbind(c(0, 0), c(6, 4))
  colnames(means) <- c("height", "width")
  covs <- array(c(1, 0.3, 0.3, 0.8, 0.6, -0.2, -0.2, 1.2), c(2, 2, 2))
  sim_mixture(n, means, covs = covs, props = c(0.4, 0.6), seed = seed)
}

# Three well separated 1-D clusters.
three_bumps <- function(n = 90, seed = 7) {
  sim_mixture(n, c(-5, 0, 6), sds = c(0.7, 1, 1.3), props = c(0.3, 0.3, 0.4),
              seed = seed)
}

# All permutations of 1..k (rows), for small k.
all_permutations <- function(k) {
  if (k <= 1L) return(matrix(seq_len(k), nrow = 1L))
  sub <- all_permutations(k - 1L)
  do.call(rbind, lapply(seq_len(k), function(first) {
    rest <- setdiff(seq_len(k), first)
    cbind(first, matrix(rest[sub], nrow = nrow(sub)))
  }))
}

# The component means of a fit (an "emgmm" object, an mclust fit, a list with
# $parameters$means or $means, or a k x d / length-k numeric object).
component_means <- function(x) {
  m <- if (is.numeric(x)) {
    x
  } else if (!is.null(x$parameters$means)) {
    x$parameters$means
  } else if (!is.null(x$parameters$mean)) {
    t(x$parameters$mean) # mclust stores d x k
  } else if (!is.null(x$means)) {
    x$means
  } else {
    stop("cannot find component means")
  }
  if (is.null(dim(m))) m <- matrix(m, ncol = 1L)
  unname(m)
}

# Label switching: the permutation `perm` of the components of `b` such that
# component perm[j] of `b` matches component j of `a` (b's means[perm, ] are
# closest to a's means in total squared distance).  `a` and `b` are fits or
# mean matrices with the same number of components (k x d; a vector is k x 1).
# Exhaustive search for k <= 8, greedy nearest pairs beyond.
match_components <- function(a, b) {
  ma <- component_means(a)
  mb <- component_means(b)
  stopifnot(nrow(ma) == nrow(mb), ncol(ma) == ncol(mb))
  k <- nrow(ma)
  cost <- matrix(0, k, k) # cost[i, j]: a's i against b's j
  for (i in seq_len(k)) cost[i, ] <- colSums((t(mb) - ma[i, ])^2)
  if (k <= 8L) {
    perms <- all_permutations(k)
    total <- apply(perms, 1L, function(p) sum(cost[cbind(seq_len(k), p)]))
    return(as.integer(perms[which.min(total), ]))
  }
  perm <- integer(k)
  left_a <- seq_len(k)
  left_b <- seq_len(k)
  while (length(left_a) > 0L) {
    sub <- cost[left_a, left_b, drop = FALSE]
    w <- which(sub == min(sub), arr.ind = TRUE)[1L, ]
    perm[left_a[w[1L]]] <- left_b[w[2L]]
    left_a <- left_a[-w[1L]]
    left_b <- left_b[-w[2L]]
  }
  perm
}

# Log density of a multivariate normal, by hand (Cholesky), one value per row.
dmvnorm_log <- function(x, mean, sigma) {
  x <- if (is.null(dim(x))) matrix(x, ncol = length(mean)) else as.matrix(x)
  d <- ncol(x)
  u <- chol(sigma)
  z <- backsolve(u, t(x) - mean, transpose = TRUE)
  -0.5 * colSums(z^2) - sum(log(diag(u))) - 0.5 * d * log(2 * pi)
}

# Mixture log density computed in R, by log-sum-exp over components, from the
# contract's parameters (proportions, k x d means, d x d x k covariances).
mixture_logdensity <- function(x, parameters) {
  x <- if (is.null(dim(x))) matrix(x, ncol = ncol(parameters$means)) else as.matrix(x)
  k <- length(parameters$proportions)
  lp <- vapply(seq_len(k), function(j) {
    log(parameters$proportions[j]) +
      dmvnorm_log(x, parameters$means[j, ], as.matrix(parameters$covariances[, , j]))
  }, numeric(nrow(x)))
  lp <- matrix(lp, nrow = nrow(x))
  m <- apply(lp, 1L, max)
  m + log(rowSums(exp(lp - m)))
}

# Replaces the package's C++ entry points by functions that fail with class
# "emgmm_test_cpp_reached" while `code` runs, so a test can show that an
# input error is raised in R before any fitting C++ runs.  (The thread count
# is left alone: it only reads a constant.)
with_cpp_blocked <- function(code) {
  ns <- asNamespace("emgmm")
  names <- c("start_partitions_cpp", "fit_candidate_cpp", "check_parameters_cpp", "predict_cpp", "model_df_cpp",
             "hc_merges_cpp", "hc_partitions_cpp")
  old <- mget(names, envir = ns)
  blocker <- function(name) {
    force(name)
    function(...) {
      stop(structure(class = c("emgmm_test_cpp_reached", "error", "condition"),
                     list(message = paste(name, "was called"), call = NULL)))
    }
  }
  for (nm in names) {
    unlockBinding(nm, ns)
    assign(nm, blocker(nm), envir = ns)
  }
  on.exit({
    for (nm in names) {
      assign(nm, old[[nm]], envir = ns)
      lockBinding(nm, ns)
    }
  }, add = TRUE)
  force(code)
}

# mclust::hc() (by default with use = "SVD", the transformation Mclust()
# uses).  It evaluates hc<model>() in its caller's frame, so it is called
# from a frame that sees mclust's namespace.
mclust_hc <- function(x, model = "VVV", use = "SVD") {
  env <- new.env(parent = asNamespace("mclust"))
  env$x <- x
  env$model <- model
  env$use <- use
  eval(quote(hc(x, modelName = model, use = use)), env)
}
