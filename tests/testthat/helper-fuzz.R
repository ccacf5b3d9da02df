# Property-based ("fuzz") testing of gmm_fit() and the methods of its fits
# (test-fuzz.R).  Each case is built from one seed, so that a failure is
# replayed with one call:
#
#   case <- fuzz_case(1234)   # the inputs: case$args, case$fit_seed, case$bad, case$what
#   fuzz_fit(case)            # the gmm_fit() call alone (set.seed(case$fit_seed) first)
#   fuzz_check(1234)          # the whole property: character(0) or the reasons it fails
#   fuzz_check(1234, plot = "all")  # the same, with every type of plot
#
# The property: every call to gmm_fit() either returns a valid and usable
# "emgmm" fit (finite numbers, proportions and posteriors that sum to 1,
# symmetric positive definite covariances; predict() of every type on the
# training data and on fresh data, simulate(), summary(), print() and, in
# some cases, plot() all work and give no NaN) or signals an error of class
# "emgmm_error"; an input error for an argument the case made wrong on
# purpose names that argument.  Every warning is classed "emgmm_warning".
# None of this touches the caller's random state (with_seed_local(), in
# helper-data.R).

fuzz_multivariate <- c("EII", "VII", "EEI", "VEI", "EVI", "VVI", "EEE", "VEE", "EVE",
                       "VVE", "EEV", "VEV", "EVV", "VVV")
fuzz_aliases <- c("spherical", "diag", "tied", "full")

# The number of cases of a run: EMGMM_FUZZ_CASES when set (valgrind runs use
# fewer), else 1000 (about 30 s on two cores).
fuzz_n_cases <- function(default = 1000L) {
  n <- suppressWarnings(as.integer(Sys.getenv("EMGMM_FUZZ_CASES", "")))
  if (is.na(n) || n < 1L) default else n
}

# The seeds of the first `n` cases drawn from the master seed.  runif()
# draws in sequence, so a shorter run checks the first cases of a longer one.
fuzz_seeds <- function(n, master = 20110011L) {
  with_seed_local(master, as.integer(floor(stats::runif(n) * 1e8)))
}

# One draw from `choices` with probabilities `prob` (values kept as they are,
# lists allowed).
pick <- function(choices, prob = NULL) {
  choices[[sample.int(length(choices), 1L, prob = prob)]]
}

chance <- function(p) stats::runif(1L) < p

# The data of a case: an n x d double matrix, clustered or not, with the
# pathologies the case draws (ties, duplicated rows, constant and collinear
# columns, extreme scales, large offsets).  Returns list(m, what).
fuzz_data <- function(n, d) {
  what <- character()
  clustered <- chance(0.6)
  if (clustered) {
    kt <- sample.int(5L, 1L)
    centres <- matrix(stats::rnorm(kt * d, sd = pick(list(2, 5, 20))), kt, d)
    lab <- sample.int(kt, n, replace = TRUE)
    spread <- stats::runif(kt, 0.05, 2)
    m <- centres[lab, , drop = FALSE] + matrix(stats::rnorm(n * d), n, d) * spread[lab]
    what <- c(what, sprintf("%d clusters", kt))
  } else {
    shape <- pick(list("normal", "uniform", "exp", "cauchy"))
    m <- matrix(switch(shape, normal = stats::rnorm(n * d), uniform = stats::runif(n * d),
                       exp = stats::rexp(n * d), cauchy = stats::rcauchy(n * d)), n, d)
    what <- c(what, shape)
  }
  if (chance(0.1)) {
    m <- round(m * pick(list(1, 2, 10)))
    what <- c(what, "rounded (ties)")
  }
  if (chance(0.15)) {
    m <- m[sample.int(n, n, replace = TRUE), , drop = FALSE]
    what <- c(what, "resampled rows (duplicates)")
  }
  if (chance(0.03) && n > 2L) {
    m[-1L, ] <- matrix(m[2L, ], n - 1L, d, byrow = TRUE)
    what <- c(what, "all rows but one identical")
  } else if (chance(0.05) && n > 4L) {
    heavy <- sample.int(n, round(n * pick(list(0.5, 0.8, 0.95))))
    m[heavy, ] <- matrix(m[heavy[1L], ], length(heavy), d, byrow = TRUE)
    what <- c(what, sprintf("%d rows one observation", length(heavy)))
  } else if (chance(0.03) && n > 3L) {
    m <- m[sample.int(pick(list(2L, 3L)), n, replace = TRUE), , drop = FALSE]
    what <- c(what, "two or three distinct rows")
  }
  if (chance(if (d == 1L) 0.02 else 0.1)) {
    j <- sample.int(d, 1L)
    m[, j] <- pick(list(0, 1, 1e10, -3.5))
    what <- c(what, sprintf("column %d constant", j))
  }
  if (d >= 2L && chance(0.12)) {
    ij <- sample.int(d, 2L)
    noise <- pick(list(0, 0, 1e-12, 1e-6))
    m[, ij[2L]] <- pick(list(1, -2, 1e3)) * m[, ij[1L]] + 0.5 +
      noise * stats::rnorm(n)
    what <- c(what, sprintf("column %d = a * column %d + b (+ %g noise)", ij[2L], ij[1L], noise))
  }
  if (chance(0.15)) {
    e <- if (chance(0.5)) rep(stats::runif(1L, -150, 150), d) else stats::runif(d, -150, 150)
    m <- m * rep(10^e, each = n)
    what <- c(what, sprintf("scaled by 10^(%s)", paste(round(e), collapse = ", ")))
  }
  if (chance(0.05)) {
    off <- pick(list(1e8, 1e12, -1e15))
    m <- m + off
    what <- c(what, sprintf("offset %g", off))
  }
  list(m = m, what = what)
}

# `m` in the form the case passes it: vector, matrix or data frame, with the
# wrong column types or values the case draws.  Returns list(x, bad, what):
# `bad` the argument that is wrong on purpose (NULL when none).
fuzz_represent <- function(m) {
  n <- nrow(m)
  d <- ncol(m)
  bad <- NULL
  what <- character()
  if (chance(0.03)) {
    nbad <- sample.int(3L, 1L)
    vals <- list(NA_real_, NaN, Inf, -Inf)
    for (i in seq_len(nbad)) {
      m[sample.int(n, 1L), sample.int(d, 1L)] <- pick(vals)
    }
    bad <- "x"
    what <- c(what, "NA/NaN/Inf in x")
  }
  named <- chance(0.7)
  names <- if (d == 1L) "value" else paste0("v", seq_len(d))
  form <- if (d == 1L) pick(list("vector", "matrix", "data.frame"), c(0.5, 0.25, 0.25)) else
    pick(list("matrix", "data.frame"))
  x <- switch(form,
    vector = m[, 1L],
    matrix = {
      if (named) colnames(m) <- names
      m
    },
    data.frame = stats::setNames(as.data.frame(m), names)
  )
  what <- c(what, form)
  if (form == "data.frame" && chance(0.1)) {
    j <- sample.int(d, 1L)
    type <- pick(list("character", "factor", "logical", "integer"))
    col <- x[[j]]
    x[[j]] <- switch(type,
      character = as.character(col),
      factor = factor(col),
      logical = col > stats::median(col, na.rm = TRUE),
      integer = if (all(abs(col) < 1e9, na.rm = TRUE)) as.integer(round(col)) else col
    )
    if (type != "integer") bad <- "x"
    what <- c(what, sprintf("column %d %s", j, type))
  } else if (form == "matrix" && chance(0.05)) {
    type <- pick(list("character", "logical", "integer"))
    if (type == "integer" && all(abs(x) < 1e9, na.rm = TRUE)) {
      storage.mode(x) <- "integer"
    } else if (type != "integer") {
      x <- if (type == "character") {
        array(as.character(x), dim(x), dimnames(x))
      } else {
        array(x > 0, dim(x), dimnames(x))
      }
      bad <- "x"
    }
    what <- c(what, sprintf("%s matrix", type))
  } else if (form == "vector" && chance(0.04)) {
    x <- pick(list(as.character(x), x > 0, as.list(x), factor(x)))
    bad <- "x"
    what <- c(what, sprintf("vector as %s", class(x)[1L]))
  }
  if (d >= 2L && form == "matrix" && named && chance(0.03)) {
    colnames(x)[2L] <- colnames(x)[1L]
    bad <- "x"
    what <- c(what, "repeated column name")
  }
  list(x = x, bad = bad, what = what)
}

# A user-supplied start with `kk` components for n rows: labels (integer,
# double or factor) or a posterior matrix (sometimes a data frame), or, when
# `wrong`, a start of the wrong shape.  Returns list(init, bad, what).
fuzz_user_start <- function(n, kk, type, wrong) {
  maybe <- NULL
  labels <- if (n >= kk) c(seq_len(kk), sample.int(kk, n - kk, replace = TRUE))[sample.int(n)]
            else sample.int(kk, n, replace = TRUE)
  if (type == "labels") {
    init <- pick(list(labels, as.double(labels), factor(labels)))
    if (wrong) {
      init <- pick(list(labels[-1L], c(labels, 1L), replace(labels, 1L, 0L),
                        replace(labels, 1L, NA), replace(labels, 1L, 1.5),
                        replace(labels, labels == 1L, kk + 1L)))
    }
  } else {
    z <- matrix(stats::rexp(n * kk), n, kk)
    if (chance(0.3)) z <- diag(kk)[labels, , drop = FALSE] + 0
    z <- z / rowSums(z)
    if (!wrong && kk > 1L && chance(0.15)) {
      # a component with almost no weight (too little is an input error)
      eps <- pick(list(1e-6, 1e-12, 1e-300))
      rest <- matrix(stats::rexp(n * (kk - 1L)), n)
      z <- cbind(rest / rowSums(rest) * (1 - eps), eps)
      if (eps < 1e-10) maybe <- "init"
    }
    if (wrong) {
      z <- pick(list(z[-1L, , drop = FALSE], z * 2, -z, cbind(z, 0),
                     replace(z, 1L, NA), matrix("a", n, kk)))
    }
    init <- if (chance(0.15) && is.numeric(z)) as.data.frame(z) else z
  }
  list(init = init, bad = if (wrong) c("init", "k"), what = paste(if (wrong) "wrong", type),
       maybe = maybe)
}

# The inputs of case `seed`: list(args, fit_seed, bad, maybe, what).  `args`
# are the arguments of gmm_fit() (call set.seed(fit_seed) before it); `bad`
# the arguments the case made wrong on purpose (an input error must name one
# of them), NULL when every argument is valid; `maybe` arguments that may be
# wrong for the data (an input error may name them); `what` describes the
# case.
fuzz_case <- function(seed) {
  with_seed_local(seed, {
    n <- pick(list(sample.int(5L, 1L), sample(6:30, 1L), sample(31:200, 1L)), c(0.06, 0.3, 0.64))
    d <- sample.int(5L, 1L)
    data <- fuzz_data(n, d)
    rep <- fuzz_represent(data$m)
    args <- list(x = rep$x)
    bad <- rep$bad
    maybe <- NULL
    what <- c(sprintf("n = %d, d = %d", n, d), data$what, rep$what)
    set_bad <- function(arg) bad <<- unique(c(bad, arg))

    # model: a few names, an alias, "all"; the number of (k, model) pairs is
    # kept small so that a case costs a fraction of a second
    single <- c(fuzz_multivariate, fuzz_aliases, "E", "V")
    # univariate names are errors for d > 1: rarely
    if (d > 1L && !chance(0.05)) single <- c(fuzz_multivariate, fuzz_aliases)
    model <- pick(list(
      sample(single, 1L),
      sample(single, pick(list(2L, 3L))),
      tolower(sample(fuzz_multivariate, 1L)),
      "all",
      pick(list("XYZ", NA_character_, 3, character(0)))
    ), c(0.6, 0.17, 0.05, 0.15, 0.03))
    if (!is.character(model) || length(model) == 0L || anyNA(model) || identical(model, "XYZ") ||
        (d > 1L && any(toupper(model) %in% c("E", "V")))) {
      set_bad("model")
    }
    n_models <- if (identical(model, "all")) if (d == 1L) 2L else 14L else max(1L, length(model))

    # k: one number or a few, sometimes more than n, sometimes the default
    kmax <- if (n_models > 6L) 3L else 6L
    k <- pick(list(
      sample.int(kmax, 1L),
      sort(sample.int(kmax, min(kmax, max(1L, 6L %/% n_models)))),
      "missing",
      pick(list(0, 1.5, NA, "2", -1, integer(0), Inf))
    ), c(0.6, 0.25, if (n_models <= 2L) 0.12 else 0, 0.03))
    if (!identical(k, "missing") && (!is.numeric(k) || length(k) == 0L || anyNA(k) ||
                                     any(!is.finite(k)) || any(k < 1) || any(k != round(k)))) {
      set_bad("k")
    }
    if (!identical(k, "missing")) args$k <- k
    args$model <- model

    # init
    init_type <- pick(list("auto", "kmeans", "hc", "random", "labels", "posterior", "wrong"),
                      c(0.3, 0.18, 0.15, 0.1, 0.11, 0.11, 0.05))
    if (init_type %in% c("labels", "posterior", "wrong")) {
      wrong <- init_type == "wrong"
      type <- if (wrong) pick(list("labels", "posterior")) else init_type
      kk <- if (is.numeric(k) && length(k) >= 1L && is.finite(k[1L]) && k[1L] >= 1) {
        as.integer(max(1, round(k[1L])))
      } else sample.int(3L, 1L)
      if (is.numeric(k) && length(k) > 1L) args$k <- kk
      start <- fuzz_user_start(n, kk, type, wrong)
      args$init <- start$init
      if (wrong) set_bad(start$bad)
      maybe <- start$maybe
      what <- c(what, start$what)
    } else {
      if (chance(0.03)) {
        args$init <- pick(list("kmeans++", c("hc", "kmeans"), NA_character_, 3))
        set_bad("init")
      } else if (init_type != "auto" || chance(0.5)) {
        args$init <- init_type
      }
    }

    # EM controls
    if (chance(0.7)) args$n_init <- pick(list(1L, 1, 2L, 3L, 5L))
    if (chance(0.02)) {
      args$n_init <- pick(list(0, 1.5, NA, "2"))
      set_bad("n_init")
    }
    args$max_iter <- pick(list(1L, 2L, 3L, 5L, 10L, 30L, 100L, c(30, 5), c(10, 1), c(100, 100)),
                          c(0.1, 0.06, 0.05, 0.1, 0.17, 0.2, 0.16, 0.06, 0.05, 0.05))
    if (chance(0.02)) {
      args$max_iter <- pick(list(0, -1, NA, c(1, 2, 3), 2.5, Inf))
      set_bad("max_iter")
    }
    if (chance(0.5)) args$tol <- pick(list(1e-3, 1e-5, 1e-10, 0, c(1e-5, 1e-3), c(1e-8, 1e-12)))
    if (chance(0.02)) {
      args$tol <- pick(list(-1, NA, "a", c(1, 2, 3)))
      set_bad("tol")
    }
    reg <- pick(list("default", 0, "tiny", "large", "bad"), c(0.4, 0.2, 0.17, 0.2, 0.03))
    if (identical(reg, "tiny")) reg <- 10^-stats::runif(1L, 12, 300)
    if (identical(reg, "large")) reg <- 10^stats::runif(1L, 0, 300)
    if (identical(reg, "bad")) {
      reg <- pick(list(-1, NA, c(1, 2), "0", Inf))
      set_bad("reg")
    }
    if (!identical(reg, "default")) args$reg <- reg
    if (chance(0.1)) args$criterion <- pick(list("icl", "aic", "bic"))
    args$threads <- pick(list(1L, 2L))
    if (chance(0.03)) {
      # can be too few rows for k (an input error naming it is right)
      args$hc_subset <- max(1L, n %/% 2L)
      maybe <- c(maybe, "hc_subset")
      if (!is.null(args$init) && !identical(args$init, "auto") && !identical(args$init, "hc")) {
        set_bad("hc_subset")
      }
    }
    if (chance(0.01)) {
      args$nstart <- 3
      set_bad("...")
    }
    list(args = args, fit_seed = sample.int(1e6, 1L),
         plot = pick(list(FALSE, TRUE, "all"), c(0.65, 0.25, 0.1)), bad = bad, maybe = maybe,
         what = paste(what, collapse = "; "))
  })
}

# What is untrue in the input error `msg` about the arguments of `case`
# (character(0) when nothing is found): the value and place of a
# non-finite value of `x`, the type of a non-numeric column, the sum of a
# column of a posterior matrix.
fuzz_message_untruths <- function(case, msg) {
  out <- character()
  x <- case$args$x
  hit <- regmatches(msg, regexec("row (\\d+), column (\\d+) is ([^ ]+)\\.$", msg))[[1L]]
  if (length(hit) == 4L && grepl("^`x`", msg)) {
    v <- as.matrix(x)[as.integer(hit[2L]), as.integer(hit[3L])]
    shown <- if (is.nan(v)) "NaN" else if (is.na(v)) "NA" else format(v)
    if (is.finite(v) || shown != hit[4L]) {
      out <- c(out, sprintf("the message says x[%s, %s] is %s, but it is %s",
                            hit[2L], hit[3L], hit[4L], format(v)))
    }
  }
  hit <- regmatches(msg, regexec("column `([^`]+)` is", msg))[[1L]]
  if (length(hit) == 2L && is.data.frame(x) && is.numeric(x[[hit[2L]]])) {
    out <- c(out, sprintf("the message says column `%s` is not numeric, but it is", hit[2L]))
  }
  hit <- regmatches(msg, regexec("column (\\d+) sums to 0", msg))[[1L]]
  if (length(hit) == 2L && (is.matrix(case$args$init) || is.data.frame(case$args$init))) {
    total <- sum(as.matrix(case$args$init)[, as.integer(hit[2L])])
    if (total != 0) {
      out <- c(out, sprintf("the message says column %s of `init` sums to 0, but it sums to %g",
                            hit[2L], total))
    }
  }
  out
}

# Calls gmm_fit() with the case's arguments as symbols (so that the call an
# error carries is short, and `fit$call` holds names, not data).
fuzz_fit <- function(case) {
  env <- list2env(case$args, parent = baseenv())
  env$gmm_fit <- emgmm::gmm_fit
  nms <- names(case$args)
  call <- as.call(c(list(as.name("gmm_fit")), stats::setNames(lapply(nms, as.name), nms)))
  eval(call, env)
}

# The data of a fit as a plain matrix, and fresh data in the same form as
# the fit's variables (a vector for d = 1, a data frame with the names when
# the fit has them, else a matrix): rows of the data moved by a tenth of
# each variable's spread, and the mean of each variable.
fuzz_fresh <- function(fit) {
  m <- fit$data
  n <- nrow(m)
  rows <- m[sample.int(n, min(n, 7L), replace = TRUE), , drop = FALSE]
  sds <- apply(m, 2L, function(v) if (length(v) > 1L) stats::sd(v) else 0)
  jitter <- matrix(stats::rnorm(length(rows)), nrow(rows)) * rep(sds / 10, each = nrow(rows))
  fresh <- rbind(rows + jitter, colMeans(m))
  if (fit$d == 1L) return(fresh[, 1L])
  vars <- colnames(fit$parameters$means)
  if (is.null(vars)) return(unname(fresh))
  colnames(fresh) <- vars
  as.data.frame(fresh)[sample(vars)]
}

# What is wrong with a returned fit (character(0) when nothing): `fit` from
# gmm_fit(x, ...); `plot_it` FALSE (no plot), TRUE (the default plot and one
# other type) or "all" (every type).
fuzz_fit_problems <- function(fit, plot_it, x) {
  out <- character()
  add <- function(...) out <<- c(out, sprintf(...))
  if (!inherits(fit, "emgmm")) return("the result is not an \"emgmm\" object")
  p <- fit$parameters
  k <- fit$k
  n <- fit$n
  d <- fit$d
  num_ok <- function(v) is.numeric(v) && !anyNA(v) && all(is.finite(v))
  if (!identical(dim(fit$data), c(as.integer(n), as.integer(d)))) add("data is not n x d")
  for (nm in c("loglik", "bic", "icl", "aic", "df")) {
    if (!num_ok(fit[[nm]]) || length(fit[[nm]]) != 1L) add("%s is not a finite number", nm)
  }
  if (!num_ok(p$proportions) || length(p$proportions) != k || any(p$proportions <= 0) ||
      abs(sum(p$proportions) - 1) > 1e-8) {
    add("proportions are not positive and summing to 1: %s", toString(signif(p$proportions, 3)))
  }
  if (!num_ok(p$means) || !identical(dim(p$means), c(k, d))) add("means not a finite k x d matrix")
  cov <- p$covariances
  cov_ok <- num_ok(cov) && identical(as.integer(dim(cov)), as.integer(c(d, d, k)))
  if (!cov_ok) add("covariances not a finite d x d x k array")
  if (cov_ok) {
    for (j in seq_len(k)) {
      s <- matrix(cov[, , j], d, d)
      if (!identical(unname(s), unname(t(s)))) add("covariance %d is not symmetric", j)
      dg <- diag(s)
      # on the correlation scale (the entries may span 1e-300..1e300)
      pd <- all(dg > 0) && !inherits(try(chol(s / outer(sqrt(dg), sqrt(dg))), silent = TRUE),
                                     "try-error")
      if (!pd) add("covariance %d is not positive definite", j)
    }
  }
  z <- fit$posterior
  post_problem <- function(z, rows) {
    if (!is.matrix(z) || !identical(dim(z), c(as.integer(rows), as.integer(k)))) {
      return("not a rows x k matrix")
    }
    if (!num_ok(z)) return("has non-finite values")
    if (any(z < 0) || any(z > 1)) return("has values outside [0, 1]")
    if (rows > 0L && any(abs(rowSums(z) - 1) > 1e-8)) return("has rows not summing to 1")
    NULL
  }
  pp <- post_problem(z, n)
  if (!is.null(pp)) add("posterior %s", pp)
  cls <- fit$classification
  if (!is.integer(cls) || length(cls) != n || anyNA(cls) || any(cls < 1L | cls > k)) {
    add("classification is not n integers in 1..k")
  }
  if (!num_ok(fit$uncertainty) || any(fit$uncertainty < 0 | fit$uncertainty > 1)) {
    add("uncertainty not in [0, 1]")
  }
  if (anyNA(fit$loglik_trace)) add("loglik_trace has NA/NaN")
  if (is.null(pp) && !identical(fit$classification, max.col(z, ties.method = "first"))) {
    add("classification is not the most probable component")
  }
  if (num_ok(c(fit$loglik, fit$df, fit$bic)) &&
      abs(fit$bic - (-2 * fit$loglik + fit$df * log(n))) > 1e-8 * (1 + abs(fit$bic))) {
    add("bic is not -2 loglik + df log(n)")
  }
  sel <- fit$selection
  if (!is.null(sel)) {
    nan <- vapply(sel, function(col) is.numeric(col) && any(is.nan(col)), logical(1))
    if (any(nan)) add("selection has NaN in %s", toString(names(sel)[nan]))
    crit <- sel[[fit$criterion]]
    if (all(is.na(crit))) add("selection has no fitted pair")
    sound <- !is.na(crit) & !sel$degenerate
    pool <- if (any(sound)) sound else !is.na(crit)
    if (any(pool) && !isTRUE(all.equal(fit[[fit$criterion]], min(crit[pool])))) {
      add("the fit is not the best pair of the selection by %s", fit$criterion)
    }
  }
  if (length(out) > 0L) return(out)

  # usable: the methods work and give finite answers
  attempt <- function(what, expr) {
    tryCatch(expr, error = function(e) {
      add("%s failed: %s [%s]", what, conditionMessage(e), class(e)[1L])
      NULL
    })
  }
  fresh <- fuzz_fresh(fit)
  for (where in c("training data", "fresh data")) {
    nd <- if (where == "fresh data") fresh else NULL
    rows <- if (is.null(nd)) n else NROW(nd)
    res <- list()
    for (type in c("classification", "posterior", "density", "logdensity")) {
      res[[type]] <- attempt(sprintf("predict(type = \"%s\") on %s", type, where),
                             predict(fit, nd, type = type))
    }
    if (!is.null(res$classification) &&
        (!is.integer(res$classification) || length(res$classification) != rows ||
         anyNA(res$classification) || any(res$classification < 1L | res$classification > k))) {
      add("predict classification on %s is not %d integers in 1..k", where, rows)
    }
    if (!is.null(res$posterior)) {
      pp <- post_problem(res$posterior, rows)
      if (!is.null(pp)) add("predict posterior on %s %s", where, pp)
    }
    if (!is.null(res$logdensity) && (!num_ok(res$logdensity) || length(res$logdensity) != rows)) {
      add("predict logdensity on %s is not %d finite numbers: %s", where, rows,
          toString(utils::head(res$logdensity)))
    }
    # density = exp(logdensity): it can overflow legitimately (data in units
    # of 1e-150 have densities of 1e150 and more), but never be NaN
    if (!is.null(res$density) && !is.null(res$logdensity) &&
        (anyNA(res$density) || any(res$density < 0) ||
         !isTRUE(all.equal(res$density, exp(res$logdensity))))) {
      add("predict density on %s is not exp(logdensity)", where)
    }
  }
  # the log-likelihood is that of the returned parameters
  ld <- attempt("predict(type = \"logdensity\")", predict(fit, type = "logdensity"))
  if (num_ok(ld) && abs(sum(ld) - fit$loglik) > 1e-6 * (1 + abs(fit$loglik))) {
    add("loglik %.10g is not the sum of the log densities of the data, %.10g",
        fit$loglik, sum(ld))
  }
  # the data as given, as newdata, give the fit's posterior
  post <- attempt("predict(newdata = x)", predict(fit, x, type = "posterior"))
  if (!is.null(post) && !isTRUE(all.equal(unname(post), unname(z), tolerance = 1e-10))) {
    add("predict(fit, x, type = \"posterior\") is not fit$posterior")
  }
  sim <- attempt("simulate()", simulate(fit, 5, seed = 1))
  if (!is.null(sim)) {
    vals <- as.matrix(sim[seq_len(d)])
    if (nrow(sim) != 5L || !num_ok(vals)) add("simulate() draws are not 5 finite rows")
  }
  attempt("summary()/print()", {
    utils::capture.output(print(fit), print(summary(fit)))
    ll <- logLik(fit)
    if (!isTRUE(all.equal(c(AIC(fit), BIC(fit)), c(fit$aic, fit$bic)))) {
      add("AIC()/BIC() differ from the fit's")
    }
  })
  if (!identical(plot_it, FALSE)) {
    types <- c("density", "classification", "uncertainty", "loglik",
               if (!is.null(fit$selection)) "selection")
    for (type in c("default", if (identical(plot_it, "all")) types else sample(types, 1L))) {
      attempt(sprintf("plot(type = \"%s\")", type), {
        grDevices::pdf(NULL)
        on.exit(grDevices::dev.off(), add = TRUE)
        if (type == "default") plot(fit) else plot(fit, type = type)
      })
    }
  }
  out
}

# The input errors that valid arguments can meet because of the data: too
# few distinct rows (for k, or at all), values too large to square, and
# labels that cannot all be used when there are fewer rows than components.
fuzz_data_errors <- paste0("distinct observations|too large to square|at most the number of|",
                           "has no observation")

# Runs case `seed`; character(0) when the property holds, else the reasons
# (with the attribute "outcome": "fit", "fit error" or "input error").
# `plot`: NULL (the case's own choice), FALSE, TRUE (the default plot and
# one other type) or "all" (every type of plot).
fuzz_check <- function(seed, plot = NULL) {
  case <- fuzz_case(seed)
  if (!is.null(plot)) case$plot <- plot
  failures <- character()
  add <- function(...) failures <<- c(failures, sprintf(...))
  fit_warnings <- character()
  warning_classes <- character()
  outcome <- NA_character_
  stage <- "gmm_fit()"
  on_warning <- function(w) {
    if (inherits(w, "emgmm_warning")) {
      if (stage == "gmm_fit()") {
        fit_warnings <<- c(fit_warnings, conditionMessage(w))
        warning_classes <<- c(warning_classes, class(w)[1L])
      }
    } else {
      add("%s gave an unclassed warning: %s", stage, conditionMessage(w))
    }
    invokeRestart("muffleWarning")
  }
  with_seed_local(case$fit_seed, withCallingHandlers({
    result <- tryCatch(suppressMessages(fuzz_fit(case)), error = function(e) e)
    outcome <- if (inherits(result, "emgmm_error_input")) "input error" else
      if (inherits(result, "error")) "fit error" else "fit"
    if (inherits(result, "error")) {
      msg <- conditionMessage(result)
      cc <- conditionCall(result)
      names_any <- function(args) {
        any(vapply(sprintf("`%s`", args), grepl, logical(1), msg, fixed = TRUE))
      }
      if (inherits(result, "emgmm_error_input")) {
        failures <- c(failures, fuzz_message_untruths(case, msg))
      }
      if (!inherits(result, "emgmm_error")) {
        add("unclassed error (%s): %s", class(result)[1L], msg)
      } else if (!is.call(cc) || !identical(cc[[1L]], as.name("gmm_fit"))) {
        add("error without the gmm_fit() call: %s", msg)
      } else if (!is.null(case$bad)) {
        if (!inherits(result, "emgmm_error_input")) {
          add("bad %s, but a fit error instead of an input error: %s",
              toString(case$bad), msg)
        } else if (!names_any(c(case$bad, case$maybe)) && !grepl(fuzz_data_errors, msg)) {
          add("bad %s, but the input error does not name it: %s", toString(case$bad), msg)
        }
      } else if (inherits(result, "emgmm_error_input") && !grepl(fuzz_data_errors, msg) &&
                 !names_any(case$maybe)) {
        add("input error for valid input: %s", msg)
      }
    } else {
      if (!is.null(case$bad)) {
        add("returned a fit although %s is wrong", toString(case$bad))
      }
      if (!identical(fit_warnings, result$warnings)) {
        add("the warnings given (%s) are not the fit's $warnings (%s)",
            toString(fit_warnings), toString(result$warnings))
      }
      stage <- "the methods"
      if (isTRUE(result$degenerate) && !"emgmm_warning_degenerate" %in% warning_classes) {
        add("a degenerate fit without a degenerate warning")
      }
      if (!isTRUE(result$converged) && length(warning_classes) == 0L) {
        add("a fit that did not converge, without a warning")
      }
      failures <- c(failures, fuzz_fit_problems(result, case$plot, case$args$x))
    }
  }, warning = on_warning))
  structure(failures, outcome = outcome)
}

# The message of a failing case: its seed, what it is and why it fails.
fuzz_message <- function(seed, failures, plot = NULL) {
  case <- fuzz_case(seed)
  replay <- if (is.null(plot)) seed else sprintf("%d, plot = %s", seed, deparse(plot))
  sprintf("fuzz case %d (%s): %s\n  replay: fuzz_check(%s); inputs: fuzz_case(%d)",
          seed, case$what, paste(failures, collapse = "; "), replay, seed)
}
