# Threads under load (issue 11): a fit with threads = 1 against the default
# thread count, on an idle machine and while another process keeps one core
# busy.  The data are the issue's: n = 1e5, d = 5, k = 4, VVV; every fit
# runs the same 100 EM iterations from the same k-means start (tol = 0),
# so seconds per fit compare like with like.  Five alternating repetitions,
# the median reported.
#   Rscript bench/threads.R
suppressPackageStartupMessages(library(emgmm))
set.seed(1)
x <- matrix(rnorm(5e5), ncol = 5)
fit_time <- function(threads) {
  set.seed(2)
  t <- system.time(f <- suppressWarnings(gmm_fit(x, k = 4, model = "VVV", init = "kmeans",
                                                 n_init = 1, max_iter = 100, tol = 0,
                                                 threads = threads)))[["elapsed"]]
  c(seconds = t, iterations = f$iterations)
}
measure <- function(busy) {
  job <- if (busy) parallel::mcparallel(repeat {}, detached = FALSE)
  if (busy) Sys.sleep(0.5)
  on.exit(if (busy) { tools::pskill(job$pid); parallel::mccollect(job, wait = FALSE) })
  r <- replicate(5, c(fit_time(1), fit_time(emgmm_threads())))
  data.frame(load = if (busy) "one core busy" else "idle",
             one_thread = median(r[1, ]), default = median(r[3, ]),
             default_threads = emgmm_threads(),
             iterations = paste(unique(c(r[2, ], r[4, ])), collapse = "/"),
             ratio = median(r[3, ]) / median(r[1, ]))
}
res <- rbind(measure(FALSE), measure(TRUE))
print(res, digits = 3, row.names = FALSE)
