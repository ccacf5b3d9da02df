# The cost of a distributed fit (issue 12): EM on data held by local socket
# workers against the in-memory multithreaded fit on the same data.
#   Rscript bench/distributed.R            # n = 1e7, d = 5, k = 5
#   EMGMM_BENCH_N=1e5 Rscript bench/distributed.R   # a quick run
#
# Every fit starts from the same k-means++ start (init = "kmeans", n_init = 1:
# the start and its 20 screening iterations run on a 20000-row sample, in the
# leader) and then runs at most M EM iterations on all the rows (tol = 0).
# Seconds per iteration are (time with M = 25 - time with M = 5) divided by
# the difference of the iterations the two fits really ran (shown), which
# leaves out the start, the sample's fetch and the final pass; bytes per
# iteration are what the leader sent and received in those extra rounds
# (the serialized calls and answers), divided by their number.  The round trip alone is measured on 2 x 500 rows.
# Configurations use the machine's 2 cores: in memory with 1 and 2 threads,
# one worker with 1 and 2 threads, two workers with 1 thread each.
suppressPackageStartupMessages({
  library(emgmm)
  library(parallel)
})
n <- as.numeric(Sys.getenv("EMGMM_BENCH_N", "1e7"))
d <- 5L
k <- 5L
iters <- c(5L, 25L)

set.seed(1)
# overlapping components, so that EM is still moving after 25 iterations
centres <- matrix(rnorm(k * d, sd = 1.5), k, d)
x <- centres[sample.int(k, n, replace = TRUE), ] + matrix(rnorm(n * d), n, d)
colnames(x) <- paste0("x", seq_len(d))
cat(sprintf("data: n = %s, d = %d, k = %d (%.0f MB)\n", format(n, big.mark = ","), d, k,
            object.size(x) / 2^20))

run <- function(data, threads, m) {
  set.seed(2)
  t <- system.time(f <- suppressWarnings(gmm_fit(data, k = k, model = "VVV", init = "kmeans",
                                                 n_init = 1, max_iter = m, tol = 0,
                                                 threads = threads)))[["elapsed"]]
  list(seconds = t, fit = f)
}

measure <- function(label, data, threads) {
  traffic <- function() if (inherits(data, "emgmm_distributed")) {
    c(data$state$sent, data$state$received)
  } else c(0, 0)
  t0 <- traffic()
  a <- run(data, threads, iters[1L])
  t1 <- traffic()
  b <- run(data, threads, iters[2L])
  t2 <- traffic()
  # the iterations each fit really ran (tol = 0 stops only at an exact
  # fixed point, which these data do not reach)
  ran <- c(a$fit$iterations, b$fit$iterations)
  stopifnot(ran[2L] > ran[1L])
  # both fits fetch the same sample and make the same other rounds: the
  # difference is the extra EM rounds
  b_only <- ((t2 - t1) - (t1 - t0)) / diff(ran)
  list(row = data.frame(setup = label, threads = threads,
                        iterations = paste(ran, collapse = "/"),
                        sec_per_iter = (b$seconds - a$seconds) / diff(ran),
                        fit_seconds = b$seconds,
                        bytes_sent_per_iter = round(b_only[1L]),
                        bytes_received_per_iter = round(b_only[2L])),
       fit = b$fit)
}

rows <- list()
fits <- list()
for (th in c(1L, 2L)) {
  m <- measure("in memory", x, th)
  rows[[length(rows) + 1L]] <- m$row
  fits[[sprintf("memory%d", th)]] <- m$fit
}
placing <- list()
for (setup in list(c(workers = 1L, threads = 1L), c(workers = 1L, threads = 2L),
                   c(workers = 2L, threads = 1L))) {
  cl <- makePSOCKcluster(setup[["workers"]])
  t <- system.time(dx <- gmm_distribute(cl, x, threads = setup[["threads"]]))[["elapsed"]]
  placing[[length(placing) + 1L]] <- t
  label <- sprintf("%d socket worker%s", setup[["workers"]],
                   if (setup[["workers"]] > 1L) "s" else "")
  m <- measure(label, dx, setup[["threads"]])
  rows[[length(rows) + 1L]] <- m$row
  fits[[label]] <- m$fit
  cat(sprintf("%s x %d thread(s): placing the data took %.1f s\n", label, setup[["threads"]], t))
  stopCluster(cl)
  rm(dx)
  invisible(gc())
}
res <- do.call(rbind, rows)
rel <- function(a, b) {
  max(abs(unlist(a$parameters) - unlist(b$parameters)) /
        pmax(abs(unlist(a$parameters)), 1e-300), abs(a$loglik - b$loglik) / abs(a$loglik))
}
agree <- vapply(fits, function(f) rel(fits$memory2, f), numeric(1))

# the round trip alone: two workers, 500 rows each, 2000 passes at the
# parameters of the in-memory fit (the engine's pass, as EM makes it)
small <- x[seq_len(1000L), ]
cl <- makePSOCKcluster(2L)
ds <- gmm_distribute(cl, small, threads = 1L)
p <- fits$memory2$parameters
params <- list(proportions = p$proportions, means = unname(t(p$means)),
               covariances = array(as.double(p$covariances), dim(p$covariances)))
pass <- emgmm:::remote_pass(ds, k, "VVV", TRUE, NULL)
latency <- system.time(for (i in 1:2000) pass(params, i))[["elapsed"]] / 2000
stopCluster(cl)

print(res, digits = 3, row.names = FALSE)
cat(sprintf("\nlargest relative difference from the in-memory fit (parameters, loglik): %s\n",
            format(max(agree), digits = 2)))
cat(sprintf("one round over 2 x 500 rows (the round trip): %.2f ms\n", latency * 1e3))
c1 <- res$sec_per_iter[res$setup == "in memory" & res$threads == 1L] / n
cat(sprintf("compute per row and iteration (in memory, 1 thread): %.1f ns\n", c1 * 1e9))
cat(sprintf("placing the data: %s s\n", paste(sprintf("%.1f", unlist(placing)), collapse = ", ")))
