# The cost of a distributed fit (issue 12): EM on data held by local socket
# workers against the in-memory multithreaded fit on the same data.
#   Rscript bench/distributed.R                     # n = 1e7, d = 5, k = 5
#   EMGMM_BENCH_N=1e5 Rscript bench/distributed.R   # a quick run
#
# Configurations on this machine's 2 cores: in memory with 1 and 2 threads;
# one socket worker with 1 and with 2 threads; two socket workers with 1
# thread each.  For each:
# * seconds per iteration: an EM iteration is one pass over all the rows
#   (the E-step: its statistics) and an M-step in the leader (microseconds
#   at k = 5, d = 5).  The pass is timed at the parameters of the in-memory
#   fit, by the engine's own functions (in memory: the E-step on all the
#   rows; distributed: the round the fit makes), 3 passes at a time, the
#   configurations interleaved, 5 repetitions; the median is reported;
# * bytes per iteration: what the leader sent and received in those rounds
#   (the serialized calls, entry function and parameters, and answers, the
#   statistics; parallel's envelope of a few dozen bytes is left out);
# * the whole fit: init = "kmeans", n_init = 1 (the start and its 20
#   screening iterations on a 20000-row sample, in the leader), then 25 EM
#   iterations on all the rows (tol = 0; the iterations run are shown), and
#   the final pass; its parameters are compared with the in-memory fit's.
# The round trip alone is a round over 2 x 500 rows.
suppressPackageStartupMessages({
  library(emgmm)
  library(parallel)
})
n <- as.numeric(Sys.getenv("EMGMM_BENCH_N", "1e7"))
d <- 5L
k <- 5L

set.seed(1)
# overlapping components, so that EM is still moving after 25 iterations
centres <- matrix(rnorm(k * d, sd = 1.5), k, d)
x <- centres[sample.int(k, n, replace = TRUE), ] + matrix(rnorm(n * d), n, d)
colnames(x) <- paste0("x", seq_len(d))
cat(sprintf("data: n = %s, d = %d, k = %d (%.0f MB)\n", format(n, big.mark = ","), d, k,
            object.size(x) / 2^20))

fit <- function(data, threads) {
  set.seed(2)
  t <- system.time(f <- suppressWarnings(gmm_fit(data, k = k, model = "VVV", init = "kmeans",
                                                 n_init = 1, max_iter = 25, tol = 0,
                                                 threads = threads)))[["elapsed"]]
  list(seconds = t, fit = f)
}

setups <- list(
  list(label = "in memory", workers = 0L, threads = 1L),
  list(label = "in memory", workers = 0L, threads = 2L),
  list(label = "1 socket worker", workers = 1L, threads = 1L),
  list(label = "1 socket worker", workers = 1L, threads = 2L),
  list(label = "2 socket workers", workers = 2L, threads = 1L))
for (i in seq_along(setups)) {
  s <- setups[[i]]
  if (s$workers > 0L) {
    s$cluster <- makePSOCKcluster(s$workers)
    s$placing <- system.time(s$data <- gmm_distribute(s$cluster, x, threads = s$threads))[[
      "elapsed"]]
  } else {
    s$data <- x
    s$placing <- NA
  }
  setups[[i]] <- s
}

# whole fits
whole <- lapply(setups, function(s) fit(s$data, s$threads))
reference <- whole[[2L]]$fit
rel <- function(a, b) {
  max(abs(unlist(a$parameters) - unlist(b$parameters)) /
        pmax(abs(unlist(a$parameters)), 1e-300), abs(a$loglik - b$loglik) / abs(a$loglik))
}

# passes at the reference parameters
p <- reference$parameters
params <- list(proportions = p$proportions, means = unname(t(p$means)),
               covariances = array(as.double(p$covariances), dim(p$covariances)))
pass_of <- function(s) {
  if (s$workers == 0L) {
    function() emgmm:::shard_estep_cpp(s$data, params, "VVV", s$threads)
  } else {
    remote <- emgmm:::remote_pass(s$data, k, "VVV", NULL)
    function() remote(params, 1L)
  }
}
passes <- lapply(setups, pass_of)
traffic <- function(s) if (s$workers > 0L) c(s$data$state$sent, s$data$state$received) else c(0, 0)
before <- lapply(setups, traffic)
times <- matrix(NA_real_, 5L, length(setups))
for (r in 1:5) {
  for (i in seq_along(setups)) {
    times[r, i] <- system.time(for (j in 1:3) passes[[i]]())[["elapsed"]] / 3
  }
}
bytes <- mapply(function(s, b) (traffic(s) - b) / 15, setups, before)

res <- data.frame(
  setup = vapply(setups, function(s) s$label, ""),
  threads = vapply(setups, function(s) s$threads, 1L),
  sec_per_iter = apply(times, 2L, stats::median),
  vs_memory_2_threads = apply(times, 2L, stats::median) / stats::median(times[, 2L]),
  bytes_sent_per_iter = round(bytes[1L, ]),
  bytes_received_per_iter = round(bytes[2L, ]),
  fit_25_iter_s = vapply(whole, function(w) w$seconds, 1),
  iterations = vapply(whole, function(w) w$fit$iterations, 1L),
  rel_diff = vapply(whole, function(w) rel(reference, w$fit), 1),
  placing_s = vapply(setups, function(s) s$placing, 1))
for (s in setups) if (s$workers > 0L) stopCluster(s$cluster)

# the round trip alone: two workers, 500 rows each
cl <- makePSOCKcluster(2L)
ds <- gmm_distribute(cl, x[seq_len(1000L), ], threads = 1L)
remote <- emgmm:::remote_pass(ds, k, "VVV", NULL)
latency <- stats::median(replicate(5, system.time(for (i in 1:400) remote(params, 1L))[[
  "elapsed"]] / 400))
stopCluster(cl)

print(res, digits = 3, row.names = FALSE)
c1 <- res$sec_per_iter[1L] / n
cat(sprintf("\none round over 2 x 500 rows (the round trip): %.2f ms\n", latency * 1e3))
cat(sprintf("compute per row and iteration (in memory, 1 thread): %.0f ns\n", c1 * 1e9))
