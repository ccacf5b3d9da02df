# Speed of EM: emgmm against mclust, scikit-learn and ClusterR (where
# installed), on the workloads of issue 4, in one run.
#
# Run from the package root:   Rscript bench/bench.R
# It rewrites the section between the markers "<!-- bench.R begin -->" and
# "<!-- bench.R end -->" of bench/README.md (and prints it).
#
# Per iteration: every tool starts from the same partition of the same data
# (set.seed(42); the true labels with 20% of them reassigned at random) and
# is asked for ITERS EM iterations of the full-covariance model (tol = 0),
# then reports seconds per iteration and the log-likelihood it reached; equal
# log-likelihoods show the same computation. Every figure is divided by the
# iterations the tool really ran, which the table shows: emgmm and mclust's
# me() stop when the log-likelihood no longer changes at all, and ClusterR
# (which seeds itself) stops by Armadillo's own test. emgmm, mclust and
# scikit-learn: the whole call over its iterations (emgmm and mclust: the
# best of two runs); ClusterR: its EM loop alone, timed from its verbose
# output (see clusterr_fit()).
# emgmm is timed on its engine (the EM loop alone) with 1 and 2 threads, and
# end to end through gmm_fit() from the same labels.
# Memory: peak resident memory (VmHWM) of a fresh R process that simulates the
# data and runs gmm_fit(), minus the peak after simulating the data.
# End to end: gmm_fit(x, k = 5, model = "VVV") (k-means starts, default
# tol 1e-8) against mclust::Mclust(x, G = 5, modelNames = "VVV") (its
# hierarchical start on a subset, tol 1e-5), at 1e5 x 10 and 1e6 x 10.
#
# Floor: bench/floor.cpp measures the machine's matrix-multiply rate, exp()
# rate and read bandwidth at the flags R uses for packages; the floor of an
# iteration is counted from them as issue 4 counts it.
# Native flags: emgmm is also built with -O3 -march=native (the kind of
# ~/.R/Makevars a user may have) into a temporary library and its engine
# timed beside the default build.
# Diagonal and spherical models: VVI, EEI, VII and EII against mclust's me().
#
# Environment: EMGMM_BENCH_ITERS (default 10), EMGMM_BENCH_QUICK=1 (only the
# first two workloads, for testing the script), EMGMM_BENCH_NO_README=1,
# EMGMM_BENCH_NATIVE=0 (no -march=native build).
suppressPackageStartupMessages({
  library(emgmm)
  library(mclust)
})
options(width = 200)

ITERS <- as.integer(Sys.getenv("EMGMM_BENCH_ITERS", "10"))
QUICK <- nzchar(Sys.getenv("EMGMM_BENCH_QUICK"))
workloads <- list(c(n = 1e6, d = 1, k = 3), c(n = 1e6, d = 2, k = 3),
                  c(n = 1e6, d = 10, k = 5), c(n = 1e5, d = 50, k = 10))
if (QUICK) workloads <- workloads[1:2]

simulate_workload <- function(n, d, k, seed = 42) {
  set.seed(seed)
  means <- matrix(rnorm(k * d, sd = 4), k, d)
  labels <- sample.int(k, n, replace = TRUE)
  x <- matrix(rnorm(n * d), n, d)
  for (j in seq_len(k)) {
    a <- matrix(rnorm(d * d, sd = 0.3), d, d) + diag(d)  # a random covariance a a'
    rows <- labels == j
    x[rows, ] <- x[rows, , drop = FALSE] %*% t(a) + rep(means[j, ], each = sum(rows))
  }
  start <- labels
  flip <- sample.int(n, n %/% 5)
  start[flip] <- sample.int(k, length(flip), replace = TRUE)
  list(x = x, start = start)
}

elapsed <- function(expr) {
  gc(FALSE)
  t0 <- proc.time()[["elapsed"]]
  force(expr)
  proc.time()[["elapsed"]] - t0
}

# ---- the tools ----
# Seconds per iteration: the whole call (the start's M-step included, as for
# mclust's me()) over its iterations, best of REPS runs.
REPS <- 2L
best_of <- function(run) {
  runs <- lapply(seq_len(REPS), function(i) run())
  runs[[which.min(vapply(runs, function(r) r$s_per_iter, numeric(1)))]]
}

# The engine's entry for one candidate fit, with the one start given: the
# start's statistics, then ITERS EM iterations (tol = 0).
emgmm_engine <- function(x, start, k, threads, model = if (ncol(x) == 1L) "V" else "VVV") {
  scale <- vapply(seq_len(ncol(x)), function(j) var(x[, j]), numeric(1))
  control <- list(max_iter = ITERS, inner_max_iter = 1000, tol = 0, inner_tol = 1e-8,
                  reg = rep(0, ncol(x)), scale = scale, threads = threads, screen_iter = 20L)
  best_of(function() {
    res <- NULL
    t <- elapsed(res <- emgmm:::fit_candidate_cpp(x, model, k, list(start), 1L, NULL, control,
                                                  FALSE))
    list(s_per_iter = t / res$iterations, loglik = res$loglik, iterations = res$iterations)
  })
}

emgmm_gmm_fit <- function(x, start, k, threads) {
  fit <- NULL
  t <- elapsed(fit <- suppressWarnings(gmm_fit(x, k = k, model = "VVV", init = start, reg = 0,
                                               tol = 0, max_iter = ITERS, threads = threads)))
  list(s_per_iter = t / fit$iterations, loglik = fit$loglik, iterations = fit$iterations)
}

mclust_me <- function(x, start, k, model = if (ncol(x) == 1L) "V" else "VVV") {
  z <- unmap(start)
  best_of(function() {
    fit <- NULL
    t <- elapsed(fit <- me(x, model, z, control = emControl(tol = c(0, 0), itmax = c(ITERS, ITERS))))
    its <- abs(attr(fit, "info")[["iterations"]])  # negative when itmax was reached
    list(s_per_iter = t / its, loglik = fit$loglik, iterations = its)
  })
}

source("bench/common.R")  # `python` (scikit-learn's, or ""), replace_readme_block()

# scikit-learn's GaussianMixture from the same start: the parameters of the
# start's M-step are passed as weights_init, means_init and precisions_init,
# and it runs ITERS iterations (tol = 0), in a subprocess.
# Its fit() first computes responsibilities by init_params, takes one M-step
# from them and only then replaces the result by the given parameters
# (sklearn 1.2: BaseMixture._initialize_parameters and
# GaussianMixture._initialize). The default, "kmeans", would time a k-means
# fit whose result is thrown away; "random_from_data" (sklearn >= 1.1;
# "random" before) costs only that M-step, which stands for the start's
# M-step the others take. Then max_iter E- and M-steps (tol = 0 never stops
# it: its test is |change| < tol) and a final E-step: ITERS E-steps and
# ITERS M-steps in all, n_iter_ + 1 iterations.
sklearn_fit <- function(x, start, k) {
  if (!nzchar(python)) return(NULL)
  n <- nrow(x)
  d <- ncol(x)
  w <- tabulate(start, k) / n
  mu <- t(vapply(seq_len(k), function(j) colMeans(x[start == j, , drop = FALSE]), numeric(d)))
  if (d == 1L) mu <- matrix(mu, k, 1L)
  prec <- unlist(lapply(seq_len(k), function(j) {
    xc <- sweep(x[start == j, , drop = FALSE], 2, mu[j, ])
    solve(crossprod(xc) / sum(start == j))
  }))
  dir <- tempfile("emgmm-bench")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE))
  writeBin(as.vector(x), file.path(dir, "x.bin"))
  writeBin(c(w, as.vector(t(mu)), prec), file.path(dir, "init.bin"))
  script <- sprintf('
import numpy as np, time, warnings, sklearn
from sklearn.mixture import GaussianMixture
n, d, k, iters = %d, %d, %d, %d
x = np.fromfile("%s", dtype=np.float64).reshape((d, n)).T.copy()
p = np.fromfile("%s", dtype=np.float64)
w = p[:k]; mu = p[k:k + k * d].reshape((k, d)); prec = p[k + k * d:].reshape((k, d, d))
v = tuple(int(s) for s in sklearn.__version__.split(".")[:2])
gm = GaussianMixture(n_components=k, covariance_type="full", max_iter=iters - 1, tol=0.0,
                     reg_covar=0.0, weights_init=w, means_init=mu, precisions_init=prec,
                     init_params="random_from_data" if v >= (1, 1) else "random", random_state=0)
warnings.simplefilter("ignore")
t0 = time.perf_counter(); gm.fit(x); t = time.perf_counter() - t0
print(t / (gm.n_iter_ + 1), gm.score(x) * n, gm.n_iter_ + 1)
', n, d, k, ITERS, file.path(dir, "x.bin"), file.path(dir, "init.bin"))
  writeLines(script, file.path(dir, "fit.py"))
  out <- system2(python, file.path(dir, "fit.py"), stdout = TRUE, stderr = FALSE)
  v <- as.numeric(strsplit(trimws(out[length(out)]), " +")[[1]])
  # the given parameters are the start's M-step; sklearn's n_iter_ E-M steps
  # follow it, so ITERS - 1 of them make ITERS M-steps, as for the others
  list(s_per_iter = v[1], loglik = v[2], iterations = v[3])
}

clusterr_fit <- function(x, start, k) {
  if (!requireNamespace("ClusterR", quietly = TRUE)) return(NULL)
  # ClusterR's GMM() takes no starting partition but seeds itself
  # (static_subset means, then km_iter = 1 k-means iteration, then
  # Armadillo's gmm_full EM); full covariance matrices, its threads (OpenMP)
  # as it sets them. Armadillo's EM loop (gmm_full::em_iterate()) stops by
  # itself as soon as the mean log-likelihood per row changes by no more
  # than machine epsilon, and GMM() has no tolerance argument: asked for
  # ITERS iterations it may run fewer. So it runs with verbose = TRUE in a
  # child process, and every line of its output (Rcpp::Rcout, flushed after
  # each EM iteration) is timed as it arrives: "EM: n_threads" is printed
  # just before the EM loop and "EM: iteration: i" at the end of its i-th
  # E- and M-step. Its EM time is from the first to the last of these, over
  # the "EM: iteration" lines: the seeding, k-means (its own "k-means:
  # iteration" lines) and the R side of the call are left out. Best of REPS.
  n <- nrow(x)
  d <- ncol(x)
  dir <- tempfile("emgmm-bench")
  dir.create(dir)
  on.exit(unlink(dir, recursive = TRUE))
  writeBin(as.vector(x), file.path(dir, "x.bin"))
  writeLines(c(
    sprintf('x <- matrix(readBin("%s", "double", %.0f), %.0f, %d)', file.path(dir, "x.bin"), n * d, n, d),
    sprintf(paste('fit <- ClusterR::GMM(x, %d, dist_mode = "eucl_dist", seed_mode = "static_subset",',
                  'km_iter = 1, em_iter = %d, verbose = TRUE, seed = 1, full_covariance_matrices = TRUE)'),
            k, ITERS),
    'if (!is.null(fit$Error)) stop(conditionMessage(fit$Error))',
    '# Log_likelihood holds log densities per row and component, without the weights',
    'l <- sweep(fit$Log_likelihood, 2, log(fit$weights), "+")',
    'm <- do.call(pmax, lapply(seq_len(ncol(l)), function(j) l[, j]))',
    'cat("loglik:", format(sum(m + log(rowSums(exp(l - m)))), digits = 17), "\\n")'),
    file.path(dir, "fit.R"))
  run <- function() {
    con <- pipe(paste(shQuote(file.path(R.home("bin"), "Rscript")), shQuote(file.path(dir, "fit.R"))), "r")
    out <- character()
    at <- numeric()
    while (length(line <- readLines(con, n = 1L)) > 0L) {
      at <- c(at, proc.time()[["elapsed"]])
      out <- c(out, line)
    }
    close(con)
    begin <- grep("EM: n_threads:", out, fixed = TRUE)
    its <- grep("EM: iteration:", out, fixed = TRUE)
    ll <- grep("^loglik:", out, value = TRUE)
    if (length(begin) != 1L || length(its) == 0L || length(ll) != 1L) {
      stop("ClusterR::GMM() in a child process: unexpected output\n", paste(out, collapse = "\n"))
    }
    list(s_per_iter = (at[max(its)] - at[begin]) / length(its),
         loglik = as.numeric(sub("^loglik: *", "", ll)), iterations = length(its))
  }
  best_of(run)
}

# Peak memory of gmm_fit() in a fresh R process, in MB above the process's
# peak once the data exist.
peak_memory <- function(n, d, k) {
  script <- tempfile(fileext = ".R")
  on.exit(unlink(script))
  writeLines(sprintf('
suppressPackageStartupMessages(library(emgmm))
hwm <- function() as.numeric(sub("[^0-9]*([0-9]+).*", "\\\\1",
  grep("VmHWM", readLines("/proc/self/status"), value = TRUE))) / 1024
set.seed(1); x <- matrix(rnorm(%d * %d), %d, %d); start <- sample.int(%d, %d, TRUE)
invisible(gc()); before <- hwm()
fit <- suppressWarnings(gmm_fit(x, k = %d, model = "VVV", init = start, reg = 0, tol = 0,
                                max_iter = 5, threads = 2))
cat(before, hwm(), "\\n")', n, d, n, d, k, n, k), script)
  out <- system2(file.path(R.home("bin"), "Rscript"), script, stdout = TRUE)
  v <- as.numeric(strsplit(trimws(out[length(out)]), " +")[[1]])
  v[2] - v[1]
}

# What the machine does at the flags this R uses for packages (the flags
# emgmm was built with): bench/floor.cpp, compiled by Rcpp::sourceCpp().
machine <- local({
  suppressMessages(Rcpp::sourceCpp(file.path("bench", "floor.cpp"), verbose = FALSE,
                                   showOutput = FALSE))
  machine_rates(2L)
})

# The floor of one EM iteration on 2 threads as issue 4 counts it:
# n k (3 d^2 + 6 d) flops at the machine's matrix-multiply rate, n (k + 1)
# exp/log at its exp rate, 8 n (d + k) bytes at its read bandwidth; the
# largest of the three.
floor_seconds <- function(n, d, k) {
  max(n * k * (3 * d^2 + 6 * d) / (machine[["gemm_gflops"]] * 1e9),
      n * (k + 1) * machine[["exp_ns_per_thread"]] * 1e-9 / 2,
      8 * n * (d + k) / (machine[["read_gb_per_s"]] * 1e9))
}

# emgmm built with a user's optimisation flags (~/.R/Makevars style:
# -O3 -march=native) into a temporary library, timed in child processes.
# EMGMM_BENCH_NATIVE=0 skips it.
NATIVE <- !identical(Sys.getenv("EMGMM_BENCH_NATIVE"), "0")
native_lib <- ""
if (NATIVE) {
  native_lib <- tempfile("emgmm-native-lib")
  dir.create(native_lib)
  makevars <- tempfile("Makevars")
  writeLines(c("CXXFLAGS = -O3 -march=native", "CXX17FLAGS = -O3 -march=native"), makevars)
  # from a copy of the sources, so that no object file is shared with the
  # default build
  src_copy <- tempfile("emgmm-native-src")
  dir.create(src_copy)
  file.copy(c("DESCRIPTION", "NAMESPACE", "R", "src"), src_copy, recursive = TRUE)
  unlink(Sys.glob(file.path(src_copy, "src", c("*.o", "*.so", "engine/*.o"))))
  status <- system2(file.path(R.home("bin"), "R"),
                    c("CMD", "INSTALL", "--preclean", "--no-test-load",
                      paste0("--library=", native_lib), src_copy),
                    env = paste0("R_MAKEVARS_USER=", makevars), stdout = FALSE, stderr = FALSE)
  if (status != 0L) {
    NATIVE <- FALSE
    cat("the -march=native build failed; its column is left out\n")
  }
}

native_engine <- function(n, d, k) {
  script <- tempfile(fileext = ".R")
  on.exit(unlink(script))
  writeLines(c(
    sprintf('suppressPackageStartupMessages(library(emgmm, lib.loc = "%s"))', native_lib),
    sprintf("ITERS <- %d", ITERS),
    paste("simulate_workload <-", paste(deparse(simulate_workload), collapse = "\n")),
    paste("elapsed <-", paste(deparse(elapsed), collapse = "\n")),
    sprintf("REPS <- %d", REPS),
    paste("best_of <-", paste(deparse(best_of), collapse = "\n")),
    paste("emgmm_engine <-", paste(deparse(emgmm_engine), collapse = "\n")),
    sprintf("sim <- simulate_workload(%d, %d, %d)", n, d, k),
    sprintf("r <- emgmm_engine(sim$x, sim$start, %d, 2L)", k),
    'cat(r$s_per_iter, r$loglik, "\\n")'), script)
  out <- system2(file.path(R.home("bin"), "Rscript"), script, stdout = TRUE)
  v <- as.numeric(strsplit(trimws(out[length(out)]), " +")[[1]])
  list(s_per_iter = v[1], loglik = v[2])
}

fmt <- function(x, digits = 3) {
  ifelse(is.na(x), "", formatC(x, digits = digits, format = "g"))
}

# The iterations the runs of one tool really ran, as the table shows them:
# one number, or "a/b" when its runs differ ("-" when it was not run).
iterations_run <- function(...) {
  its <- unlist(lapply(list(...), function(r) r$iterations))
  if (length(its) == 0L) "-" else paste(unique(its), collapse = "/")
}

lines <- c(
  sprintf(paste("Measured %s on %s (%d processors), R %s, mclust %s%s%s; %d EM iterations asked of each run,",
                "and every figure divided by the iterations the tool really ran (shown in the tables)."),
          format(Sys.Date()), Sys.info()[["nodename"]], parallel::detectCores(),
          getRversion(), packageVersion("mclust"),
          if (nzchar(python)) paste0(", scikit-learn ",
            system2(python, c("-c", shQuote("import sklearn; print(sklearn.__version__)")),
                    stdout = TRUE)) else ", scikit-learn not installed",
          if (requireNamespace("ClusterR", quietly = TRUE)) {
            paste0(", ClusterR ", packageVersion("ClusterR"))
          } else ", ClusterR not installed",
          ITERS),
  "",
  sprintf(paste("At the flags R builds packages with here (%s), this machine does %.1f GFLOP/s",
                "of double-precision matrix multiply with Eigen on 2 threads, %.2f ns per",
                "vectorised exp() per thread (emgmm's pass: subtract, exp, add), and reads memory at %.1f GB/s",
                "(`bench/floor.cpp`)."),
          trimws(gsub(" +", " ", gsub("-ffile-prefix-map=[^ ]*|-fstack-protector-strong|-W[^ ]*|-D_FORTIFY_SOURCE=2",
                                      "", system2(file.path(R.home("bin"), "R"), c("CMD", "config", "CXXFLAGS"),
                                                  stdout = TRUE)))),
          machine[["gemm_gflops"]], machine[["exp_ns_per_thread"]], machine[["read_gb_per_s"]]),
  "",
  "### Seconds per EM iteration, full covariance, same data and start",
  "",
  paste("| n, d, k | emgmm engine, 1 thread | emgmm engine, 2 threads | gmm_fit(), 2 threads |",
        "mclust me() | scikit-learn | ClusterR | iterations run: emgmm, mclust, scikit-learn, ClusterR |",
        "mclust / emgmm (2 threads) |",
        "fastest peer / emgmm | floor, these flags | emgmm / floor |",
        if (NATIVE) "emgmm engine, 2 threads, -O3 -march=native |" else "",
        "log-likelihood: emgmm, mclust, scikit-learn; ClusterR (its own start) |"),
  paste0("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
         if (NATIVE) " --- |" else "", " --- |"))
for (w in workloads) {
  n <- w[["n"]]; d <- w[["d"]]; k <- w[["k"]]
  sim <- simulate_workload(n, d, k)
  e1 <- emgmm_engine(sim$x, sim$start, k, 1L)
  e2 <- emgmm_engine(sim$x, sim$start, k, 2L)
  g2 <- emgmm_gmm_fit(sim$x, sim$start, k, 2L)
  mc <- mclust_me(sim$x, sim$start, k)
  sk <- sklearn_fit(sim$x, sim$start, k)
  cr <- clusterr_fit(sim$x, sim$start, k)
  peers <- c(mclust = mc$s_per_iter, sklearn = if (is.null(sk)) NA else sk$s_per_iter,
             ClusterR = if (is.null(cr)) NA else cr$s_per_iter)
  fastest <- min(peers, na.rm = TRUE)
  fl <- floor_seconds(n, d, k)
  nat <- if (NATIVE) native_engine(n, d, k) else NULL
  lines <- c(lines, sprintf("| %s, %d, %d | %s | %s | %s | %s | %s | %s | %s, %s, %s, %s | %.1fx | %.1fx | %s | %.1fx | %s%s, %s, %s; %s |",
    format(n, scientific = TRUE), d, k, fmt(e1$s_per_iter), fmt(e2$s_per_iter),
    fmt(g2$s_per_iter), fmt(mc$s_per_iter), fmt(peers[["sklearn"]]), fmt(peers[["ClusterR"]]),
    iterations_run(e1, e2, g2), iterations_run(mc), iterations_run(sk), iterations_run(cr),
    mc$s_per_iter / e2$s_per_iter, fastest / e2$s_per_iter, fmt(fl), e2$s_per_iter / fl,
    if (NATIVE) paste0(fmt(nat$s_per_iter), " | ") else "",
    format(e2$loglik, digits = 10), format(mc$loglik, digits = 10),
    if (is.null(sk)) "" else format(sk$loglik, digits = 10),
    if (is.null(cr)) "" else format(cr$loglik, digits = 10)))
  cat(lines[length(lines)], "\n")
  rm(sim)
  invisible(gc())
}

lines <- c(lines, "", "### Diagonal and spherical models, seconds per EM iteration, same data and start", "",
           "| n, d, k | model | emgmm engine, 2 threads | mclust me() | iterations run: emgmm, mclust | mclust / emgmm | log-likelihood: emgmm, mclust |",
           "| --- | --- | --- | --- | --- | --- | --- |")
for (w in if (QUICK) list(c(n = 1e6, d = 2, k = 3)) else list(c(n = 1e6, d = 2, k = 3), c(n = 1e6, d = 10, k = 5))) {
  n <- w[["n"]]; d <- w[["d"]]; k <- w[["k"]]
  sim <- simulate_workload(n, d, k)
  for (model in c("VVI", "EEI", "VII", "EII")) {
    e2 <- emgmm_engine(sim$x, sim$start, k, 2L, model)
    mc <- mclust_me(sim$x, sim$start, k, model)
    lines <- c(lines, sprintf("| %s, %d, %d | %s | %s | %s | %s, %s | %.1fx | %s, %s |",
      format(n, scientific = TRUE), d, k, model, fmt(e2$s_per_iter), fmt(mc$s_per_iter),
      iterations_run(e2), iterations_run(mc), mc$s_per_iter / e2$s_per_iter, format(e2$loglik, digits = 10), format(mc$loglik, digits = 10)))
    cat(lines[length(lines)], "\n")
  }
  rm(sim)
  invisible(gc())
}

if (!QUICK) {
  mem <- peak_memory(1e6, 10, 5)
  data_mb <- 1e6 * 10 * 8 / 2^20
  post_mb <- 1e6 * 5 * 8 / 2^20
  lines <- c(lines, "", "### Peak memory, n = 1e6, d = 10, k = 5 (gmm_fit(), 5 iterations)", "",
             sprintf(paste("Peak resident memory above the process's peak once the data existed:",
                           "%.0f MB; the data are %.0f MB and the n x k posterior %.0f MB",
                           "(target: below 2 x (data + posterior) = %.0f MB)."),
                     mem, data_mb, post_mb, 2 * (data_mb + post_mb)))

  lines <- c(lines, "", "### End to end, k = 5, VVV, to convergence", "",
             "| n, d | gmm_fit() s | Mclust() s | ratio | log-likelihood: emgmm, mclust |",
             "| --- | --- | --- | --- | --- |")
  for (n in c(1e5, 1e6)) {
    sim <- simulate_workload(n, 10, 5)
    set.seed(1)
    tg <- elapsed(fg <- gmm_fit(sim$x, k = 5, model = "VVV", threads = 2))
    set.seed(1)
    tm <- elapsed(fm <- Mclust(sim$x, G = 5, modelNames = "VVV", verbose = FALSE))
    lines <- c(lines, sprintf("| %s, 10 | %.2f | %.2f | %.1fx | %s, %s |",
                              format(n, scientific = TRUE), tg, tm, tm / tg,
                              format(fg$loglik, digits = 10), format(fm$loglik, digits = 10)))
    cat(lines[length(lines)], "\n")
    rm(sim)
    invisible(gc())
  }
}

cat("\n", paste(lines, collapse = "\n"), "\n", sep = "")
if (!nzchar(Sys.getenv("EMGMM_BENCH_NO_README")) && !QUICK) {
  readme <- file.path("bench", "README.md")
  txt <- readLines(readme)
  replace_readme_block(txt, "bench.R", lines, readme)
}
